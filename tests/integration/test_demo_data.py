"""The demo data a first run loads: a complete academy someone can sign into and explore."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import (
    Cohort,
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Organization,
    Program,
    ProgramMission,
    ProgramTrack,
    Role,
    RoleAssignment,
    Track,
    User,
)
from cyberhub.services.admin import demo as demo_data
from cyberhub.services.admin.demo import DEMO_PASSWORD, DEMO_USERS
from cyberhub.services.identity.passwords import password_problems
from tests.factories import id_of

pytestmark = [pytest.mark.integration]


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def test_a_fresh_database_is_empty(session: Session) -> None:
    assert demo_data.is_empty(session)


def test_structure(session: Session, demo: list[int]) -> None:
    org = session.exec(select(Organization).where(Organization.slug == "ongoza")).one()
    [program] = session.exec(select(Program)).all()
    assert program.organization_id == org.id
    tracks = session.exec(select(Track)).all()
    assert sorted(t.key for t in tracks) == sorted(
        ["builders", "leaders", "entrepreneurs", "researchers", "educators"]
    )
    runs = session.exec(select(ProgramTrack)).all()
    assert {(r.program_id, r.track_id) for r in runs} == {(program.id, t.id) for t in tracks}
    assert all(r.nice_work_roles for r in runs)
    for t in tracks:
        assert t.careers and all(c.strip() for c in t.careers)
    cohorts = session.exec(select(Cohort)).all()
    assert len(cohorts) == 2
    director = session.exec(select(User).where(User.email == "director@cyberhub.example")).one()
    for c in cohorts:
        assert c.program_id == program.id and c.starts_on < c.ends_on and c.capacity >= 1
        assert c.director_id == director.id
    assert not demo_data.is_empty(session)


def test_missions_are_complete_and_published(session: Session, demo: list[int]) -> None:
    missions = session.exec(select(Mission)).all()
    assert len(missions) >= 30
    assert sorted(demo) == sorted(id_of(m) for m in missions)  # every id is returned for embedding
    tracks = {t.id for t in session.exec(select(Track)).all()}
    [program] = session.exec(select(Program)).all()
    adopted = session.exec(
        select(ProgramMission.mission_id).where(ProgramMission.program_id == program.id)
    ).all()
    assert sorted(adopted) == sorted(id_of(m) for m in missions)  # the programme runs them all
    for m in missions:
        assert m.organization_id is None, m.slug  # CyberHub's public library
        assert m.status == MissionStatus.published, m.slug
        assert m.track_id in tracks
        assert m.title and m.summary, m.slug
        assert len(paragraphs(m.brief)) >= 3, m.slug
        assert 1 <= m.difficulty <= 5, m.slug
        assert m.skills, m.slug
        assert m.estimated_minutes > 0, m.slug
        assert m.rubric, m.slug
        for criterion in m.rubric:
            assert {"key", "title", "description", "points"} <= set(criterion), m.slug
        assert m.hints, m.slug
    # Every track offers a path from beginner to advanced.
    for track_id in tracks:
        levels = {m.difficulty for m in missions if m.track_id == track_id}
        assert {1, 5} <= levels


def test_prerequisites_form_no_cycles(session: Session, demo: list[int]) -> None:
    edges = session.exec(select(MissionPrerequisite)).all()
    assert edges
    needs: dict[int, set[int]] = {}
    for e in edges:
        assert e.mission_id != e.prerequisite_id
        needs.setdefault(e.mission_id, set()).add(e.prerequisite_id)

    def on_cycle(start: int) -> bool:
        stack, seen = list(needs.get(start, ())), set()
        while stack:
            node = stack.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(needs.get(node, ()))
        return False

    assert not [m for m in needs if on_cycle(m)]


def test_every_role_has_a_demo_user(session: Session, demo: list[int]) -> None:
    org = session.exec(select(Organization).where(Organization.slug == "ongoza")).one()
    funder = session.exec(
        select(Organization).where(Organization.slug == demo_data.SPONSOR_ORG_SLUG)
    ).one()
    grants = session.exec(
        select(RoleAssignment, User.email).join(User, col(User.id) == RoleAssignment.user_id)
    ).all()
    by_role = {ra.role: (ra, email) for ra, email in grants}
    assert set(by_role) == {r.value for r in Role}
    for role, (ra, _email) in by_role.items():
        if role == "admin":
            assert ra.organization_id is None  # a global admin
        elif role == "sponsor":
            assert ra.organization_id == funder.id  # the foundation funding the spring cohort
        else:
            assert ra.organization_id == org.id


def test_demo_password_meets_the_password_rules() -> None:
    # Someone copying it from the README must be able to type it into the sign-up form too.
    assert password_problems(DEMO_PASSWORD) == []


@pytest.mark.auth
def test_every_demo_user_can_sign_in(api_client: TestClient, demo: list[int]) -> None:
    assert len(DEMO_USERS) == 5
    for email, name, role, _scoped in DEMO_USERS:
        r = api_client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        assert r.status_code == 200, (email, r.text)
        user = r.json()["user"]
        assert user["email"] == email and user["full_name"] == name
        assert user["roles"] == [role.value]
        me = api_client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["roles"] == [role.value]


@pytest.mark.auth
def test_demo_users_do_not_accept_a_wrong_password(api_client: TestClient, demo: list[int]) -> None:
    r = api_client.post(
        "/api/v1/auth/login",
        json={"email": "admin@cyberhub.example", "password": DEMO_PASSWORD + "x"},
    )
    assert r.status_code == 401
