"""Issue 18 item 3: CyberHub as several machines run it — 2 web + 2 worker + 1 scheduler
processes (`python -m cyberhub.serve ROLE`) against one TCP PostgreSQL and one TCP Redis
(bench/cluster.py). Each role is healthy; a learner signed in on web 1 carries on on web 2 with
the page state web 1 left (Reflex keeps it in Redis: no sticky sessions); a job requested on
web 1 runs once on some worker; and simulated tabs (bench/ws_load.py) spread over both web
processes see no error."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import types
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import ws_load
from bench.cluster import Cluster
from bench.ws_load import CATALOG, SESSION, Tab, run_tabs, seed_learners
from tests.processes import ROOT, run_in_own_loop

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.xdist_group("frontend"),  # serves .web/build/client (scripts/test.sh)
]


@pytest.fixture(scope="module")
def cluster(tmp_root: Path) -> Iterator[Cluster]:
    with Cluster(tmp_root / "cluster", web=2, workers=2, scheduler=1) as c:
        c.wait_healthy(timeout=120)
        yield c


@pytest.fixture(scope="module")
def accounts(cluster: Cluster) -> list[tuple[str, str]]:
    return seed_learners(cluster.pg_url, 10, cohort_name="Cluster cohort")


def _json(url: str, *, data: dict[str, Any] | None = None, token: str = "") -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=15) as resp:
        return json.loads(resp.read())


def test_every_role_reports_healthy_on_every_web(cluster: Cluster) -> None:
    for i in range(2):
        report = cluster.health(i)
        assert report["status"] == "ok", report
        assert report["workers"] == 2  # one beat per worker process, across both workers
        assert report["scheduler"] == "ok" and report["schedulers"] == 1
    # the health role says the same from the command line (exit 0 when every part is ok)
    proc = subprocess.run(
        [sys.executable, "-m", "cyberhub.serve", "health"],
        cwd=ROOT,
        env=cluster.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["workers"] == 2
    # each web serves the one prebuilt frontend
    for url in cluster.web_urls:
        with urllib.request.urlopen(f"{url}/signin/", timeout=15) as resp:
            assert resp.status == 200 and "<html" in resp.read().decode().lower()


def test_a_learner_signed_in_on_web_1_carries_on_on_web_2(
    cluster: Cluster, accounts: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same tab (same Reflex token) moves from web 1 to web 2, as a load balancer without sticky
    sessions may send its reconnect: still signed in, and the catalog filter chosen on web 1
    is there on web 2. A new tab on web 2 starts from the default filter."""
    email, password = accounts[0]
    token = "c1a5e700-0000-4000-8000-000000000001"
    monkeypatch.setattr(ws_load, "uuid", types.SimpleNamespace(uuid4=lambda: token))

    async def journey() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        import aiohttp

        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            on_web1 = Tab(http, cluster.web_urls[0], email, random.Random(1))
            await on_web1.sign_in(password)
            await on_web1.dashboard(reload=True)
            await on_web1.catalog()
            await on_web1.filter("builders")
            assert on_web1.var(CATALOG, "track") == "builders"
            await on_web1.close()

            on_web2 = Tab(http, cluster.web_urls[1], email, random.Random(2))
            await on_web2.dashboard(reload=True)  # reconnects with the same token, on web 2
            assert not on_web2.problems and not on_web2.errors
            await on_web2.close()

            monkeypatch.setattr(ws_load, "uuid", types.SimpleNamespace(uuid4=lambda: "fresh-tab"))
            fresh = Tab(http, cluster.web_urls[1], email, random.Random(3))
            await fresh.dashboard(reload=True)
            await fresh.close()
            return on_web2.substate(SESSION), on_web2.substate(CATALOG), fresh.substate(CATALOG)

    session, catalog, fresh_catalog = run_in_own_loop(journey())
    assert session["signed_in_rx_state_"] is True
    assert session["user_email_rx_state_"] == email
    assert catalog["track_rx_state_"] == "builders"
    assert fresh_catalog.get("track_rx_state_", "") != "builders"


def test_a_job_requested_on_web_1_runs_once_on_a_worker(
    cluster: Cluster, accounts: list[tuple[str, str]]
) -> None:
    """A learner asks web 1 for their data export; web 2 shows it done; it ran exactly once."""
    import redis

    from cyberhub.redis_client import JOBS_KEY

    email, password = accounts[1]
    web1, web2 = cluster.web_urls
    token = _json(f"{web1}/api/v1/auth/login", data={"email": email, "password": password})[
        "access_token"
    ]
    export = _json(f"{web1}/api/v1/exports", data={"kind": "own_data"}, token=token)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen = _json(f"{web2}/api/v1/exports/{export['id']}", token=token)
        if seen["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert seen["status"] == "done", seen
    r: Any = redis.Redis.from_url(cluster.redis_url, decode_responses=True)
    try:
        time.sleep(0.5)  # the outcome is counted just after the job commits
        counts = {k: int(v) for k, v in r.hgetall(JOBS_KEY).items() if k.startswith("run_export|")}
    finally:
        r.close()
    assert counts == {"run_export|succeeded": 1}


def test_tabs_over_both_web_processes_see_no_error(
    cluster: Cluster, accounts: list[tuple[str, str]]
) -> None:
    report = run_in_own_loop(
        run_tabs(base_urls=cluster.web_urls, accounts=accounts, tabs=10, seconds=15)
    )
    assert report.errors == 0, report.error_samples
    assert report.events >= 50  # every tab went round its journey
    # both web processes still healthy after the run
    assert all(cluster.health(i)["status"] == "ok" for i in range(2))
