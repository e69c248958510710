"""A real worker process on the real (embedded) Redis broker, with the real embedding model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from dramatiq.brokers.redis import RedisBroker
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub import jobs
from cyberhub.db import get_engine
from cyberhub.models import Mission, MissionEmbedding
from tests.processes import child_env, start_worker, stop

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_worker_embeds_a_mission_with_the_real_model_and_beats(
    db_url: str,
    redis_url: str,
    demo: list[int],
    session: Session,
    api_client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "worker.log"
    worker = start_worker(child_env(DATABASE_URL=db_url, REDIS_URL=redis_url), log)
    try:
        # The web side only sends, by name, after commit: a sending-only broker from
        # cyberhub/jobs.py (no actor imported) puts the id-only message on the real Redis.
        mission_id = demo[0]
        monkeypatch.delenv("CYBERHUB_BROKER")
        sender = jobs.connect([])
        monkeypatch.setenv("CYBERHUB_BROKER", "stub")
        assert isinstance(sender, RedisBroker)
        stub = jobs.broker()
        jobs.install(sender)
        try:
            with Session(get_engine()) as s:
                jobs.mission_changed(s, mission_id)
                s.commit()
        finally:
            jobs.install(stub)
            sender.close()
        deadline = time.monotonic() + 180
        row = None
        while time.monotonic() < deadline and row is None:
            session.expire_all()
            row = session.exec(
                select(MissionEmbedding).where(MissionEmbedding.mission_id == mission_id)
            ).first()
            if row is None:
                assert worker.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
        assert row is not None, log.read_text()[-3000:]
        assert row.model == "sentence-transformers/all-MiniLM-L6-v2"
        vector = list(row.embedding)
        assert len(vector) == 384
        assert abs(sum(x * x for x in vector) - 1.0) < 1e-3  # the model's output is normalized

        # Semantically close text lands close: the mission's own title beats an unrelated one.
        from worker.model import ModelEmbedder

        mission = session.get(Mission, mission_id)
        assert mission is not None
        own, other = ModelEmbedder().encode([mission.title, "Baking sourdough bread at home"])
        sim = lambda a, b: sum(x * y for x, y in zip(a, b, strict=True))  # noqa: E731
        assert sim(vector, own) > sim(vector, other) + 0.2

        # The worker's heartbeat makes health report every part ok.
        health = api_client.get("/api/v1/health")
        assert health.status_code == 200, health.text
        assert health.json()["worker"] == "ok"
    finally:
        stop(worker)
