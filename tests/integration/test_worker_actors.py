"""Background jobs: mission embeddings are idempotent, and jobs are sent only after commit."""

from __future__ import annotations

import json
import math

import dramatiq
import pytest
from sqlmodel import Session

import worker.actors
from cyberhub.db import get_engine, session_scope
from cyberhub.models import Mission, MissionEmbedding
from cyberhub.redis_client import JOBS_KEY, LAST_RUN_KEY, get_redis
from cyberhub.services.ai.embeddings import mission_text, text_hash
from tests.fakes import FakeEmbedder
from worker.enqueue import enqueue_after_commit

pytestmark = [pytest.mark.integration]

embed_mission = worker.actors.embed_mission


def run_jobs(broker: dramatiq.Broker, w: dramatiq.Worker) -> None:
    broker.join("ai", timeout=20_000)
    w.join()


def stored(mission_id: int) -> MissionEmbedding | None:
    with Session(get_engine()) as s:
        return s.get(MissionEmbedding, mission_id)


def queued(broker: dramatiq.Broker) -> list[dramatiq.Message]:
    """Messages waiting on the "ai" queue (without consuming them)."""
    q = broker.queues["ai"]
    return [dramatiq.Message.decode(raw) for raw in list(q.queue)]


def job_counts() -> dict[str, int]:
    return {k: int(v) for k, v in get_redis().hgetall(JOBS_KEY).items()}


class TestEmbedMission:
    def test_embedding_is_stored_with_model_and_text_hash(
        self,
        session: Session,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        mid = demo[0]
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        row = stored(mid)
        assert row is not None
        assert len(row.embedding) == 384
        assert math.isclose(math.sqrt(sum(float(x) ** 2 for x in row.embedding)), 1.0, rel_tol=1e-3)
        assert row.model == fake_embedder.name == "fake-hash-embedder"
        mission = session.get(Mission, mid)
        assert mission is not None
        assert row.text_hash == text_hash(mission_text(mission))
        assert len(fake_embedder.calls) == 1 and mission.title in fake_embedder.calls[0]
        assert job_counts() == {"embed_mission|succeeded": 1}
        last = json.loads(get_redis().hget(LAST_RUN_KEY, "embed_mission") or "{}")
        assert last["outcome"] == "succeeded" and last["error"] is None

    def test_unchanged_text_is_not_embedded_again(
        self,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        mid = demo[1]
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        first = stored(mid)
        embed_mission.send(mid)
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        again = stored(mid)
        assert len(fake_embedder.calls) == 1
        assert first is not None and again is not None
        assert again.updated_at == first.updated_at and again.text_hash == first.text_hash
        assert job_counts() == {"embed_mission|succeeded": 3}

    def test_changing_the_mission_re_embeds_it(
        self,
        session: Session,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        mid = demo[2]
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        before = stored(mid)
        mission = session.get(Mission, mid)
        assert mission is not None and before is not None
        mission.title = "A completely different title"
        session.add(mission)
        session.commit()
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        after = stored(mid)
        assert after is not None
        assert len(fake_embedder.calls) == 2
        assert "A completely different title" in fake_embedder.calls[1]
        assert after.text_hash != before.text_hash
        assert after.text_hash == text_hash(mission_text(mission))
        assert list(after.embedding) != list(before.embedding)
        assert after.updated_at > before.updated_at

    def test_a_new_model_re_embeds_unchanged_text(
        self,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        from worker import model

        mid = demo[3]
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)

        class NewModel(FakeEmbedder):
            name = "fake-hash-embedder-v2"

        newer = NewModel()
        model.set_embedder(newer)  # the fake_embedder fixture resets it afterwards
        embed_mission.send(mid)
        run_jobs(stub_broker, stub_worker)
        row = stored(mid)
        assert row is not None and row.model == "fake-hash-embedder-v2"
        assert len(newer.calls) == 1

    def test_a_deleted_mission_does_not_fail_the_job(
        self,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        embed_mission.send(987_654)
        run_jobs(stub_broker, stub_worker)  # fail_fast: raises if the job was dead-lettered
        assert stub_broker.dead_letters == []
        assert fake_embedder.calls == []
        assert stored(987_654) is None
        assert job_counts() == {"embed_mission|succeeded": 1}

    def test_an_embedder_bug_fails_at_once_into_dead_letters(
        self,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        from worker import model

        class Broken(FakeEmbedder):
            def encode(self, texts: list[str]) -> list[list[float]]:
                self.calls.append(texts[0])
                raise ValueError("model exploded")

        broken = Broken()
        model.set_embedder(broken)
        embed_mission.send(demo[0])
        stub_broker.join("ai", timeout=20_000, fail_fast=False)
        stub_worker.join()
        # Not a transient error: no retries with backoff, straight to the dead letters.
        assert len(broken.calls) == 1
        assert len(stub_broker.dead_letters) == 1
        assert stored(demo[0]) is None
        assert job_counts() == {"embed_mission|failed": 1}
        last = json.loads(get_redis().hget(LAST_RUN_KEY, "embed_mission") or "{}")
        assert last["outcome"] == "failed" and "model exploded" in last["error"]


class TestEnqueueAfterCommit:
    def test_rolled_back_work_never_sends_its_job(self, demo: list[int], stub_broker) -> None:
        with Session(get_engine()) as s:
            mission = s.get(Mission, demo[0])
            assert mission is not None
            mission.title = "Never saved"
            s.add(mission)
            enqueue_after_commit(s, embed_mission, demo[0])
            s.rollback()
            assert queued(stub_broker) == []
            # A later, unrelated commit on the same session must not send it either.
            s.get(Mission, demo[1])
            s.commit()
        assert queued(stub_broker) == []

    def test_failed_session_scope_sends_nothing(self, demo: list[int], stub_broker) -> None:
        with pytest.raises(RuntimeError), session_scope() as s:
            s.get(Mission, demo[0])
            enqueue_after_commit(s, embed_mission, demo[0])
            raise RuntimeError("the request failed")
        assert queued(stub_broker) == []

    def test_job_is_sent_only_once_the_commit_happened(self, demo: list[int], stub_broker) -> None:
        with Session(get_engine()) as s:
            s.get(Mission, demo[0])
            enqueue_after_commit(s, embed_mission, demo[0])
            enqueue_after_commit(s, embed_mission, demo[1])
            s.flush()
            assert queued(stub_broker) == []  # not before the commit
            s.commit()
            messages = queued(stub_broker)
            assert [(m.actor_name, tuple(m.args)) for m in messages] == [
                ("embed_mission", (demo[0],)),
                ("embed_mission", (demo[1],)),
            ]
            # Sent once: another commit does not send them again.
            s.get(Mission, demo[2])
            s.commit()
        assert len(queued(stub_broker)) == 2

    def test_committed_change_is_embedded_by_the_worker(
        self,
        demo: list[int],
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        with session_scope() as s:
            mission = s.get(Mission, demo[4])
            assert mission is not None
            mission.title = "Retitled before embedding"
            s.add(mission)
            enqueue_after_commit(s, embed_mission, demo[4])
        run_jobs(stub_broker, stub_worker)
        assert len(fake_embedder.calls) == 1
        assert fake_embedder.calls[0].startswith("Retitled before embedding.")
        assert stored(demo[4]) is not None

    def test_savepoint_rollback_keeps_jobs_queued_before_it(
        self, demo: list[int], stub_broker
    ) -> None:
        with Session(get_engine()) as s:
            s.get(Mission, demo[0])
            enqueue_after_commit(s, embed_mission, demo[0])
            savepoint = s.begin_nested()  # e.g. "try to insert, ignore a duplicate"
            savepoint.rollback()
            s.commit()
        assert len(queued(stub_broker)) == 1

    def test_rollback_before_any_query_still_drops_the_job(
        self, demo: list[int], stub_broker
    ) -> None:
        with Session(get_engine()) as s:
            enqueue_after_commit(s, embed_mission, demo[0])
            s.rollback()
            s.get(Mission, demo[1])
            s.commit()
        assert queued(stub_broker) == []
