"""Command 1: start CyberHub with everything it needs, and stop all of it on Ctrl-C.

embedded PostgreSQL + pgvector (unless DATABASE_URL) and Redis (unless REDIS_URL) under .data/
-> migrations -> demo data (empty database only) -> Dramatiq worker(s) and the periodic-job
scheduler -> Reflex production server on one port. Ctrl-C / SIGTERM stops the children, then
Redis, then PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cyberhub.serve import apply_migrations, preflight, worker_command  # noqa: E402
from cyberhub.settings import Settings, get_settings  # noqa: E402

STOP_TIMEOUT = 10


def log(msg: str) -> None:
    print(f"[cyberhub] {msg}", flush=True)


class Supervisor:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.redis = None
        self.stopping = False

    # -- infrastructure ------------------------------------------------------------------
    def start_services(self) -> dict[str, str]:
        from cyberhub import infra
        from cyberhub.db import normalize_url

        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        if s.database_url:
            db_url = normalize_url(s.database_url)
            log("using PostgreSQL from DATABASE_URL")
        else:
            log(f"starting embedded PostgreSQL (data in {s.pg_data_dir})")
            db_url = infra.start_postgres(s.pg_data_dir)
            sized = infra.size_postgres(s.pg_data_dir, db_url, s)
            log("PostgreSQL memory: " + ", ".join(f"{k} {v}" for k, v in sized.items()))
        if s.redis_url:
            redis_url = s.redis_url
            log("using Redis from REDIS_URL")
        else:
            log(f"starting embedded Redis (data in {s.redis_data_dir})")
            self.redis = infra.EmbeddedRedis(s.redis_data_dir)
            redis_url = self.redis.url
            log(f"embedded Redis running (pid {self.redis.pid})")
        return {"DATABASE_URL": db_url, "REDIS_URL": redis_url}

    def prepare_database(self, db_url: str) -> None:
        log("applying migrations")
        log(apply_migrations(db_url))
        from cyberhub.services.ai import ai_queue

        if not self.settings.demo_data_enabled:
            log("demo data off (LOAD_DEMO_DATA): create the first admin with `make admin`")
            return
        from cyberhub import db
        from cyberhub.services.admin import demo

        with db.session_scope() as session:
            if not demo.is_empty(session):
                log("database has data: demo data not loaded again")
                return
            log("loading demo data")
            mission_ids = demo.load_demo_data(session)
            ai_queue.bootstrap_after_commit(session, mission_ids)

    # -- processes -------------------------------------------------------------------------
    def spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        self.children.append((name, proc))
        log(f"started {name} (pid {proc.pid})")

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        log("stopping…")
        for _, proc in self.children:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in time; killing it")
            # whatever is left of the group (bun, granian workers, dramatiq forks)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self.redis is not None:
            self.redis.stop()
            log("embedded Redis stopped")
        if not self.settings.database_url:
            from cyberhub import infra

            infra.stop_postgres(self.settings.pg_data_dir)
            log("embedded PostgreSQL stopped")

    def wait_healthy(self, timeout: float = 180) -> bool:
        url = f"http://{self.settings.app_host}:{self.settings.app_port}/api/v1/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    log(f"{name} exited with code {proc.returncode}")
                    return False
            try:
                with urllib.request.urlopen(url, timeout=3) as resp:
                    if resp.status == 200:
                        return True
            except Exception:
                pass
            time.sleep(1)
        return False

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        try:
            urls = self.start_services()
            env = {**os.environ, **urls}
            os.environ.update(urls)
            get_settings.cache_clear()
            self.prepare_database(urls["DATABASE_URL"])
            if self.stopping:
                return 0
            s = self.settings
            bin_dir = Path(sys.executable).parent
            self.spawn("worker", worker_command(s), env)
            # Enqueues the periodic jobs (expire_review_claims every minute) for the worker.
            self.spawn("scheduler", [sys.executable, "-m", "worker.scheduler"], env)
            web_env = {**env, "GRANIAN_WORKERS": str(s.web_workers)}
            self.spawn(
                "web",
                [
                    str(bin_dir / "reflex"),
                    "run",
                    "--env",
                    "prod",
                    "--backend-host",
                    s.app_host,
                    "--frontend-port",
                    str(s.app_port),
                    "--backend-port",
                    str(s.app_port),
                ],
                web_env,
            )
            if self.wait_healthy():
                self.banner()
            elif not self.stopping:
                log("CyberHub did not become healthy; see the output above")
                self.stop()
                return 1
            while not self.stopping:
                for name, proc in self.children:
                    if proc.poll() is not None and not self.stopping:
                        log(f"{name} exited unexpectedly (code {proc.returncode}); shutting down")
                        self.stop()
                        return 1
                time.sleep(0.5)
            return 0
        finally:
            self.stop()

    def banner(self) -> None:
        from cyberhub.services.admin.demo import DEMO_PASSWORD, DEMO_USERS

        url = f"http://{self.settings.app_host}:{self.settings.app_port}"
        lines = [
            "",
            f"  CyberHub is running at {url}",
            f"  API docs: {url}/api/v1/docs   health: {url}/api/v1/health",
            "",
        ]
        if self.settings.demo_data_enabled:
            lines += [
                f"  Demo accounts (password: {DEMO_PASSWORD}):",
                *[f"    {role.value:<9} {email}" for email, _, role, _ in DEMO_USERS],
                "",
            ]
        else:
            lines += ["  No demo data. Create an admin with `make admin`.", ""]
        lines += ["  Press Ctrl-C to stop everything.", ""]
        print("\n".join(lines), flush=True)


def main() -> int:
    settings = preflight()
    if settings is None:
        return 2
    return Supervisor(settings).run()


if __name__ == "__main__":
    sys.exit(main())
