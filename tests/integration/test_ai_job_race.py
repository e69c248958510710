"""AI jobs for one learner (or one mission) that run at the same moment serialise: none fails,
and the stored result is the one running them one after another gives.

Each job runs the actor's own code (its session, its connection) in a thread; a barrier
releases them together, as worker threads picking up messages side by side would. One test
sends the same mix through a real Dramatiq worker (two threads, the project's middleware) and
checks that nothing is dead-lettered, recorded as failed or counted as failed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, func, select

import worker.ai
from cyberhub.db import get_engine, session_scope
from cyberhub.models import (
    JobFailure,
    LearnerEmbedding,
    Mission,
    MissionEmbedding,
    PersonalityProfile,
    RebuildRun,
    Recommendation,
)
from cyberhub.models.ai import RebuildStatus
from cyberhub.models.coaching import Reflection
from cyberhub.redis_client import JOBS_KEY, get_redis
from cyberhub.services.ai import embeddings, personality, recommendations
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import load_principal
from tests.factories import World, build_world, complete_profiler, grant_ai, make_mission
from tests.fakes import FakeEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.ai]

ROUNDS = 50


def race(*jobs: Callable[[], object]) -> list[str]:
    """Run every job in its own thread, released together; returns the errors raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[str] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as exc:  # any error is what the test must show
            with lock:
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


@pytest.fixture
def world(session: Session, fake_embedder: FakeEmbedder) -> World:
    w = build_world(session, prefix="race")
    for d in range(1, 6):
        make_mission(session, w.program, w.builders, title=f"Builders level {d}", difficulty=d)
        make_mission(session, w.program, w.leaders, title=f"Leaders level {d}", difficulty=d)
    grant_ai(session, w.student)
    complete_profiler(session, w.student.id or 0)
    ids = [i for i in session.exec(select(Mission.id)).all() if i]
    embeddings.embed_missions(session, ids, fake_embedder)
    session.commit()
    return w


def forget_learner(user_id: int) -> None:
    """No vector and no analysis yet: the next jobs insert them (where the race was)."""
    with session_scope() as s:
        for table in (LearnerEmbedding, PersonalityProfile):
            s.execute(sa_delete(table).where(col(table.user_id) == user_id))


def add_reflection(user_id: int, n: int) -> None:
    with session_scope() as s:
        s.add(
            Reflection(
                user_id=user_id,
                body=f"Round {n}: I set up a firewall lab and wrote down what broke and why.",
            )
        )


def stored_list(user_id: int) -> list[tuple[int, int]]:
    with Session(get_engine()) as s:
        rows = s.exec(
            select(Recommendation.rank, Recommendation.mission_id)
            .where(Recommendation.user_id == user_id)
            .order_by(col(Recommendation.rank))
        ).all()
        return [(int(r), int(m)) for r, m in rows]


def visible_list(user_id: int) -> list[int]:
    """The mission ids of the list the learner sees (a dismissed row waits hidden until the next
    computation drops it, so that an undo can bring it back)."""
    with session_scope() as s:
        shown = recommendations.stored(s, load_principal(s, user_id))
        return [r.mission_id for r in shown.items]


def stored_ids(table: type[Mission]) -> list[int]:
    with Session(get_engine()) as s:
        return [int(i) for i in s.exec(select(table.id)).all() if i]


def test_jobs_for_one_learner_at_once_never_fail_and_end_as_if_run_in_turn(
    world: World, fake_embedder: FakeEmbedder
) -> None:
    uid = world.student.id or 0
    failures: list[str] = []
    for n in range(ROUNDS):
        forget_learner(uid)
        if n % 5 == 0:
            add_reflection(uid, n)  # the text changes: every job has real work to do
        failures += [
            f"round {n}: {e}"
            for e in race(
                lambda: worker.ai.embed_learner.fn(uid),
                lambda: worker.ai.embed_learner.fn(uid),
                lambda: worker.ai.recompute_recommendations.fn(uid),
                lambda: worker.ai.analyze_personality.fn(uid),
            )
        ]
    assert failures == [], f"{len(failures)} jobs failed in {ROUNDS} rounds, e.g. {failures[:3]}"

    with Session(get_engine()) as s:
        vectors = s.exec(select(LearnerEmbedding).where(LearnerEmbedding.user_id == uid)).all()
        assert len(vectors) == 1
        assert vectors[0].text_hash == embeddings.text_hash(embeddings.learner_text(s, uid))
        profiles = s.exec(select(PersonalityProfile).where(PersonalityProfile.user_id == uid)).all()
        assert len(profiles) == 1
        assert profiles[0].source_hash == personality.sources(s, uid).digest
    raced = stored_list(uid)
    assert [rank for rank, _ in raced] == list(range(1, len(raced) + 1))
    assert len({m for _, m in raced}) == len(raced) == recommendations.TOP_K
    # The same list a computation run alone gives now (built on the learner's vector).
    with session_scope() as s:
        alone = [(r.rank, r.mission_id) for r in recommendations.compute(s, uid)]
        assert {r.source for r in s.exec(select(Recommendation)).all()} == {"vector"}
    assert raced == alone


def derived_rows(user_id: int) -> dict[str, int]:
    with Session(get_engine()) as s:
        return {
            table.__name__: s.exec(
                select(func.count()).select_from(table).where(col(table.user_id) == user_id)
            ).one()
            for table in (LearnerEmbedding, Recommendation, PersonalityProfile)
        }


def test_withdrawing_consent_while_jobs_run_leaves_nothing_derived(
    world: World, fake_embedder: FakeEmbedder, stub_broker: dramatiq.Broker
) -> None:
    uid = world.student.id or 0

    def set_ai(granted: bool) -> None:
        with session_scope() as s:
            consents.set_consent(s, load_principal(s, uid), consents.AI_PROFILING, granted)

    failures: list[str] = []
    for n in range(ROUNDS // 2):
        set_ai(True)
        worker.ai.embed_learner.fn(uid)  # what the worker derived while consent was given
        worker.ai.analyze_personality.fn(uid)
        assert all(derived_rows(uid).values())
        failures += [
            f"round {n}: {e}"
            for e in race(
                lambda: set_ai(False),
                lambda: worker.ai.embed_learner.fn(uid),
                lambda: worker.ai.recompute_recommendations.fn(uid),
                lambda: worker.ai.analyze_personality.fn(uid),
            )
        ]
        # Whichever committed first, nothing derived outlives the withdrawal.
        assert derived_rows(uid) == dict.fromkeys(derived_rows(uid), 0), f"round {n}"
    assert failures == [], failures[:3]


def test_a_dismissed_mission_stays_out_when_a_recompute_runs_beside_it(
    world: World, fake_embedder: FakeEmbedder, stub_broker: dramatiq.Broker
) -> None:
    uid = world.student.id or 0
    worker.ai.embed_learner.fn(uid)
    dismissed: set[int] = set()
    failures: list[str] = []

    def dismiss(mission_id: int) -> None:
        with session_scope() as s:
            recommendations.not_interested(s, load_principal(s, uid), mission_id)

    for n in range(10):
        top = visible_list(uid)[0]
        dismissed.add(top)
        failures += [
            f"round {n}: {e}"
            for e in race(
                partial(dismiss, top),
                partial(dismiss, top),  # the same click twice (two tabs)
                lambda: worker.ai.recompute_recommendations.fn(uid),
                lambda: worker.ai.embed_learner.fn(uid),
            )
        ]
        listed = visible_list(uid)
        assert listed and not dismissed & set(listed), f"round {n}: {listed} {dismissed}"
    assert failures == [], failures[:3]


def test_two_embeddings_of_one_mission_at_once_never_fail(
    world: World, fake_embedder: FakeEmbedder
) -> None:
    mid, other = world.m1.id or 0, world.m2.id or 0
    failures: list[str] = []

    def batch() -> None:  # the rebuild's path: several missions, one encode
        with session_scope() as s:
            embeddings.embed_missions(s, [other, mid], fake_embedder)

    for n in range(ROUNDS):
        with session_scope() as s:
            s.execute(
                sa_delete(MissionEmbedding).where(
                    col(MissionEmbedding.mission_id).in_([mid, other])
                )
            )
        jobs = [lambda: worker.ai.embed_mission.fn(mid), lambda: worker.ai.embed_mission.fn(mid)]
        if n % 2:
            jobs.append(batch)
        failures += [f"round {n}: {e}" for e in race(*jobs)]
    assert failures == [], f"{len(failures)} jobs failed in {ROUNDS} rounds, e.g. {failures[:3]}"

    with Session(get_engine()) as s:
        rows = s.exec(select(MissionEmbedding).where(MissionEmbedding.mission_id == mid)).all()
        assert len(rows) == 1
        mission = s.get(Mission, mid)
        assert mission is not None
        assert rows[0].text_hash == embeddings.text_hash(embeddings.mission_text(mission))


def test_through_a_two_thread_worker_nothing_is_dead_lettered(
    world: World, stub_broker: StubBroker
) -> None:
    uid = world.student.id or 0
    w = dramatiq.Worker(stub_broker, worker_threads=2, worker_timeout=100)
    w.start()
    try:
        for _ in range(20):
            worker.ai.embed_learner.send(uid)
            worker.ai.recompute_recommendations.send(uid)
            worker.ai.analyze_personality.send(uid)
            worker.ai.embed_mission.send(world.m1.id or 0)
        stub_broker.join("ai", timeout=60_000, fail_fast=False)
        w.join()
    finally:
        w.stop()
    assert stub_broker.dead_letters == []
    with Session(get_engine()) as s:
        assert s.exec(select(func.count()).select_from(JobFailure)).one() == 0
    counts = get_redis().hgetall(JOBS_KEY)
    assert not [k for k in counts if k.endswith("|failed")], counts
    assert int(counts["embed_learner|succeeded"]) == 20
    ranks = [rank for rank, _ in stored_list(uid)]
    assert ranks == list(range(1, recommendations.TOP_K + 1))


def test_a_rebuild_beside_single_jobs_never_fails(
    world: World, fake_embedder: FakeEmbedder, stub_broker: dramatiq.Broker
) -> None:
    uid = world.student.id or 0
    mids = [int(m) for m in stored_ids(Mission)]
    for _ in range(5):
        with session_scope() as s:  # nothing embedded yet: every path inserts
            s.execute(sa_delete(MissionEmbedding))
            run = RebuildRun(status=RebuildStatus.queued)
            s.add(run)
            s.flush()
            run_id = run.id or 0
        forget_learner(uid)
        failures = race(
            partial(worker.ai.rebuild_all.fn, run_id),
            lambda: [worker.ai.embed_mission.fn(m) for m in reversed(mids)],
            lambda: worker.ai.embed_learner.fn(uid),
            lambda: worker.ai.recompute_recommendations.fn(uid),
        )
        assert failures == [], failures[:3]
        with Session(get_engine()) as s:
            done = s.get(RebuildRun, run_id)
            assert done is not None and done.status == "done" and done.done == done.total
            assert s.exec(select(func.count()).select_from(MissionEmbedding)).one() == len(mids)
    assert [rank for rank, _ in stored_list(uid)] == list(range(1, recommendations.TOP_K + 1))
