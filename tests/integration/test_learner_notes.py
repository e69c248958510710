"""Goals and reflections (services/learning/learner_notes.py, /api/v1/me/notes): a learner keeps their own,
with validation messages; a change queues no AI work (nothing reads the notes since issue 16)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import LearnerNote
from cyberhub.models.ai import NoteKind
from cyberhub.services.errors import Forbidden
from cyberhub.services.identity import consents
from cyberhub.services.learning import learner_notes
from tests.factories import World, bearer, build_world, principal, queued_jobs

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

NOTES = "/api/v1/me/notes"


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session, prefix="notes")
    consents.record_signup_consents(
        session, w.student.id or 0, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    # student2 has not granted AI profiling.
    consents.record_signup_consents(session, w.student2.id or 0, [consents.TERMS, consents.PRIVACY])
    session.commit()
    return w


class TestAccess:
    def test_anonymous_is_401(self, api_client: TestClient) -> None:
        for r in (
            api_client.get(NOTES),
            api_client.post(NOTES, json={"kind": "goal", "body": "x"}),
            api_client.patch(f"{NOTES}/1", json={"body": "x"}),
            api_client.delete(f"{NOTES}/1"),
        ):
            assert r.status_code == 401 and r.json()["detail"]

    def test_notes_are_for_learners(self, world: World, api_client: TestClient) -> None:
        bearer(api_client, world.mentor.email)
        r = api_client.post(NOTES, json={"kind": "goal", "body": "Mentor more people."})
        assert r.status_code == 403 and r.json()["detail"] == learner_notes.NOT_A_LEARNER
        assert api_client.get(NOTES).status_code == 403

    def test_another_learners_note_is_404(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        note = api_client.post(NOTES, json={"kind": "goal", "body": "Mine."}).json()
        bearer(api_client, world.student2.email)
        assert api_client.get(NOTES).json() == []
        r = api_client.patch(f"{NOTES}/{note['id']}", json={"body": "Hijacked."})
        assert r.status_code == 404 and r.json()["detail"] == "That note does not exist."
        r = api_client.delete(f"{NOTES}/{note['id']}")
        assert r.status_code == 404
        r = api_client.delete(f"{NOTES}/999999")
        assert r.status_code == 404
        session.expire_all()
        kept = session.get(LearnerNote, note["id"])
        assert kept is not None and kept.body == "Mine."


class TestNotes:
    def test_add_list_edit_delete(
        self,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        assert api_client.get(NOTES).json() == []
        r = api_client.post(NOTES, json={"kind": "goal", "body": "  Pass my first CTF.  "})
        assert r.status_code == 201, r.text
        goal = r.json()
        assert goal["kind"] == "goal" and goal["body"] == "Pass my first CTF."
        assert goal["edited"] is False
        reflection = api_client.post(
            NOTES, json={"kind": "reflection", "body": "The firewall lab was fun."}
        ).json()
        listed = api_client.get(NOTES).json()
        assert [n["id"] for n in listed] == [reflection["id"], goal["id"]]  # newest first
        assert [n["id"] for n in api_client.get(f"{NOTES}?kind=goal").json()] == [goal["id"]]

        r = api_client.patch(f"{NOTES}/{goal['id']}", json={"body": "Pass two CTFs."})
        assert r.status_code == 200, r.text
        assert r.json()["body"] == "Pass two CTFs." and r.json()["edited"] is True
        r = api_client.patch(f"{NOTES}/{goal['id']}", json={"kind": "reflection"})
        assert r.json()["kind"] == "reflection" and r.json()["body"] == "Pass two CTFs."

        assert api_client.delete(f"{NOTES}/{goal['id']}").status_code == 204
        assert [n["id"] for n in api_client.get(NOTES).json()] == [reflection["id"]]

    def test_a_note_is_the_same_json_as_before_the_typed_models(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        note = api_client.post(NOTES, json={"kind": "goal", "body": "Same shape."}).json()
        row = session.get(LearnerNote, note["id"])
        assert row is not None
        # Field order and the "+00:00" ISO text that clients already parse.
        assert note == {
            "id": row.id,
            "kind": "goal",
            "body": "Same shape.",
            "created_at": row.created_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "edited": False,
        }
        assert list(note) == ["id", "kind", "body", "created_at", "updated_at", "edited"]
        assert note["created_at"].endswith("+00:00")

    @pytest.mark.parametrize(
        ("payload", "message"),
        [
            ({"kind": "goal", "body": "   "}, "the note is empty"),
            (
                {"kind": "goal", "body": "x" * 2001},
                "Keep the note to 2,000 characters (this one has 2,001).",
            ),
            ({"kind": "wish", "body": "Something."}, "goal or a reflection"),
            ({"kind": "goal"}, "Field required"),
            ({"kind": "goal", "body": "x" * 4001}, "at most 4000 characters"),
        ],
    )
    def test_bad_input_is_422_with_a_message(
        self,
        world: World,
        api_client: TestClient,
        payload: dict[str, str],
        message: str,
    ) -> None:
        bearer(api_client, world.student.email)
        r = api_client.post(NOTES, json=payload)
        assert r.status_code == 422 and message in r.json()["detail"], r.text
        assert api_client.get(NOTES).json() == []

    def test_bad_edits_are_422(
        self,
        world: World,
        api_client: TestClient,
        stub_broker,
    ) -> None:
        bearer(api_client, world.student.email)
        note = api_client.post(NOTES, json={"kind": "goal", "body": "Keep me."}).json()
        r = api_client.patch(f"{NOTES}/{note['id']}", json={})
        assert r.status_code == 422 and "body" in r.json()["detail"]
        r = api_client.patch(f"{NOTES}/{note['id']}", json={"body": ""})
        assert r.status_code == 422 and "empty" in r.json()["detail"]
        assert api_client.get(NOTES).json()[0]["body"] == "Keep me."

    def test_at_most_fifty(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
    ) -> None:
        uid = world.student2.id or 0
        for i in range(learner_notes.MAX_NOTES):
            session.add(LearnerNote(user_id=uid, kind=NoteKind.reflection, body=f"Note {i}"))
        session.commit()
        bearer(api_client, world.student2.email)
        r = api_client.post(NOTES, json={"kind": "goal", "body": "One more."})
        assert r.status_code == 422 and "Delete or edit an old one" in r.json()["detail"]
        assert len(api_client.get(NOTES).json()) == learner_notes.MAX_NOTES


class TestQueuing:
    def test_no_change_queues_ai_work(
        self,
        session: Session,
        world: World,
        stub_broker,
    ) -> None:
        """Nothing reads these notes for the learner's vector, list or analysis since issue 16:
        each change queued a re-embedding and an analysis with nothing new to read (the model
        run for nothing, for every note a script posted)."""
        p = principal(session, world.student)
        note = learner_notes.add_note(session, p, kind="goal", body="Learn forensics.")
        session.commit()
        learner_notes.update_note(session, p, note.id, body="Learn malware.")
        session.commit()
        learner_notes.delete_note(session, p, note.id)
        session.commit()
        assert queued_jobs(stub_broker) == []

    def test_an_unchanged_edit_or_a_rollback_queues_nothing(
        self,
        session: Session,
        world: World,
        stub_broker,
    ) -> None:
        p = principal(session, world.student)
        note = learner_notes.add_note(session, p, kind="goal", body="Same.")
        session.commit()
        stub_broker.flush_all()
        learner_notes.update_note(session, p, note.id, body="Same.", kind="goal")
        session.commit()
        learner_notes.add_note(session, p, kind="goal", body="Never mind.")
        session.rollback()
        assert queued_jobs(stub_broker) == []

    def test_service_checks_the_role(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden):
            learner_notes.list_notes(session, principal(session, world.director))
