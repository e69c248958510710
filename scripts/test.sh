#!/usr/bin/env bash
# Command 2's body (after scripts/setup.sh): lint, types, then the whole test suite in two runs:
# the browser journeys (one production build, one Chromium: alone on the machine, as their
# timeouts assume), then the unit and integration tests spread over the cores (pytest-xdist, at
# most 4 processes, each with its own embedded PostgreSQL and Redis). Both run even if the first
# fails; the command fails if either did. With arguments, one pytest run of just those.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

echo "== ruff (lint + format check)"
ruff check .
ruff format --check .
echo "== mypy"
mypy
if [ "$#" -gt 0 ]; then
  exec python -m pytest "$@"
fi
status=0
echo "== pytest: browser journeys (tests/e2e)"
python -m pytest tests/e2e || status=$?
echo "== pytest: unit and integration tests, spread over the cores"
# --dist loadgroup: the tests that serve or rebuild the shared frontend build
# (xdist_group "frontend") run one after another in one process (bench/cluster.py FRONTEND_LOCK).
python -m pytest -n auto --maxprocesses 4 --dist loadgroup tests/unit tests/integration || status=$?
exit "$status"
