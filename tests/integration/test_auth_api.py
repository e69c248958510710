"""auth/* endpoints: sign-up, login, lockout, refresh rotation and replay, logout, me."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import AuditLog, RefreshToken
from cyberhub.services.errors import Invalid, Unauthenticated
from cyberhub.services.identity import sign_in
from tests.factories import PASSWORD, login
from tests.statements import statements

pytestmark = [pytest.mark.auth, pytest.mark.integration]


class TestSignup:
    def test_signup_creates_a_student_and_signs_in(self, api_client: TestClient) -> None:
        r = api_client.post(
            "/api/v1/auth/signup",
            json={
                "email": "New.Learner@Example.org",
                "password": "blue-kettle-sings-42",
                "full_name": "New Learner",
                "consents": ["terms", "privacy"],
            },
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["user"]["email"] == "new.learner@example.org"
        assert body["user"]["roles"] == ["student"]
        assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]
        me = api_client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.json()["email"] == "new.learner@example.org"

    @pytest.mark.parametrize(
        ("password", "message"),
        [("short1", "at least 10"), ("password123", "too common"), ("1234567890", "too common")],
    )
    def test_weak_password_is_refused_with_the_reason(
        self, api_client: TestClient, password: str, message: str
    ) -> None:
        r = api_client.post(
            "/api/v1/auth/signup", json={"email": "a@example.org", "password": password}
        )
        assert r.status_code == 422
        assert message in r.json()["detail"]

    def test_bad_email_and_missing_fields_are_422_with_detail(self, api_client: TestClient) -> None:
        r = api_client.post(
            "/api/v1/auth/signup",
            json={"email": "not-an-email", "password": "blue-kettle-sings-42"},
        )
        assert r.status_code == 422 and "email" in r.json()["detail"].lower()
        r = api_client.post("/api/v1/auth/signup", json={})
        assert r.status_code == 422 and "password" in r.json()["detail"]

    @pytest.mark.parametrize("path", ["/api/v1/auth/signup", "/api/v1/auth/login"])
    def test_an_address_over_320_characters_is_422_naming_the_email(
        self, api_client: TestClient, path: str
    ) -> None:
        """The sign-in and sign-up pages' Email field takes at most 320 characters, as the
        e-mail request card's does; the API refuses a longer one with a reason, never a 500."""
        email = "a" * 309 + "@example.org"  # 321 characters
        r = api_client.post(path, json={"email": email, "password": "blue-kettle-sings-42"})
        assert r.status_code == 422 and "email" in r.json()["detail"].lower()

    def test_duplicate_email_is_409(self, api_client: TestClient, student_user) -> None:
        r = api_client.post(
            "/api/v1/auth/signup",
            json={"email": student_user.email.upper(), "password": "blue-kettle-sings-42"},
        )
        assert r.status_code == 409

    def test_the_same_sign_up_twice_at_once_is_one_account_and_a_409(self, db_url: str) -> None:
        # A double click or two tabs: both requests found no account and inserted one, and the
        # second failed on the unique address with a database error (500).
        from cyberhub.db import get_engine  # noqa: PLC0415  (why: the engine of db_url's database)
        from cyberhub.services.errors import Conflict  # noqa: PLC0415
        from cyberhub.services.identity import accounts  # noqa: PLC0415

        start = threading.Barrier(2)
        outcomes: list[str] = []

        def sign_up() -> None:
            try:
                with Session(get_engine()) as s:
                    start.wait(timeout=10)
                    accounts.signup(
                        s,
                        email="twice@example.org",
                        password="blue-kettle-sings-42",
                        consents=["terms", "privacy"],
                    )
                    time.sleep(0.2)  # hold the transaction open while the other one runs
                    s.commit()
                    outcomes.append("created")
            except Conflict:
                outcomes.append("conflict")
            except BaseException as exc:  # noqa: BLE001  (reported below)
                outcomes.append(repr(exc))

        threads = [threading.Thread(target=sign_up) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(outcomes) == ["conflict", "created"]


class TestLogin:
    def test_login_contract(self, api_client: TestClient, student_user) -> None:
        body = login(api_client, student_user.email)
        assert set(body) >= {"access_token", "refresh_token", "token_type", "user"}
        assert body["user"] == {
            "id": student_user.id,
            "email": student_user.email,
            "full_name": student_user.full_name,
            "roles": ["student"],
        }

    def test_access_token_claims(self, api_client: TestClient, student_user) -> None:
        import jwt

        from cyberhub.settings import get_settings

        token = login(api_client, student_user.email)["access_token"]
        claims = jwt.decode(token, get_settings().secret_key, algorithms=["HS256"])
        assert {"user_id", "email", "roles", "exp", "iat", "jti"} <= set(claims)
        assert claims["exp"] - claims["iat"] == 60 * 60

    def test_wrong_password_is_401_without_saying_which_part(
        self, api_client: TestClient, student_user
    ) -> None:
        r = api_client.post(
            "/api/v1/auth/login", json={"email": student_user.email, "password": "wrong-password-1"}
        )
        unknown = api_client.post(
            "/api/v1/auth/login",
            json={"email": "nobody@example.org", "password": "wrong-password-1"},
        )
        assert r.status_code == unknown.status_code == 401
        assert r.json()["detail"] == unknown.json()["detail"] == "Incorrect email or password."

    def test_sixth_bad_password_is_locked_even_with_the_right_one(
        self,
        api_client: TestClient,
        student_user,
        session: Session,
    ) -> None:
        for _ in range(5):
            r = api_client.post(
                "/api/v1/auth/login",
                json={"email": student_user.email, "password": "wrong-password-1"},
            )
            assert r.status_code == 401
        r = api_client.post(
            "/api/v1/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert r.status_code == 423
        assert int(r.headers["Retry-After"]) > 0
        assert "locked" in r.json()["detail"]
        actions = session.exec(select(AuditLog.action)).all()
        assert actions.count("login.failure") == 6 and "account.locked" in actions


class TestOverlongAddress:
    """No account has an address over 320 characters: signing in with one is refused as such,
    with its length, by the service the sign-in page and the API share, before any lookup."""

    @pytest.mark.parametrize("length", [321, 600])
    def test_the_api_says_how_long_the_address_may_be_and_records_nothing(
        self, api_client: TestClient, session: Session, length: int
    ) -> None:
        email = "a" * (length - 12) + "@example.org"
        r = api_client.post(
            "/api/v1/auth/login", json={"email": email, "password": "wrong-password-1"}
        )
        assert r.status_code == 422
        assert r.json()["detail"] == (
            f"Keep the email address to 320 characters (this one has {length})."
        )
        assert session.exec(select(AuditLog.action)).all() == []

    @pytest.mark.parametrize("way", [sign_in.for_api, sign_in.for_browser])
    def test_the_service_refuses_it_without_reading_the_database(
        self, session: Session, student_user, way
    ) -> None:
        email = "a" * 309 + "@example.org"  # 321 characters
        with statements(session) as seen, pytest.raises(Invalid, match="to 320 characters"):
            way(session, sign_in.Credentials(email, PASSWORD))
        assert seen == []
        # 320 characters: looked up as usual (no such account).
        with pytest.raises(Unauthenticated):
            way(session, sign_in.Credentials(email[1:], PASSWORD))


class TestRefresh:
    def test_refresh_rotates(self, api_client: TestClient, student_user) -> None:
        first = login(api_client, student_user.email)
        r = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert r.status_code == 200
        second = r.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["user"]["id"] == student_user.id
        again = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert again.status_code == 200

    def test_replaying_a_rotated_token_revokes_the_whole_family(
        self,
        api_client: TestClient,
        student_user,
        session: Session,
    ) -> None:
        first = login(api_client, student_user.email)
        second = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]}
        ).json()
        replay = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert replay.status_code == 401
        # The legitimate newest token of the family is dead too.
        after = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": second["refresh_token"]}
        )
        assert after.status_code == 401
        assert all(t.revoked_at is not None for t in session.exec(select(RefreshToken)).all())
        assert "token.reuse_detected" in session.exec(select(AuditLog.action)).all()

    def test_other_sessions_survive_a_replay(self, api_client: TestClient, student_user) -> None:
        laptop = login(api_client, student_user.email)
        phone = login(api_client, student_user.email)
        api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": laptop["refresh_token"]}
        )
        api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": laptop["refresh_token"]}
        )
        ok = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": phone["refresh_token"]}
        )
        assert ok.status_code == 200

    def test_access_token_is_not_a_refresh_token(
        self, api_client: TestClient, student_user
    ) -> None:
        tokens = login(api_client, student_user.email)
        r = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": tokens["access_token"]}
        )
        assert r.status_code == 401

    def test_garbage_token_is_401(self, api_client: TestClient) -> None:
        r = api_client.post("/api/v1/auth/token/refresh", json={"refresh_token": "not.a.jwt"})
        assert r.status_code == 401 and r.json()["detail"]


class TestLogoutAndMe:
    def test_logout_revokes_refresh(self, api_client: TestClient, student_user) -> None:
        tokens = login(api_client, student_user.email)
        assert (
            api_client.post(
                "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
            ).status_code
            == 204
        )
        r = api_client.post(
            "/api/v1/auth/token/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        assert r.status_code == 401

    def test_a_second_logout_of_an_ended_session_is_not_audited_again(
        self, api_client: TestClient, student_user, session: Session
    ) -> None:
        tokens = login(api_client, student_user.email)
        body = {"refresh_token": tokens["refresh_token"]}
        assert api_client.post("/api/v1/auth/logout", json=body).status_code == 204
        assert api_client.post("/api/v1/auth/logout", json=body).status_code == 204
        session.expire_all()
        logouts = session.exec(
            select(AuditLog).where(
                AuditLog.action == "logout", AuditLog.actor_id == student_user.id
            )
        ).all()
        assert len(logouts) == 1  # the audit log says one sign-out, as happened

    def test_me_needs_a_token(self, api_client: TestClient) -> None:
        r = api_client.get("/api/v1/auth/me")
        assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
        r = api_client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 401

    def test_me_reflects_current_roles(self, student_client: TestClient) -> None:
        body = student_client.get("/api/v1/auth/me").json()
        assert body["roles"] == ["student"] and body["grants"][0]["role"] == "student"


def test_ending_every_session_also_refuses_older_access_tokens(
    api_client: TestClient,
    student_user,
    session: Session,
) -> None:
    """A password reset ends every session: a stolen access token must not outlive it."""
    import time

    from cyberhub.services.identity import accounts

    old = login(api_client, student_user.email)["access_token"]
    assert (
        api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code
        == 200
    )
    time.sleep(1.1)  # token times have one-second resolution
    accounts.revoke_all_sessions(session, student_user.id)
    session.commit()
    r = api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401
    time.sleep(1.1)
    fresh = login(api_client, student_user.email)["access_token"]
    assert (
        api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code
        == 200
    )
