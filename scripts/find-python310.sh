#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter (Rasa Open Source 3.6 needs exactly 3.10).
# Order: $PYTHON310, python3.10 on PATH, pyenv's 3.10 builds. Exits 1 with a clear message if none.
set -u
try() { [ -n "$1" ] && "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { command -v "$1" 2>/dev/null || echo "$1"; exit 0; }; }
try "${PYTHON310:-}"
try "$(command -v python3.10 2>/dev/null || true)"
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
  [ -n "$root" ] || continue
  for p in $(ls -d "$root"/versions/3.10*/bin/python3.10 2>/dev/null | sort -rV); do try "$p"; done
done
for p in /usr/bin/python3.10 /usr/local/bin/python3.10; do try "$p"; done
echo "error: Policyline needs Python 3.10 (Rasa Open Source 3.6.21 supports 3.8-3.10)." >&2
echo "       Install it (e.g. 'pyenv install 3.10') or set PYTHON310=/path/to/python3.10." >&2
exit 1
