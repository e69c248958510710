"""/health for load balancers and operators, /metrics for Prometheus, and unknown routes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cyberhub.redis_client import HEARTBEAT_KEY, get_redis
from cyberhub.settings import VERSION, get_settings

pytestmark = [pytest.mark.integration]


def beat(age_seconds: float = 0.0, worker: str = "w1") -> None:
    get_redis().zadd(HEARTBEAT_KEY, {worker: time.time() - age_seconds})


class TestHealth:
    def test_no_worker_heartbeat_is_503_naming_the_worker(self, api_client: TestClient) -> None:
        r = api_client.get("/api/v1/health")
        assert r.status_code == 503
        body = r.json()
        assert body["database"] == "ok"
        assert body["redis"] == "ok"
        assert body["worker"] != "ok" and "heartbeat" in body["worker"]
        assert body["status"] == "error"
        assert body["version"] == VERSION

    def test_fresh_heartbeat_is_200_with_every_part_ok(self, api_client: TestClient) -> None:
        beat()
        r = api_client.get("/api/v1/health")
        assert r.status_code == 200, r.text
        body = r.json()
        assert {k: body[k] for k in ("status", "database", "redis", "worker")} == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
            "worker": "ok",
        }
        assert body["version"] == VERSION

    def test_stale_heartbeat_is_503_saying_how_old(self, api_client: TestClient) -> None:
        beat(age_seconds=60)
        r = api_client.get("/api/v1/health")
        assert r.status_code == 503
        body = r.json()
        match = re.fullmatch(r"error: last heartbeat (\d+) s ago", body["worker"])
        assert match and 60 <= int(match.group(1)) <= 65, body["worker"]
        assert body["database"] == "ok" and body["redis"] == "ok"

    def test_one_live_worker_among_dead_ones_is_enough(self, api_client: TestClient) -> None:
        beat(age_seconds=600, worker="dead")
        beat(age_seconds=1, worker="alive")
        assert api_client.get("/api/v1/health").status_code == 200

    def test_health_needs_no_credentials(self, api_client: TestClient) -> None:
        beat()
        r = api_client.get("/api/v1/health", headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 200


def on_this_machine(client: TestClient) -> TestClient:
    """A client of the same app from a loopback peer, as a Prometheus scraper on the host is."""
    return TestClient(client.app, raise_server_exceptions=False, client=("127.0.0.1", 50000))


@pytest.fixture
def metrics_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    token = "scrape-7f3c9a1e5b2d4f60"
    monkeypatch.setenv("METRICS_TOKEN", token)
    get_settings.cache_clear()
    yield token
    monkeypatch.delenv("METRICS_TOKEN")
    get_settings.cache_clear()


class TestWhoReadsTheMetrics:
    """Request counts per route, queues and failures are for operators: read on this machine,
    with METRICS_TOKEN, or by an admin; anyone else is refused."""

    def test_a_remote_reader_needs_the_token_or_an_admin(
        self,
        api_client: TestClient,
        student_client: TestClient,
        admin_client: TestClient,
        metrics_token: str,
    ) -> None:
        assert api_client.get("/api/v1/metrics").status_code == 401
        assert student_client.get("/api/v1/metrics").status_code == 403
        assert admin_client.get("/api/v1/metrics").status_code == 200
        scraper = {"Authorization": f"Bearer {metrics_token}"}
        r = api_client.get("/api/v1/metrics", headers=scraper)
        assert r.status_code == 200 and "cyberhub_queue_depth" in r.text
        wrong = {"Authorization": f"Bearer {metrics_token}x"}
        assert api_client.get("/api/v1/metrics", headers=wrong).status_code == 401

    def test_on_this_machine_no_token_is_needed_unless_through_a_proxy(
        self, api_client: TestClient
    ) -> None:
        local = on_this_machine(api_client)
        assert local.get("/api/v1/metrics").status_code == 200
        relayed = local.get("/api/v1/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert relayed.status_code == 401
        assert "detail" in relayed.json()

    def test_without_a_token_set_no_bearer_reads_them(self, api_client: TestClient) -> None:
        assert get_settings().metrics_token == ""
        r = api_client.get("/api/v1/metrics", headers={"Authorization": "Bearer "})
        assert r.status_code == 401


class TestMetrics:
    def test_prometheus_text_counts_requests_by_route(self, api_client: TestClient) -> None:
        api_client.get("/api/v1/tracks")
        api_client.get("/api/v1/tracks")
        api_client.get("/api/v1/missions")  # 401, anonymous
        r = on_this_machine(api_client).get("/api/v1/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert (
            'cyberhub_http_requests_total{method="GET",route="/api/v1/tracks",status="200"} 2.0'
            in text
        )
        assert (
            'cyberhub_http_requests_total{method="GET",route="/api/v1/missions",status="401"} 1.0'
            in text
        )

    def test_path_parameters_are_counted_by_template_not_value(
        self, student_client: TestClient
    ) -> None:
        student_client.get("/api/v1/missions/12345")
        student_client.get("/api/v1/missions/67890")
        text = on_this_machine(student_client).get("/api/v1/metrics").text
        assert 'route="/api/v1/missions/{mission_id}",status="404"} 2.0' in text
        assert "12345" not in text

    def test_queue_depth_job_and_worker_lines(self, api_client: TestClient) -> None:
        text = on_this_machine(api_client).get("/api/v1/metrics").text
        assert 'cyberhub_queue_depth{queue="default"} 0.0' in text
        assert 'cyberhub_queue_depth{queue="ai"} 0.0' in text
        assert (
            "# TYPE cyberhub_job_failures_total counter" in text
            or "# TYPE cyberhub_job_failures counter" in text
        )
        assert "cyberhub_queue_dead_letters" in text
        assert "cyberhub_workers 0.0" in text

    def test_job_failures_are_reported_per_actor(self, api_client: TestClient) -> None:
        from cyberhub.redis_client import JOBS_KEY

        get_redis().hincrby(JOBS_KEY, "embed_mission|failed", 3)
        get_redis().hincrby(JOBS_KEY, "embed_mission|succeeded", 5)
        text = on_this_machine(api_client).get("/api/v1/metrics").text
        assert 'cyberhub_job_failures_total{actor="embed_mission"} 3.0' in text
        assert 'cyberhub_jobs_total{actor="embed_mission",outcome="succeeded"} 5.0' in text

    def test_live_workers_are_counted(self, api_client: TestClient) -> None:
        beat(worker="a")
        beat(worker="b")
        beat(age_seconds=120, worker="gone")
        assert "cyberhub_workers 2.0" in on_this_machine(api_client).get("/api/v1/metrics").text


class TestUnknownRoutes:
    def test_unknown_route_is_404_json(self, api_client: TestClient) -> None:
        r = api_client.get("/api/v1/nope")
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/json")
        assert set(r.json()) == {"detail"} and r.json()["detail"]

    def test_wrong_method_is_405_json(self, api_client: TestClient) -> None:
        r = api_client.delete("/api/v1/tracks")
        assert r.status_code == 405
        assert "detail" in r.json()
