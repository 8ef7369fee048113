#!/usr/bin/env bash
# Offline checks of every Terraform module and example, no AWS and no emulator needed:
#   terraform fmt -check; init + validate per root; terraform test (mock provider) per module;
#   README inputs/outputs tables in step with the .tf files.
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

if terraform fmt -check -recursive -diff terraform >"$log/fmt" 2>&1; then
  pass "fmt"
else
  fail "fmt (run: terraform fmt -recursive terraform)" 1 "$log/fmt"
fi

# One root: init, validate, and (modules with tests/) terraform test. Writes "<passed> <failed>"
# and a report to files of its own, so two roots can run at once (2 cores).
check_root() {
  local root=$1 out="$log/$(echo "$1" | tr / _)"
  local ok=0 ko=0
  {
    if ! terraform -chdir="$root" init -backend=false -input=false -no-color >"$out.init" 2>&1; then
      echo "  FAIL  init $root"; sed 's/^/        /' "$out.init" | tail -40; ko=1
    else
      if terraform -chdir="$root" validate -no-color >"$out.validate" 2>&1; then
        echo "  ok    validate $root"; ok=1
      else
        echo "  FAIL  validate $root"; sed 's/^/        /' "$out.validate" | tail -40; ko=1
      fi
      if [ -d "$root/tests" ]; then
        terraform -chdir="$root" test -no-color >"$out.test" 2>&1
        local rc=$? counts runs_ok runs_ko
        # "Success! 16 passed, 0 failed." / "Failure! 15 passed, 1 failed."
        counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out.test" | tail -1)
        runs_ok=$(echo "$counts" | cut -d' ' -f1)
        runs_ko=$(echo "$counts" | cut -d' ' -f3)
        ok=$((ok + ${runs_ok:-0}))
        if [ "$rc" -eq 0 ] && [ -n "$runs_ok" ]; then
          echo "  ok    test $root ($runs_ok runs)"
        else
          echo "  FAIL  test $root (${runs_ko:-?} runs failed)"; sed 's/^/        /' "$out.test" | tail -60
          ko=$((ko + ${runs_ko:-1}))
        fi
      fi
    fi
  } >"$out.report"
  echo "$ok $ko" >"$out.counts"
}
export -f check_root
export log

roots=$(ls -d terraform/modules/*/ terraform/examples/*/ | sed 's:/$::')
# Terraform's own plugin cache is not safe for parallel inits; the mirror is read-only and fine.
echo "$roots" | xargs -P 2 -I{} bash -c 'check_root {}'
for root in $roots; do
  out="$log/$(echo "$root" | tr / _)"
  cat "$out.report"
  read -r ok ko <"$out.counts"
  passed=$((passed + ok))
  failed=$((failed + ko))
done

if npx tsx scripts/terraform/readme-tables.ts >"$log/readme" 2>&1; then
  pass "README tables ($(grep -Eo '^readme tables: [0-9]+' "$log/readme" | grep -Eo '[0-9]+') files)"
else
  fail "README tables" 1 "$log/readme"
fi

echo "terraform checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
