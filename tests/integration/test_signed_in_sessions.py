""" "Where you're signed in" (Settings → Security; GET/DELETE auth/me/sessions): each live sign-in
with its device, address, start and last activity; ending one of your other sessions at once.

Two users: neither sees nor ends the other's sessions (an id of someone else's is 404).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, RefreshToken, User
from cyberhub.models.base import utcnow
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.identity import (
    browser_sessions,
    devices,
    session_use,
    signed_in_sessions,
)
from cyberhub.services.identity.permissions import Principal
from tests.factories import PASSWORD, make_user, principal

pytestmark = [pytest.mark.auth, pytest.mark.integration]

V1 = "/api/v1"
SESSIONS = f"{V1}/auth/me/sessions"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _browser(session: Session, user: User, agent: str, ip: str = "198.51.100.7") -> str:
    """A browser session of `user` begun from `agent` at `ip`: its cookie token."""
    code = browser_sessions.begin_sign_in(session, user)
    token = browser_sessions.complete_sign_in(session, code, RequestMeta(ip, agent)).token
    session.commit()
    return token


def _app_login(client: TestClient, user: User, agent: str = "curl/8.5.0") -> str:
    """Sign `client` in by the JSON API from `agent`; its access token (sent from now on)."""
    r = client.post(
        f"{V1}/auth/login",
        json={"email": user.email, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return token


def _family(session: Session, token: str, user: User) -> str:
    family = browser_sessions.family_of(session, token, user.id or 0)
    assert family
    return family


@pytest.fixture
def two(session: Session) -> tuple[User, User]:
    return (
        make_user(session, "ada.sessions@example.org", "student"),
        make_user(session, "bob.sessions@example.org", "student"),
    )


class TestListing:
    def test_each_sign_in_is_listed_newest_first_with_device_address_and_the_current_one(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, bob = two
        laptop = _browser(session, ada, FIREFOX, "198.51.100.7")
        _browser(session, ada, IPHONE, "2001:db8::1")
        _browser(session, bob, FIREFOX)
        _app_login(api_client, ada)
        r = api_client.get(SESSIONS)
        assert r.status_code == 200, r.text
        listed = r.json()
        assert [s["device"] for s in listed] == ["curl", "Safari on iPhone", "Firefox on Linux"]
        assert [s["current"] for s in listed] == [True, False, False]
        assert listed[1]["ip"] == "2001:db8::1" and listed[2]["ip"] == "198.51.100.7"
        assert listed[2]["user_agent"] == FIREFOX
        assert listed[2]["id"] == _family(session, laptop, ada)
        # Bob's session is not Ada's to see.
        bobs = signed_in_sessions.list_sessions(session, principal(session, bob))
        assert [s.device for s in bobs] == ["Firefox on Linux"]
        assert not {s.id for s in bobs} & {s["id"] for s in listed}

    def test_a_browser_sees_its_own_session_marked_current(
        self, session: Session, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        here = _browser(session, ada, FIREFOX)
        _browser(session, ada, IPHONE)
        listed = signed_in_sessions.list_sessions(session, principal(session, ada), here)
        assert [(s.device, s.current) for s in listed] == [
            ("Safari on iPhone", False),
            ("Firefox on Linux", True),
        ]

    def test_ended_and_expired_sessions_are_not_listed(
        self, session: Session, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        ended = _browser(session, ada, FIREFOX)
        browser_sessions.end(session, ended)
        expired = _browser(session, ada, IPHONE)
        session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.family_id) == _family(session, expired, ada))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
        assert signed_in_sessions.list_sessions(session, principal(session, ada)) == []

    def test_a_user_agent_with_escape_sequences_is_kept_and_shown_without_them(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        """An attacker signing in sends a user agent with ESC sequences (an OSC 8 link, a
        screen clear), a C1 control (CSI) or a bidi override: before, GET auth/me/sessions
        handed them back raw (run by the terminal of whoever prints the list) and the Security
        page showed them. Now neither the stored row nor the answer has them; a row kept before
        the rule is shown without them too."""
        ada, _ = two
        agent = b"curl/8 \x1b]8;;https://evil.example\x07\x1b[2J Linux"
        r = api_client.post(
            f"{V1}/auth/login",
            json={"email": ada.email, "password": PASSWORD},
            headers={b"User-Agent": agent},  # raw bytes, as any client may send
        )
        assert r.status_code == 200, r.text
        api_client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        _browser(session, ada, "Firefox/133 \x9b2J\x00 on\tLinux")  # a page's sign-in
        old = _browser(session, ada, FIREFOX)
        session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.family_id) == _family(session, old, ada))
            .values(user_agent="Firefox/133 \x1b[2J\u202egnp.exe")
        )
        session.commit()
        listed = api_client.get(SESSIONS).json()
        shown = {s["device"]: s["user_agent"] for s in listed}
        assert shown["curl"] == "curl/8 ]8;;https://evil.example[2J Linux"
        assert shown["Firefox on Linux"] == "Firefox/133 2J on Linux"
        assert shown["Firefox"] == "Firefox/133 [2Jgnp.exe"
        stored = session.exec(select(RefreshToken.user_agent).where(RefreshToken.user_id == ada.id))
        kept = [a for a in stored if a and a.startswith("curl")]
        assert kept == ["curl/8 ]8;;https://evil.example[2J Linux"]

    def test_a_megabyte_user_agent_is_summarised_at_once(self) -> None:
        """A hostile user agent can't make the summary slow (no regular expressions: no
        backtracking) nor make it say anything but the fixed names."""
        started = time.perf_counter()
        for agent in ("Chrome/" * 150_000, "(" * 1_000_000, "<script>alert(1)</script>" * 40_000):
            assert devices.summary(agent) in {"Chrome", devices.UNKNOWN_DEVICE}
        assert time.perf_counter() - started < 1

    def test_a_session_from_before_devices_were_kept_shows_as_unknown(
        self, session: Session, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        old = _browser(session, ada, FIREFOX)
        family = _family(session, old, ada)
        session.execute(
            update(RefreshToken)
            .where(col(RefreshToken.family_id) == family)
            .values(started_at=None, user_agent=None, ip=None)
        )
        session.commit()
        (listed,) = signed_in_sessions.list_sessions(session, principal(session, ada))
        row = session.exec(select(RefreshToken).where(RefreshToken.family_id == family)).one()
        assert listed.device == devices.UNKNOWN_DEVICE and listed.ip is None
        assert listed.started_at == row.issued_at

    def test_an_app_refreshing_its_token_stays_one_session_from_where_it_began(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        first = api_client.post(
            f"{V1}/auth/login",
            json={"email": ada.email, "password": PASSWORD},
            headers={"User-Agent": "python-requests/2.32"},
        ).json()
        refreshed = api_client.post(
            f"{V1}/auth/token/refresh",
            json={"refresh_token": first["refresh_token"]},
            headers={"User-Agent": "something else"},
        ).json()
        api_client.headers["Authorization"] = f"Bearer {refreshed['access_token']}"
        listed = api_client.get(SESSIONS).json()
        assert [(s["device"], s["current"]) for s in listed] == [("Python (requests)", True)]
        assert listed[0]["last_active_at"] is not None  # a refresh is a use


class TestLastActive:
    def test_use_is_noted_at_most_once_per_ten_minutes(
        self, session: Session, two: tuple[User, User], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        ada, _ = two
        token = _browser(session, ada, FIREFOX)
        family = _family(session, token, ada)

        def last_used() -> object:
            session.expire_all()
            return session.exec(
                select(RefreshToken.last_used_at).where(RefreshToken.family_id == family)
            ).one()

        start = utcnow()
        monkeypatch.setattr(session_use, "utcnow", lambda: start)
        browser_sessions.principal_for(session, token)
        session.commit()
        assert last_used() == start
        monkeypatch.setattr(session_use, "utcnow", lambda: start + timedelta(minutes=9))
        browser_sessions.principal_for(session, token)
        session.commit()
        assert last_used() == start  # not written again within ten minutes
        later = start + timedelta(minutes=11)
        monkeypatch.setattr(session_use, "utcnow", lambda: later)
        browser_sessions.principal_for(session, token)
        session.commit()
        assert last_used() == later
        (listed,) = signed_in_sessions.list_sessions(session, principal(session, ada))
        assert listed.last_active_at == later

    def test_an_app_request_notes_its_session_in_use(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        _app_login(api_client, ada)
        assert api_client.get(f"{V1}/auth/me").status_code == 200
        listed = api_client.get(SESSIONS).json()
        assert listed[0]["last_active_at"] is not None


class TestEnding:
    def test_ending_another_session_signs_that_browser_out_at_once_and_is_audited(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        phone = _browser(session, ada, IPHONE)
        family = _family(session, phone, ada)
        _app_login(api_client, ada)
        r = api_client.delete(f"{SESSIONS}/{family}")
        assert r.status_code == 200, r.text
        assert "Safari on iPhone" in r.json()["detail"]
        session.expire_all()
        # The phone's next event finds its session ended (the page guard sends it to sign-in).
        assert not browser_sessions.is_live(session, phone)
        assert [s["device"] for s in api_client.get(SESSIONS).json()] == ["curl"]
        entry = session.exec(select(AuditLog).where(AuditLog.action == "logout.session")).one()
        assert entry.actor_id == ada.id and entry.details["device"] == "Safari on iPhone"
        # Ending it again: it no longer exists.
        again = api_client.delete(f"{SESSIONS}/{family}")
        assert again.status_code == 404 and "already ended" in again.json()["detail"]

    def test_an_ended_app_session_refuses_its_access_token(
        self, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        with TestClient(api_client.app) as laptop, TestClient(api_client.app) as script:
            _app_login(laptop, ada, FIREFOX)
            _app_login(script, ada, "curl/8.5.0")
            other = next(s for s in laptop.get(SESSIONS).json() if not s["current"])
            assert laptop.delete(f"{SESSIONS}/{other['id']}").status_code == 200
            r = script.get(f"{V1}/auth/me")
            assert r.status_code == 401 and "ended" in r.json()["detail"]
            assert laptop.get(f"{V1}/auth/me").status_code == 200

    def test_someone_elses_session_is_404_and_keeps_working(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, bob = two
        bobs = _browser(session, bob, FIREFOX)
        _app_login(api_client, ada)
        r = api_client.delete(f"{SESSIONS}/{_family(session, bobs, bob)}")
        assert r.status_code == 404
        assert r.json()["detail"] == signed_in_sessions.NO_SUCH_SESSION
        unknown = api_client.delete(f"{SESSIONS}/no-such-session")
        assert (unknown.status_code, unknown.json()) == (r.status_code, r.json())
        session.expire_all()
        assert browser_sessions.is_live(session, bobs)
        with pytest.raises(NotFound):
            signed_in_sessions.end_session(
                session, principal(session, ada), _family(session, bobs, bob)
            )

    def test_the_current_session_is_refused_pointing_to_sign_out(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        _app_login(api_client, ada)
        (current,) = api_client.get(SESSIONS).json()
        r = api_client.delete(f"{SESSIONS}/{current['id']}")
        assert r.status_code == 409 and "Sign out" in r.json()["detail"]
        assert api_client.get(f"{V1}/auth/me").status_code == 200
        here = _browser(session, ada, FIREFOX)
        with pytest.raises(Conflict):
            signed_in_sessions.end_session(
                session, principal(session, ada), _family(session, here, ada), here
            )

    def test_an_overlong_id_is_refused_and_an_api_key_may_not_end_sessions(
        self, session: Session, api_client: TestClient, two: tuple[User, User]
    ) -> None:
        ada, _ = two
        _app_login(api_client, ada)
        r = api_client.delete(f"{SESSIONS}/{'x' * 65}")
        assert r.status_code == 422 and "detail" in r.json()
        keyed = Principal(ada.id or 0, ada.email, scopes=frozenset({"read"}))
        with pytest.raises(Forbidden):
            signed_in_sessions.list_sessions(session, keyed)
