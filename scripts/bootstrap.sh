#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install the pinned dependencies and the front-end assets.
# Re-running is cheap: each step is skipped when its inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
want="${1:-base}"   # base | test

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  python="$(scripts/find-python.sh)"
  rm -rf .venv
  echo "creating .venv with $python"
  "$python" -m venv .venv || { echo "error: could not create a virtual environment with $python (is the venv module installed?)" >&2; exit 1; }
fi

# This machine's pip configuration may name local indexes that do not exist; pip warns once per package.
quiet_pip() { "$@" 2> >(grep -v "^WARNING: Location" >&2); }

stamp=".venv/.installed-$want-$(cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  quiet_pip .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  quiet_pip .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "requirements/$want.txt" \
    || { echo "error: installing Python dependencies failed (is the package index reachable?)" >&2; exit 1; }
  quiet_pip .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
    || { echo "error: installing shegong itself failed" >&2; exit 1; }
  rm -f .venv/.installed-"$want"-*
  touch "$stamp"
fi

assets_stamp="node_modules/.installed-$(sha256sum package.json | cut -c1-16)"
if [ ! -f "$assets_stamp" ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to install the chart library (install Node.js)" >&2; exit 1; }
  npm install --no-audit --no-fund --silent || { echo "error: npm install failed (is the npm registry reachable?)" >&2; exit 1; }
  rm -f node_modules/.installed-*
  touch "$assets_stamp"
fi
