#!/usr/bin/env bash
# Lint the sources: each step below passes or fails on its own, every step runs, and the script
# ends with one line "lint: N passed, N failed" and a non-zero exit when any step failed.
# `npm run lint` runs it alone; `npm test` (scripts/test.sh) runs it and fails at the end on it.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

passed=0
failed=0
step() {
  local name=$1
  shift
  echo "lint: $name"
  if "$@"; then passed=$((passed + 1)); echo "  ok    $name"; else failed=$((failed + 1)); echo "  FAIL  $name"; fi
}

# --- 1. Copies: jscpd (settings in .jscpd.json) -------------------------------------------------
# A block of 10 or more lines (and at least 50 tokens) of TypeScript, JavaScript or HCL found
# twice fails the lint: move it where both can use it (a shared module, local, fixture or helper).
#
# Scope: jscpd compares the units below with each other, and skips a clone whose two copies lie in
# the same unit (skipLocal). A unit is one package (packages/<name>: its src and its tests), one
# Terraform module with its tests, one Terraform example, the files the examples share
# (terraform/examples-common, linked into them: jscpd does not follow the links), one integration
# test of an example (terraform/tests/<file>), one entry of scripts/. Issue #12 asks for no copies across modules and
# across packages: a copy between two of them drifts unseen, since nobody edits both, and is the
# code a new rotator would copy a third time. A copy inside one package is its owner's to see and
# fix in one review, and a test file that repeats its own setup reads better whole than through a
# helper made for two call sites, so those are left to review.
#
# Why 50 tokens (jscpd's default) beside 10 lines: below it, 10 lines of HCL are declarations each
# module must make for itself (Terraform cannot share a variable block between modules: `name`,
# `zip_path`, `function`, `password_policy`, `secrets`, each a few lines long) and the examples'
# required_providers; at 50 the detector reports blocks with logic in them.
#
# Not scanned: Markdown (the READMEs quote the modules' inputs on purpose), the scaffolding
# templates (scripts/templates/**/*.tmpl: the origin of each new rotator package, parallel to them
# by design), and what is built or installed (dist, node_modules, .local, .turbo, .terraform).
copies() {
  # Paths are printed absolute (so that two files named alike in two units can be told apart) and
  # shown relative to the repository.
  npx jscpd packages/*/ terraform/modules/*/ terraform/examples/*/ terraform/examples-common \
    terraform/tests/* terraform/*.ts scripts/* ./*.ts 2>&1 | sed "s|$root/||g"
}
step "copies (jscpd: 10 lines, 50 tokens, across packages, Terraform modules and examples)" copies

# --- 2. Biome: format and lint rules (settings and the reason for each rule turned off in biome.jsonc)
# `biome ci` writes nothing: it fails on a file that is not formatted as Biome would (lines of at
# most 120 characters where it can break the code) and on a broken lint rule.
# `npx biome check --write .` fixes what it can.
step "format and lint rules (Biome)" npx biome ci --max-diagnostics=50 .

# --- 3. Line length: at most 120 characters in every tracked source (scripts/line-length.sh) ----
# What Biome leaves long (strings, comments, test names) and what it does not read (Terraform, shell).
step "lines of at most 120 characters (TypeScript, Terraform, shell, templates)" bash scripts/line-length.sh

echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
