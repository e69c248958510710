"""Autogenerate an Alembic migration against a throwaway embedded PostgreSQL.

    .venv/bin/python scripts/new_migration.py "add consents"

Review the generated file before committing it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cyberhub import infra  # noqa: E402
from cyberhub.migrate import upgrade  # noqa: E402


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "change"
    versions = sorted(p.name for p in (ROOT / "alembic" / "versions").glob("[0-9]*.py"))
    rev_id = f"{len(versions) + 1:04d}"
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        data = Path(tmp) / "pg"
        url = infra.start_postgres(data, "migrations")
        try:
            upgrade(url)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "alembic",
                    "-x",
                    f"url={url}",
                    "revision",
                    "--autogenerate",
                    "--rev-id",
                    rev_id,
                    "-m",
                    message,
                ],
                cwd=ROOT,
                check=True,
            )
        finally:
            infra.stop_postgres(data)


if __name__ == "__main__":
    main()
