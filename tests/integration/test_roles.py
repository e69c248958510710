"""`python -m cyberhub.serve ROLE` (issue 18 item 3): a role started alone needs both URLs and
starts no private database; one scheduler is active and the others stand by, taking over when it
stops; /api/v1/health counts the worker processes and reports the scheduler."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.processes import ROOT, child_env

pytestmark = [pytest.mark.integration]


@pytest.mark.parametrize("role", ["web", "worker", "scheduler", "migrate", "health"])
def test_a_role_alone_needs_database_url_and_redis_url(role: str, tmp_path: Path) -> None:
    env = {
        k: v for k, v in child_env().items() if k not in {"DATABASE_URL", "REDIS_URL", "APP_PORT"}
    }
    env["DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.run(
        [sys.executable, "-m", "cyberhub.serve", role],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"can't start the {role} role on its own" in proc.stderr
    assert "DATABASE_URL and REDIS_URL" in proc.stderr
    assert "Traceback" not in proc.stderr
    # no embedded PostgreSQL or Redis was started in its place
    data = tmp_path / "data"
    assert not (data / "pg").exists() and not (data / "redis").exists()


def test_an_unknown_role_is_refused_with_the_list(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cyberhub.serve", "webserver"],
        cwd=ROOT,
        env=child_env(DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "invalid choice: 'webserver'" in proc.stderr and "scheduler" in proc.stderr


@pytest.fixture
def redis(redis_url: str) -> Any:
    from cyberhub.redis_client import HEARTBEAT_KEY, get_redis
    from worker.scheduler import LOCK_PREFIX

    r = get_redis()
    for key in r.scan_iter(f"{LOCK_PREFIX}:*"):
        r.delete(key)
    r.delete(HEARTBEAT_KEY)
    return r


def test_one_scheduler_holds_the_lease_the_other_stands_by(redis: Any) -> None:
    from worker.scheduler import hold_lease, release_lease

    assert hold_lease(redis, "a", seconds=1)
    assert not hold_lease(redis, "b", seconds=1)
    assert hold_lease(redis, "a", seconds=1)  # renewed by its holder
    release_lease(redis, "a")  # a clean stop: b takes over at once
    assert hold_lease(redis, "b", seconds=1)
    assert not hold_lease(redis, "a", seconds=1)
    time.sleep(1.2)  # b died without releasing: its lease runs out
    assert hold_lease(redis, "a", seconds=1)


def test_health_counts_worker_processes_and_reports_the_scheduler(
    api_client: TestClient, redis: Any
) -> None:
    from cyberhub.redis_client import HEARTBEAT_KEY
    from worker.scheduler import beat, hold_lease

    now = time.time()
    redis.zadd(HEARTBEAT_KEY, {"host1:10": now, "host2:11": now - 2, "gone:12": now - 600})
    body = api_client.get("/api/v1/health").json()
    assert body["status"] == "ok"  # the scheduler does not take a web out of its balancer
    assert body["workers"] == 2
    assert body["scheduler"] == "error: no scheduler running" and body["schedulers"] == 0

    beat(redis, "s1")
    beat(redis, "s2")
    body = api_client.get("/api/v1/health").json()
    assert body["scheduler"] == "error: no active scheduler yet" and body["schedulers"] == 2

    assert hold_lease(redis, "s1")
    body = api_client.get("/api/v1/health").json()
    assert body["scheduler"] == "ok" and body["schedulers"] == 2


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_scheduler_processes_one_active_the_other_takes_over(
    redis: Any, redis_url: str, db_url: str, tmp_path: Path
) -> None:
    """Two `serve scheduler` processes: one enqueues, one stands by; the active one killed with
    SIGKILL (no clean release), the standby enqueues within the lease."""
    from cyberhub.redis_client import SCHEDULER_LEADER_KEY
    from worker.scheduler import LEASE_SECONDS

    redis.delete("dramatiq:default", "dramatiq:default.msgs")
    started = time.time()
    env = child_env(REDIS_URL=redis_url, DATABASE_URL=db_url)
    logs = [tmp_path / f"scheduler{i}.log" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cyberhub.serve", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        _wait_for(
            lambda: (
                sum(("is active" in log.read_text()) for log in logs) == 1
                and sum(("stands by" in log.read_text()) for log in logs) == 1
            ),
            60,
            "one active scheduler and one standing by",
        )
        active = next(i for i, log in enumerate(logs) if "is active" in log.read_text())
        standby = 1 - active
        # it says it is active, then sends its first jobs (a moment later: not yet in the log)
        _wait_for(
            lambda: "enqueued expire_review_claims" in logs[active].read_text(),
            30,
            "the active scheduler's first jobs",
        )
        assert "enqueued" not in logs[standby].read_text()
        assert str(procs[active].pid) in redis.get(SCHEDULER_LEADER_KEY)

        procs[active].send_signal(signal.SIGKILL)
        procs[active].wait(timeout=10)
        killed_at = time.monotonic()
        _wait_for(
            lambda: "is active" in logs[standby].read_text(),
            LEASE_SECONDS + 5,
            "the standby to take over",
        )
        assert time.monotonic() - killed_at <= LEASE_SECONDS + 2
        assert str(procs[standby].pid) in redis.get(SCHEDULER_LEADER_KEY)
        # expire_review_claims (every 60 s) went out at most once per period, across both
        sent = sum(log.read_text().count("enqueued expire_review_claims") for log in logs)
        assert 1 <= sent <= int(time.time() // 60) - int(started // 60) + 1
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=15)
        redis.delete("dramatiq:default", "dramatiq:default.msgs")
