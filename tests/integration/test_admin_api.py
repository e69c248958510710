"""The admin console API: roles, users, unlock, organizations and members, the audit log.

Every endpoint: anonymous 401, a student 403, bad input 422 with a message, success; a director is
limited to their own organization; role changes are audited and mailed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, Organization, OutboxMail, Role, RoleAssignment, User
from cyberhub.models.base import MAX_ID, utcnow
from cyberhub.pages.admin_audit import AdminAuditState
from cyberhub.services.admin import audit_log
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import memberships, roles
from tests.factories import PASSWORD, id_of, login, make_user, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.admin, pytest.mark.integration]

V1 = "/api/v1"


def client_for(email: str) -> Iterator[TestClient]:
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {login(client, email)['access_token']}"
        yield client


@pytest.fixture
def other_org(session: Session) -> Organization:
    org = Organization(name="Coast Campus", slug="coast")
    session.add(org)
    session.commit()
    return org


@pytest.fixture
def director_user(session: Session, test_organization: Organization) -> User:
    return make_user(
        session, "director@test.example.org", "director", organization_id=test_organization.id
    )


@pytest.fixture
def director_client(db_url: str, director_user: User) -> Iterator[TestClient]:
    yield from client_for(director_user.email)


def audits(session: Session, action: str) -> list[AuditLog]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    )


def grants_of(session: Session, user_id: int | None) -> set[tuple[str, int | None]]:
    session.expire_all()
    rows = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user_id)).all()
    return {(r.role, r.organization_id) for r in rows}


# Every admin-console endpoint, with a well-formed body (ids 1 exist or not: access comes first).
ENDPOINTS = [
    ("GET", "/users", None),
    ("GET", "/users/1", None),
    ("GET", "/users/1/roles", None),
    (
        "POST",
        "/users/1/roles",
        {"role": "mentor", "organization_id": 1, "reason": "needs review rights"},
    ),
    (
        "DELETE",
        "/users/1/roles",
        {"role": "student", "organization_id": 1, "reason": "left the programme"},
    ),
    (
        "POST",
        "/users/1/roles/revoke",
        {"role": "student", "organization_id": 1, "reason": "left the programme"},
    ),
    ("POST", "/users/1/unlock", None),
    ("POST", "/users/1/deactivate", {"reason": "left the academy"}),
    ("POST", "/users/1/reactivate", None),
    ("GET", "/organizations", None),
    ("POST", "/organizations", {"name": "Lake Campus"}),
    ("GET", "/organizations/1", None),
    ("GET", "/organizations/1/members", None),
    ("POST", "/organizations/1/members", {"email": "x@example.org", "role": "student"}),
    ("DELETE", "/organizations/1/members/1", {"reason": "left"}),
    ("GET", "/audit-logs", None),
    ("GET", "/audit-logs/actions", None),
    ("GET", "/audit-logs/stats", None),
]
IDS = [f"{m} {p}" for m, p, _ in ENDPOINTS]


class TestAccess:
    @pytest.mark.parametrize(("method", "path", "body"), [*ENDPOINTS, ("GET", "/roles", None)])
    def test_anonymous_gets_401(
        self,
        api_client: TestClient,
        method: str,
        path: str,
        body: dict | None,
    ) -> None:
        r = api_client.request(method, V1 + path, json=body)
        assert r.status_code == 401, r.text
        assert r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=IDS)
    def test_student_gets_403(
        self,
        student_client: TestClient,
        test_organization: Organization,
        method: str,
        path: str,
        body: dict | None,
    ) -> None:
        r = student_client.request(method, V1 + path, json=body)
        assert r.status_code == 403, r.text
        assert "permission" in r.json()["detail"] or "access" in r.json()["detail"]

    def test_a_bad_token_is_401(self, api_client: TestClient) -> None:
        r = api_client.get(V1 + "/users", headers={"Authorization": "Bearer not-a-jwt"})
        assert r.status_code == 401
        r = api_client.get(V1 + "/users", headers={"Authorization": "Basic abc"})
        assert r.status_code == 401 and "Bearer" in r.json()["detail"]


class TestRolesAndUsers:
    def test_roles_lists_the_five_roles_with_descriptions(self, student_client: TestClient) -> None:
        r = student_client.get(V1 + "/roles")
        assert r.status_code == 200
        assert [x["name"] for x in r.json()] == [
            "student",
            "mentor",
            "director",
            "sponsor",
            "admin",
        ]
        assert all(len(x["description"]) > 10 for x in r.json())

    def test_admin_searches_users(
        self, admin_client: TestClient, student_user: User, mentor_user: User
    ) -> None:
        r = admin_client.get(V1 + "/users", params={"q": "mentor"})
        assert r.status_code == 200
        body = r.json()
        assert [u["email"] for u in body["items"]] == [mentor_user.email]
        assert body["total"] == 1 and body["pages"] == 1
        r = admin_client.get(V1 + "/users", params={"role": "student", "page_size": 1})
        assert r.json()["total"] == 1 and r.json()["items"][0]["email"] == student_user.email

    def test_bad_user_queries_are_422(self, admin_client: TestClient) -> None:
        r = admin_client.get(V1 + "/users", params={"role": "wizard"})
        assert r.status_code == 422 and "Unknown role 'wizard'" in r.json()["detail"]
        r = admin_client.get(V1 + "/users", params={"page_size": 500})
        assert r.status_code == 422 and "page_size" in r.json()["detail"]
        r = admin_client.get(V1 + "/users/abc")
        assert r.status_code == 422

    def test_user_detail_and_404(
        self, admin_client: TestClient, student_user: User, test_organization: Organization
    ) -> None:
        r = admin_client.get(f"{V1}/users/{student_user.id}")
        assert r.status_code == 200
        body = r.json()
        assert body["email"] == student_user.email and body["locked"] is False
        assert body["roles"][0]["role"] == "student"
        assert body["roles"][0]["organization"] == "Test Academy"
        assert "password_hash" not in body and "mfa_secret" not in body
        assert admin_client.get(V1 + "/users/999999").status_code == 404
        assert admin_client.get(V1 + "/users/999999/roles").status_code == 404

    def test_assign_role_is_audited_mailed_and_effective_at_once(
        self,
        admin_client: TestClient,
        admin_user: User,
        student_user: User,
        test_organization: Organization,
        session: Session,
    ) -> None:
        r = admin_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={
                "role": "mentor",
                "organization_id": test_organization.id,
                "reason": "Graduated; mentors the next cohort",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["role"] == "mentor" and r.json()["granted_by_id"] == admin_user.id
        assert ("mentor", test_organization.id) in grants_of(session, student_user.id)
        [entry] = audits(session, "role.assigned")
        assert entry.actor_id == admin_user.id
        assert entry.target_type == "user" and entry.target_id == str(student_user.id)
        assert entry.details["role"] == "mentor"
        assert entry.details["organization_id"] == test_organization.id
        assert entry.details["reason"] == "Graduated; mentors the next cohort"
        assert entry.ip is not None or entry.user_agent
        mails = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == student_user.email)
        ).all()
        assert any("mentor" in m.body and "Graduated" in m.body for m in mails)
        listed = admin_client.get(f"{V1}/users/{student_user.id}/roles").json()
        assert {(g["role"], g["organization"]) for g in listed} == {
            ("student", "Test Academy"),
            ("mentor", "Test Academy"),
        }
        assert next(g for g in listed if g["role"] == "mentor")["granted_by"] == admin_user.email
        # The user's own old token now carries the new role (roles are read per request).
        with TestClient(admin_client.app) as c:
            token = login(c, student_user.email, PASSWORD)["access_token"]
            me = c.get(V1 + "/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["roles"] == ["student", "mentor"]

    def test_duplicate_assignment_is_409(
        self, admin_client: TestClient, student_user: User, test_organization: Organization
    ) -> None:
        r = admin_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={"role": "student", "organization_id": test_organization.id, "reason": "again"},
        )
        assert r.status_code == 409 and "already has the student role" in r.json()["detail"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"role": "mentor", "organization_id": "ORG", "reason": "   "}, "reason"),
            ({"role": "mentor", "organization_id": "ORG", "reason": "x" * 501}, "500"),
            ({"role": "wizard", "organization_id": "ORG", "reason": "ok"}, "Unknown role"),
            ({"role": "mentor", "organization_id": None, "reason": "ok"}, "organization"),
            ({"organization_id": "ORG", "reason": "ok"}, "role"),
        ],
    )
    def test_bad_assignments_are_422(
        self,
        admin_client: TestClient,
        student_user: User,
        test_organization: Organization,
        body: dict,
        message: str,
    ) -> None:
        if body.get("organization_id") == "ORG":
            body = {**body, "organization_id": test_organization.id}
        r = admin_client.post(f"{V1}/users/{student_user.id}/roles", json=body)
        assert r.status_code == 422, r.text
        assert message in r.json()["detail"]

    def test_unknown_user_or_organization_is_404(
        self, admin_client: TestClient, student_user: User, test_organization: Organization
    ) -> None:
        r = admin_client.post(
            f"{V1}/users/999999/roles",
            json={"role": "mentor", "organization_id": test_organization.id, "reason": "r"},
        )
        assert r.status_code == 404
        r = admin_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={"role": "mentor", "organization_id": 999999, "reason": "r"},
        )
        assert r.status_code == 404 and "organization" in r.json()["detail"]

    def test_admin_role_may_be_global(
        self, admin_client: TestClient, student_user: User, session: Session
    ) -> None:
        r = admin_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={"role": "admin", "organization_id": None, "reason": "second admin"},
        )
        assert r.status_code == 201
        assert ("admin", None) in grants_of(session, student_user.id)

    def test_admin_role_in_one_organization_is_refused(
        self,
        admin_client: TestClient,
        admin_user: User,
        student_user: User,
        test_organization: Organization,
        session: Session,
    ) -> None:
        """An admin acts in every organization, so "admin in Test Academy" would promise a limit
        nothing enforces: the service refuses it, through the API and when called directly (as
        the admin page does), and the user's roles stay as they were."""
        before = admin_client.get(f"{V1}/users/{student_user.id}/roles").json()
        body = {"role": "admin", "organization_id": test_organization.id, "reason": "runs it"}
        r = admin_client.post(f"{V1}/users/{student_user.id}/roles", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "The admin role is global: it covers every organization. Grant it without choosing one."
        )
        # Adding a member as admin of the organization is the same grant, refused the same way.
        r = admin_client.post(
            f"{V1}/organizations/{test_organization.id}/members",
            json={"email": student_user.email, "role": "admin"},
        )
        assert r.status_code == 422 and "The admin role is global" in r.json()["detail"]
        with pytest.raises(Invalid, match="The admin role is global"):
            roles.assign_role(
                session,
                principal(session, admin_user),
                user_id=id_of(student_user),
                role="admin",
                organization_id=test_organization.id,
                reason="runs it",
            )
        session.rollback()
        assert admin_client.get(f"{V1}/users/{student_user.id}/roles").json() == before
        assert grants_of(session, student_user.id) == {("student", test_organization.id)}
        assert audits(session, "role.assigned") == []

    @pytest.mark.parametrize("via", ["delete", "post"])
    def test_revoke_role(
        self,
        admin_client: TestClient,
        student_user: User,
        test_organization: Organization,
        session: Session,
        via: str,
    ) -> None:
        body = {"role": "student", "organization_id": test_organization.id, "reason": "left"}
        if via == "delete":
            r = admin_client.request("DELETE", f"{V1}/users/{student_user.id}/roles", json=body)
        else:
            r = admin_client.post(f"{V1}/users/{student_user.id}/roles/revoke", json=body)
        assert r.status_code == 200, r.text
        assert r.json()["revoked"] is True
        assert grants_of(session, student_user.id) == set()
        [entry] = audits(session, "role.revoked")
        assert entry.details["reason"] == "left" and entry.details["role"] == "student"
        mails = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == student_user.email)
        ).all()
        assert any("removed" in m.body for m in mails)
        again = admin_client.request("DELETE", f"{V1}/users/{student_user.id}/roles", json=body)
        assert again.status_code == 404 and "does not have the student role" in again.text

    def test_the_revocation_answers_the_role_it_took_away(
        self,
        admin_client: TestClient,
        student_user: User,
        test_organization: Organization,
        session: Session,
    ) -> None:
        """The role is read as assigning reads it (' Student ' is the student role): the answer
        names the role revoked as the user's roles name it, not the text sent."""
        body = {"role": " Student ", "organization_id": test_organization.id, "reason": "left"}
        r = admin_client.post(f"{V1}/users/{student_user.id}/roles/revoke", json=body)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "user_id": student_user.id,
            "role": "student",
            "organization_id": test_organization.id,
            "revoked": True,
        }
        assert grants_of(session, student_user.id) == set()

    def test_revoke_needs_a_reason(
        self, admin_client: TestClient, student_user: User, test_organization: Organization
    ) -> None:
        r = admin_client.request(
            "DELETE",
            f"{V1}/users/{student_user.id}/roles",
            json={"role": "student", "organization_id": test_organization.id, "reason": ""},
        )
        assert r.status_code == 422 and "reason" in r.json()["detail"]

    def test_admin_cannot_revoke_their_own_last_admin_role(
        self,
        admin_client: TestClient,
        admin_user: User,
        test_organization: Organization,
        session: Session,
    ) -> None:
        body = {"role": "admin", "organization_id": None, "reason": "stepping down"}
        r = admin_client.request("DELETE", f"{V1}/users/{admin_user.id}/roles", json=body)
        assert r.status_code == 409 and "last admin role" in r.json()["detail"]
        assert ("admin", None) in grants_of(session, admin_user.id)
        # The admin role is global only, so an admin holds at most one: there is no second
        # (scoped) admin role to keep while the global one goes; another admin removes it.
        r = admin_client.post(
            f"{V1}/users/{admin_user.id}/roles",
            json={"role": "admin", "organization_id": test_organization.id, "reason": "scoped"},
        )
        assert r.status_code == 422
        r = admin_client.request("DELETE", f"{V1}/users/{admin_user.id}/roles", json=body)
        assert r.status_code == 409
        assert grants_of(session, admin_user.id) == {("admin", None)}


class TestUnlock:
    def test_admin_unlocks_a_locked_account(
        self, admin_client: TestClient, student_user: User, session: Session
    ) -> None:
        student_user.locked_until = utcnow() + timedelta(minutes=15)
        student_user.failed_login_count = 5
        session.add(student_user)
        session.commit()
        locked = admin_client.post(
            V1 + "/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert locked.status_code in (423, 429)
        assert admin_client.get(f"{V1}/users/{student_user.id}").json()["locked"] is True
        r = admin_client.post(f"{V1}/users/{student_user.id}/unlock")
        assert r.status_code == 200 and r.json()["locked"] is False
        session.expire_all()
        user = session.get(User, student_user.id)
        assert user is not None and user.locked_until is None and user.failed_login_count == 0
        assert audits(session, "account.unlocked")[0].target_id == str(student_user.id)
        ok = admin_client.post(
            V1 + "/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert ok.status_code == 200

    def test_the_answer_says_whether_they_can_sign_in_now(
        self, admin_client: TestClient, student_user: User, session: Session
    ) -> None:
        """Unlocking a deactivated account does not let them in: the message the account's
        page shows says so, and says to reactivate."""
        student_user.locked_until = utcnow() + timedelta(minutes=15)
        student_user.is_active = False
        session.add(student_user)
        session.commit()
        r = admin_client.post(f"{V1}/users/{student_user.id}/unlock")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["locked"] is False and body["is_active"] is False
        assert body["message"] == (
            "Unlocked. The account is deactivated: reactivate it to let them sign in."
        )
        student_user.is_active = True
        session.add(student_user)
        session.commit()
        r = admin_client.post(f"{V1}/users/{student_user.id}/unlock")
        assert r.json()["is_active"] is True
        assert r.json()["message"] == "The account is unlocked: they can sign in again."

    def test_unknown_user_is_404(self, admin_client: TestClient) -> None:
        assert admin_client.post(V1 + "/users/999999/unlock").status_code == 404


class TestOrganizations:
    def test_admin_creates_and_lists(
        self, admin_client: TestClient, test_organization: Organization, session: Session
    ) -> None:
        r = admin_client.post(
            V1 + "/organizations", json={"name": "  Lake   Victoria Campus ", "description": "x"}
        )
        assert r.status_code == 201, r.text
        assert r.json()["name"] == "Lake Victoria Campus"
        assert r.json()["slug"] == "lake-victoria-campus"
        [entry] = audits(session, "organization.created")
        assert entry.target_id == str(r.json()["id"])
        listed = admin_client.get(V1 + "/organizations").json()["items"]
        assert [o["name"] for o in listed] == ["Lake Victoria Campus", "Test Academy"]

    @pytest.mark.parametrize(
        ("name", "slug"),
        [
            ("Académie de Cybersécurité", "academie-de-cybersecurite"),
            ("Université Félix Houphouët-Boigny", "universite-felix-houphouet-boigny"),
            ("Ørsted Straße Foundation", "orsted-strasse-foundation"),
        ],
    )
    def test_the_slug_made_from_an_accented_name_keeps_its_letters(
        self, admin_client: TestClient, name: str, slug: str
    ) -> None:
        """'Académie' gives 'academie' (it gave 'acad-mie': the accented letter became a hyphen)."""
        r = admin_client.post(V1 + "/organizations", json={"name": name})
        assert r.status_code == 201, r.text
        assert r.json()["slug"] == slug

    @pytest.mark.parametrize(
        ("body", "status", "message"),
        [
            ({"name": ""}, 422, "name"),
            ({"name": "Ok Name", "slug": "Bad Slug!"}, 422, "slug"),
            ({"name": "Ok Name", "slug": "a--b"}, 422, "slug"),
            ({"name": "x" * 201}, 422, "200"),
            ({"slug": "no-name"}, 422, "name"),
            ({"name": "Test Academy", "slug": "another"}, 409, "named 'Test Academy'"),
            # another letter case (and spacing): the message names the organisation that exists
            ({"name": " test   ACADEMY ", "slug": "another"}, 409, "named 'Test Academy'"),
            ({"name": "Another", "slug": "test-academy"}, 409, "slug 'test-academy'"),
        ],
    )
    def test_bad_organizations(
        self,
        admin_client: TestClient,
        test_organization: Organization,
        body: dict,
        status: int,
        message: str,
    ) -> None:
        r = admin_client.post(V1 + "/organizations", json=body)
        assert r.status_code == status, r.text
        assert message in r.json()["detail"]

    def test_members_add_and_remove(
        self,
        admin_client: TestClient,
        test_organization: Organization,
        student_user: User,
        mentor_user: User,
        session: Session,
    ) -> None:
        outsider = make_user(session, "outsider@example.org")
        org = test_organization.id
        r = admin_client.get(f"{V1}/organizations/{org}/members")
        assert r.status_code == 200
        assert {m["email"] for m in r.json()["items"]} == {student_user.email, mentor_user.email}
        assert r.json()["total"] == 2
        r = admin_client.post(
            f"{V1}/organizations/{org}/members",
            json={"email": "  OUTSIDER@example.org ", "role": "sponsor"},
        )
        assert r.status_code == 201, r.text
        assert grants_of(session, outsider.id) == {("sponsor", org)}
        assert audits(session, "organization.member_added")[0].details["role"] == "sponsor"
        assert audits(session, "role.assigned")[0].details["reason"] == "Added to Test Academy"
        page = admin_client.get(
            f"{V1}/organizations/{org}/members", params={"page_size": 2, "page": 2}
        ).json()
        assert page["total"] == 3 and page["pages"] == 2 and len(page["items"]) == 1
        detail = admin_client.get(f"{V1}/organizations/{org}").json()
        assert detail["members"] == 3 and detail["slug"] == "test-academy"
        # Remove: every role in that organization goes, with the reason.
        admin_client.post(
            f"{V1}/users/{outsider.id}/roles",
            json={"role": "mentor", "organization_id": org, "reason": "also mentors"},
        )
        r = admin_client.request(
            "DELETE", f"{V1}/organizations/{org}/members/{outsider.id}", json={"reason": "moved"}
        )
        assert r.status_code == 200 and r.json()["removed_roles"] == 2
        assert grants_of(session, outsider.id) == set()
        assert len(audits(session, "role.revoked")) == 2
        assert audits(session, "organization.member_removed")[0].details["reason"] == "moved"
        r = admin_client.request(
            "DELETE", f"{V1}/organizations/{org}/members/{outsider.id}", json={"reason": "again"}
        )
        assert r.status_code == 404

    def test_bad_member_input(
        self, admin_client: TestClient, test_organization: Organization, student_user: User
    ) -> None:
        org = test_organization.id
        r = admin_client.post(
            f"{V1}/organizations/{org}/members", json={"email": "not-an-email", "role": "student"}
        )
        assert r.status_code == 422 and "email" in r.json()["detail"]
        r = admin_client.post(
            f"{V1}/organizations/{org}/members", json={"email": "nobody@example.org", "role": "x"}
        )
        # An unknown address is invited; an unknown role is refused before anything is sent.
        assert r.status_code == 422 and "role" in r.json()["detail"]
        r = admin_client.post(
            f"{V1}/organizations/{org}/members", json={"email": student_user.email, "role": "x"}
        )
        assert r.status_code == 422 and "Unknown role" in r.json()["detail"]
        r = admin_client.request(
            "DELETE", f"{V1}/organizations/{org}/members/{student_user.id}", json={"reason": " "}
        )
        assert r.status_code == 422 and "reason" in r.json()["detail"]
        r = admin_client.request(
            "DELETE", f"{V1}/organizations/{org}/members/{student_user.id}", json={}
        )
        assert r.status_code == 422 and "reason" in r.json()["detail"]
        assert admin_client.get(f"{V1}/organizations/999999/members").status_code == 404
        r = admin_client.get(f"{V1}/organizations/{org}/members", params={"page": 0})
        assert r.status_code == 422


class TestDirector:
    """A director manages student, mentor and sponsor roles in their own organization only."""

    def test_sees_only_their_organization(
        self,
        director_client: TestClient,
        test_organization: Organization,
        other_org: Organization,
        director_user: User,
        session: Session,
    ) -> None:
        """Another organization answers as an id nobody has (a 403 told them it existed); once
        they hold a role there (they mentor in it), they hear why: 403."""
        r = director_client.get(V1 + "/organizations")
        assert r.status_code == 200
        assert [o["name"] for o in r.json()["items"]] == ["Test Academy"]
        assert director_client.get(f"{V1}/organizations/{test_organization.id}").status_code == 200
        paths = (f"/organizations/{other_org.id}", f"/organizations/{other_org.id}/members")
        for path in paths:
            r = director_client.get(V1 + path)
            assert r.status_code == 404, r.text
            assert r.json() == {"detail": "That organization does not exist."}
        mentor_there = RoleAssignment(
            user_id=director_user.id or 0, role=Role.mentor, organization_id=other_org.id
        )
        session.add(mentor_there)
        session.commit()
        for path in paths:
            r = director_client.get(V1 + path)
            assert r.status_code == 403 and "own organization" in r.json()["detail"], r.text

    def test_a_user_id_outside_their_organization_never_tells_its_email(
        self,
        director_client: TestClient,
        test_organization: Organization,
        other_org: Organization,
        admin_user: User,
        session: Session,
    ) -> None:
        """Granting or revoking a role in their organization for any user id: one who is not a
        member answers without their address (every id's e-mail could be read, one by one),
        as an id nobody has does for revoking and removing; a grant still says to invite them."""
        outsider = make_user(
            session, "outsider@coast.example.org", "student", organization_id=other_org.id
        )
        body = {"role": "student", "organization_id": test_organization.id, "reason": "joins"}
        for person in (outsider, admin_user):
            granted = director_client.post(f"{V1}/users/{person.id}/roles", json=body)
            assert granted.status_code == 409 and "invite" in granted.json()["detail"]
            revoked = director_client.post(f"{V1}/users/{person.id}/roles/revoke", json=body)
            nobody = director_client.post(f"{V1}/users/{MAX_ID}/roles/revoke", json=body)
            assert revoked.status_code == nobody.status_code == 404
            assert revoked.json() == nobody.json()
            members = f"{V1}/organizations/{test_organization.id}/members"
            removed = director_client.request(
                "DELETE", f"{members}/{person.id}", json={"reason": "left"}
            )
            gone = director_client.request("DELETE", f"{members}/{MAX_ID}", json={"reason": "x"})
            assert removed.status_code == gone.status_code == 404
            assert removed.json() == gone.json()
            for answer in (granted, revoked, removed):
                assert person.email not in answer.text, answer.text
        assert grants_of(session, outsider.id) == {("student", other_org.id)}

    def test_adds_and_removes_members_of_their_organization(
        self,
        director_client: TestClient,
        director_user: User,
        test_organization: Organization,
        session: Session,
    ) -> None:
        newcomer = make_user(session, "newcomer@example.org")
        org = test_organization.id
        r = director_client.post(
            f"{V1}/organizations/{org}/members",
            json={"email": newcomer.email, "role": "student", "reason": "joins spring cohort"},
        )
        # Not a member yet: an invitation, not a silent grant (membership by consent, issue 12).
        assert r.status_code == 201 and r.json()["invited"] is True, r.text
        grant_mentor = {"role": "mentor", "organization_id": org, "reason": "peer mentor"}
        r = director_client.post(f"{V1}/users/{newcomer.id}/roles", json=grant_mentor)
        assert r.status_code == 409 and "not a member" in r.json()["detail"]
        mail = session.exec(select(OutboxMail).where(OutboxMail.to_email == newcomer.email)).one()
        token = re.search(r"/invitations/(\S+)", mail.body).group(1)  # type: ignore[union-attr]
        memberships.accept(session, principal(session, newcomer), token)
        session.commit()
        r = director_client.post(f"{V1}/users/{newcomer.id}/roles", json=grant_mentor)
        assert r.status_code == 201
        assert {
            g["role"] for g in director_client.get(f"{V1}/users/{newcomer.id}/roles").json()
        } == {
            "student",
            "mentor",
        }
        assert audits(session, "role.assigned")[0].actor_id == director_user.id
        r = director_client.request(
            "DELETE", f"{V1}/organizations/{org}/members/{newcomer.id}", json={"reason": "left"}
        )
        assert r.status_code == 200 and r.json()["removed_roles"] == 2

    @pytest.mark.parametrize("role", ["director", "admin"])
    def test_cannot_assign_director_or_admin(
        self,
        director_client: TestClient,
        student_user: User,
        test_organization: Organization,
        role: str,
    ) -> None:
        r = director_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={"role": role, "organization_id": test_organization.id, "reason": "promote"},
        )
        assert r.status_code == 403 and f"Only an admin can assign or revoke the {role}" in r.text

    def test_cannot_act_in_another_organization(
        self,
        director_client: TestClient,
        other_org: Organization,
        session: Session,
    ) -> None:
        coast = make_user(session, "coast@example.org", "student", organization_id=other_org.id)
        r = director_client.post(
            f"{V1}/users/{coast.id}/roles",
            json={"role": "mentor", "organization_id": other_org.id, "reason": "x"},
        )
        assert r.status_code == 403 and "own organization" in r.json()["detail"]
        r = director_client.post(
            f"{V1}/organizations/{other_org.id}/members",
            json={"email": coast.email, "role": "mentor"},
        )
        assert r.status_code == 404  # as an organization nobody has
        r = director_client.request(
            "DELETE",
            f"{V1}/users/{coast.id}/roles",
            json={"role": "student", "organization_id": other_org.id, "reason": "x"},
        )
        assert r.status_code == 403
        r = director_client.request(
            "DELETE", f"{V1}/organizations/{other_org.id}/members/{coast.id}", json={"reason": "x"}
        )
        assert r.status_code == 404
        # A user outside their organization is not visible to them.
        assert director_client.get(f"{V1}/users/{coast.id}/roles").status_code == 404
        assert ("student", other_org.id) in grants_of(session, coast.id)

    def test_cannot_remove_another_director(
        self,
        director_client: TestClient,
        test_organization: Organization,
        session: Session,
    ) -> None:
        peer = make_user(
            session, "peer@example.org", "director", organization_id=test_organization.id
        )
        r = director_client.request(
            "DELETE",
            f"{V1}/organizations/{test_organization.id}/members/{peer.id}",
            json={"reason": "x"},
        )
        assert r.status_code == 403
        assert grants_of(session, peer.id) == {("director", test_organization.id)}

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/users"),
            ("POST", "/organizations"),
            ("GET", "/audit-logs"),
            ("GET", "/audit-logs/stats"),
            ("POST", "/users/1/unlock"),
        ],
    )
    def test_admin_only_routes_are_403(
        self, director_client: TestClient, method: str, path: str
    ) -> None:
        r = director_client.request(method, V1 + path, json={"name": "Nope Org"})
        assert r.status_code == 403


def add_entry(session: Session, action: str, when: datetime, **kw: object) -> None:
    session.add(AuditLog(action=action, created_at=when, **kw))  # type: ignore[arg-type]


class TestAuditLog:
    @pytest.fixture
    def entries(self, session: Session, admin_user: User, student_user: User) -> date:
        """A known week of entries; returns the first day."""
        day0 = date(2025, 3, 3)
        t = lambda d, h: datetime(2025, 3, 3 + d, h, tzinfo=UTC)  # noqa: E731
        add_entry(session, "login.success", t(0, 8), actor_id=student_user.id)
        add_entry(session, "login.success", t(0, 23), actor_id=admin_user.id)
        add_entry(session, "login.failure", t(0, 9), target_type="user", target_id="42")
        add_entry(session, "login.success", t(2, 0), actor_id=student_user.id)
        add_entry(
            session,
            "role.assigned",
            t(2, 12),
            actor_id=admin_user.id,
            target_type="user",
            target_id=str(student_user.id),
            details={"role": "mentor", "reason": "promoted"},
        )
        session.commit()
        return day0

    def test_search_filters_and_pages_newest_first(
        self, admin_client: TestClient, entries: date, student_user: User
    ) -> None:
        params = {"date_from": "2025-03-03", "date_to": "2025-03-09"}
        body = admin_client.get(V1 + "/audit-logs", params=params).json()
        assert body["total"] == 5
        assert [e["action"] for e in body["items"]] == [
            "role.assigned",
            "login.success",
            "login.success",
            "login.failure",
            "login.success",
        ]
        assert body["items"][0]["actor_email"] == "admin@test.example.org"
        assert body["items"][0]["details"]["reason"] == "promoted"
        by_action = admin_client.get(
            V1 + "/audit-logs", params={**params, "action": "login.success"}
        ).json()
        assert by_action["total"] == 3
        by_actor = admin_client.get(
            V1 + "/audit-logs", params={**params, "actor_email": "STUDENT@test"}
        ).json()
        assert by_actor["total"] == 2
        # typed as it is: _ is not a wildcard ("student_test" is nobody's address)
        as_typed = admin_client.get(
            V1 + "/audit-logs", params={**params, "actor_email": "student_test"}
        ).json()
        assert as_typed["total"] == 0
        by_id = admin_client.get(
            V1 + "/audit-logs", params={**params, "actor_id": student_user.id}
        ).json()
        assert by_id["total"] == 2
        by_target = admin_client.get(
            V1 + "/audit-logs", params={**params, "target_type": "user", "target_id": "42"}
        ).json()
        assert [e["action"] for e in by_target["items"]] == ["login.failure"]
        one_day = admin_client.get(
            V1 + "/audit-logs", params={"date_from": "2025-03-05", "date_to": "2025-03-05"}
        ).json()
        assert one_day["total"] == 2
        paged = admin_client.get(V1 + "/audit-logs", params={**params, "page_size": 2, "page": 3})
        assert paged.json()["pages"] == 3 and len(paged.json()["items"]) == 1
        actions = admin_client.get(V1 + "/audit-logs/actions").json()
        assert {"login.success", "login.failure", "role.assigned"} <= set(actions)

    def test_stats_count_per_action_per_day(self, admin_client: TestClient, entries: date) -> None:
        r = admin_client.get(
            V1 + "/audit-logs/stats", params={"date_from": "2025-03-03", "date_to": "2025-03-05"}
        )
        assert r.status_code == 200
        body = r.json()
        assert body["days"] == ["2025-03-03", "2025-03-04", "2025-03-05"]
        assert body["rows"] == [
            {"day": "2025-03-03", "action": "login.failure", "count": 1},
            {"day": "2025-03-03", "action": "login.success", "count": 2},
            {"day": "2025-03-05", "action": "login.success", "count": 1},
            {"day": "2025-03-05", "action": "role.assigned", "count": 1},
        ]
        assert body["totals"] == [
            {"action": "login.failure", "count": 1},
            {"action": "login.success", "count": 3},
            {"action": "role.assigned", "count": 1},
        ]
        keys = {a["name"]: a["key"] for a in body["actions"]}
        # The chart's series: one object per day, zeros included.
        assert [s[keys["login.success"]] for s in body["series"]] == [2, 0, 1]
        assert [s[keys["role.assigned"]] for s in body["series"]] == [0, 0, 1]
        assert body["total"] == 5

    def test_the_dates_are_days_of_the_admins_time_zone_as_the_times_shown(
        self,
        session: Session,
        admin_user: User,
        entries: date,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The page shows each entry's time in the admin's zone, but From/To were UTC days: an
        admin in Nairobi (UTC+3) filtering 4 March missed the sign-in listed "4 Mar 02:00"
        (3 March 23:00 UTC), and the chart counted it on 3 March. Days are now the admin's,
        in the list, the chart and the API alike."""
        admin_user.time_zone = "Africa/Nairobi"
        session.add(admin_user)
        session.commit()
        me = principal(session, admin_user)
        day = date(2025, 3, 4)
        found = audit_log.search(session, me, date_from=day, date_to=day)
        assert [(e.action, e.actor_id) for e in found.items] == [("login.success", admin_user.id)]
        page = page_state(AdminAuditState, session, me, monkeypatch)
        apply = AdminAuditState.event_handlers["apply"].fn
        run_in_own_loop(apply(page, {"date_from": "2025-03-04", "date_to": "2025-03-04"}))
        assert [e.created_at[:10] for e in page.items] == ["4 Mar 2025"]
        counted = audit_log.stats(session, me, date_from=date(2025, 3, 3), date_to=day)
        assert [(r.day, r.action, r.count) for r in counted.rows] == [
            (date(2025, 3, 3), "login.failure", 1),
            (date(2025, 3, 3), "login.success", 1),
            (date(2025, 3, 4), "login.success", 1),
        ]
        # Without an end, the statistics run to the admin's today.
        late = datetime.combine(utcnow().date(), datetime.min.time(), UTC) + timedelta(hours=22)
        monkeypatch.setattr(audit_log, "utcnow", lambda: late)
        recent = audit_log.stats(session, me)
        assert recent.date_to == late.date() + timedelta(days=1)

    def test_a_refused_filter_shows_no_entries_of_the_last_one(
        self, session: Session, admin_user: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """From after To is refused: the page said so above the last filter's entries, counts
        and chart, which read as the answer to the dates now in the boxes."""
        add_entry(session, "login.success", utcnow())
        session.commit()
        page = page_state(AdminAuditState, session, principal(session, admin_user), monkeypatch)
        apply = AdminAuditState.event_handlers["apply"].fn
        run_in_own_loop(apply(page, {}))
        assert page.total > 0 and page.items
        run_in_own_loop(apply(page, {"date_from": "2026-03-10", "date_to": "2026-03-01"}))
        assert page.error
        assert (page.items, page.total, page.stat_rows, page.stats_total) == ([], 0, [], 0)

    def test_stats_default_to_the_last_two_weeks(
        self, admin_client: TestClient, session: Session
    ) -> None:
        add_entry(session, "login.success", utcnow())
        add_entry(session, "login.success", utcnow() - timedelta(days=30))
        session.commit()
        body = admin_client.get(V1 + "/audit-logs/stats").json()
        assert len(body["days"]) == 14 and body["days"][-1] == utcnow().date().isoformat()
        # The admin's own sign-in is in the log too.
        assert {"action": "login.success", "count": 2} in body["totals"]

    def test_stats_from_a_future_start_end_on_that_start(self, admin_client: TestClient) -> None:
        """Only date_from, after today: the entries answer "none yet" (200), and so do the
        statistics, for a range ending on the start day, never one ending before it starts."""
        params = {"date_from": "2030-01-01"}
        assert admin_client.get(V1 + "/audit-logs", params=params).json()["total"] == 0
        r = admin_client.get(V1 + "/audit-logs/stats", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["date_from"], body["date_to"]) == ("2030-01-01", "2030-01-01")
        assert body["days"] == ["2030-01-01"] and body["total"] == 0

    @pytest.mark.parametrize(
        ("path", "params", "message"),
        [
            ("/audit-logs", {"date_from": "yesterday"}, "date_from"),
            ("/audit-logs", {"date_from": "2025-03-05", "date_to": "2025-03-01"}, "start date"),
            ("/audit-logs", {"page_size": 0}, "page_size"),
            ("/audit-logs/stats", {"date_from": "2025-03-05", "date_to": "2025-03-01"}, "start"),
            ("/audit-logs/stats", {"date_from": "2020-01-01", "date_to": "2025-01-01"}, "366"),
        ],
    )
    def test_bad_queries_are_422(
        self,
        admin_client: TestClient,
        path: str,
        params: dict,
        message: str,
    ) -> None:
        r = admin_client.get(V1 + path, params=params)
        assert r.status_code == 422 and message in r.json()["detail"]

    def test_admin_actions_appear_in_the_log(
        self,
        admin_client: TestClient,
        admin_user: User,
        student_user: User,
        test_organization: Organization,
    ) -> None:
        admin_client.post(
            f"{V1}/users/{student_user.id}/roles",
            json={"role": "sponsor", "organization_id": test_organization.id, "reason": "funds"},
        )
        body = admin_client.get(
            V1 + "/audit-logs",
            params={
                "action": "role.assigned",
                "target_type": "user",
                "target_id": str(student_user.id),
            },
        ).json()
        [entry] = body["items"]
        assert entry["actor_email"] == admin_user.email
        assert entry["details"]["role"] == "sponsor" and entry["details"]["reason"] == "funds"
        assert entry["user_agent"]
