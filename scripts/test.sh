#!/usr/bin/env bash
# Command 2's body (after scripts/setup.sh): lint, types, then the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

echo "== ruff (lint + format check)"
ruff check .
ruff format --check .
echo "== mypy"
mypy
echo "== pytest"
exec python -m pytest "$@"
