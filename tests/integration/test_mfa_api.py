"""auth/mfa/* and login with MFA: enrol, confirm, recovery codes, disable, lockout by bad codes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import AuditLog, User
from tests.factories import PASSWORD
from tests.totp import Clock, code

pytestmark = [pytest.mark.auth, pytest.mark.integration]

MFA = "/api/v1/auth/mfa"


def enrol(client: TestClient, clock: Clock) -> tuple[str, list[str]]:
    """Turn MFA on through the API; confirms with the previous step's code."""
    r = client.post(f"{MFA}/enroll")
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    r = client.post(
        f"{MFA}/verify", json={"code": code(secret, -1, at=clock.now), "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    return secret, r.json()["recovery_codes"]


def login(client: TestClient, email: str, mfa_code: str | None = None) -> Any:
    body: dict[str, Any] = {"email": email, "password": PASSWORD}
    if mfa_code is not None:
        body["mfa_code"] = mfa_code
    return client.post("/api/v1/auth/login", json=body)


class TestAccess:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", MFA),
            ("POST", f"{MFA}/enroll"),
            ("POST", f"{MFA}/verify"),
            ("POST", f"{MFA}/disable"),
            ("POST", f"{MFA}/recovery-codes"),
        ],
    )
    def test_anonymous_is_401(self, api_client: TestClient, method: str, path: str) -> None:
        r = api_client.request(method, path, json={"code": "123456"})
        assert r.status_code == 401 and r.json()["detail"]

    @pytest.mark.parametrize("path", ["verify", "disable", "recovery-codes"])
    @pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "1" * 33}, {"code": 12}])
    def test_bad_input_is_422(self, student_client: TestClient, path: str, body: Any) -> None:
        r = student_client.post(f"{MFA}/{path}", json=body)
        assert r.status_code == 422 and "code" in r.json()["detail"]


class TestEnrolment:
    def test_enrol_verify_and_status(self, student_client: TestClient, clock: Clock) -> None:
        assert student_client.get(MFA).json() == {
            "enabled": False,
            "enabled_at": None,
            "pending": False,
            "recovery_codes_left": 0,
        }
        r = student_client.post(f"{MFA}/enroll")
        body = r.json()
        assert set(body) == {"secret", "otpauth_uri", "qr"}
        assert body["otpauth_uri"].startswith("otpauth://totp/CyberHub:")
        assert body["qr"].startswith("data:image/svg+xml;base64,")
        assert student_client.get(MFA).json()["pending"] is True
        wrong = student_client.post(f"{MFA}/verify", json={"code": "000000", "password": PASSWORD})
        if code(body["secret"], at=clock.now) != "000000":
            assert wrong.status_code == 422 and "not valid" in wrong.json()["detail"]
        r = student_client.post(
            f"{MFA}/verify", json={"code": code(body["secret"], at=clock.now), "password": PASSWORD}
        )
        assert r.status_code == 200
        assert len(r.json()["recovery_codes"]) == 10
        status = student_client.get(MFA).json()
        assert status["enabled"] is True and status["recovery_codes_left"] == 10

    def test_verify_without_enrol_is_422_and_enrol_twice_is_409(
        self, student_client: TestClient, clock: Clock
    ) -> None:
        r = student_client.post(f"{MFA}/verify", json={"code": "123456", "password": PASSWORD})
        assert r.status_code == 422 and "Start the set-up" in r.json()["detail"]
        enrol(student_client, clock)
        assert student_client.post(f"{MFA}/enroll").status_code == 409

    def test_enrolment_is_audited(
        self, student_client: TestClient, session: Session, clock: Clock
    ) -> None:
        enrol(student_client, clock)
        actions = session.exec(select(AuditLog.action)).all()
        assert "mfa.enrollment_started" in actions and "mfa.enabled" in actions


class TestLoginWithMfa:
    def test_login_asks_for_the_code_then_accepts_it(
        self, student_client: TestClient, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(student_client, clock)
        r = login(student_client, student_user.email)
        assert r.status_code == 401
        assert r.json() == {
            "detail": "Enter the 6-digit code from your authenticator app.",
            "mfa_required": True,
        }
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 200 and r.json()["access_token"]

    def test_a_wrong_password_does_not_reveal_mfa(
        self, student_client: TestClient, student_user: User, clock: Clock
    ) -> None:
        enrol(student_client, clock)
        r = student_client.post(
            "/api/v1/auth/login", json={"email": student_user.email, "password": "wrong-pass-1"}
        )
        assert r.status_code == 401 and "mfa_required" not in r.json()

    def test_a_code_cannot_be_replayed(
        self, student_client: TestClient, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(student_client, clock)
        c = code(secret, at=clock.now)
        assert login(student_client, student_user.email, c).status_code == 200
        again = login(student_client, student_user.email, c)
        assert again.status_code == 401 and again.json()["mfa_required"] is True

    def test_wrong_codes_count_toward_the_lockout(
        self,
        student_client: TestClient,
        student_user: User,
        session: Session,
        clock: Clock,
    ) -> None:
        secret, _ = enrol(student_client, clock)
        for _ in range(5):
            r = login(student_client, student_user.email, code(secret, 5, at=clock.now))
            assert r.status_code == 401 and r.json()["mfa_required"] is True
            assert "not valid" in r.json()["detail"]
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 423 and int(r.headers["Retry-After"]) > 0
        reasons = [
            e.details.get("reason")
            for e in session.exec(select(AuditLog).where(AuditLog.action == "login.failure"))
        ]
        assert reasons.count("bad mfa code") == 5
        assert "account.locked" in session.exec(select(AuditLog.action)).all()

    def test_a_recovery_code_signs_in_once(
        self, student_client: TestClient, student_user: User, session: Session, clock: Clock
    ) -> None:
        _, codes = enrol(student_client, clock)
        assert login(student_client, student_user.email, codes[0]).status_code == 200
        again = login(student_client, student_user.email, codes[0])
        assert again.status_code == 401 and again.json()["mfa_required"] is True
        assert "mfa.recovery_code_used" in session.exec(select(AuditLog.action)).all()
        assert student_client.get(MFA).json()["recovery_codes_left"] == 9

    def test_accounts_without_mfa_ignore_a_code(
        self, api_client: TestClient, student_user: User
    ) -> None:
        assert login(api_client, student_user.email, "123456").status_code == 200


class TestDisableAndRegenerate:
    def test_disable_needs_a_code_then_login_needs_none(
        self, student_client: TestClient, student_user: User, session: Session, clock: Clock
    ) -> None:
        secret, _ = enrol(student_client, clock)
        r = student_client.post(f"{MFA}/disable", json={"code": code(secret, 4, at=clock.now)})
        assert r.status_code == 422 and "not valid" in r.json()["detail"]
        r = student_client.post(f"{MFA}/disable", json={"code": code(secret, at=clock.now)})
        assert r.status_code == 200 and r.json() == {"enabled": False}
        assert login(student_client, student_user.email).status_code == 200
        assert "mfa.disabled" in session.exec(select(AuditLog.action)).all()
        again = student_client.post(f"{MFA}/disable", json={"code": "123456"})
        assert again.status_code == 409

    def test_regenerate_recovery_codes(self, student_client: TestClient, clock: Clock) -> None:
        secret, old = enrol(student_client, clock)
        r = student_client.post(f"{MFA}/recovery-codes", json={"code": code(secret, at=clock.now)})
        assert r.status_code == 200
        new = r.json()["recovery_codes"]
        assert len(new) == 10 and not set(new) & set(old)
        r = student_client.post(f"{MFA}/disable", json={"code": old[0]})
        assert r.status_code == 422
