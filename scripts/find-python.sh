#!/usr/bin/env bash
# Print the path of a Python >= 3.12: $PYTHON, python3.13, python3.12, a pyenv 3.12+/3.13+, or python3.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.13 python3.12)
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
if command -v pyenv >/dev/null 2>&1; then pyenv_root="$(pyenv root 2>/dev/null || echo "$pyenv_root")"; fi
for dir in $(ls -d "$pyenv_root"/versions/3.1[3-9]* "$pyenv_root"/versions/3.12* 2>/dev/null | sort -rV); do
  candidates+=("$dir/bin/python")
done
candidates+=(python3)
for c in "${candidates[@]}"; do
  path="$(command -v "$c" 2>/dev/null || true)"
  if [ -n "$path" ] && ok "$path"; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "error: shegong needs Python 3.12 or newer; none found (tried \$PYTHON, python3.13, python3.12, pyenv versions, python3). Install one or set PYTHON=/path/to/python3.12." >&2
exit 1
