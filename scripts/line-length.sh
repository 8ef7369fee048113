#!/usr/bin/env bash
# Fail on any line longer than 120 characters in the tracked sources (issue #12): TypeScript and
# JavaScript, the scaffolding templates, Terraform and its tests, shell, YAML and biome.jsonc.
#
#   bash scripts/line-length.sh            every tracked source
#   bash scripts/line-length.sh PATH...    only the tracked sources under PATH
#
# Why a script and not Biome: Biome's lineWidth is where its formatter wraps code, not a limit: it
# leaves a long string, comment or test name as it is, and it does not read HCL or shell. No
# maintained linter covers all of these languages (ESLint's max-len needs a parser per language;
# editorconfig-checker downloads a binary from GitHub at install), and the rule is one awk line.
#
# Not checked: Markdown (prose and tables, read rendered) and JSON (package-lock.json and data).
set -euo pipefail
cd "$(dirname "$0")/.."

limit=120
mapfile -t files < <(
  git ls-files -- "${@:-.}" |
    grep -Ev '\.(md|json|zip|txt|gitignore)$' |
    while IFS= read -r file; do [ -f "$file" ] && [ ! -L "$file" ] && echo "$file"; done
)
if [ "${#files[@]}" -eq 0 ]; then
  echo "line length: no tracked sources under ${*:-.}"
  exit 0
fi

# Length in characters, not bytes: awk runs in a UTF-8 locale so that "—" counts as one.
report='length($0) > limit { printf "%s:%d: %d characters\n", FILENAME, FNR, length($0) }'
long=$(LC_ALL=C.UTF-8 awk -v limit="$limit" "$report" "${files[@]}")
if [ -n "$long" ]; then
  echo "$long"
  echo "line length: $(echo "$long" | wc -l) lines longer than $limit characters in ${#files[@]} files"
  exit 1
fi
echo "line length: ${#files[@]} files, every line at most $limit characters"
