#!/usr/bin/env bash
# The main job on the local default: set up, build the zips, start the local AWS (moto) and local
# targets, `terraform apply` every example against them, rotate the secrets Terraform created with
# the built zips on Node 22, show the staging labels before and after, plan (no changes), destroy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Run the tooling on Node 22 too, the Lambda runtime's major (installed by setup.sh).
export PATH="$(pwd)/.local/node22/node_modules/.bin:$PATH"
npx turbo run package --output-logs=errors-only
npx tsx scripts/local/demo.ts "$@"
