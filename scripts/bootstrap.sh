#!/usr/bin/env bash
# Creates .venv (if missing) and installs PerMed Atlas into it. Sourced by the other scripts.
# Usage: source scripts/bootstrap.sh [extras]   e.g. "dev" for the test tools, "dev,embeddings"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRA="${1:-}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "PerMed Atlas needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  "$PY" -m venv "$ROOT/.venv"
fi
STAMP="$ROOT/.venv/.installed-${EXTRA:-base}"
# Reinstall only when pyproject.toml changed since the last install.
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  if [ -n "$EXTRA" ]; then
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT[$EXTRA]"
  else
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT"
  fi
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
