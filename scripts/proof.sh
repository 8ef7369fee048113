#!/usr/bin/env bash
# The reliability proof (issue #16): set up, then run every rotator through
# packages/testkit/src/proof (call points × faults, load, overlap, hostile input, leaks) and write
# docs/RELIABILITY.md. PROOF_SCALE=test runs the smaller scale `npm test` runs; PROOF_ROTATORS=a,b
# narrows the run (then the report goes to .local/proof/). Exits non-zero when any case fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
# Run on Node 22 too, the Lambda runtime's major (installed by setup.sh).
export PATH="$(pwd)/.local/node22/node_modules/.bin:$PATH"
npx tsc -p scripts/proof/tsconfig.json
npx tsx scripts/proof/main.ts
