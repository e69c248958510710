"""Recommendations (services/ai/recommendations.py, worker/ai.py, /api/v1/recommendations):
cold start, vector candidates with reasons, "not interested", freshness after a review, consent."""

from __future__ import annotations

from datetime import datetime, timedelta

import dramatiq
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

import worker.ai
from cyberhub import jobs
from cyberhub.components import recommendations as card
from cyberhub.models import (
    LearnerEmbedding,
    Mission,
    PersonalityProfile,
    Recommendation,
)
from cyberhub.models.ai import InterestKind, RecommendationRun
from cyberhub.models.base import utcnow
from cyberhub.services.ai import embeddings, recommendations
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity import consents
from cyberhub.services.learning import reviews, submissions
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    bearer,
    build_world,
    complete_profiler,
    enroll,
    grant_ai,
    id_of,
    make_cohort,
    make_mission,
    principal,
    queued_jobs,
    run_queue,
)
from tests.fakes import FakeEmbedder
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration, pytest.mark.ai]


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session, prefix="rec")
    # A catalog worth ranking: every difficulty in both tracks.
    for d in range(1, 6):
        make_mission(session, w.program, w.builders, title=f"Builders level {d}", difficulty=d)
        make_mission(session, w.program, w.leaders, title=f"Leaders level {d}", difficulty=d)
    grant_ai(session, w.student, w.student2)
    return w


def embed_catalog(session: Session, embedder: FakeEmbedder) -> None:
    ids = list(session.exec(select(Mission.id)).all())
    embeddings.embed_missions(session, [i for i in ids if i], embedder)
    session.commit()


def stored_list(session: Session, user_id: int) -> list[Recommendation]:
    session.expire_all()
    return list(
        session.exec(
            select(Recommendation)
            .where(Recommendation.user_id == user_id)
            .order_by(col(Recommendation.rank))
        ).all()
    )


def titles(session: Session, recs: list[Recommendation]) -> list[str]:
    out = []
    for r in recs:
        m = session.get(Mission, r.mission_id)
        assert m is not None
        out.append(m.title)
    return out


def approve(session: Session, w: World, mission: Mission) -> None:
    sub = submissions.submit(
        session, principal(session, w.student), mission.id or 0, answer=GOOD_ANSWER
    )
    session.commit()
    reviews.claim(session, principal(session, w.mentor), sub.id or 0)
    session.commit()
    reviews.review(
        session,
        principal(session, w.mentor),
        sub.id or 0,
        decision="approved",
        scores=FULL_SCORES,
        feedback="Well done.",
    )
    session.commit()


class TestColdStart:
    def test_without_any_vector_or_profile_the_list_is_never_empty(
        self, session: Session, world: World
    ) -> None:
        rows = recommendations.compute(session, world.student.id or 0)
        session.commit()
        assert len(rows) == recommendations.TOP_K
        assert all(r.source == "fallback" for r in rows)
        assert all(r.reason.endswith(".") and len(r.reason) > 10 for r in rows)
        # Nothing hard for a beginner at the top.
        first = session.get(Mission, rows[0].mission_id)
        assert first is not None and first.difficulty == 1

    def test_the_profiler_track_comes_first_with_its_reason(
        self, session: Session, world: World
    ) -> None:
        complete_profiler(session, world.student.id or 0, "leaders", "builders")
        rows = recommendations.compute(session, world.student.id or 0)
        session.commit()
        top = session.get(Mission, rows[0].mission_id)
        assert top is not None and top.track_id == world.leaders.id
        assert rows[0].reason.startswith("Fits your Leaders track")
        assert "a gentle first step" in rows[0].reason
        assert {r.source for r in rows} == {"profile"}


class TestVectorRecommendations:
    def test_after_an_approval_the_next_step_builds_on_it(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        complete_profiler(session, world.student.id or 0, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        approve(session, world, world.m1)  # the review queues embed_learner after commit
        run_queue(stub_broker, stub_worker)
        assert session.get(LearnerEmbedding, world.student.id) is not None
        recs = stored_list(session, world.student.id or 0)
        assert recs and {r.source for r in recs} == {"vector"}
        assert world.m1.id not in {r.mission_id for r in recs}  # approved: done
        by_mission = {r.mission_id: r for r in recs}
        assert world.m2.id in by_mission
        reason = by_mission[world.m2.id or 0].reason
        assert reason.startswith("Builds on “Harden a server”, which you completed")
        assert "fits your Builders track" in reason and "one step harder" in reason
        assert [r.rank for r in recs] == list(range(1, len(recs) + 1))

    def test_a_review_decision_refreshes_the_stored_list(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        complete_profiler(session, world.student.id or 0, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        worker.ai.embed_learner.send(id_of(world.student))
        run_queue(stub_broker, stub_worker)
        before = [
            (r.mission_id, r.computed_at) for r in stored_list(session, world.student.id or 0)
        ]
        assert world.m1.id in {mid for mid, _ in before}
        approve(session, world, world.m1)
        run_queue(stub_broker, stub_worker)
        after = stored_list(session, world.student.id or 0)
        assert world.m1.id not in {r.mission_id for r in after}
        assert min(r.computed_at for r in after) > max(at for _, at in before)

    def test_a_mission_started_since_the_list_was_computed_leaves_it_at_once(
        self, session: Session, world: World
    ) -> None:
        uid = world.student.id or 0
        recommendations.compute(session, uid)
        session.commit()
        me = principal(session, world.student)
        listed = [i.mission_id for i in recommendations.stored(session, me).items]
        assert world.m1.id in listed and world.m3.id in listed
        # No recomputation follows a draft or a submission (only a review decision): the stored
        # list must not keep offering what is already "In progress" on the same dashboard.
        submissions.save_draft(session, me, world.m1.id or 0, answer="Started.")
        submissions.submit(session, me, world.m3.id or 0, answer=GOOD_ANSWER)
        session.commit()
        after = [i.mission_id for i in recommendations.stored(session, me).items]
        assert world.m1.id not in after and world.m3.id not in after
        assert after == [m for m in listed if m not in (world.m1.id, world.m3.id)]

    def test_with_every_open_mission_started_the_card_says_so_and_stops_asking(
        self, session: Session, world: World, stub_broker
    ) -> None:
        """A learner who has started every mission open to them has nothing new to start: the
        list is computed empty, and that is said ("being prepared" showed for ever, and each
        read queued another computation)."""
        uid = world.student.id or 0
        me = principal(session, world.student)
        for _ in range(10):  # start whatever is recommended until nothing is left
            recommendations.compute(session, uid)
            session.commit()
            listed = recommendations.stored(session, me).items
            if not listed:
                break
            for item in listed:
                submissions.save_draft(session, me, item.mission_id, answer="Started.")
            session.commit()
        shown = recommendations.stored(session, me)
        assert shown.items == [] and shown.computed_at is not None
        assert shown.message == recommendations.NOTHING_NEW
        stub_broker.flush_all()
        recommendations.stored_or_queue(session, me)
        assert queued_jobs(stub_broker) == []  # computed: nothing to queue until they change
        # A learner whose list was never computed is still told it is being prepared.
        other = recommendations.stored_or_queue(session, principal(session, world.student2))
        assert (other.computed_at, other.message) == (None, recommendations.PREPARING)
        # Withdrawing AI consent forgets that it was computed, with the rest.
        consents.set_consent(session, me, consents.AI_PROFILING, False)
        session.commit()
        consents.set_consent(session, me, consents.AI_PROFILING, True)
        session.commit()
        assert recommendations.stored(session, me).computed_at is None

    def test_recomputing_is_idempotent(
        self, session: Session, world: World, fake_embedder: FakeEmbedder
    ) -> None:
        complete_profiler(session, world.student.id or 0, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        embeddings.embed_learner(session, world.student.id or 0, fake_embedder)
        first = [
            (r.mission_id, r.rank) for r in recommendations.compute(session, world.student.id or 0)
        ]
        session.commit()
        calls = len(fake_embedder.calls)
        assert embeddings.embed_learner(session, world.student.id or 0, fake_embedder) is False
        assert len(fake_embedder.calls) == calls  # same text, same model: not re-embedded
        again = [
            (r.mission_id, r.rank) for r in recommendations.compute(session, world.student.id or 0)
        ]
        session.commit()
        assert again == first
        assert len(stored_list(session, world.student.id or 0)) == len(first)


class TestNotInterested:
    def test_a_dismissed_mission_leaves_the_list_for_good(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        api_client: TestClient,
        stub_broker,
        stub_worker,
    ) -> None:
        complete_profiler(session, world.student.id or 0, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        recommendations.compute(session, world.student.id or 0)
        session.commit()
        bearer(api_client, world.student.email)
        listed = api_client.get("/api/v1/recommendations").json()
        assert listed and set(listed[0]) >= {"mission_id", "title", "score", "reason"}
        gone = listed[0]["mission_id"]
        r = api_client.post(f"/api/v1/recommendations/{gone}/not-interested")
        assert r.status_code == 200
        assert gone not in [
            x["mission_id"] for x in api_client.get("/api/v1/recommendations").json()
        ]
        run_queue(stub_broker, stub_worker)  # the queued recomputation
        again = api_client.get("/api/v1/recommendations").json()
        assert again and gone not in [x["mission_id"] for x in again]

    def test_dismissing_or_undoing_replans_the_coach(
        self, session: Session, world: World, api_client: TestClient, stub_broker
    ) -> None:
        """The coach's plan suggests missions from this list: "not interested" (and its undo)
        recomputes the plan too, or a plan made before kept suggesting the dismissed mission."""
        from cyberhub import jobs

        uid = world.student.id or 0
        bearer(api_client, world.student.email)
        mid = world.m1.id or 0
        for send in (api_client.post, api_client.delete):
            stub_broker.flush_all()
            jobs.coach_plan_started(uid)  # no plan job pending
            assert send(f"/api/v1/recommendations/{mid}/not-interested").status_code == 200
            queued = [
                (m.actor_name, tuple(m.args))
                for q in [stub_broker.queues.get("coach.DQ")]
                if q is not None
                for m in map(dramatiq.Message.decode, list(q.queue))
            ]
            assert queued == [("compute_coach_plan", (uid,))]

    def test_undo_brings_the_mission_back(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        api_client: TestClient,
        stub_broker,
        stub_worker,
    ) -> None:
        complete_profiler(session, world.student.id or 0, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        recommendations.compute(session, world.student.id or 0)
        session.commit()
        bearer(api_client, world.student.email)
        before = [x["mission_id"] for x in api_client.get("/api/v1/recommendations").json()]
        gone = before[0]
        assert api_client.post(f"/api/v1/recommendations/{gone}/not-interested").status_code == 200
        r = api_client.delete(f"/api/v1/recommendations/{gone}/not-interested")
        assert r.status_code == 200 and r.json() == {"mission_id": gone, "status": "restored"}
        # Listed again once the recomputation the undo queued has run (at once when the stored
        # list still held it: "not interested" only hides the row); undoing twice changes nothing.
        run_queue(stub_broker, stub_worker)
        assert gone in [x["mission_id"] for x in api_client.get("/api/v1/recommendations").json()]
        again = api_client.delete(f"/api/v1/recommendations/{gone}/not-interested")
        assert again.status_code == 200

    def test_undo_of_an_unknown_mission_is_404(self, world: World, api_client: TestClient) -> None:
        bearer(api_client, world.student.email)
        r = api_client.delete("/api/v1/recommendations/999999/not-interested")
        assert r.status_code == 404 and r.json()["detail"]

    def test_unknown_mission_is_404(self, world: World, api_client: TestClient) -> None:
        bearer(api_client, world.student.email)
        r = api_client.post("/api/v1/recommendations/999999/not-interested")
        assert r.status_code == 404 and r.json()["detail"]


class TestConsent:
    def test_withdrawn_ai_consent_means_nothing_is_computed(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        api_client: TestClient,
        stub_broker,
        stub_worker,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        worker.ai.embed_learner.send(uid)
        run_queue(stub_broker, stub_worker)
        assert stored_list(session, uid)
        session.add(PersonalityProfile(user_id=uid, version="1", source_hash="x"))
        session.commit()

        bearer(api_client, world.student.email)
        r = api_client.post(
            "/api/v1/auth/consents", json={"kind": "ai_profiling", "granted": False}
        )
        assert r.status_code == 200
        session.expire_all()
        # What the AI derived is gone at once...
        assert session.get(LearnerEmbedding, uid) is None
        assert session.get(PersonalityProfile, uid) is None
        assert stored_list(session, uid) == []
        # ...and later jobs compute nothing: not even the learner's text reaches the model.
        calls = len(fake_embedder.calls)
        approve(session, world, world.m1)
        worker.ai.embed_learner.send(uid)
        worker.ai.recompute_recommendations.send(uid)
        run_queue(stub_broker, stub_worker)
        assert len(fake_embedder.calls) == calls
        session.expire_all()
        assert session.get(LearnerEmbedding, uid) is None
        assert stored_list(session, uid) == []
        r = api_client.get("/api/v1/recommendations")
        assert r.status_code == 403 and "consent" in r.json()["detail"].lower()
        r = api_client.post("/api/v1/recommendations/refresh")
        assert r.status_code == 403

    def test_granting_it_again_queues_a_fresh_computation(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        api_client.post("/api/v1/auth/consents", json={"kind": "ai_profiling", "granted": False})
        stub_broker.flush_all()
        r = api_client.post("/api/v1/auth/consents", json={"kind": "ai_profiling", "granted": True})
        assert r.status_code == 200
        queued = [dramatiq.Message.decode(raw) for raw in list(stub_broker.queues["ai"].queue)]
        assert [(m.actor_name, m.args) for m in queued] == [
            ("embed_learner", (world.student.id,)),
            ("analyze_personality", (world.student.id,)),
        ]

    def test_service_refuses_refresh_without_consent(self, session: Session, world: World) -> None:
        consents.set_consent(
            session, principal(session, world.student), consents.AI_PROFILING, False
        )
        with pytest.raises(Forbidden):
            recommendations.request_refresh(session, principal(session, world.student))


class TestAccess:
    def test_anonymous_is_401(self, api_client: TestClient) -> None:
        assert api_client.get("/api/v1/recommendations").status_code == 401
        assert api_client.post("/api/v1/recommendations/refresh").status_code == 401

    def test_refresh_is_accepted(self, world: World, api_client: TestClient, stub_broker) -> None:
        bearer(api_client, world.student.email)
        r = api_client.post("/api/v1/recommendations/refresh")
        assert r.status_code == 202 and r.json()["status"] == "queued"

    def test_polling_an_empty_list_queues_one_computation(
        self,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        stub_broker.flush_all()
        bearer(api_client, world.student.email)
        for _ in range(5):  # a client polling while the worker has not run yet
            r = api_client.get("/api/v1/recommendations")
            assert r.status_code == 200 and r.json() == []
        assert queued_jobs(stub_broker) == [("embed_learner", (world.student.id,))]
        # An explicit refresh is sent; asked for again and again (a script looping on the API)
        # while it waits for a worker, nothing more: it reads everything when it runs.
        for _ in range(5):
            assert api_client.post("/api/v1/recommendations/refresh").status_code == 202
        assert len(queued_jobs(stub_broker)) == 2
        # Once a worker took it, the next refresh queues a new one (it reads what came since).
        jobs.learner_job_started(jobs.EMBED_LEARNER, id_of(world.student))
        assert api_client.post("/api/v1/recommendations/refresh").status_code == 202
        assert len(queued_jobs(stub_broker)) == 3

    def test_an_empty_list_still_answers_when_redis_is_down(
        self,
        world: World,
        api_client: TestClient,
        stub_broker,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from redis import ConnectionError as RedisConnectionError

        import cyberhub.redis_client

        class Down:
            def set(self, *args: object, **kwargs: object) -> None:
                raise RedisConnectionError("Redis is down")

        bearer(api_client, world.student.email)  # signing in needs Redis: before it goes down
        stub_broker.flush_all()
        monkeypatch.setattr(cyberhub.redis_client, "get_redis", lambda: Down())
        r = api_client.get("/api/v1/recommendations")
        assert r.status_code == 200 and r.json() == []
        assert queued_jobs(stub_broker) == []

    def test_staff_see_a_learners_list_only_with_access(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        recommendations.compute(session, world.student.id or 0)
        session.commit()
        url = f"/api/v1/recommendations?user={world.student.id}"
        bearer(api_client, world.mentor.email)  # assigned mentor
        r = api_client.get(url)
        assert r.status_code == 200 and len(r.json()) == recommendations.TOP_K
        bearer(api_client, world.student2.email)  # another student
        r = api_client.get(url)
        assert r.status_code == 403 and r.json()["detail"]
        bearer(api_client, world.other_director.email)  # a director of another organization
        assert api_client.get(url).status_code == 403
        bearer(api_client, world.mentor.email)
        assert api_client.get("/api/v1/recommendations?user=999999").status_code == 404

    def test_staff_are_told_the_learner_has_not_consented(
        self, session: Session, world: World, api_client: TestClient, stub_broker
    ) -> None:
        """A mentor reading a learner without AI consent was told "you have not given … turn it
        on under Settings", a consent that is not theirs to give."""
        consents.set_consent(
            session, principal(session, world.student), consents.AI_PROFILING, False
        )
        session.commit()
        bearer(api_client, world.mentor.email)
        for r in (
            api_client.get(f"/api/v1/recommendations?user={world.student.id}"),
            api_client.post(f"/api/v1/recommendations/refresh?user={world.student.id}"),
        ):
            assert r.status_code == 403
            assert r.json()["detail"] == consents.LEARNER_AI_CONSENT_MISSING
        bearer(api_client, world.student.email)
        r = api_client.get("/api/v1/recommendations")
        assert r.status_code == 403 and r.json()["detail"] == consents.AI_CONSENT_MISSING

    def test_staff_never_see_another_organisations_mission_in_a_learners_list(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        # The learner is in a cohort of each organisation; their mentor is Test Academy's.
        coast = make_cohort(session, world.other_program, director=world.other_director)
        enroll(session, coast, world.student)
        uid = world.student.id or 0
        for rank, mission in enumerate((world.m1, world.other_mission), start=1):
            session.add(
                Recommendation(
                    user_id=uid, mission_id=id_of(mission), rank=rank, score=0.5,
                    reason="Fits your Builders track.", source="profile", computed_at=utcnow(),
                )
            )  # fmt: skip
        session.commit()
        own = recommendations.stored(session, principal(session, world.student))
        assert {i.mission_id for i in own.items} == {world.m1.id, world.other_mission.id}
        mentor = recommendations.stored(session, principal(session, world.mentor), uid)
        assert [i.mission_id for i in mentor.items] == [world.m1.id]  # not Coast's mission
        bearer(api_client, world.mentor.email)
        listed = api_client.get(f"/api/v1/recommendations?user={uid}").json()
        assert [x["mission_id"] for x in listed] == [world.m1.id]


class TestBootstrap:
    def test_bulk_load_queues_missions_first_then_consenting_students(
        self,
        session: Session,
        world: World,
        stub_broker,
    ) -> None:
        from cyberhub.services.ai import ai_queue

        consents.set_consent(
            session, principal(session, world.student2), consents.AI_PROFILING, False
        )
        session.commit()
        stub_broker.flush_all()
        ai_queue.bootstrap_after_commit(session, [world.m1.id or 0, world.m2.id or 0])
        session.commit()
        queued = [
            (m.actor_name, m.args)
            for m in (dramatiq.Message.decode(raw) for raw in list(stub_broker.queues["ai"].queue))
        ]
        assert queued[:2] == [("embed_mission", (world.m1.id,)), ("embed_mission", (world.m2.id,))]
        assert ("embed_learner", (world.student.id,)) in queued[2:]
        assert ("analyze_personality", (world.student.id,)) in queued[2:]
        learners = {args for actor, args in queued if actor != "embed_mission"}
        assert (world.student2.id,) not in learners  # withdrew AI consent


class TestUnlocksAfter:
    def test_a_locked_mission_matching_a_goal_is_offered_apart_with_what_unlocks_it(
        self, session: Session, world: World, fake_embedder: FakeEmbedder, api_client: TestClient
    ) -> None:
        from cyberhub.models import LearnerInterestVector, MissionEmbedding

        uid = world.student.id or 0
        complete_profiler(session, uid, "builders", "leaders")
        embed_catalog(session, fake_embedder)
        # A goal that is exactly about "Scan the pipeline" (m2, locked until m1 is approved).
        target = session.get(MissionEmbedding, world.m2.id)
        assert target is not None
        session.add(
            LearnerInterestVector(
                user_id=uid, kind=InterestKind.goal, ref=1, label="Secure our CI pipeline",
                model=fake_embedder.name, text_hash="test", embedding=list(target.embedding),
            )
        )  # fmt: skip
        session.commit()
        rows = recommendations.compute(session, uid)
        session.commit()
        assert world.m2.id not in {r.mission_id for r in rows}  # never in the list itself

        bearer(api_client, world.student.email)
        listed = api_client.get("/api/v1/recommendations").json()
        assert world.m2.id not in {x["mission_id"] for x in listed}
        later = api_client.get("/api/v1/recommendations/unlocks").json()
        assert [x["mission_id"] for x in later] == [world.m2.id]
        assert later[0]["reason"] == (
            "Unlocks after “Harden a server”; matches your goal “Secure our CI pipeline”; "
            "fits your Builders track."
        )
        # Once its prerequisite is approved it joins the list, led by the goal it matches.
        approve(session, world, world.m1)
        rows = recommendations.compute(session, uid)
        session.commit()
        assert rows[0].mission_id == world.m2.id
        assert rows[0].reason.startswith("Matches your goal “Secure our CI pipeline”")
        assert api_client.get("/api/v1/recommendations/unlocks").json() == []


class TestRefreshButton:
    """The card's Refresh stays busy until a newer list is read: also when the learner left
    the page meanwhile (the worker's live word only reaches an open page, and the button spun
    for good on the next visit), and at most WAIT_SECONDS."""

    def _ran(self, session: Session, world: World, at: datetime) -> None:
        uid = id_of(world.student)
        run = session.get(RecommendationRun, uid) or RecommendationRun(user_id=uid)
        run.computed_at = at
        session.add(run)
        session.commit()

    def _refreshed(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> card.RecommendationsState:
        """The card shows yesterday's list, and Refresh was clicked: busy."""
        self._ran(session, world, utcnow() - timedelta(days=1))
        page = page_state(
            card.RecommendationsState, session, principal(session, world.student), monkeypatch
        )
        run_in_own_loop(self.events["load"].fn(page))
        run_in_own_loop(self.events["refresh"].fn(page))
        assert page.waiting
        return page

    events = card.RecommendationsState.event_handlers

    def test_a_newer_list_read_on_a_later_visit_ends_the_wait(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch, stub_broker
    ) -> None:
        page = self._refreshed(session, world, monkeypatch)
        run_in_own_loop(self.events["load"].fn(page))  # back on the dashboard before the worker
        assert page.waiting
        self._ran(session, world, utcnow())  # the worker stored the new list
        run_in_own_loop(self.events["load"].fn(page))  # back again, the live word missed
        assert not page.waiting

    def test_a_refresh_that_never_comes_frees_the_button(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch, stub_broker
    ) -> None:
        page = self._refreshed(session, world, monkeypatch)
        monkeypatch.setattr(card, "WAIT_SECONDS", 0.0)
        run_in_own_loop(self.events["load"].fn(page))
        assert not page.waiting
