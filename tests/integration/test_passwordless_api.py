"""auth/magic-link*, auth/password-reset* and the per-IP rate limit of the auth endpoints."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, ConsentRecord, OneTimeToken, OutboxMail, User
from cyberhub.models.base import utcnow
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import RateLimited
from cyberhub.services.identity import passwordless
from cyberhub.settings import get_settings
from tests.factories import PASSWORD, login

pytestmark = [pytest.mark.auth, pytest.mark.integration]

API = "/api/v1/auth"
NEW_PASSWORD = "violet-harbour-lantern-58"
UNKNOWN = "nobody.here@example.org"


def mails(session: Session, to: str) -> list[OutboxMail]:
    """Messages to `to`, newest first (read through a fresh transaction)."""
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMail)
            .where(OutboxMail.to_email == to.lower())
            .order_by(col(OutboxMail.id).desc())
        ).all()
    )


def link_token(session: Session, to: str, path: str) -> str:
    """The token of the newest link to `path` mailed to `to`."""
    for mail in mails(session, to):
        found = re.search(rf"{re.escape(path)}/([A-Za-z0-9_-]+)", mail.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no {path} link mailed to {to}")


def magic_token(session: Session, to: str) -> str:
    return link_token(session, to, "/auth/magic")


def reset_token(session: Session, to: str) -> str:
    return link_token(session, to, "/password-reset")


def actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.exec(select(AuditLog.action).order_by(col(AuditLog.id))).all())


def expired_token(session: Session, purpose: str, user: User) -> str:
    token = f"expired-{uuid.uuid4().hex}"
    session.add(
        OneTimeToken(
            purpose=purpose,
            token_hash=passwordless.hash_token(token),
            email=user.email,
            user_id=user.id,
            created_at=utcnow() - timedelta(hours=2),
            expires_at=utcnow() - timedelta(minutes=1),
        )
    )
    session.commit()
    return token


class TestMagicLinkSignIn:
    def test_link_signs_in_an_existing_user(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        r = api_client.post(f"{API}/magic-link", json={"email": student_user.email.upper()})
        assert r.status_code == 202
        assert r.json() == {"detail": "If that address can sign in, a link is on its way."}
        [mail] = mails(session, student_user.email)
        assert mail.subject == "Your CyberHub sign-in link" and mail.kind == "magic_link"
        assert get_settings().base_url + "/auth/magic/" in mail.body
        assert "15 minutes" in mail.body
        token = magic_token(session, student_user.email)
        # Only the hash is stored.
        row = session.exec(select(OneTimeToken)).one()
        assert row.token_hash == passwordless.hash_token(token) and token not in row.token_hash
        assert row.purpose == "magic_link" and row.user_id == student_user.id
        assert timedelta(minutes=14) < row.expires_at - row.created_at <= timedelta(minutes=15)

        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]
        assert body["user"]["id"] == student_user.id and body["user"]["roles"] == ["student"]
        assert body["new_account"] is False and body["redirect_url"] == "/dashboard"
        me = api_client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["email"] == student_user.email
        assert {"magic_link.requested", "magic_link.used", "login.success"} <= set(actions(session))

    def test_same_answer_whether_or_not_the_email_exists(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        known = api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        unknown = api_client.post(f"{API}/magic-link", json={"email": UNKNOWN})
        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json()
        assert set(known.headers) == set(unknown.headers)

    def test_link_is_single_use(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        token = magic_token(session, student_user.email)
        assert api_client.post(f"{API}/magic-link/verify", json={"token": token}).status_code == 200
        again = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert again.status_code == 401
        assert "already used" in again.json()["detail"]
        assert again.headers["www-authenticate"] == "Bearer"

    def test_using_a_link_spends_the_older_ones(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        older = magic_token(session, student_user.email)
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        newer = magic_token(session, student_user.email)
        assert older != newer
        assert api_client.post(f"{API}/magic-link/verify", json={"token": newer}).status_code == 200
        assert api_client.post(f"{API}/magic-link/verify", json={"token": older}).status_code == 401

    def test_expired_link_is_refused_and_audited(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        token = expired_token(session, "magic_link", student_user)
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 401
        assert "expired" in r.json()["detail"] and "new one" in r.json()["detail"]
        assert "magic_link.failed" in actions(session)

    def test_unknown_token_is_401(self, api_client: TestClient) -> None:
        r = api_client.post(f"{API}/magic-link/verify", json={"token": "not-a-real-token"})
        assert r.status_code == 401 and "not valid" in r.json()["detail"]

    def test_a_link_made_with_expiry_in_the_past_expires(
        self, api_client: TestClient, student_user: User, session: Session, monkeypatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "magic_link_minutes", 0)
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        token = magic_token(session, student_user.email)
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 401 and "expired" in r.json()["detail"]

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/magic-link", {}, "email"),
            ("/magic-link", {"email": "x" * 400}, "email"),
            ("/magic-link/verify", {}, "token"),
            ("/magic-link/verify", {"token": ""}, "token"),
            ("/magic-link/verify", {"token": "t" * 201}, "token"),
        ],
    )
    def test_bad_input_is_422_naming_the_field(
        self, api_client: TestClient, path: str, body: dict[str, str], field: str
    ) -> None:
        r = api_client.post(API + path, json=body)
        assert r.status_code == 422
        assert field in r.json()["detail"]

    def test_malformed_email_is_422_with_a_message(self, api_client: TestClient) -> None:
        r = api_client.post(f"{API}/magic-link", json={"email": "not-an-email"})
        assert r.status_code == 422 and "email address" in r.json()["detail"]

    def test_disabled_account_gets_no_link_but_the_same_answer(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        student_user.is_active = False
        session.add(student_user)
        session.commit()
        r = api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        assert r.status_code == 202 and r.json()["detail"] == passwordless.REQUEST_ANSWER
        assert mails(session, student_user.email) == []

    def test_too_many_links_for_one_address_send_no_more_mail(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        for _ in range(passwordless.MAILS_PER_ADDRESS + 2):
            r = api_client.post(f"{API}/magic-link", json={"email": student_user.email})
            assert r.status_code == 202 and r.json()["detail"] == passwordless.REQUEST_ANSWER
        assert len(mails(session, student_user.email)) == passwordless.MAILS_PER_ADDRESS

    def test_a_locked_account_still_signs_in_by_link(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        # Password sign-in paused for everyone (a spread-out attack): the mailbox's owner is
        # still let in, and the pause ends.
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        token = magic_token(session, student_user.email)
        student_user.locked_until = utcnow() + timedelta(minutes=10)
        session.add(student_user)
        session.commit()
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 200, r.text
        session.refresh(student_user)
        assert student_user.locked_until is None


class TestMagicLinkWithMfa:
    @pytest.fixture
    def secret(self, student_user: User, session: Session) -> str:
        secret = pyotp.random_base32()
        student_user.mfa_secret = secret
        student_user.mfa_enabled_at = utcnow()
        session.add(student_user)
        session.commit()
        return secret

    def test_the_link_is_only_the_first_factor(
        self, api_client: TestClient, student_user: User, session: Session, secret: str
    ) -> None:
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        token = magic_token(session, student_user.email)
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 401 and r.json()["mfa_required"] is True
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token, "mfa_code": "000000"})
        assert r.status_code == 401 and r.json()["mfa_required"] is True
        assert "not valid" in r.json()["detail"]
        # The link was not spent by the attempts without the right code.
        code = pyotp.TOTP(secret).now()
        r = api_client.post(f"{API}/magic-link/verify", json={"token": token, "mfa_code": code})
        assert r.status_code == 200, r.text
        assert r.json()["user"]["id"] == student_user.id
        session.expire_all()
        failures = session.exec(select(AuditLog).where(AuditLog.action == "login.failure")).all()
        assert [f.details.get("reason") for f in failures] == ["bad mfa code"]


class TestMagicLinkSignUp:
    def test_unknown_address_gets_a_sign_up_link_that_needs_consent(
        self, api_client: TestClient, session: Session, test_organization
    ) -> None:
        r = api_client.post(f"{API}/magic-link", json={"email": "New.Person@Example.org"})
        assert r.status_code == 202
        [mail] = mails(session, "new.person@example.org")
        assert mail.subject == "Finish creating your CyberHub account"
        token = magic_token(session, "new.person@example.org")

        r = api_client.post(f"{API}/magic-link/verify", json={"token": token})
        assert r.status_code == 422 and "terms" in r.json()["detail"]
        r = api_client.post(
            f"{API}/magic-link/verify", json={"token": token, "consents": ["terms"]}
        )
        assert r.status_code == 422 and "privacy" in r.json()["detail"]
        assert (
            session.exec(select(User).where(User.email == "new.person@example.org")).first() is None
        )

        r = api_client.post(
            f"{API}/magic-link/verify",
            json={
                "token": token,
                "consents": ["terms", "privacy", "ai_profiling"],
                "full_name": "New Person",
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["new_account"] is True and body["redirect_url"] == "/onboarding/ai-profiler"
        assert body["user"]["roles"] == ["student"] and body["user"]["full_name"] == "New Person"
        session.expire_all()
        user = session.exec(select(User).where(User.email == "new.person@example.org")).one()
        assert user.password_hash is None  # a passwordless account
        kinds = session.exec(
            select(ConsentRecord.kind).where(ConsentRecord.user_id == user.id)
        ).all()
        assert sorted(kinds) == ["ai_profiling", "privacy", "terms"]
        assert {"user.signup", "magic_link.used"} <= set(actions(session))
        # Single use: the account exists now and the link is spent.
        again = api_client.post(
            f"{API}/magic-link/verify", json={"token": token, "consents": ["terms", "privacy"]}
        )
        assert again.status_code == 401

    def test_passwordless_user_can_set_a_password_by_reset(
        self, api_client: TestClient, session: Session
    ) -> None:
        api_client.post(f"{API}/magic-link", json={"email": "linkonly@example.org"})
        token = magic_token(session, "linkonly@example.org")
        api_client.post(
            f"{API}/magic-link/verify", json={"token": token, "consents": ["terms", "privacy"]}
        )
        api_client.post(f"{API}/password-reset", json={"email": "linkonly@example.org"})
        r = api_client.post(
            f"{API}/password-reset/confirm",
            json={
                "token": reset_token(session, "linkonly@example.org"),
                "new_password": NEW_PASSWORD,
            },
        )
        assert r.status_code == 200
        login(api_client, "linkonly@example.org", NEW_PASSWORD)


class TestPasswordReset:
    def test_request_mails_a_link_and_answers_the_same_for_unknown_addresses(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        known = api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        unknown = api_client.post(f"{API}/password-reset", json={"email": UNKNOWN})
        assert known.status_code == unknown.status_code == 202
        assert known.json() == unknown.json() == {"detail": passwordless.RESET_ANSWER}
        [mail] = mails(session, student_user.email)
        assert mail.subject == "Reset your CyberHub password" and "1 hour" in mail.body
        assert mails(session, UNKNOWN) == []
        row = session.exec(select(OneTimeToken)).one()
        assert row.purpose == "password_reset"
        assert timedelta(minutes=59) < row.expires_at - row.created_at <= timedelta(hours=1)
        assert actions(session).count("password_reset.requested") == 2

    def test_reset_changes_the_password_and_ends_every_session(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        first = login(api_client, student_user.email)
        second = login(api_client, student_user.email)
        student_user.failed_login_count = 3
        student_user.first_failed_login_at = utcnow()
        session.add(student_user)
        session.commit()
        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        token = reset_token(session, student_user.email)

        r = api_client.post(
            f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert "Sign in with your new password" in r.json()["detail"]
        for pair in (first, second):
            refresh = api_client.post(
                f"{API}/token/refresh", json={"refresh_token": pair["refresh_token"]}
            )
            assert refresh.status_code == 401
        old = api_client.post(
            f"{API}/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert old.status_code == 401
        login(api_client, student_user.email, NEW_PASSWORD)
        session.expire_all()
        user = session.get(User, student_user.id)
        assert user is not None and user.failed_login_count == 0 and user.locked_until is None
        assert "password.reset" in actions(session)
        notice = mails(session, student_user.email)[0]
        assert notice.subject == "Your CyberHub password was changed"
        assert notice.kind == "security_notice"

    def test_reset_unlocks_a_locked_account(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        student_user.locked_until = utcnow() + timedelta(minutes=10)
        session.add(student_user)
        session.commit()
        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        r = api_client.post(
            f"{API}/password-reset/confirm",
            json={"token": reset_token(session, student_user.email), "new_password": NEW_PASSWORD},
        )
        assert r.status_code == 200
        login(api_client, student_user.email, NEW_PASSWORD)

    def test_weak_password_is_422_and_the_link_still_works(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        token = reset_token(session, student_user.email)
        r = api_client.post(
            f"{API}/password-reset/confirm", json={"token": token, "new_password": "short"}
        )
        assert r.status_code == 422 and "at least 10" in r.json()["detail"]
        r = api_client.post(
            f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert r.status_code == 200

    def test_link_is_single_use(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        token = reset_token(session, student_user.email)
        body = {"token": token, "new_password": NEW_PASSWORD}
        assert api_client.post(f"{API}/password-reset/confirm", json=body).status_code == 200
        again = api_client.post(
            f"{API}/password-reset/confirm",
            json={"token": token, "new_password": "another-strong-phrase-77"},
        )
        assert again.status_code == 401 and "already used" in again.json()["detail"]
        login(api_client, student_user.email, NEW_PASSWORD)

    def test_expired_link_is_refused(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        token = expired_token(session, "password_reset", student_user)
        r = api_client.post(
            f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert r.status_code == 401 and "expired" in r.json()["detail"]
        assert "password_reset.failed" in actions(session)
        login(api_client, student_user.email, PASSWORD)  # unchanged

    def test_a_magic_link_token_is_not_a_reset_token(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        token = magic_token(session, student_user.email)
        r = api_client.post(
            f"{API}/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert r.status_code == 401

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/password-reset", {}, "email"),
            ("/password-reset/confirm", {"token": "abc"}, "new_password"),
            ("/password-reset/confirm", {"new_password": NEW_PASSWORD}, "token"),
            (
                "/password-reset/confirm",
                {"token": "abc", "new_password": "p" * 300},
                "new_password",
            ),
        ],
    )
    def test_bad_input_is_422_naming_the_field(
        self, api_client: TestClient, path: str, body: dict[str, str], field: str
    ) -> None:
        r = api_client.post(API + path, json=body)
        assert r.status_code == 422
        assert field in r.json()["detail"]


class TestRateLimit:
    ENDPOINTS = [
        ("/login", {"email": UNKNOWN, "password": "wrong-password-1"}),
        ("/signup", {"email": "x@example.org", "password": "short"}),
        ("/token/refresh", {"refresh_token": "nope"}),
        ("/magic-link", {"email": UNKNOWN}),
        ("/magic-link/verify", {"token": "nope"}),
        ("/password-reset", {"email": UNKNOWN}),
        ("/password-reset/confirm", {"token": "nope", "new_password": NEW_PASSWORD}),
    ]

    @pytest.mark.parametrize(("path", "body"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
    def test_every_auth_endpoint_answers_429_with_retry_after(
        self, api_client: TestClient, monkeypatch, path: str, body: dict[str, str]
    ) -> None:
        monkeypatch.setattr(get_settings(), "auth_rate_limit_per_minute", 2)
        for _ in range(2):
            assert api_client.post(API + path, json=body).status_code != 429
        r = api_client.post(API + path, json=body)
        assert r.status_code == 429
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        assert "Too many attempts" in r.json()["detail"]
        # Bad input counts too (the limit runs before the body is looked at).
        assert api_client.post(API + path, json={}).status_code == 429

    def test_the_limit_is_per_endpoint(self, api_client: TestClient, monkeypatch) -> None:
        monkeypatch.setattr(get_settings(), "auth_rate_limit_per_minute", 1)
        assert api_client.post(f"{API}/magic-link", json={"email": UNKNOWN}).status_code == 202
        assert api_client.post(f"{API}/magic-link", json={"email": UNKNOWN}).status_code == 429
        assert api_client.post(f"{API}/password-reset", json={"email": UNKNOWN}).status_code == 202

    def test_the_default_limit_does_not_trip_normal_use(
        self, api_client: TestClient, student_user: User
    ) -> None:
        assert get_settings().auth_rate_limit_per_minute == 120
        assert get_settings().auth_rate_limit_per_account_per_minute == 10
        for _ in range(10):
            login(api_client, student_user.email)


class TestLimiter:
    """The sliding window itself (on the session's Redis)."""

    def test_limit_attempts_per_window_then_retry_after(self, redis_url: str) -> None:
        key = f"test:{uuid.uuid4().hex}"
        rate_limit.hit(key, 2, 60, now=1000.0)
        rate_limit.hit(key, 2, 60, now=1010.0)
        with pytest.raises(RateLimited) as refused:
            rate_limit.hit(key, 2, 60, now=1020.0)
        assert refused.value.retry_after == 40  # when the attempt at 1000 leaves the window
        assert "40 seconds" in refused.value.message
        # Refused attempts are not counted; the oldest leaves the window at 1060.
        rate_limit.hit(key, 2, 60, now=1061.0)
        with pytest.raises(RateLimited) as refused:
            rate_limit.hit(key, 2, 60, now=1062.0)
        assert refused.value.retry_after == 8  # the attempt at 1010 leaves at 1070

    def test_no_burst_at_a_window_boundary(self, redis_url: str) -> None:
        key = f"test:{uuid.uuid4().hex}"
        for t in (50.0, 55.0, 59.0):
            rate_limit.hit(key, 3, 60, now=t)
        # A fixed window would start afresh at 60; a sliding window does not.
        with pytest.raises(RateLimited):
            rate_limit.hit(key, 3, 60, now=61.0)

    def test_keys_are_independent(self, redis_url: str) -> None:
        a, b = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
        rate_limit.hit(a, 1, 60)
        assert not rate_limit.allow(a, 1, 60)
        assert rate_limit.allow(b, 1, 60)


LOCAL = RequestMeta(ip="127.0.0.1", local=True)


def mailbox(meta: RequestMeta, to: str = "") -> list[OutboxMail]:
    """What /dev/mailbox lists for a request with `meta` (the page shows this service's answer)."""
    from cyberhub import db
    from cyberhub.services.messaging import mail

    with db.session_scope() as session:
        return mail.dev_mailbox(session, meta, to=to)


class TestDevMailbox:
    def test_lists_newest_first_with_links_split_out(
        self, api_client: TestClient, student_user: User
    ) -> None:
        from cyberhub.pages.mailbox import body_parts

        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        api_client.post(f"{API}/magic-link", json={"email": student_user.email})
        api_client.post(f"{API}/magic-link", json={"email": UNKNOWN})
        listed = mailbox(LOCAL, student_user.email)
        assert [m.subject for m in listed] == [
            "Your CyberHub sign-in link",
            "Reset your CyberHub password",
        ]
        parts = body_parts(listed[0].body)  # how the page renders the body: links as <a>
        links = [p["href"] for p in parts if p["href"]]
        assert len(links) == 1 and "/auth/magic/" in links[0]
        assert "".join(p["text"] for p in parts).startswith("Hello")
        assert len(mailbox(LOCAL)) == 3

    def test_refused_in_production(self, db_url: str, monkeypatch) -> None:
        from cyberhub.services.errors import NotFound

        monkeypatch.setattr(get_settings(), "cyberhub_env", "production")
        with pytest.raises(NotFound, match="no dev mailbox"):
            mailbox(LOCAL)

    def test_refused_when_switched_off(self, db_url: str, monkeypatch) -> None:
        from cyberhub.services.errors import NotFound

        monkeypatch.setattr(get_settings(), "dev_mailbox", False)
        with pytest.raises(NotFound):
            mailbox(LOCAL)

    @pytest.mark.parametrize(
        ("peer", "headers"),
        [
            ("203.0.113.9", {}),  # another machine
            ("10.0.0.7", {}),
            # A reverse proxy on this machine relays someone else's request.
            ("127.0.0.1", {"x-forwarded-for": "203.0.113.9"}),
            ("127.0.0.1", {"forwarded": "for=203.0.113.9"}),
            ("127.0.0.1", {"x-real-ip": "203.0.113.9"}),
            (None, {}),
        ],
    )
    def test_refused_to_a_client_that_is_not_on_this_machine(
        self,
        api_client: TestClient,
        student_user: User,
        peer: str | None,
        headers: dict[str, str],
    ) -> None:
        from cyberhub.services import network
        from cyberhub.services.errors import Forbidden

        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        meta = network.request_meta(peer, headers)
        with pytest.raises(Forbidden, match="only shown to browsers on this machine"):
            mailbox(meta, student_user.email)

    def test_shown_on_this_machine_over_ipv6_too(
        self, api_client: TestClient, student_user: User
    ) -> None:
        from cyberhub.services import network

        api_client.post(f"{API}/password-reset", json={"email": student_user.email})
        assert len(mailbox(network.request_meta("::1", {}))) == 1


class TestCopiedLinksEndWithEverySession:
    @pytest.mark.parametrize("ending", ["password change", "sign out everywhere"])
    def test_links_copied_from_the_mailbox_stop_working(
        self, api_client: TestClient, student_user: User, session: Session, ending: str
    ) -> None:
        """Someone with a moment at the owner's mailbox asks for a reset link and a sign-in
        link and copies them. The owner, warned by those mails, changes the password (or signs
        out everywhere). Before: the copied links still worked for up to an hour (the
        attacker's own password, or a session). Now both answer 401 "expired"."""
        email = student_user.email
        api_client.post(f"{API}/password-reset", json={"email": email})
        api_client.post(f"{API}/magic-link", json={"email": email})
        reset, magic = reset_token(session, email), magic_token(session, email)
        owner = {"Authorization": f"Bearer {login(api_client, email)['access_token']}"}
        if ending == "password change":
            body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
            r = api_client.post(f"{API}/me/password", json=body, headers=owner)
        else:
            r = api_client.post(f"{API}/logout-everywhere", headers=owner)
        assert r.status_code in (200, 204), r.text
        stolen = api_client.post(
            f"{API}/password-reset/confirm",
            json={"token": reset, "new_password": "attacker-owns-this-now-99"},
        )
        assert stolen.status_code == 401 and "expired" in stolen.json()["detail"]
        stolen = api_client.post(f"{API}/magic-link/verify", json={"token": magic})
        assert stolen.status_code == 401 and "expired" in stolen.json()["detail"]
        # A link asked for afterwards works as ever.
        api_client.post(f"{API}/magic-link", json={"email": email})
        fresh = api_client.post(
            f"{API}/magic-link/verify", json={"token": magic_token(session, email)}
        )
        assert fresh.status_code == 200, fresh.text

    def test_a_link_opened_as_every_session_ends_is_refused(
        self, api_client: TestClient, student_user: User, session: Session
    ) -> None:
        """A link being opened at the moment the owner signs out everywhere holds its row, so
        the expiry skips it (waiting would deadlock). Before: it then signed in (or set a
        password) after every session had ended. Now opening it re-reads the account once it
        holds it and refuses a link older than the sign-out, as an expired one."""
        email = student_user.email
        api_client.post(f"{API}/password-reset", json={"email": email})
        api_client.post(f"{API}/magic-link", json={"email": email})
        reset, magic = reset_token(session, email), magic_token(session, email)
        # What the sign-out left behind for a link it skipped: the account's sessions end now,
        # the link itself is untouched (not expired, not used).
        user = session.get(User, student_user.id)
        assert user is not None
        user.sessions_valid_after = utcnow()
        session.add(user)
        session.commit()
        stolen = api_client.post(
            f"{API}/password-reset/confirm",
            json={"token": reset, "new_password": "attacker-owns-this-now-99"},
        )
        assert stolen.status_code == 401
        assert stolen.json()["detail"] == "This password reset link has expired. Request a new one."
        stolen = api_client.post(f"{API}/magic-link/verify", json={"token": magic})
        assert stolen.status_code == 401
        assert stolen.json()["detail"] == "This sign-in link has expired. Request a new one."
        assert login(api_client, email)  # the password is still the owner's
        # A link asked for afterwards works as ever.
        api_client.post(f"{API}/magic-link", json={"email": email})
        fresh = api_client.post(
            f"{API}/magic-link/verify", json={"token": magic_token(session, email)}
        )
        assert fresh.status_code == 200, fresh.text
