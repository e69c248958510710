"""A signed-in user changes their password (Settings → Security, POST auth/me/password).

The current password must be right (a wrong one counts toward the sign-in lockout and is rate
limited), the new one follows the sign-up rules and differs from it. On success every other
session, API key and the calendar feed end, the browser session that made the change stays
signed in, the change is audited and a notice is mailed.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import Role, User
from cyberhub.services.errors import Forbidden, Invalid, ReauthRequired
from cyberhub.services.identity import accounts, browser_sessions, password_change
from cyberhub.services.identity.permissions import Principal
from cyberhub.settings import get_settings
from tests.factories import PASSWORD, login, principal
from tests.integration.test_api_keys import bearer, create_key
from tests.integration.test_passwordless_api import actions, mails

pytestmark = [pytest.mark.auth, pytest.mark.integration]

V1 = "/api/v1"
URL = f"{V1}/auth/me/password"
NEW_PASSWORD = "quiet-orchard-compass-73"
ORIGIN = {"Origin": "http://testserver"}
COOKIE = browser_sessions.SESSION_COOKIE


def _browser_session(client: TestClient, session: Session, user: User) -> str:
    """Sign `client` in the way a browser does (the HttpOnly cookie); the cookie's token."""
    code = browser_sessions.begin_sign_in(session, user)
    session.commit()
    r = client.get(browser_sessions.COMPLETE_PATH, params={"code": code}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.cookies[COOKIE])


def _change(
    client: TestClient,
    current: str,
    new: str = NEW_PASSWORD,
    headers: dict[str, str] | None = None,
):
    body = {"current_password": current, "new_password": new}
    return client.post(URL, json=body, headers=headers)


def _signs_in_with(api_client: TestClient, email: str, password: str) -> int:
    r = api_client.post(f"{V1}/auth/login", json={"email": email, "password": password})
    return r.status_code


class TestTheService:
    def _me(self, session: Session, user: User) -> Principal:
        return principal(session, user)

    def test_the_right_current_password_changes_it(
        self, session: Session, student_user: User, api_client: TestClient
    ) -> None:
        done = password_change.change_password(
            session, self._me(session, student_user), PASSWORD, NEW_PASSWORD
        )
        session.commit()
        assert done.session_kept is False
        assert _signs_in_with(api_client, student_user.email, NEW_PASSWORD) == 200
        assert _signs_in_with(api_client, student_user.email, PASSWORD) == 401
        assert "password.changed" in actions(session)

    def test_a_wrong_current_password_is_refused_and_counted(
        self, session: Session, student_user: User
    ) -> None:
        with pytest.raises(ReauthRequired, match="current password is not right"):
            password_change.change_password(
                session, self._me(session, student_user), "Not-My-Password-1", NEW_PASSWORD
            )
        session.expire_all()
        user = session.get(User, student_user.id)
        assert user is not None and user.failed_login_count == 1
        assert "login.failure" in actions(session)
        assert "password.changed" not in actions(session)

    @pytest.mark.parametrize(
        ("new", "says"),
        [("short", "at least 10"), ("password123", "too common"), (PASSWORD, "same as your")],
    )
    def test_the_new_password_follows_the_rules(
        self, session: Session, student_user: User, new: str, says: str
    ) -> None:
        with pytest.raises(Invalid, match=says):
            password_change.change_password(session, self._me(session, student_user), PASSWORD, new)

    def test_an_api_key_cannot_change_it(self, session: Session, student_user: User) -> None:
        keyed = Principal(
            user_id=student_user.id or 0, email=student_user.email, scopes=frozenset({"write"})
        )
        with pytest.raises(Forbidden):
            password_change.change_password(session, keyed, PASSWORD, NEW_PASSWORD)


class TestTheApi:
    def test_success_ends_other_sessions_and_keeps_this_browser(
        self,
        api_client: TestClient,
        student_client: TestClient,
        student_user: User,
        session: Session,
    ) -> None:
        key = create_key(student_client, ["read"])["secret"]
        other_device = login(api_client, student_user.email)
        token = _browser_session(api_client, session, student_user)
        r = _change(api_client, PASSWORD, headers=ORIGIN)
        assert r.status_code == 200, r.text
        assert r.json()["session_kept"] is True
        assert "other session" in r.json()["detail"]
        # This browser is still signed in ...
        assert api_client.get(f"{V1}/auth/me").status_code == 200
        assert browser_sessions.is_live(session, token)
        # ... every other session, token and key has ended.
        assert student_client.get(f"{V1}/auth/me").status_code == 401
        refresh = api_client.post(
            f"{V1}/auth/token/refresh",
            json={"refresh_token": other_device["refresh_token"]},
        )
        assert refresh.status_code == 401
        assert api_client.get(f"{V1}/auth/me", headers=bearer(key)).status_code == 401
        assert "password.changed" in actions(session)
        assert "api_key.revoked_all" in actions(session)
        notice = mails(session, student_user.email)[0]
        assert notice.subject == "Your CyberHub password was changed"
        assert notice.kind == "security_notice"
        assert "/password-reset" in notice.body and "administrator" in notice.body
        assert "security settings" in notice.body

    def test_with_a_bearer_token_every_session_ends(
        self, student_client: TestClient, student_user: User, api_client: TestClient
    ) -> None:
        r = _change(student_client, PASSWORD)
        assert r.status_code == 200, r.text
        assert r.json()["session_kept"] is False
        assert student_client.get(f"{V1}/auth/me").status_code == 401
        assert _signs_in_with(api_client, student_user.email, NEW_PASSWORD) == 200

    def test_a_wrong_current_password_is_403_and_nothing_changes(
        self, student_client: TestClient, student_user: User, api_client: TestClient
    ) -> None:
        r = _change(student_client, "Not-My-Password-1")
        assert r.status_code == 403
        assert "current password is not right" in r.json()["detail"]
        assert student_client.get(f"{V1}/auth/me").status_code == 200
        assert _signs_in_with(api_client, student_user.email, PASSWORD) == 200

    @pytest.mark.parametrize(
        ("new", "says"),
        [("short", "at least 10"), (PASSWORD, "same as your"), ("", "at least 10")],
    )
    def test_a_bad_new_password_is_422(
        self, student_client: TestClient, new: str, says: str
    ) -> None:
        r = _change(student_client, PASSWORD, new)
        assert r.status_code == 422 and says in r.json()["detail"]
        assert student_client.get(f"{V1}/auth/me").status_code == 200

    @pytest.mark.parametrize(
        "body",
        [{}, {"current_password": PASSWORD}, {"new_password": NEW_PASSWORD}, {"x": 1}],
    )
    def test_a_malformed_body_is_422_with_detail(
        self, student_client: TestClient, body: dict[str, object]
    ) -> None:
        r = student_client.post(URL, json=body)
        assert r.status_code == 422 and r.json()["detail"]

    def test_signed_out_is_401(self, api_client: TestClient) -> None:
        assert _change(api_client, PASSWORD).status_code == 401

    def test_an_api_key_is_403(self, api_client: TestClient, student_client: TestClient) -> None:
        key = create_key(student_client, ["read", "write"])["secret"]
        r = _change(api_client, PASSWORD, headers=bearer(key))
        assert r.status_code == 403 and "API keys can't be used here" in r.json()["detail"]

    def test_wrong_guesses_count_toward_the_sign_in_lockout(
        self, student_client: TestClient, student_user: User, api_client: TestClient
    ) -> None:
        threshold = get_settings().lockout_threshold
        statuses = [_change(student_client, f"Guess-{n}-abcdefg").status_code for n in range(6)]
        assert statuses[:threshold] == [403] * threshold
        assert statuses[threshold] == 423
        # Even the right password is refused from here for a while, and so is signing in.
        locked = _change(student_client, PASSWORD)
        assert locked.status_code == 423 and "Too many failed" in locked.json()["detail"]
        assert _signs_in_with(api_client, student_user.email, PASSWORD) == 423

    def test_attempts_are_rate_limited(
        self,
        student_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(get_settings(), "auth_rate_limit_per_account_per_minute", 3)
        statuses = [_change(student_client, PASSWORD, "short").status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]

    def test_an_account_without_a_password_is_told_how_to_get_one(
        self, session: Session, api_client: TestClient
    ) -> None:
        user = accounts.create_user(
            session, "linkonly-change@example.org", "", None, Role.student, "test"
        )
        session.commit()
        _browser_session(api_client, session, user)
        r = _change(api_client, "", headers=ORIGIN)
        assert r.status_code == 403 and "no password yet" in r.json()["detail"]
