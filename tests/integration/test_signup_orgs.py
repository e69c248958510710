"""Sign-up without an organisation, and sign-up through an organisation's invitation link
(issue 12, item 4 and the invite-link part of item 3)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import (
    AuditLog,
    Invitation,
    InvitationStatus,
    OrganizationMembership,
    OutboxMail,
    RoleAssignment,
    User,
)
from cyberhub.services.identity import memberships, passwordless
from cyberhub.services.learning import dashboards
from cyberhub.services.learning.learning_access import can_read_learner
from tests.factories import World, bearer, build_world, complete_profiler, principal

pytestmark = [pytest.mark.integration]

API = "/api/v1"
NEW_PASSWORD = "amber-lantern-harbour-58"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def signup(client: TestClient, email: str, invite: str | None = None) -> object:
    body: dict[str, object] = {
        "email": email,
        "password": NEW_PASSWORD,
        "full_name": "Amani Wekesa",
        "consents": ["terms", "privacy"],
    }
    if invite is not None:
        body["invite"] = invite
    return client.post(f"{API}/auth/signup", json=body)


def grants(session: Session, email: str) -> set[tuple[str, int | None]]:
    user = session.exec(select(User).where(User.email == email)).one()
    rows = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
    return {(r.role, r.organization_id) for r in rows}


def memberships_of(session: Session, email: str) -> list[OrganizationMembership]:
    user = session.exec(select(User).where(User.email == email)).one()
    return list(
        session.exec(
            select(OrganizationMembership).where(OrganizationMembership.user_id == user.id)
        ).all()
    )


def invite(session: Session, world: World, email: str, role: str = "student") -> str:
    sent = memberships.invite(
        session, principal(session, world.director), world.org.id or 0, email=email, role=role
    )
    session.commit()
    return sent.token


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)).all())  # type: ignore[arg-type]


class TestSignUpWithoutAnOrganisation:
    def test_a_new_account_is_a_student_of_no_organisation(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        r = signup(api_client, "amani@example.org")
        assert r.status_code == 201, r.text  # type: ignore[attr-defined]
        session.expire_all()
        assert grants(session, "amani@example.org") == {("student", None)}
        assert memberships_of(session, "amani@example.org") == []
        me = session.exec(select(User).where(User.email == "amani@example.org")).one()
        # No organisation's director reads them, and none can enrol them without consent.
        assert not can_read_learner(session, principal(session, world.director), me.id or 0)
        director = TestClient(api_client.app, raise_server_exceptions=False)
        bearer(director, world.director.email)
        r = director.post(
            f"{API}/cohorts/{world.cohort.id}/enrollments", json={"email": "amani@example.org"}
        )
        assert r.status_code == 409 and "nvite" in r.json()["detail"]

    def test_a_magic_link_sign_up_joins_no_organisation_either(
        self, session: Session, world: World
    ) -> None:
        passwordless.request_magic_link(session, email="sam@example.org")
        session.commit()
        mail = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == "sam@example.org")
        ).one()
        token = re.search(r"/auth/magic/([A-Za-z0-9_-]+)", mail.body)
        assert token is not None
        passwordless.verify_magic_link(
            session, token=token.group(1), consents=["terms", "privacy"], full_name="Sam"
        )
        session.commit()
        assert grants(session, "sam@example.org") == {("student", None)}
        assert memberships_of(session, "sam@example.org") == []

    def test_the_dashboard_says_what_to_do_next(self, session: Session, world: World) -> None:
        from cyberhub.services.identity import accounts

        user = accounts.signup(
            session,
            email="lone@example.org",
            password=NEW_PASSWORD,
            consents=["terms", "privacy"],
        )
        session.commit()
        me = principal(session, user)
        board = dashboards.student_dashboard(session, me).model_dump()
        assert board["cohorts"] == []
        action = board["next_action"]
        assert (action["kind"], action["link"]) == ("profiler", "/onboarding/ai-profiler")
        complete_profiler(session, user.id or 0)
        action = dashboards.student_dashboard(session, me).model_dump()["next_action"]
        assert (action["kind"], action["link"]) == ("enroll", "/cohorts")
        assert "Apply to a cohort" in action["label"]


class TestSignUpWithAnInvitation:
    def test_the_email_to_a_new_address_links_to_sign_up(
        self, session: Session, world: World
    ) -> None:
        token = invite(session, world, "new.recruit@example.org")
        mail = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == "new.recruit@example.org")
        ).one()
        assert f"/signup?invite={token}" in mail.body

    def test_signing_up_through_the_link_joins_with_the_role_at_once(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        token = invite(session, world, "new.recruit@example.org", role="mentor")
        r = signup(api_client, "New.Recruit@example.org", invite=token)
        assert r.status_code == 201, r.text  # type: ignore[attr-defined]
        body = r.json()  # type: ignore[attr-defined]
        assert body["organization"] == {
            "id": world.org.id,
            "name": "Test Academy",
            "role": "mentor",
        }
        assert set(body["user"]["roles"]) == {"student", "mentor"}
        session.expire_all()
        assert grants(session, "new.recruit@example.org") == {
            ("student", None),
            ("mentor", world.org.id),
        }
        [m] = memberships_of(session, "new.recruit@example.org")
        assert (m.organization_id, m.status) == (world.org.id, "active")
        inv = session.exec(select(Invitation)).one()
        assert inv.status == InvitationStatus.accepted
        assert {"user.signup", "organization.member_joined", "invitation.accepted"} <= set(
            actions(session)
        )
        # The link is spent: a second sign-up through it is refused.
        again = signup(api_client, "someone.else@example.org", invite=token)
        assert again.status_code == 409  # type: ignore[attr-defined]

    def test_an_invited_student_can_then_be_enrolled(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        token = invite(session, world, "pupil@example.org")
        assert signup(api_client, "pupil@example.org", invite=token).status_code == 201  # type: ignore[attr-defined]
        director = TestClient(api_client.app, raise_server_exceptions=False)
        bearer(director, world.director.email)
        r = director.post(
            f"{API}/cohorts/{world.cohort.id}/enrollments", json={"email": "pupil@example.org"}
        )
        assert r.status_code == 201, r.text
        session.expire_all()
        pupil = session.exec(select(User).where(User.email == "pupil@example.org")).one()
        assert can_read_learner(session, principal(session, world.director), pupil.id or 0)

    @pytest.mark.parametrize("case", ["other address", "bad token", "revoked"])
    def test_a_wrong_link_or_address_creates_nothing(
        self, session: Session, world: World, api_client: TestClient, case: str
    ) -> None:
        token = invite(session, world, "invited@example.org")
        email, link = "invited@example.org", token
        if case == "other address":
            email = "somebody@example.org"
        elif case == "bad token":
            link = "not-a-real-token"
        else:
            inv = session.exec(select(Invitation)).one()
            memberships.revoke(
                session, principal(session, world.director), world.org.id or 0, inv.id or 0
            )
            session.commit()
        r = signup(api_client, email, invite=link)
        expected = {"other address": 422, "bad token": 404, "revoked": 409}[case]
        assert r.status_code == expected, r.text  # type: ignore[attr-defined]
        assert r.json()["detail"]  # type: ignore[attr-defined]
        if case == "other address":
            assert "invited@example.org" in r.json()["detail"]  # type: ignore[attr-defined]
        session.expire_all()
        assert session.exec(select(User).where(User.email == email)).first() is None
        assert session.exec(select(OrganizationMembership)).all() == []
