"""API keys: created with scopes, the secret shown once and stored hashed, used instead of a JWT,
read-only keys limited to GET, last-used time, revoke."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub import db
from cyberhub.models import ApiKey, AuditLog, Organization, RoleAssignment, User
from cyberhub.pages.api_keys import ApiKeysState
from cyberhub.services.errors import Conflict, Forbidden
from cyberhub.services.identity import api_keys, consents, memberships
from tests.factories import PASSWORD, World, id_of, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.admin, pytest.mark.auth, pytest.mark.integration]

V1 = "/api/v1"


def create_key(client: TestClient, scopes: list[str], name: str = "CI export") -> dict:
    r = client.post(V1 + "/api-keys", json={"name": name, "scopes": scopes, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stored(session: Session, key_id: int) -> ApiKey:
    session.expire_all()
    key = session.get(ApiKey, key_id)
    assert key is not None
    return key


class TestAccess:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", "/api-keys", None),
            ("GET", "/api-keys/scopes", None),
            ("POST", "/api-keys", {"name": "x", "scopes": ["read"]}),
            ("DELETE", "/api-keys/1", None),
        ],
    )
    def test_anonymous_gets_401(
        self,
        api_client: TestClient,
        method: str,
        path: str,
        body: dict | None,
    ) -> None:
        r = api_client.request(method, V1 + path, json=body)
        assert r.status_code == 401 and r.json()["detail"]

    def test_only_admins_list_everybodys_keys(self, student_client: TestClient) -> None:
        r = student_client.get(V1 + "/api-keys", params={"all": "true"})
        assert r.status_code == 403 and "Only an admin" in r.json()["detail"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"name": "", "scopes": ["read"]}, "name"),
            ({"name": "x" * 101, "scopes": ["read"]}, "name"),
            ({"name": "k", "scopes": []}, "at least one scope"),
            ({"name": "k", "scopes": ["admin"]}, "Unknown scope 'admin'"),
            ({"name": "k"}, "scopes"),
        ],
    )
    def test_bad_input_is_422(
        self,
        student_client: TestClient,
        body: dict,
        message: str,
    ) -> None:
        r = student_client.post(V1 + "/api-keys", json=body)
        assert r.status_code == 422, r.text
        assert message in r.json()["detail"]


class TestLifecycle:
    def test_created_secret_is_shown_once_and_stored_hashed(
        self, student_client: TestClient, student_user: User, session: Session
    ) -> None:
        body = create_key(student_client, ["read"])
        secret = body["secret"]
        assert secret.startswith("chk_") and len(secret) > 40
        assert body["prefix"] == secret[:12] and body["scopes"] == ["read"]
        assert body["last_used_at"] is None and body["active"] is True
        key = stored(session, body["id"])
        assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert key.user_id == student_user.id
        listed = student_client.get(V1 + "/api-keys").json()
        assert [k["id"] for k in listed] == [body["id"]]
        assert "secret" not in listed[0] and secret not in str(listed)
        [entry] = session.exec(select(AuditLog).where(AuditLog.action == "api_key.created")).all()
        assert entry.actor_id == student_user.id and entry.details["scopes"] == ["read"]
        assert secret not in str(entry.details)
        scopes = student_client.get(V1 + "/api-keys/scopes").json()
        assert [s["name"] for s in scopes] == ["read", "write"]

    @pytest.mark.parametrize("style", ["bearer", "x-api-key"])
    def test_secret_authenticates_get_requests_and_sets_last_used(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
        style: str,
    ) -> None:
        body = create_key(student_client, ["read"])
        headers = bearer(body["secret"]) if style == "bearer" else {"X-API-Key": body["secret"]}
        r = api_client.get(V1 + "/auth/me", headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["email"] == student_user.email and r.json()["roles"] == ["student"]
        assert stored(session, body["id"]).last_used_at is not None
        assert student_client.get(V1 + "/api-keys").json()[0]["last_used_at"] is not None

    def test_read_only_key_gets_403_on_writes(
        self, api_client: TestClient, admin_client: TestClient, session: Session
    ) -> None:
        secret = create_key(admin_client, ["read"])["secret"]
        assert api_client.get(V1 + "/organizations", headers=bearer(secret)).status_code == 200
        r = api_client.post(V1 + "/organizations", headers=bearer(secret), json={"name": "Nope"})
        assert r.status_code == 403 and "read-only" in r.json()["detail"]
        r = api_client.post(
            V1 + "/api-keys", headers=bearer(secret), json={"name": "x", "scopes": ["read"]}
        )
        assert r.status_code == 403
        assert session.exec(select(Organization).where(Organization.name == "Nope")).first() is None

    def test_write_key_may_write_but_not_mint_keys(
        self, api_client: TestClient, admin_client: TestClient
    ) -> None:
        secret = create_key(admin_client, ["read", "write"])["secret"]
        r = api_client.post(V1 + "/organizations", headers=bearer(secret), json={"name": "Lake"})
        assert r.status_code == 201, r.text
        r = api_client.post(
            V1 + "/api-keys", headers=bearer(secret), json={"name": "x", "scopes": ["read"]}
        )
        assert r.status_code == 403 and "API keys can't be used here" in r.json()["detail"]

    def test_a_key_has_its_users_roles_only(
        self, api_client: TestClient, student_client: TestClient
    ) -> None:
        secret = create_key(student_client, ["read", "write"])["secret"]
        assert api_client.get(V1 + "/users", headers=bearer(secret)).status_code == 403
        assert api_client.get(V1 + "/audit-logs", headers=bearer(secret)).status_code == 403

    def test_a_deactivated_users_key_stops_working(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
    ) -> None:
        secret = create_key(student_client, ["read"])["secret"]
        assert api_client.get(V1 + "/missions", headers=bearer(secret)).status_code == 200
        user = session.get(User, student_user.id)
        assert user is not None
        user.is_active = False
        session.add(user)
        session.commit()
        r = api_client.get(V1 + "/auth/me", headers=bearer(secret))
        assert r.status_code == 401

    def test_revoked_key_is_401(
        self, api_client: TestClient, student_client: TestClient, session: Session
    ) -> None:
        body = create_key(student_client, ["read"])
        r = student_client.delete(f"{V1}/api-keys/{body['id']}")
        assert r.status_code == 200 and r.json()["active"] is False
        assert stored(session, body["id"]).revoked_at is not None
        r = api_client.get(V1 + "/auth/me", headers=bearer(body["secret"]))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
        again = student_client.delete(f"{V1}/api-keys/{body['id']}")
        assert again.status_code == 409
        [entry] = session.exec(select(AuditLog).where(AuditLog.action == "api_key.revoked")).all()
        assert entry.target_id == str(body["id"])

    @pytest.mark.parametrize("secret", ["chk_not-a-real-key", "chk_"])
    def test_unknown_key_is_401(self, api_client: TestClient, secret: str) -> None:
        assert api_client.get(V1 + "/auth/me", headers=bearer(secret)).status_code == 401
        assert api_client.get(V1 + "/auth/me", headers={"X-API-Key": secret}).status_code == 401

    def test_others_cannot_revoke_my_key_but_an_admin_can(
        self,
        student_client: TestClient,
        mentor_client: TestClient,
        admin_client: TestClient,
        student_user: User,
    ) -> None:
        key_id = create_key(student_client, ["read"])["id"]
        assert mentor_client.delete(f"{V1}/api-keys/{key_id}").status_code == 404
        assert mentor_client.get(V1 + "/api-keys").json() == []
        everybody = admin_client.get(V1 + "/api-keys", params={"all": "true"}).json()
        assert [(k["id"], k["owner_email"]) for k in everybody] == [(key_id, student_user.email)]
        assert admin_client.get(V1 + "/api-keys").json() == []
        assert admin_client.delete(f"{V1}/api-keys/{key_id}").status_code == 200
        assert admin_client.delete(f"{V1}/api-keys/999999").status_code == 404
        assert admin_client.delete(f"{V1}/api-keys/abc").status_code == 422

    def test_deleting_the_user_role_does_not_leak_access(
        self,
        api_client: TestClient,
        admin_client: TestClient,
        admin_user: User,
        session: Session,
    ) -> None:
        secret = create_key(admin_client, ["read"])["secret"]
        assert api_client.get(V1 + "/users", headers=bearer(secret)).status_code == 200
        for ra in session.exec(
            select(RoleAssignment).where(RoleAssignment.user_id == admin_user.id)
        ).all():
            session.delete(ra)
        session.commit()
        assert api_client.get(V1 + "/users", headers=bearer(secret)).status_code == 403


class TestTheLimit:
    def test_two_creations_at_once_keep_to_the_limit(
        self, session: Session, student_user: User
    ) -> None:
        """One place left and two keys created at the same moment (two tabs, a script): one is
        made, the other is told to revoke one first; both passed the count before, leaving
        MAX_ACTIVE_KEYS + 1 active keys."""
        user_id = id_of(student_user)
        for n in range(api_keys.MAX_ACTIVE_KEYS - 1):
            session.add(
                ApiKey(user_id=user_id, name=f"k{n}", prefix=f"chk_{n:08d}", key_hash=f"{n:064d}")
            )
        session.commit()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def create() -> None:
            with Session(db.get_engine(), expire_on_commit=False) as s:
                who = principal(s, student_user)
                s.commit()
                try:
                    barrier.wait(timeout=10)
                    api_keys.create(s, who, name="CI", scopes=["read"], password=PASSWORD)
                    time.sleep(0.2)  # the transaction stays open a moment, as under load
                    s.commit()
                    outcomes.append("created")
                except Conflict:
                    s.rollback()
                    outcomes.append("full")

        threads = [threading.Thread(target=create) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["created", "full"]
        active = session.exec(
            select(ApiKey.id).where(ApiKey.user_id == user_id, col(ApiKey.revoked_at).is_(None))
        ).all()
        assert len(active) == api_keys.MAX_ACTIVE_KEYS


class TestAKeyDecidesNothingForThePerson:
    def test_a_key_may_not_grant_consents_nor_join_or_leave_organisations(
        self, session: Session, world: World
    ) -> None:
        """Someone holding a leaked write key: before, the services took the key's principal
        (only the routes refused it), so any other way in to them let the key grant the
        sponsor-sharing consent, accept an invitation (joining an organisation whose staff then
        read the person's data) or leave one. Now the services refuse it: nothing changes."""
        who = world.other_mentor_org
        uid, org_id, other_org_id = id_of(who), id_of(world.org), id_of(world.other_org)
        sent = memberships.invite(
            session, principal(session, world.director), org_id, email=who.email, role="mentor"
        )
        session.commit()
        keyed = dataclasses.replace(principal(session, who), scopes=frozenset({"read", "write"}))
        with pytest.raises(Forbidden, match="API key"):
            consents.set_consent(session, keyed, "sponsor_sharing", True)
        with pytest.raises(Forbidden, match="API key"):
            memberships.accept(session, keyed, sent.token)
        with pytest.raises(Forbidden, match="API key"):
            memberships.decline(session, keyed, sent.token)
        with pytest.raises(Forbidden, match="API key"):
            memberships.leave(session, keyed, other_org_id)
        session.rollback()
        assert not consents.has_consent(session, uid, "sponsor_sharing")
        assert not memberships.is_member(session, uid, org_id)
        assert memberships.is_member(session, uid, other_org_id)
        # The person, signed in, still decides.
        memberships.accept(session, principal(session, who), sent.token)
        assert memberships.is_member(session, uid, org_id)


def test_create_key_sent_twice_makes_one_key_whose_secret_is_shown(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click on "Create key" made two keys and showed the second's secret only: the
    first stayed active, unusable (its secret never shown), and counted towards the limit. A
    new visit's form reads only, even if "write" was ticked on the last one."""
    page = page_state(ApiKeysState, session, principal(session, world.student), monkeypatch)
    events = ApiKeysState.event_handlers
    run_in_own_loop(events["load"].fn(page))
    form = {"name": "Reporting script", "confirmation": PASSWORD}
    run_in_own_loop(events["create"].fn(page, form))
    shown = page.secret
    assert shown and page.create_error == ""
    run_in_own_loop(events["create"].fn(page, form))  # the double click's second submit
    assert page.secret == shown and page.create_error == ""
    keys = session.exec(select(ApiKey).where(ApiKey.user_id == id_of(world.student))).all()
    assert len(keys) == 1
    events["close_secret"].fn(page, False)
    events["set_scope_write"].fn(page, True)
    run_in_own_loop(events["load"].fn(page))
    assert page.scope_write is False
