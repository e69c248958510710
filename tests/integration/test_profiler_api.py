"""/api/v1/profiling: owner, other user, admin, anonymous, bad ids, early complete, resume, retake."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.db import get_engine
from cyberhub.services.ai import profiler
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import load_principal
from tests.factories import make_user

pytestmark = [pytest.mark.profiler, pytest.mark.integration]
API = "/api/v1/profiling"


@pytest.fixture
def consenting_student(session: Session, student_user):
    consents.record_signup_consents(
        session, student_user.id, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    session.commit()
    return student_user


def _answer_all(client: TestClient, sid: int, pick: int = 0) -> None:
    for q in load_bank().questions:
        r = client.post(
            f"{API}/session/{sid}/respond",
            json={"question_id": q.id, "option_id": q.options[pick].id},
        )
        assert r.status_code == 200, r.text


def test_questions_are_public_and_hide_weights(api_client: TestClient) -> None:
    questions = api_client.get(f"{API}/questions").json()
    assert 16 <= len(questions) <= 24
    assert set(questions[0]) == {"id", "category", "text", "options"}
    assert set(questions[0]["options"][0]) == {"id", "text"}
    assert "weights" not in str(questions)


def test_tracks_lists_five_with_nice_roles(api_client: TestClient) -> None:
    tracks = api_client.get(f"{API}/tracks").json()
    assert [t["key"] for t in tracks] == [
        "builders",
        "leaders",
        "entrepreneurs",
        "researchers",
        "educators",
    ]
    assert all(len(t["nice_work_roles"]) >= 3 and t["careers"] for t in tracks)


def test_anonymous_gets_401(api_client: TestClient) -> None:
    assert api_client.post(f"{API}/session/start").status_code == 401
    assert api_client.get(f"{API}/session/1/progress").status_code == 401
    assert api_client.delete(f"{API}/session/1").status_code == 401


def test_without_ai_consent_the_profiler_refuses(student_client: TestClient) -> None:
    r = student_client.post(f"{API}/session/start")
    assert r.status_code == 403 and "AI profiling" in r.json()["detail"]


def test_full_journey_with_results_contract(student_client: TestClient, consenting_student) -> None:
    start = student_client.post(f"{API}/session/start").json()
    sid = start["id"]
    assert start["answered"] == 0 and start["current_index"] == 0 and start["resumed"] is False
    # Starting again resumes the unfinished session.
    again = student_client.post(f"{API}/session/start").json()
    assert again["id"] == sid and again["resumed"] is True

    bank = load_bank()
    first = bank.questions[0]
    r = student_client.post(
        f"{API}/session/{sid}/respond",
        json={"question_id": first.id, "option_id": first.options[1].id},
    )
    assert r.json()["answered"] == 1 and r.json()["current_index"] == 1
    progress = student_client.get(f"{API}/session/{sid}/progress").json()
    assert progress["answers"] == {first.id: first.options[1].id}

    early = student_client.post(f"{API}/session/{sid}/complete")
    assert early.status_code == 409
    assert len(early.json()["unanswered"]) == len(bank.questions) - 1
    assert bank.questions[1].id in early.json()["unanswered"]

    _answer_all(student_client, sid)
    done = student_client.post(f"{API}/session/{sid}/complete")
    assert done.status_code == 200, done.text
    results = student_client.get(f"{API}/session/{sid}/results").json()
    assert set(results) >= {
        "primary_track",
        "secondary_track",
        "confidence",
        "scores",
        "reasoning",
        "persona",
    }
    assert set(results["scores"]) == {
        "builders",
        "leaders",
        "entrepreneurs",
        "researchers",
        "educators",
    }
    assert results["confidence"] in {"high", "medium", "low"}
    assert (
        max(results["scores"], key=results["scores"].get) == results["primary_track"]
        or results["tie"]
    )
    persona = results["persona"]
    assert persona["title"] and persona["narrative"] and len(persona["careers"]) == 3
    assert len(persona["nice_work_roles"]) == 3

    # A completed session refuses new answers; a retake is a new session and keeps the history.
    r = student_client.post(
        f"{API}/session/{sid}/respond",
        json={"question_id": first.id, "option_id": first.options[0].id},
    )
    assert r.status_code == 409
    retake = student_client.post(f"{API}/session/start").json()
    assert retake["id"] != sid and retake["answered"] == 0
    _answer_all(student_client, retake["id"], pick=2)
    student_client.post(f"{API}/session/{retake['id']}/complete")
    history = student_client.get(f"{API}/history").json()
    assert [h["session_id"] for h in history] == [retake["id"], sid]

    # Review answers, then delete the first attempt: its answers and result are gone.
    review = student_client.get(f"{API}/session/{sid}/answers").json()
    assert review[0]["answer"] == first.options[0].text
    assert student_client.delete(f"{API}/session/{sid}").status_code == 204
    assert student_client.get(f"{API}/session/{sid}/results").status_code == 404
    assert [h["session_id"] for h in student_client.get(f"{API}/history").json()] == [retake["id"]]


def test_bad_ids_are_422_with_a_message(student_client: TestClient, consenting_student) -> None:
    sid = student_client.post(f"{API}/session/start").json()["id"]
    r = student_client.post(
        f"{API}/session/{sid}/respond", json={"question_id": "q999", "option_id": "x"}
    )
    assert r.status_code == 422 and "q999" in r.json()["detail"]
    q = load_bank().questions[0]
    r = student_client.post(
        f"{API}/session/{sid}/respond", json={"question_id": q.id, "option_id": "nope"}
    )
    assert r.status_code == 422 and "nope" in r.json()["detail"]
    r = student_client.post(f"{API}/session/{sid}/respond", json={"question_id": q.id})
    assert r.status_code == 422
    assert student_client.get(f"{API}/session/abc/progress").status_code == 422


def test_other_users_session_is_not_visible(
    student_client: TestClient,
    consenting_student,
    session: Session,
    api_client: TestClient,
    test_organization,
) -> None:
    sid = student_client.post(f"{API}/session/start").json()["id"]
    other = make_user(
        session, "other@test.example.org", "student", organization_id=test_organization.id
    )
    token = api_client.post(
        "/api/v1/auth/login", json={"email": other.email, "password": "Correct-Horse-Battery-9"}
    ).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert api_client.get(f"{API}/session/{sid}/progress", headers=h).status_code == 404
    q = load_bank().questions[0]
    assert (
        api_client.post(
            f"{API}/session/{sid}/respond",
            headers=h,
            json={"question_id": q.id, "option_id": q.options[0].id},
        ).status_code
        == 404
    )
    assert api_client.delete(f"{API}/session/{sid}", headers=h).status_code == 404


def test_admin_may_read_any_session(
    student_client: TestClient,
    consenting_student,
    admin_client: TestClient,
) -> None:
    sid = student_client.post(f"{API}/session/start").json()["id"]
    assert admin_client.get(f"{API}/session/{sid}/progress").status_code == 200


def test_withdrawing_ai_consent_stops_the_profiler(
    student_client: TestClient,
    consenting_student,
    session: Session,
) -> None:
    sid = student_client.post(f"{API}/session/start").json()["id"]
    r = student_client.post(
        "/api/v1/auth/consents", json={"kind": "ai_profiling", "granted": False}
    )
    assert r.status_code == 200, r.text
    q = load_bank().questions[0]
    r = student_client.post(
        f"{API}/session/{sid}/respond", json={"question_id": q.id, "option_id": q.options[0].id}
    )
    assert r.status_code == 403


def _together(calls: list[Callable[[Session], object]]) -> list[str]:
    """Each call in its own thread, session and transaction, released together: their
    outcomes ("ok" or the error)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[Session], object]) -> None:
        with Session(get_engine(), expire_on_commit=False) as s:
            s.connection()  # the transaction starts before the race
            try:
                barrier.wait(timeout=10)
                call(s)
                s.commit()
                outcomes.append("ok")
            except Exception as exc:  # anything is a bug the test must show
                s.rollback()
                outcomes.append(repr(exc))

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_a_double_click_answers_and_completes_once(session: Session, consenting_student) -> None:
    """Two tabs (or a double click) sending the same answer, then Complete, at the same moment:
    each request answers normally; before, the second insert of the same answer or result
    failed with a database error (a 500)."""
    uid = consenting_student.id
    me = load_principal(session, uid)
    sid = profiler.start(session, me).id
    session.commit()
    questions = load_bank().questions
    for q in questions[:-1]:
        profiler.respond(session, me, sid, question_id=q.id, option_id=q.options[0].id)
    session.commit()
    last = questions[-1]

    def answer(s: Session) -> object:
        return profiler.respond(
            s, load_principal(s, uid), sid, question_id=last.id, option_id=last.options[0].id
        )

    assert _together([answer, answer]) == ["ok", "ok"]

    def complete(s: Session) -> object:
        return profiler.complete(s, load_principal(s, uid), sid)

    assert _together([complete, complete]) == ["ok", "ok"]
    assert profiler.results(session, me, sid)["primary_track"]
