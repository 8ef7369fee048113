#!/usr/bin/env bash
# Every test: set up, the lint (scripts/lint.sh: copies), typecheck, build and package every
# rotator, the offline Terraform checks (fmt, validate, mock-provider tests, README tables), then
# one vitest run over every package and the Terraform examples (it starts its own moto and
# database servers). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Run the tooling on Node 22 too, the Lambda runtime's major (installed by setup.sh).
export PATH="$(pwd)/.local/node22/node_modules/.bin:$PATH"
# A lint failure is reported at the end, after vitest has run too.
lint_status=0
bash scripts/lint.sh || lint_status=$?
npx turbo run typecheck package --output-logs=errors-only
npx tsc -p scripts/tsconfig.json
npx tsc -p terraform/tsconfig.json
# A Terraform failure is reported at the end, after vitest has run too.
terraform_status=0
bash scripts/terraform/check.sh || terraform_status=$?
npx vitest run "$@"
if [ "$terraform_status" -ne 0 ]; then
  echo "[test] the Terraform checks failed (see 'terraform checks:' above)" >&2
  exit "$terraform_status"
fi
if [ "$lint_status" -ne 0 ]; then
  echo "[test] the lint failed (see 'lint:' above)" >&2
  exit "$lint_status"
fi
