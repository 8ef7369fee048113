#!/usr/bin/env bash
# Benchmarks (figures come from here, never from tests): set up, build every rotator's zip, measure
# them (scripts/bench/main.ts), write docs/BENCHMARKS.md and print it. ROTATIONS and LOAD_RUNS
# set the number of samples (default 10 each). Progress and build output go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
export PATH="$(pwd)/.local/node22/node_modules/.bin:$PATH"
npx turbo run package --output-logs=errors-only >&2
npx tsx scripts/bench/main.ts
