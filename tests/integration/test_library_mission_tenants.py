"""A library mission many organisations run tells a director only their own programmes, and an
admin's library mission not published yet can't be named as a prerequisite by a director, so
its title is never told (its page is 404 to them)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import MissionStatus, ProgramMission
from tests.factories import bearer, build_world, id_of, make_mission

pytestmark = [pytest.mark.missions, pytest.mark.integration]

API = "/api/v1"


def test_a_director_sees_only_their_programmes_running_a_shared_library_mission(
    session: Session,
) -> None:
    w = build_world(session)
    # The other organisation's programme runs the world's library mission too.
    session.add(ProgramMission(program_id=id_of(w.other_program), mission_id=id_of(w.m1)))
    session.commit()
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, w.director.email)
        listed = client.get(f"{API}/director/missions", params={"q": w.m1.title}).json()
        [row] = [m for m in listed["items"] if m["id"] == w.m1.id]
        assert row["program_ids"] == [id_of(w.program)]
        one = client.get(f"{API}/director/missions/{w.m1.id}").json()
        assert one["program_ids"] == [id_of(w.program)]
        bearer(client, w.admin.email)
        everyone = client.get(f"{API}/director/missions/{w.m1.id}").json()
        assert everyone["program_ids"] == sorted([id_of(w.program), id_of(w.other_program)])


def test_an_unpublished_library_mission_is_no_prerequisite_for_a_director(
    session: Session,
) -> None:
    w = build_world(session)
    secret = make_mission(
        session, w.program, w.builders, title="Secret draft title", status=MissionStatus.draft
    )
    session.exec(  # an admin's draft, run by no programme yet
        ProgramMission.__table__.delete().where(  # type: ignore[attr-defined]
            ProgramMission.mission_id == id_of(secret)
        )
    )
    session.commit()
    from cyberhub.api import create_api

    body = {
        "program_id": id_of(w.program),
        "track": "builders",
        "title": "Phishing triage",
        "summary": "Sort the reported e-mails.",
        "brief": "Read each reported e-mail and say whether it is phishing, and why.",
        "difficulty": 1,
        "estimated_minutes": 30,
        "skills": ["email"],
        "rubric": [{"title": "Accuracy", "points": 10}],
        "prerequisites": [id_of(secret)],
    }
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, w.director.email)
        refused = client.post(f"{API}/director/missions", json=body)
        assert refused.status_code == 422, refused.text
        assert (
            refused.json()["detail"] == f"Mission {secret.id} is not a mission of this programme."
        )
        assert "Secret" not in refused.text
        # A published library mission still is one.
        body["prerequisites"] = [id_of(w.m1)]
        made = client.post(f"{API}/director/missions", json=body)
        assert made.status_code == 201, made.text
        assert [p["title"] for p in made.json()["prerequisites"]] == [w.m1.title]
