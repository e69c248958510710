"""API keys can't be turned against their owner, and security changes need a fresh re-auth.

A password reset and "sign out everywhere" revoke every key and the calendar feed; keys are refused on the MFA,
consent, password, session and API-key routes; turning MFA on and creating a key need the
current password (or a current TOTP code), turning MFA off needs a current code.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import AuditLog, User
from cyberhub.services.admin import audit_log
from cyberhub.services.identity import passwordless
from tests.factories import PASSWORD, login, principal
from tests.integration.test_api_keys import bearer, create_key
from tests.integration.test_mfa_api import MFA, enrol
from tests.integration.test_passwordless_api import magic_token, reset_token
from tests.totp import Clock, code

pytestmark = [pytest.mark.auth, pytest.mark.integration]

V1 = "/api/v1"
NEW_PASSWORD = "Another-Long-Passphrase-42"


def me(client: TestClient, secret: str) -> int:
    return client.get(f"{V1}/auth/me", headers=bearer(secret)).status_code


class TestKeysEndWithTheSessions:
    def test_a_password_reset_revokes_every_key(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
    ) -> None:
        keys = [create_key(student_client, s)["secret"] for s in (["read"], ["read", "write"])]
        assert [me(api_client, k) for k in keys] == [200, 200]
        api_client.post(f"{V1}/auth/password-reset", json={"email": student_user.email})
        r = api_client.post(
            f"{V1}/auth/password-reset/confirm",
            json={"token": reset_token(session, student_user.email), "new_password": NEW_PASSWORD},
        )
        assert r.status_code == 200, r.text
        for key in keys:
            r = api_client.get(f"{V1}/auth/me", headers=bearer(key))
            assert r.status_code == 401 and "revoked" in r.json()["detail"]
        listed = student_client.get(f"{V1}/api-keys")
        assert listed.status_code == 401  # the browser session ended too

    def test_sign_out_everywhere_ends_sessions_and_revokes_keys(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
    ) -> None:
        key = create_key(student_client, ["read", "write"])["secret"]
        other = login(api_client, student_user.email)  # another device
        r = student_client.post(f"{V1}/auth/logout-everywhere")
        assert r.status_code == 204, r.text
        assert me(api_client, key) == 401
        assert student_client.get(f"{V1}/auth/me").status_code == 401
        r = api_client.get(
            f"{V1}/auth/me", headers={"Authorization": f"Bearer {other['access_token']}"}
        )
        assert r.status_code == 401
        r = api_client.post(
            f"{V1}/auth/token/refresh", json={"refresh_token": other["refresh_token"]}
        )
        assert r.status_code == 401
        actions = session.exec(select(AuditLog.action)).all()
        assert "logout.everywhere" in actions and "api_key.revoked_all" in actions
        # Signing in again works, and new keys can be made.
        assert login(api_client, student_user.email)["access_token"]

    def test_a_key_cannot_sign_everyone_out(
        self, api_client: TestClient, student_client: TestClient
    ) -> None:
        key = create_key(student_client, ["read", "write"])["secret"]
        r = api_client.post(f"{V1}/auth/logout-everywhere", headers=bearer(key))
        assert r.status_code == 403
        assert me(api_client, key) == 200
        assert student_client.get(f"{V1}/auth/me").status_code == 200


class TestTheCalendarFeedEndsWithTheSessions:
    """The feed's secret address shows the learner's schedule to whoever holds it: what ends
    every session and key ends it too, and the settings page says so."""

    def feed(self, client: TestClient) -> str:
        r = client.post(f"{V1}/me/calendar-feed")
        assert r.status_code == 200, r.text
        url = r.json()["url"]
        return str(url[url.index("/api/v1/") :])

    def assert_revoked(self, api_client: TestClient, path: str, session: Session) -> None:
        gone = api_client.get(path)
        assert gone.status_code == 404 and "revoked" in gone.json()["detail"]
        assert "calendar_feed.revoked" in session.exec(select(AuditLog.action)).all()

    def test_a_password_reset_revokes_the_feed(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
    ) -> None:
        path = self.feed(student_client)
        assert api_client.get(path).status_code == 200
        api_client.post(f"{V1}/auth/password-reset", json={"email": student_user.email})
        r = api_client.post(
            f"{V1}/auth/password-reset/confirm",
            json={"token": reset_token(session, student_user.email), "new_password": NEW_PASSWORD},
        )
        assert r.status_code == 200, r.text
        self.assert_revoked(api_client, path, session)
        # Signed in again, the owner sees it off since the reset, and can make a new one.
        token = login(api_client, student_user.email, NEW_PASSWORD)["access_token"]
        api_client.headers["Authorization"] = f"Bearer {token}"
        status = api_client.get(f"{V1}/me/calendar-feed").json()
        assert status["active"] is False and status["revoked_at"] is not None
        assert api_client.get(self.feed(api_client)).status_code == 200

    def test_sign_out_everywhere_revokes_the_feed(
        self, api_client: TestClient, student_client: TestClient, session: Session
    ) -> None:
        path = self.feed(student_client)
        assert student_client.post(f"{V1}/auth/logout-everywhere").status_code == 204
        self.assert_revoked(api_client, path, session)


class TestKeysAreRefusedOnAccountSecurityRoutes:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("GET", "/auth/mfa", None),
            ("POST", "/auth/mfa/enroll", None),
            ("POST", "/auth/mfa/verify", {"code": "123456", "password": PASSWORD}),
            ("POST", "/auth/mfa/disable", {"code": "123456"}),
            ("POST", "/auth/mfa/recovery-codes", {"code": "123456"}),
            ("GET", "/auth/consents", None),
            ("POST", "/auth/consents", {"kind": "marketing", "granted": True}),
            ("POST", "/auth/password-reset", {"email": "student@test.example.org"}),
            ("POST", "/auth/password-reset/confirm", {"token": "t", "new_password": NEW_PASSWORD}),
            ("POST", "/auth/logout-everywhere", None),
            (
                "POST",
                "/auth/me/password",
                {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            ),
            ("GET", "/auth/me/sessions", None),
            ("DELETE", "/auth/me/sessions/any-session", None),
            ("GET", "/api-keys", None),
            ("GET", "/api-keys/scopes", None),
            ("POST", "/api-keys", {"name": "x", "scopes": ["read"], "password": PASSWORD}),
            ("DELETE", "/api-keys/1", None),
        ],
    )
    @pytest.mark.parametrize("header", ["bearer", "x-api-key"])
    def test_a_write_key_gets_403(
        self,
        api_client: TestClient,
        student_client: TestClient,
        method: str,
        path: str,
        body: dict[str, object] | None,
        header: str,
    ) -> None:
        secret = create_key(student_client, ["read", "write"])["secret"]
        headers = bearer(secret) if header == "bearer" else {"X-API-Key": secret}
        r = api_client.request(method, V1 + path, headers=headers, json=body)
        assert r.status_code == 403, r.text
        assert "API keys can't be used here" in r.json()["detail"]

    def test_a_stolen_write_key_cannot_take_over_mfa(
        self,
        api_client: TestClient,
        student_client: TestClient,
        session: Session,
        student_user: User,
    ) -> None:
        # The attack from the issue: enable MFA with the attacker's app and get the codes.
        secret = create_key(student_client, ["read", "write"])["secret"]
        assert api_client.post(f"{MFA}/enroll", headers=bearer(secret)).status_code == 403
        session.refresh(student_user)
        assert student_user.mfa_pending_secret is None and student_user.mfa_secret is None
        assert login(api_client, student_user.email)["access_token"]  # the owner is not locked out


class TestReauthentication:
    def test_turning_mfa_on_needs_the_current_password(
        self, student_client: TestClient, clock: Clock, session: Session, student_user: User
    ) -> None:
        secret = student_client.post(f"{MFA}/enroll").json()["secret"]
        valid = code(secret, at=clock.now)
        r = student_client.post(f"{MFA}/verify", json={"code": valid})
        assert r.status_code == 403 and "current password" in r.json()["detail"]
        r = student_client.post(f"{MFA}/verify", json={"code": valid, "password": "Not-It-123456"})
        assert r.status_code == 403 and "didn't confirm" in r.json()["detail"]
        session.refresh(student_user)
        assert student_user.mfa_secret is None
        r = student_client.post(f"{MFA}/verify", json={"code": valid, "password": PASSWORD})
        assert r.status_code == 200 and len(r.json()["recovery_codes"]) == 10

    def test_turning_mfa_off_needs_a_current_code(
        self, student_client: TestClient, clock: Clock
    ) -> None:
        secret, _ = enrol(student_client, clock)
        assert student_client.post(f"{MFA}/disable", json={}).status_code == 422
        stale = code(secret, -3, at=clock.now)  # a code from a minute and a half ago
        r = student_client.post(f"{MFA}/disable", json={"code": stale})
        assert r.status_code == 422 and "not valid" in r.json()["detail"]
        assert student_client.get(MFA).json()["enabled"] is True
        r = student_client.post(f"{MFA}/disable", json={"code": code(secret, at=clock.now)})
        assert r.status_code == 200 and student_client.get(MFA).json()["enabled"] is False

    def test_creating_a_key_needs_a_fresh_reauthentication(
        self, student_client: TestClient, clock: Clock
    ) -> None:
        body = {"name": "CI", "scopes": ["read"]}
        r = student_client.post(f"{V1}/api-keys", json=body)
        assert r.status_code == 403 and "Confirm it's you" in r.json()["detail"]
        r = student_client.post(f"{V1}/api-keys", json={**body, "password": "Not-It-123456"})
        assert r.status_code == 403
        assert student_client.get(f"{V1}/api-keys").json() == []
        # With MFA on, a current code works as well as the password; a stale one does not.
        secret, _ = enrol(student_client, clock)
        r = student_client.post(
            f"{V1}/api-keys", json={**body, "code": code(secret, -3, at=clock.now)}
        )
        assert r.status_code == 403
        fresh = code(secret, at=clock.now)
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "code": fresh}).status_code == 201
        )
        # The same code again is a replay.
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "code": fresh}).status_code == 403
        )
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "password": PASSWORD}).status_code
            == 201
        )

    def test_wrong_confirmations_are_throttled(self, student_client: TestClient) -> None:
        body = {"name": "CI", "scopes": ["read"], "password": "Not-It-123456"}
        statuses = [student_client.post(f"{V1}/api-keys", json=body).status_code for _ in range(11)]
        assert statuses == [403] * 10 + [429]
        r = student_client.post(f"{V1}/api-keys", json={**body, "password": PASSWORD})
        assert r.status_code == 429  # even the right one, for a while

    def test_a_wrong_confirmation_is_audited_and_a_right_one_is_not(
        self,
        student_client: TestClient,
        session: Session,
        student_user: User,
        admin_user: User,
        clock: Clock,
    ) -> None:
        """Like a wrong current password in the password change ("login.failure"), a wrong
        "confirm it's you" leaves an entry admins can filter on, without what was typed."""
        body = {"name": "CI", "scopes": ["read"]}
        wrong = "Not-It-123456"
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "password": wrong}).status_code
            == 403
        )
        failures = audit_log.search(
            session, principal(session, admin_user), action="reauth.failure"
        ).items
        assert len(failures) == 1
        entry = session.exec(select(AuditLog).where(AuditLog.action == "reauth.failure")).one()
        assert entry.target_id == str(student_user.id) and entry.actor_id == student_user.id
        assert entry.details["reason"] == "bad password" and entry.details["failures"] == 1
        assert wrong not in str(entry.details) and PASSWORD not in str(entry.details)
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "password": PASSWORD}).status_code
            == 201
        )
        secret, _ = enrol(student_client, clock)  # a right password and a right code: none more
        r = student_client.post(f"{V1}/api-keys", json={**body, "code": code(secret, at=clock.now)})
        assert r.status_code == 201
        session.expire_all()
        assert (
            len(session.exec(select(AuditLog).where(AuditLog.action == "reauth.failure")).all())
            == 1
        )
        stale = code(secret, -3, at=clock.now)  # a wrong code counts too, as one more entry
        assert (
            student_client.post(f"{V1}/api-keys", json={**body, "code": stale}).status_code == 403
        )
        session.expire_all()
        reasons = [
            str(e.details["reason"])
            for e in session.exec(select(AuditLog).where(AuditLog.action == "reauth.failure"))
        ]
        assert sorted(reasons) == ["bad code", "bad password"]

    @pytest.mark.parametrize("path", ["disable", "recovery-codes"])
    def test_a_wrong_code_for_two_step_changes_is_a_wrong_confirmation(
        self, student_client: TestClient, session: Session, clock: Clock, path: str
    ) -> None:
        """Turning two-step off or replacing its recovery codes asks for a code: a wrong one
        keeps its message, is audited as "reauth.failure" and counts toward the same limit as
        the other confirmations (a new API key's password here)."""
        secret, _ = enrol(student_client, clock)
        r = student_client.post(f"{MFA}/{path}", json={"code": code(secret, 4, at=clock.now)})
        assert r.status_code == 422 and "not valid" in r.json()["detail"]
        session.expire_all()
        entries = session.exec(select(AuditLog).where(AuditLog.action == "reauth.failure")).all()
        assert [e.details["reason"] for e in entries] == ["bad code"]
        body = {"name": "CI", "scopes": ["read"], "password": "Not-It-123456"}
        statuses = [student_client.post(f"{V1}/api-keys", json=body).status_code for _ in range(10)]
        assert statuses == [403] * 9 + [429]
        r = student_client.post(f"{MFA}/{path}", json={"code": code(secret, at=clock.now)})
        assert r.status_code == 429  # even the right code, for a while

    def test_an_account_without_a_password_is_told_how_to_get_one(
        self, api_client: TestClient, session: Session
    ) -> None:
        email = "linkonly@example.org"
        passwordless.request_magic_link(session, email=email)
        session.commit()
        r = api_client.post(
            f"{V1}/auth/magic-link/verify",
            json={"token": magic_token(session, email), "consents": ["terms", "privacy"]},
        )
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = api_client.post(
            f"{V1}/api-keys", json={"name": "CI", "scopes": ["read"]}, headers=headers
        )
        assert r.status_code == 403 and "no password yet" in r.json()["detail"]
