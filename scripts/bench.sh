#!/usr/bin/env bash
# Benchmarks (figures come from here, never from tests): set up, build the zips, run them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
export PATH="$(pwd)/.local/node22/node_modules/.bin:$PATH"
npx turbo run package --output-logs=errors-only >/dev/null
npx tsx scripts/bench/rotation.ts
