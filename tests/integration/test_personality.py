"""Work-style analysis (services/ai/personality.py, worker actor analyze_personality,
/api/v1/personality): computed by the worker, idempotent, consent-gated, readable with access."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import worker.ai
from cyberhub.models import PersonalityProfile
from cyberhub.models.coaching import Goal, Reflection, Visibility
from cyberhub.schemas.coaching import ReflectionCreate
from cyberhub.services.ai import learner_interests, personality, profiler, profiler_bank
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.coaching import reflections
from cyberhub.services.errors import Conflict
from cyberhub.services.identity import consents
from tests.factories import (
    World,
    bearer,
    build_world,
    complete_profiler,
    grant_ai,
    principal,
    queued_jobs,
    run_queue,
)
from tests.fakes import FakeEmbedder

pytestmark = [pytest.mark.integration, pytest.mark.ai]

analyze_personality = worker.ai.analyze_personality
SHARED = "I shared this one with my mentor."  # (a sentence of 3 words or more is analysed)


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session, prefix="ws")
    grant_ai(session, w.student, w.student2)
    return w


def profile(session: Session, user_id: int) -> PersonalityProfile | None:
    session.expire_all()
    return session.get(PersonalityProfile, user_id)


class TestWorker:
    def test_the_analysis_is_stored_with_scores_labels_and_evidence(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        uid = world.student.id or 0
        chosen = complete_profiler(session, uid)
        analyze_personality.send(uid)
        run_queue(stub_broker, stub_worker)
        row = profile(session, uid)
        assert row is not None
        assert row.version == personality.VERSION
        assert row.source_hash == personality.sources(session, uid).digest
        assert [d["key"] for d in row.dimensions] == [d.key for d in personality.DIMENSIONS]
        questions = {q.text for q in load_bank("1").questions}
        for d in row.dimensions:
            assert 0 <= d["score"] <= 100
            assert d["label"] and d["description"].endswith(".")
            assert d["model"] == fake_embedder.name
            assert d["based_on"] == {"answers": len(chosen), "reflections": 0}
            # A lean or a balance always shows what pulled; only "not enough" may show nothing.
            assert d["evidence"] or d["label"] == personality.NOT_ENOUGH, d
            assert d["confidence"] in ("none", "low", "medium", "high")
            for e in d["evidence"]:
                assert e["source"] == "profiler"
                assert e["question"] in questions and e["answer"] in chosen
                assert e["towards"] in (d["high"], d["low"])

    def test_unchanged_sources_are_not_analysed_again(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid)
        analyze_personality.send(uid)
        run_queue(stub_broker, stub_worker)
        first = profile(session, uid)
        assert first is not None
        first_at, first_hash = first.computed_at, first.source_hash
        calls = len(fake_embedder.calls)
        analyze_personality.send(uid)
        analyze_personality.send(uid)
        run_queue(stub_broker, stub_worker)
        again = profile(session, uid)
        assert again is not None
        assert again.computed_at == first_at and len(fake_embedder.calls) == calls
        # A new reflection changes the sources: it is analysed (only its sentences are new).
        time.sleep(0.01)
        stub_worker.pause()  # held while the queue is read (it would take the first job at once)
        reflections.add_reflection(  # a private one: the learner's own, for their analysis
            session,
            principal(session, world.student),
            ReflectionCreate(
                body="I rebuilt the lab network on my own. Then I wrote up what I learned."
            ),
        )
        session.commit()
        assert ("analyze_personality", (uid,)) in queued_jobs(stub_broker)
        stub_worker.resume()
        run_queue(stub_broker, stub_worker)
        updated = profile(session, uid)
        assert updated is not None and updated.computed_at > first_at
        assert updated.source_hash != first_hash
        assert updated.dimensions[0]["based_on"] == {"answers": 20, "reflections": 1}
        # (the learner's re-embedding, queued too, encodes their whole text: "Track: ...")
        # and their interests: goals, track, recent work — issue 14)
        interests = {i.text for i in learner_interests.interest_texts(session, uid)}
        new = [
            c
            for c in fake_embedder.calls[calls:]
            if not c.startswith("Track:") and c not in interests
        ]
        assert new == [
            "I rebuilt the lab network on my own.",
            "Then I wrote up what I learned.",
        ]

    def test_reflections_alone_are_enough(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
    ) -> None:
        uid = world.student.id or 0
        session.add(Reflection(user_id=uid, body="I prefer working alone."))
        session.add(Reflection(user_id=uid, body="Shared too.", visibility=Visibility.mentor))
        session.add(Goal(user_id=uid, title="Goals are not analysed."))
        session.commit()
        assert personality.analyze(session, uid, fake_embedder) == "updated"
        session.commit()
        row = profile(session, uid)
        assert row is not None
        excerpts = {e.get("excerpt") for d in row.dimensions for e in d["evidence"]}
        assert excerpts <= {"I prefer working alone.", "Shared too."} and excerpts
        assert "I prefer working alone." in fake_embedder.calls  # private: still their own
        assert "Goals are not analysed." not in fake_embedder.calls

    def test_nothing_to_analyse(
        self, session: Session, world: World, fake_embedder: FakeEmbedder
    ) -> None:
        uid = world.student.id or 0
        session.add(PersonalityProfile(user_id=uid, version="1", source_hash="stale"))
        session.commit()
        calls = len(fake_embedder.calls)
        assert personality.analyze(session, uid, fake_embedder) == "empty"
        session.commit()
        assert profile(session, uid) is None  # a stale analysis does not outlive its sources
        assert len(fake_embedder.calls) == calls

    def test_without_consent_nothing_is_computed_and_the_stored_analysis_goes(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid)
        consents.set_consent(
            session, principal(session, world.student), consents.AI_PROFILING, False
        )
        session.add(PersonalityProfile(user_id=uid, version="1", source_hash="old"))
        session.commit()
        calls = len(fake_embedder.calls)
        analyze_personality.send(uid)
        run_queue(stub_broker, stub_worker)
        assert profile(session, uid) is None
        assert len(fake_embedder.calls) == calls

    def test_a_missing_user_is_not_an_error(
        self,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        analyze_personality.send(999_999)
        run_queue(stub_broker, stub_worker)  # would raise if the job had failed

    def test_completing_the_profiler_queues_the_analysis(
        self,
        session: Session,
        world: World,
        stub_broker,
    ) -> None:
        p = principal(session, world.student)
        started = profiler.start(session, p)
        for q in load_bank("1").questions:
            profiler.respond(session, p, started.id, question_id=q.id, option_id=q.options[0].id)
        profiler.complete(session, p, started.id)
        assert queued_jobs(stub_broker) == []  # nothing before the commit
        session.commit()
        assert ("analyze_personality", (world.student.id,)) in queued_jobs(stub_broker)


class TestApi:
    def test_anonymous_is_401(self, api_client: TestClient) -> None:
        for r in (
            api_client.get("/api/v1/personality"),
            api_client.post("/api/v1/personality/analyze"),
        ):
            assert r.status_code == 401 and r.json()["detail"]

    def test_analyse_queues_and_get_reads_the_result(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        fake_embedder: FakeEmbedder,
        stub_broker,
        stub_worker,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid, "educators")
        bearer(api_client, world.student.email)
        r = api_client.get("/api/v1/personality")
        assert r.status_code == 404 and r.json()["detail"] == personality.NONE_YET
        r = api_client.post("/api/v1/personality/analyze")
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued" and "being prepared" in r.json()["message"]
        run_queue(stub_broker, stub_worker)  # (the worker takes the job at once)
        r = api_client.get("/api/v1/personality")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["pending"] is False and body["status"] == "ready"
        assert body["based_on"] == {"answers": 20, "reflections": 0}
        assert len(body["dimensions"]) == len(personality.DIMENSIONS)
        d = body["dimensions"][0]
        assert {"key", "name", "score", "label", "description", "evidence"} <= set(d)

    def test_while_an_update_is_on_its_way_the_old_analysis_is_marked_pending(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        fake_embedder: FakeEmbedder,
        stub_broker,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid)
        personality.analyze(session, uid, fake_embedder)
        session.commit()
        bearer(api_client, world.student.email)
        assert api_client.get("/api/v1/personality").json()["pending"] is False
        r = api_client.post("/api/v1/coaching/reflections", json={"body": "I love labs."})
        assert r.status_code == 201
        assert ("analyze_personality", (uid,)) in queued_jobs(stub_broker)
        r = api_client.get("/api/v1/personality")
        assert r.status_code == 200 and r.json()["pending"] is True
        assert r.json()["message"] == personality.CHANGED and r.json()["dimensions"]
        personality.analyze(session, uid, fake_embedder)  # what the worker does
        session.commit()
        assert api_client.get("/api/v1/personality").json()["pending"] is False

    def test_without_consent_analyse_is_403_with_the_reason(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        complete_profiler(session, world.student.id or 0)
        bearer(api_client, world.student.email)
        api_client.post("/api/v1/auth/consents", json={"kind": "ai_profiling", "granted": False})
        stub_broker.flush_all()
        r = api_client.post("/api/v1/personality/analyze")
        assert r.status_code == 403 and "AI profiling" in r.json()["detail"]
        r = api_client.get("/api/v1/personality")
        assert r.status_code == 403 and "AI profiling" in r.json()["detail"]
        assert queued_jobs(stub_broker) == []

    def test_nothing_to_analyse_is_409_with_the_reason(
        self,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        r = api_client.post("/api/v1/personality/analyze")
        assert r.status_code == 409 and "career profiler" in r.json()["detail"]
        r = api_client.get("/api/v1/personality")
        assert r.status_code == 404 and r.json()["detail"] == personality.NOTHING_TO_ANALYSE
        assert queued_jobs(stub_broker) == []

    def test_staff_read_a_learners_analysis_only_with_access(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        fake_embedder: FakeEmbedder,
    ) -> None:
        uid = world.student.id or 0
        complete_profiler(session, uid)
        personality.analyze(session, uid, fake_embedder)
        session.commit()
        url = f"/api/v1/personality?user={uid}"
        for who in (world.mentor, world.director, world.admin):  # assigned mentor, director, admin
            bearer(api_client, who.email)
            r = api_client.get(url)
            assert r.status_code == 200, (who.email, r.text)
            assert r.json()["user_id"] == uid and r.json()["dimensions"]
        for who in (world.student2, world.other_mentor, world.other_director):
            bearer(api_client, who.email)
            r = api_client.get(url)
            assert r.status_code == 403, (who.email, r.text)
            assert r.json()["detail"]
        bearer(api_client, world.admin.email)
        r = api_client.get("/api/v1/personality?user=999999")
        assert r.status_code == 404 and r.json()["detail"]
        r = api_client.get("/api/v1/personality?user=abc")
        assert r.status_code == 422 and "user" in r.json()["detail"]

    def test_staff_never_read_a_private_reflection_through_the_evidence(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        fake_embedder: FakeEmbedder,
    ) -> None:
        uid = world.student.id or 0
        session.add(Reflection(user_id=uid, body="I prefer working alone."))  # private
        session.add(Reflection(user_id=uid, body=SHARED, visibility=Visibility.mentor))
        session.commit()
        assert personality.analyze(session, uid, fake_embedder) == "updated"
        session.commit()

        def excerpts(body: dict) -> set[str]:
            return {e.get("excerpt") for d in body["dimensions"] for e in d["evidence"]}

        bearer(api_client, world.student.email)
        own = api_client.get("/api/v1/personality").json()
        assert "I prefer working alone." in excerpts(own)  # the learner's own analysis
        for who in (world.mentor, world.director, world.admin):
            bearer(api_client, who.email)
            r = api_client.get(f"/api/v1/personality?user={uid}")
            assert r.status_code == 200, (who.email, r.text)
            assert "I prefer working alone." not in excerpts(r.json()), who.email
            assert excerpts(r.json()) <= {SHARED}
            # Staff read the analysis of what the learner shared (see the next test).
            assert r.json()["based_on"] == {"answers": 0, "reflections": 1}
        assert own["based_on"] == {"answers": 0, "reflections": 2}

    def test_staff_read_an_analysis_of_the_shared_reflections_only(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        fake_embedder: FakeEmbedder,
    ) -> None:
        """Staff read the learner's analysis with the evidence of private reflections left out,
        but its scores, labels, counts and "pending" came from those reflections too: a
        learner who wrote only "I prefer working alone", privately, showed their mentor "Leans
        independent" (or whatever it read). Staff now read an analysis of the profiler and the
        shared reflections alone; a private reflection changes nothing they see."""
        uid = world.student.id or 0
        alone = "I prefer working alone. I like figuring problems out by myself, independently."
        session.add(Reflection(user_id=uid, body=alone))  # private
        session.commit()
        assert personality.analyze(session, uid, fake_embedder) == "updated"
        session.commit()
        url = f"/api/v1/personality?user={uid}"
        bearer(api_client, world.student.email)
        own = api_client.get("/api/v1/personality")
        assert own.status_code == 200 and own.json()["based_on"]["reflections"] == 1
        bearer(api_client, world.mentor.email)
        r = api_client.get(url)  # nothing shared: nothing to read
        assert r.status_code == 404, r.text
        assert r.json()["detail"] == personality.NOTHING_TO_ANALYSE

        team = "I prefer working with other people in a team. Group projects help me most."
        shared = Reflection(user_id=uid, body=team, visibility=Visibility.mentor)
        session.add(shared)
        session.commit()
        assert personality.analyze(session, uid, fake_embedder) == "updated"
        session.commit()
        items = [
            personality.Item(source="reflection", text=t, note_id=shared.id)
            for t in personality.sentences(team)
        ]
        calibration = personality.calibration_for(fake_embedder, load_bank("1"))
        expected = personality.score_items(items, fake_embedder, calibration)
        for who in (world.mentor, world.director, world.admin):
            bearer(api_client, who.email)
            body = api_client.get(url).json()
            assert body["based_on"] == {"answers": 0, "reflections": 1}, who.email
            assert [(d["score"], d["label"], d["evidence_items"]) for d in body["dimensions"]] == [
                (d.score, d.label, d.evidence_items) for d in expected
            ]
            assert body["pending"] is False

        # Another private reflection: the learner's analysis is out of date, staff's is not.
        reflections.add_reflection(
            session, principal(session, world.student), ReflectionCreate(body=alone)
        )
        session.commit()
        bearer(api_client, world.student.email)
        assert api_client.get("/api/v1/personality").json()["pending"] is True
        bearer(api_client, world.mentor.email)
        assert api_client.get(url).json()["pending"] is False

    def test_sharing_a_reflection_updates_the_analysis_staff_read(
        self, session: Session, world: World, fake_embedder: FakeEmbedder, stub_broker
    ) -> None:
        uid = world.student.id or 0
        me = principal(session, world.student)
        note = reflections.add_reflection(
            session, me, ReflectionCreate(body="I prefer working alone on hard problems.")
        )
        session.commit()
        personality.analyze(session, uid, fake_embedder)
        session.commit()
        stub_broker.flush_all()
        mentor = principal(session, world.mentor)
        assert personality.overview(session, mentor, uid).status == "empty"
        reflections.set_visibility(session, me, note.id, "mentor")
        session.commit()
        assert personality.overview(session, mentor, uid).status == "none"
        assert ("analyze_personality", (uid,)) in queued_jobs(stub_broker)
        personality.analyze(session, uid, fake_embedder)
        session.commit()
        ready = personality.overview(session, mentor, uid)
        assert ready.status == "ready" and ready.based_on.reflections == 1

    def test_overview_states(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
    ) -> None:
        p = principal(session, world.student)
        assert personality.overview(session, p).status == "empty"
        complete_profiler(session, world.student.id or 0)
        assert personality.overview(session, p).status == "none"
        personality.analyze(session, world.student.id or 0, fake_embedder)
        session.commit()
        ready = personality.overview(session, p)
        assert ready.status == "ready" and ready.model == fake_embedder.name
        assert "model" not in ready.dimensions[0].model_dump()
        consents.set_consent(session, p, consents.AI_PROFILING, False)
        off = personality.overview(session, p)
        assert off.status == "off" and off.dimensions == []

    def test_only_very_short_reflections_say_what_is_needed(
        self,
        session: Session,
        world: World,
        fake_embedder: FakeEmbedder,
        stub_broker,
    ) -> None:
        """Reflections whose sentences are all under MIN_SENTENCE_WORDS words give the analysis
        nothing to read: the page says what to write instead of "being prepared" forever (it
        asked for an analysis that came back empty, then asked again)."""
        uid = world.student.id or 0
        me = principal(session, world.student)
        reflections.add_reflection(session, me, ReflectionCreate(body="Good day. Fun."))
        session.commit()
        stub_broker.flush_all()
        assert personality.analyze(session, uid, fake_embedder) == "empty"
        session.commit()
        seen = personality.overview(session, me)
        assert seen.status == "empty" and seen.message == personality.TOO_SHORT
        assert f"at least {personality.MIN_SENTENCE_WORDS} words" in seen.message
        with pytest.raises(Conflict, match="at least"):
            personality.request_analysis(session, me)
        assert queued_jobs(stub_broker) == []
        # One sentence long enough, and the analysis follows.
        reflections.add_reflection(
            session, me, ReflectionCreate(body="I rebuilt the lab network on my own.")
        )
        session.commit()
        assert personality.overview(session, me).status == "none"


@pytest.mark.slow
def test_with_the_real_model_builders_lean_hands_on_and_educators_people_focused(
    session: Session, world: World
) -> None:
    """all-MiniLM-L6-v2 from the wheel: the leans follow the answers, with them as evidence."""
    from worker.model import ModelEmbedder

    model = ModelEmbedder()
    builder, educator = world.student.id or 0, world.student2.id or 0
    complete_profiler(session, builder, "builders")
    complete_profiler(session, educator, "educators")
    assert personality.analyze(session, builder, model) == "updated"
    assert personality.analyze(session, educator, model) == "updated"
    session.commit()

    def dims(uid: int) -> dict[str, dict]:
        row = profile(session, uid)
        assert row is not None
        return {d["key"]: d for d in row.dimensions}

    b, e = dims(builder), dims(educator)
    assert b["hands_on"]["label"].endswith("hands-on"), b["hands_on"]
    assert b["hands_on"]["score"] > e["hands_on"]["score"]
    answers = [x["answer"] for x in b["hands_on"]["evidence"]]
    assert answers and all(x["towards"] == "hands-on" for x in b["hands_on"]["evidence"])
    assert e["people"]["label"].endswith("people-focused"), e["people"]
    assert e["people"]["score"] > b["people"]["score"]
    assert e["hands_on"]["label"].endswith("conceptual"), e["hands_on"]
    # Twenty answers are real evidence: no dimension of either reads "Not enough evidence yet".
    assert all(d["label"] != personality.NOT_ENOUGH for d in (*b.values(), *e.values()))


# Written examples: (reflection sentence, the dimensions it must move and which way). Every other
# dimension must not move at all: the sentence does not speak to it.
WRITTEN = [
    ("I prefer working with people and planning things out.", {"people": 1, "structured": 1}),
    (
        "I like organising the team's work and making sure everyone knows the plan.",
        {"collaborative": 1, "structured": 1},
    ),
    (
        "I loved tinkering with the router config and breaking things in my home lab until "
        "they worked.",
        {"hands_on": 1},
    ),
    ("I work best alone, quietly, with nobody interrupting me.", {"collaborative": -1}),
    (
        "Pairing with my teammates and discussing the problem together helped me most.",
        {"collaborative": 1},
    ),
    (
        "I like exploring unknown problems and improvising without a fixed plan.",
        {"structured": -1},
    ),
    ("I double-check everything and avoid risks so nothing breaks.", {"bold": -1}),
    (
        "I like taking risks and launching new ideas quickly, even if they might fail.",
        {"bold": 1},
    ),
    (
        "I prefer reading about the theory and understanding why it works before touching "
        "anything.",
        {"hands_on": -1},
    ),
    ("I am fascinated by how networks and operating systems work inside.", {"people": -1}),
    ("Explaining phishing to my grandmother was the best part of the week.", {"people": 1}),
    ("Making a schedule with my team kept us on track.", {"structured": 1, "collaborative": 1}),
    ("I finished it on Tuesday after lunch.", {}),
]


@pytest.mark.slow
def test_with_the_real_model_written_reflections_move_the_right_dimensions_the_right_way() -> None:
    """all-MiniLM-L6-v2: each example sentence moves the dimensions it is about, in the right
    direction, and no other; a reflection about people and planning reads that way."""
    from worker.model import ModelEmbedder

    model = ModelEmbedder()
    cal = personality.calibration_for(model, load_bank(profiler_bank.CURRENT_VERSION))
    keys = [d.key for d in personality.DIMENSIONS]
    items = [personality.Item(source="reflection", text=t) for t, _ in WRITTEN]
    for (text, expected), row in zip(WRITTEN, personality.votes(items, model, cal), strict=True):
        moved = {k: int(v > 0) - int(v < 0) for k, v in zip(keys, row, strict=True) if v}
        assert moved == expected, text

    reflection = (
        "I prefer working with people and planning things out. I like organising the team's "
        "work and making sure everyone knows the plan. Making a schedule with my team kept us "
        "on track. Explaining phishing to my grandmother was the best part of the week."
    )
    parts = [
        personality.Item(source="reflection", text=s, note_id=1)
        for s in personality.sentences(reflection)
    ]
    out = {d.key: d for d in personality.score_items(parts, model, cal)}
    assert out["structured"].label == "Leans structured", out["structured"]
    assert out["people"].label == "Leans people-focused", out["people"]
    assert out["people"].evidence[0].towards == "people-focused"
    # Nothing in it is about trying things out or taking risks: no fake precision there.
    assert out["hands_on"].label == out["bold"].label == personality.NOT_ENOUGH
    assert out["hands_on"].confidence == "none"
