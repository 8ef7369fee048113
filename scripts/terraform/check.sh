#!/usr/bin/env bash
# Offline checks of every Terraform module and example, no AWS and no emulator needed:
#   terraform fmt -check; init + validate per root; terraform test (mock provider) per module;
#   README inputs/outputs tables in step with the .tf files; the shared pass-through variables
#   file identical in every rotator module.
# Ends with one line "terraform checks: N passed, N failed" (each terraform-test run counts).
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/terraform/env.sh

passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
pass() { passed=$((passed + ${2:-1})); printf '  ok    %s\n' "$1"; }
fail() { failed=$((failed + ${2:-1})); printf '  FAIL  %s\n' "$1"; sed 's/^/        /' "$3" | tail -40; }

echo "terraform $(terraform version | head -1 | cut -d' ' -f2), provider from ${TF_MIRROR:-the public registry}"

if terraform fmt -check -recursive -diff terraform >"$log/fmt" 2>&1; then pass "fmt"; else fail "fmt (run: terraform fmt -recursive terraform)" 1 "$log/fmt"; fi

roots=$(ls -d terraform/modules/*/ terraform/examples/*/ | sed 's:/$::')
for root in $roots; do
  out="$log/$(echo "$root" | tr / _)"
  if ! terraform -chdir="$root" init -backend=false -input=false -no-color >"$out" 2>&1; then
    fail "init $root" 1 "$out"
    continue
  fi
  if terraform -chdir="$root" validate -no-color >"$out" 2>&1; then pass "validate $root"; else fail "validate $root" 1 "$out"; fi
  if [ -d "$root/tests" ]; then
    terraform -chdir="$root" test -no-color >"$out" 2>&1
    rc=$?
    # "Success! 16 passed, 0 failed." / "Failure! 15 passed, 1 failed."
    counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    ok=$(echo "$counts" | cut -d' ' -f1)
    ko=$(echo "$counts" | cut -d' ' -f3)
    if [ "$rc" -eq 0 ] && [ -n "$ok" ]; then
      pass "test $root ($ok runs)" "$ok"
    else
      passed=$((passed + ${ok:-0}))
      fail "test $root (${ko:-?} of $(( ${ok:-0} + ${ko:-0} )) runs failed)" "${ko:-1}" "$out"
    fi
  fi
done

if npx tsx scripts/terraform/readme-tables.ts >"$log/readme" 2>&1; then
  pass "README tables ($(grep -Eo '^readme tables: [0-9]+' "$log/readme" | grep -Eo '[0-9]+') files)"
else
  fail "README tables" 1 "$log/readme"
fi

shared_ok=1
for file in terraform/modules/*/function_variables.tf; do
  if ! cmp -s "$file" terraform/modules/generic-password/function_variables.tf; then
    shared_ok=0
    diff terraform/modules/generic-password/function_variables.tf "$file" >"$log/shared" 2>&1
    fail "$file differs from terraform/modules/generic-password/function_variables.tf" 1 "$log/shared"
  fi
done
[ "$shared_ok" -eq 1 ] && pass "function_variables.tf identical in every rotator module"

echo "terraform checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
