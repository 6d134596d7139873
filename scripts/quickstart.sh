#!/usr/bin/env bash
# Installs PerMed Atlas, loads the bundled demo corpus into ./permed-data, writes the report and
# starts the web app on http://127.0.0.1:8000 (Ctrl-C stops it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/bootstrap.sh
exec permed demo "$@"
