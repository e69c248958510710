"""The browser's session: an HttpOnly cookie set by an HTTP response, revoked at sign-out, CSRF-safe.

Also: an API access token stops working the moment its session is logged out.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, OneTimeToken
from cyberhub.models.base import utcnow
from cyberhub.services.identity import accounts, browser_sessions
from tests.factories import login, make_user

pytestmark = [pytest.mark.auth, pytest.mark.integration]

COMPLETE = browser_sessions.COMPLETE_PATH
SIGNOUT = browser_sessions.SIGNOUT_PATH
COOKIE = browser_sessions.SESSION_COOKIE


def _code(session: Session, user) -> str:
    """What a sign-in page does once the credentials are right."""
    code = browser_sessions.begin_sign_in(session, user)
    session.commit()
    return code


def _complete(client: TestClient, code: str, next_path: str = "/insights"):
    return client.get(COMPLETE, params={"code": code, "next": next_path}, follow_redirects=False)


def _signed_in(client: TestClient, session: Session, user) -> str:
    r = _complete(client, _code(session, user))
    assert r.status_code == 303, r.text
    return r.cookies[COOKIE]


class TestHandoff:
    def test_the_cookie_is_httponly_strict_and_set_by_the_response(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        r = _complete(api_client, _code(session, student_user), "/insights?tab=notes")
        assert r.status_code == 303
        assert r.headers["location"] == "/insights?tab=notes"
        assert r.headers["cache-control"] == "no-store"
        cookie = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")
        ).lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert "secure" not in cookie  # served over http here
        # The legacy script-readable cookies are removed.
        assert any(c.startswith("ch_access=") for c in r.headers.get_list("set-cookie"))
        me = api_client.get("/api/v1/auth/me")  # the client's jar now sends the cookie
        assert me.status_code == 200 and me.json()["email"] == student_user.email

    def test_secure_when_served_over_https(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        r = api_client.get(
            COMPLETE,
            params={"code": _code(session, student_user)},
            headers={"X-Forwarded-Proto": "https"},
            follow_redirects=False,
        )
        cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))
        assert "secure" in cookie.lower()

    def test_a_code_works_once(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        code = _code(session, student_user)
        assert COOKIE in _complete(api_client, code).cookies
        api_client.cookies.clear()
        again = _complete(api_client, code)
        assert again.status_code == 303
        assert again.headers["location"].startswith("/signin?expired=1")
        assert COOKIE not in again.cookies
        assert api_client.get("/api/v1/auth/me").status_code == 401

    def test_a_code_expires_after_a_minute(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        code = _code(session, student_user)
        row = session.exec(
            select(OneTimeToken).where(OneTimeToken.purpose == browser_sessions.HANDOFF_PURPOSE)
        ).one()
        assert abs(row.expires_at - row.created_at - timedelta(seconds=60)) < timedelta(seconds=1)
        assert row.token_hash != code  # only the hash is stored
        session.execute(
            update(OneTimeToken)
            .where(col(OneTimeToken.id) == row.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
        r = _complete(api_client, code)
        assert r.headers["location"].startswith("/signin?expired=1")
        assert COOKIE not in r.cookies

    @pytest.mark.parametrize("code", ["", "made-up", "x" * 300])
    def test_unknown_codes_set_nothing(self, api_client: TestClient, code: str) -> None:
        r = api_client.get(COMPLETE, params={"code": code}, follow_redirects=False)
        assert r.status_code in (303, 422)
        assert COOKIE not in r.cookies
        if r.status_code == 422:
            assert "detail" in r.json()

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            ("/dashboard", "/dashboard/mentor"),
            ("/dashboard/", "/dashboard/mentor"),
            ("/dashboard?welcome=true", "/dashboard/mentor?welcome=true"),
            ("/missions?track=builders", "/missions?track=builders"),
        ],
    )
    def test_the_generic_dashboard_becomes_the_users_own_home(
        self, api_client: TestClient, session: Session, test_organization, target: str, expected
    ) -> None:
        # Several roles: the first in ROLE_HOMES order (mentor before student).
        both = make_user(
            session,
            "both@test.example.org",
            "student",
            "mentor",
            organization_id=test_organization.id,
        )
        r = _complete(api_client, _code(session, both), target)
        assert r.status_code == 303 and r.headers["location"] == expected

    @pytest.mark.parametrize(
        "target",
        [
            "https://evil.example/phish",
            "//evil.example/phish",
            "/\\evil.example/phish",
            "javascript:alert(1)",
            "evil.example",
            "/signin?next=/x",
            "/api/v1/auth/browser/signout",
            "/ok\r\nSet-Cookie: x=1",
        ],
    )
    def test_next_never_leaves_the_site(
        self, api_client: TestClient, session: Session, student_user, target: str
    ) -> None:
        r = _complete(api_client, _code(session, student_user), target)
        # Not the unsafe target: the default, which is the student's own home.
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/student"
        # The URL a sign-in page sends the tab to is cleaned the same way.
        assert "evil" not in browser_sessions.completion_url("c", target)

    @pytest.mark.parametrize("site", ["cross-site", "same-site"])
    def test_a_link_from_another_site_signs_nobody_in(
        self, api_client: TestClient, session: Session, student_user, site: str
    ) -> None:
        """Login CSRF: someone else's fresh code, sent from another site, is not honoured."""
        code = _code(session, student_user)
        r = api_client.get(
            COMPLETE,
            params={"code": code},
            headers={"Sec-Fetch-Site": site},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
        assert COOKIE not in r.cookies
        # The code was not spent: the page that asked for it can still use it.
        same = api_client.get(
            COMPLETE,
            params={"code": code},
            headers={"Sec-Fetch-Site": "same-origin"},
            follow_redirects=False,
        )
        assert COOKIE in same.cookies

    def test_the_session_cookie_is_not_a_bearer_or_refresh_token(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        token = _signed_in(api_client, session, student_user)
        api_client.cookies.clear()
        r = api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401
        r = api_client.post("/api/v1/auth/token/refresh", json={"refresh_token": token})
        assert r.status_code == 401


class TestSignOut:
    def test_sign_out_revokes_the_session_at_once(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        token = _signed_in(api_client, session, student_user)
        assert api_client.get("/api/v1/auth/me").status_code == 200
        browser_sessions.end(session, token)  # what the sign-out button does
        session.commit()
        assert api_client.get("/api/v1/auth/me").status_code == 401
        assert session.exec(select(AuditLog).where(AuditLog.action == "logout")).first()
        # The whole-page load that follows removes the (dead) cookie.
        r = api_client.get(SIGNOUT, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/signin?signed_out=1"
        removed = next(c for c in r.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}="))
        assert "max-age=0" in removed.lower()

    def test_a_link_to_signout_cannot_end_a_live_session(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        _signed_in(api_client, session, student_user)
        r = api_client.get(SIGNOUT, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/dashboard"
        assert COOKIE not in r.headers.get("set-cookie", "")
        assert api_client.get("/api/v1/auth/me").status_code == 200

    def test_ending_every_session_ends_the_browser_session(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        _signed_in(api_client, session, student_user)
        accounts.revoke_all_sessions(session, student_user.id)  # e.g. a password reset
        session.commit()
        assert api_client.get("/api/v1/auth/me").status_code == 401

    def test_a_code_made_before_every_session_ended_is_refused(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        # A sign-in not yet completed when the password is reset (or every session ended)
        # still turned into a session within its minute.
        code = _code(session, student_user)
        accounts.revoke_all_sessions(session, student_user.id)  # e.g. a password reset
        session.commit()
        r = _complete(api_client, code)
        assert r.headers["location"].startswith("/signin?expired=1")
        assert COOKIE not in r.cookies
        assert api_client.get("/api/v1/auth/me").status_code == 401


def test_an_access_token_stops_working_at_logout(api_client: TestClient, student_user) -> None:
    pair = login(api_client, student_user.email)
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    assert api_client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    r = api_client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 204
    r = api_client.get("/api/v1/auth/me", headers=bearer)
    assert r.status_code == 401 and "ended" in r.json()["detail"]
    # Another sign-in of the same user is not affected.
    other = login(api_client, student_user.email)
    r = api_client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {other['access_token']}"}
    )
    assert r.status_code == 200


def test_rotated_refresh_keeps_access_tokens_of_the_session_alive(
    api_client: TestClient, student_user
) -> None:
    first = login(api_client, student_user.email)
    second = api_client.post(
        "/api/v1/auth/token/refresh", json={"refresh_token": first["refresh_token"]}
    ).json()
    for token in (first["access_token"], second["access_token"]):
        r = api_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200


class TestCookieCsrf:
    URL = "/api/v1/notifications/read"

    def test_a_cookie_post_from_another_site_is_refused(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        _signed_in(api_client, session, student_user)
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {}):
            r = api_client.post(self.URL, json={"all": True}, headers=headers)
            assert r.status_code == 403, headers
            assert "Origin" in r.json()["detail"]

    def test_a_cookie_post_from_cyberhub_itself_works(
        self, api_client: TestClient, session: Session, student_user
    ) -> None:
        _signed_in(api_client, session, student_user)
        r = api_client.post(self.URL, json={"all": True}, headers={"Origin": "http://testserver"})
        assert r.status_code == 200, r.text
        # Reading needs no Origin (SameSite=Strict keeps the cookie off other sites' requests).
        assert api_client.get("/api/v1/notifications").status_code == 200

    def test_bearer_requests_need_no_origin(self, student_client: TestClient) -> None:
        r = student_client.post(
            self.URL, json={"all": True}, headers={"Origin": "https://elsewhere.example"}
        )
        assert r.status_code == 200


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("", ""),
        ("ch_session=abc", "abc"),
        ("theme=dark; ch_session=abc.def-ghi; other=1", "abc.def-ghi"),
        ('bad"cookie=1; ch_session=abc', "abc"),
        ("ch_sessionx=abc", ""),
    ],
)
def test_the_session_token_is_found_in_a_cookie_header(header: str, token: str) -> None:
    assert browser_sessions.token_from_cookie_header(header) == token


@pytest.mark.parametrize(
    ("origin", "host", "public_url", "ok"),
    [
        ("http://127.0.0.1:3000", "127.0.0.1:3000", None, True),
        ("http://127.0.0.1:3000", "127.0.0.1:3001", None, False),
        ("https://cyberhub.example", "10.0.0.5:3000", "https://cyberhub.example", True),
        ("http://cyberhub.example", "10.0.0.5:3000", "https://cyberhub.example", False),
        ("https://cyberhub.example.evil.example", "x", "https://cyberhub.example", False),
        ("null", "127.0.0.1:3000", None, False),
        (None, "127.0.0.1:3000", None, False),
    ],
)
def test_origin_is_cyberhub_itself(
    monkeypatch: pytest.MonkeyPatch, origin: str | None, host: str, public_url: str | None, ok: bool
) -> None:
    from cyberhub.settings import get_settings

    monkeypatch.setattr(get_settings(), "public_url", public_url)
    assert browser_sessions.origin_matches(origin, host) is ok
