"""A lockout an attacker can't turn against the owner, and who a request comes from.

Failures count per account and address: the attacker's address is locked out of the account
while the owner signs in from another network or by e-mailed link; a classroom behind one NAT
address is not throttled; X-Forwarded-For is believed only from TRUSTED_PROXIES.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.api import create_api
from cyberhub.models import AuditLog, OutboxMail, User
from cyberhub.redis_client import get_redis
from cyberhub.services.identity import passwordless
from cyberhub.settings import get_settings
from tests.factories import PASSWORD, make_user
from tests.integration.test_passwordless_api import magic_token, reset_token

pytestmark = [pytest.mark.auth, pytest.mark.integration]

V1 = "/api/v1"
ATTACKER = "198.51.100.66"
OWNER_HOME = "203.0.113.10"
CLASSROOM = "192.0.2.50"
PROXY = "10.0.0.2"


@pytest.fixture
def clients(db_url: str) -> Iterator[dict[str, TestClient]]:
    """API clients connecting from different addresses (the TCP peer)."""
    opened: dict[str, TestClient] = {}

    def make(ip: str) -> TestClient:
        client = TestClient(create_api(), raise_server_exceptions=False, client=(ip, 40000))
        client.__enter__()
        opened[ip] = client
        return client

    class Pool(dict[str, TestClient]):
        def __missing__(self, ip: str) -> TestClient:
            self[ip] = make(ip)
            return self[ip]

    yield Pool()
    for client in opened.values():
        client.__exit__(None, None, None)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **headers: str) -> int:
    r = client.post(
        f"{V1}/auth/login", json={"email": email, "password": password}, headers=headers or None
    )
    return r.status_code


def brute_force(client: TestClient, email: str, attempts: int) -> list[int]:
    return [sign_in(client, email, "Wrong-Guess-123") for _ in range(attempts)]


def audit_ips(session: Session, action: str) -> list[str | None]:
    session.expire_all()
    rows = session.exec(
        select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
    ).all()
    return [str(r.ip) if r.ip else None for r in rows]


def lockout_keys(user_id: int | None) -> dict[str, tuple[object, object, float]]:
    """Every lockout key of the account with its content and the moment it expires (or -1).

    The moment (seconds since the epoch) stays put while nothing writes the key, where its time
    to live would tick down between two readings.
    """
    r = get_redis()
    out: dict[str, tuple[object, object, float]] = {}
    for key in sorted(r.keys(f"cyberhub:lockout:*:{user_id}*")):
        kind = r.type(key)
        content = r.zrange(key, 0, -1, withscores=True) if kind == "zset" else r.get(key)
        left = r.pttl(key)  # -1: the key never expires
        out[key] = (kind, content, time.time() + left / 1000 if left >= 0 else left)
    return out


def assert_unwritten(before: dict[str, tuple[object, object, float]], user_id: int | None) -> None:
    """No lockout key of the account was added, removed, changed or given a new expiry."""
    after = lockout_keys(user_id)
    assert after.keys() == before.keys()
    for key, (kind, content, expires) in after.items():
        assert (kind, content) == before[key][:2], key
        assert abs(expires - before[key][2]) < 0.5, key  # reading the clock twice drifts a little


class TestOwnerIsNotLockedOut:
    def test_the_attackers_address_is_locked_while_the_owner_signs_in_from_home(
        self, clients: dict[str, TestClient], student_user: User, session: Session
    ) -> None:
        attacker = clients[ATTACKER]
        assert brute_force(attacker, student_user.email, 5) == [401] * 5
        # Locked for the attacker's address, even with the right password now.
        r = attacker.post(
            f"{V1}/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert r.status_code == 423 and int(r.headers["Retry-After"]) > 0
        assert "from your network" in r.json()["detail"]
        assert "e-mailed link" in r.json()["detail"]
        # The owner, from another network, is not affected.
        assert sign_in(clients[OWNER_HOME], student_user.email) == 200
        # ... and their success does not unlock the attacker's address.
        assert sign_in(attacker, student_user.email) == 423
        locked = session.exec(select(AuditLog).where(AuditLog.action == "account.locked")).all()
        assert [(str(e.ip), e.details["scope"]) for e in locked] == [(ATTACKER, "source")]

    def test_the_owner_signs_in_by_email_link_from_the_attackers_network(
        self, clients: dict[str, TestClient], student_user: User, session: Session
    ) -> None:
        # A classroom: the attacker and the owner share one address.
        shared = clients[CLASSROOM]
        brute_force(shared, student_user.email, 5)
        assert sign_in(shared, student_user.email) == 423
        r = shared.post(f"{V1}/auth/magic-link", json={"email": student_user.email})
        assert r.status_code == 202
        token = magic_token(session, student_user.email)
        r = shared.post(f"{V1}/auth/magic-link/verify", json={"token": token})
        assert r.status_code == 200, r.text
        assert r.json()["user"]["email"] == student_user.email

    def test_a_spread_out_attack_pauses_passwords_but_not_the_link(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(get_settings(), "lockout_account_threshold", 6)
        for i in range(3):  # three addresses, two guesses each: no address reaches 5
            assert brute_force(clients[f"198.51.100.{i + 1}"], student_user.email, 2) == [401] * 2
        r = clients[OWNER_HOME].post(
            f"{V1}/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert r.status_code == 423 and "paused" in r.json()["detail"]
        passwordless.request_magic_link(session, email=student_user.email)
        session.commit()
        token = magic_token(session, student_user.email)
        r = clients[OWNER_HOME].post(f"{V1}/auth/magic-link/verify", json={"token": token})
        assert r.status_code == 200, r.text
        # The owner is back in: password sign-in works again everywhere.
        assert sign_in(clients[OWNER_HOME], student_user.email) == 200

    @pytest.mark.parametrize("reset_from", [OWNER_HOME, "192.0.2.77"])
    def test_a_password_reset_lets_the_owner_sign_in_where_they_were_locked_out(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        session: Session,
        reset_from: str,
    ) -> None:
        """The owner forgot their password, locked their home network out with wrong guesses
        and reset it (from home, or from their phone's network): the new password signs in at
        home at once, as the reset clears the lockout."""
        home = clients[OWNER_HOME]
        assert brute_force(home, student_user.email, 5) == [401] * 5
        assert sign_in(home, student_user.email) == 423
        clients[reset_from].post(f"{V1}/auth/password-reset", json={"email": student_user.email})
        new_password = "Another-Long-Passphrase-42"
        r = clients[reset_from].post(
            f"{V1}/auth/password-reset/confirm",
            json={"token": reset_token(session, student_user.email), "new_password": new_password},
        )
        assert r.status_code == 200, r.text
        assert sign_in(home, student_user.email, new_password) == 200

    def test_an_admin_unlock_lifts_the_lock_for_every_address(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        admin_client: TestClient,
    ) -> None:
        brute_force(clients[ATTACKER], student_user.email, 5)
        detail = admin_client.get(f"{V1}/users/{student_user.id}").json()
        assert detail["locked"] is True and detail["locked_sources"] == [ATTACKER]
        # The users list says so too, as the account's page does (and no one else is locked).
        found = admin_client.get(f"{V1}/users", params={"page_size": 100}).json()["items"]
        assert {u["email"]: u["locked"] for u in found} == {
            student_user.email: True,
            "admin@test.example.org": False,
        }
        r = admin_client.post(f"{V1}/users/{student_user.id}/unlock")
        assert r.status_code == 200 and r.json()["locked"] is False
        found = admin_client.get(f"{V1}/users", params={"q": student_user.email}).json()["items"]
        assert found[0]["locked"] is False
        assert admin_client.get(f"{V1}/users/{student_user.id}").json()["locked"] is False
        assert sign_in(clients[ATTACKER], student_user.email) == 200


class TestAddressLockIndex:
    """The admin console finds an account's address locks through an index kept with them, not
    by walking Redis' whole keyspace (Reflex's state and the job queues live there too)."""

    def test_locks_are_found_and_lifted_without_walking_the_keyspace(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        admin_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def walk(*_: object, **__: object) -> None:
            raise AssertionError("SCAN over the keyspace in a request")

        for name in ("scan", "scan_iter"):
            monkeypatch.setattr(redis.Redis, name, walk)
        brute_force(clients[ATTACKER], student_user.email, 5)
        brute_force(clients[CLASSROOM], student_user.email, 2)  # counted, not locked
        detail = admin_client.get(f"{V1}/users/{student_user.id}").json()
        assert detail["locked"] is True and detail["locked_sources"] == [ATTACKER]
        found = admin_client.get(f"{V1}/users", params={"q": student_user.email}).json()["items"]
        assert found[0]["locked"] is True
        assert admin_client.post(f"{V1}/users/{student_user.id}/unlock").json()["locked"] is False
        found = admin_client.get(f"{V1}/users", params={"q": student_user.email}).json()["items"]
        assert found[0]["locked"] is False
        assert sign_in(clients[ATTACKER], student_user.email) == 200
        # The unlock also cleared the classroom's count: three more wrong guesses don't lock it.
        assert brute_force(clients[CLASSROOM], student_user.email, 3) == [401] * 3
        assert sign_in(clients[CLASSROOM], student_user.email) == 200
        assert get_redis().keys(f"cyberhub:lockout:*:{student_user.id}*") == []

    def test_a_lock_that_ended_is_not_shown_and_leaves_the_index_at_its_next_write(
        self, clients: dict[str, TestClient], student_user: User, admin_client: TestClient
    ) -> None:
        brute_force(clients[ATTACKER], student_user.email, 5)
        index = f"cyberhub:lockout:locked:{student_user.id}"
        assert get_redis().zrange(index, 0, -1) == [ATTACKER]
        # The index lasts as long as its latest lock (to the next whole second).
        assert 0 < get_redis().ttl(index) <= get_settings().lockout_minutes * 60 + 1
        # The lock's key is gone (expired or evicted), and an entry's time has passed.
        get_redis().delete(f"cyberhub:lockout:lock:{student_user.id}:{ATTACKER}")
        get_redis().zadd(index, {"192.0.2.9": time.time() - 1})
        before = lockout_keys(student_user.id)
        detail = admin_client.get(f"{V1}/users/{student_user.id}").json()
        assert detail["locked"] is False and detail["locked_sources"] == []
        found = admin_client.get(f"{V1}/users", params={"q": student_user.email}).json()["items"]
        assert found[0]["locked"] is False
        assert_unwritten(before, student_user.id)  # reading wrote nothing
        assert sign_in(clients[ATTACKER], student_user.email) == 200
        # The next lock taken prunes the index: only the live lock is left in it.
        brute_force(clients[CLASSROOM], student_user.email, 5)
        assert get_redis().zrange(index, 0, -1) == [CLASSROOM]
        detail = admin_client.get(f"{V1}/users/{student_user.id}").json()
        assert detail["locked_sources"] == [CLASSROOM]


class TestClassroomBehindOneAddress:
    def test_forty_learners_sign_in_within_a_minute_but_one_account_is_not_brute_forced(
        self, clients: dict[str, TestClient], session: Session
    ) -> None:
        learners = [make_user(session, f"learner{i}@class.example.org") for i in range(40)]
        classroom = clients[CLASSROOM]
        assert [sign_in(classroom, u.email) for u in learners] == [200] * 40
        target = learners[0].email
        results = brute_force(classroom, target, 12)
        assert results[:5] == [401] * 5
        assert set(results[5:]) <= {423, 429}  # locked, then throttled
        # Everyone else in the room still signs in.
        assert sign_in(classroom, learners[1].email) == 200

    def test_attempts_per_account_and_address_are_limited(
        self, clients: dict[str, TestClient], student_user: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "auth_rate_limit_per_account_per_minute", 3)
        client = clients[CLASSROOM]
        assert [sign_in(client, student_user.email) for _ in range(3)] == [200] * 3
        r = client.post(
            f"{V1}/auth/login", json={"email": student_user.email, "password": PASSWORD}
        )
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert sign_in(clients[OWNER_HOME], student_user.email) == 200  # another address

    def test_the_per_address_ceiling_still_applies(
        self, clients: dict[str, TestClient], session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(get_settings(), "auth_rate_limit_per_minute", 5)
        learners = [make_user(session, f"l{i}@class.example.org") for i in range(6)]
        results = [sign_in(clients[CLASSROOM], u.email) for u in learners]
        assert results == [200] * 5 + [429]


class TestForwardedFor:
    def test_ignored_from_a_client_that_is_not_a_trusted_proxy(
        self, clients: dict[str, TestClient], student_user: User, session: Session
    ) -> None:
        attacker = clients[ATTACKER]
        # Rotating a made-up X-Forwarded-For does not escape the lock ...
        for i in range(6):
            sign_in(
                attacker,
                student_user.email,
                "Wrong-Guess-123",
                **{"X-Forwarded-For": f"192.0.2.{i}"},
            )
        assert sign_in(attacker, student_user.email, **{"X-Forwarded-For": "192.0.2.200"}) == 423
        # ... and the audit log records the real peer, not the claim.
        assert set(audit_ips(session, "login.failure")) == {ATTACKER}

    def test_honoured_from_a_trusted_proxy(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/24")
        proxy = clients[PROXY]
        # Behind the proxy each client has its own address: the attacker's lock is theirs only.
        for _ in range(5):
            sign_in(proxy, student_user.email, "Wrong-Guess-123", **{"X-Forwarded-For": ATTACKER})
        assert sign_in(proxy, student_user.email, **{"X-Forwarded-For": ATTACKER}) == 423
        assert sign_in(proxy, student_user.email, **{"X-Forwarded-For": OWNER_HOME}) == 200
        assert set(audit_ips(session, "login.failure")) == {ATTACKER}
        assert audit_ips(session, "login.success") == [OWNER_HOME]

    def test_a_client_cannot_prepend_its_way_past_the_proxy(
        self,
        clients: dict[str, TestClient],
        student_user: User,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", PROXY)
        # The client sent "X-Forwarded-For: 192.0.2.1"; the proxy appended the real address.
        forwarded = f"192.0.2.1, {ATTACKER}"
        assert sign_in(clients[PROXY], student_user.email, **{"X-Forwarded-For": forwarded}) == 200
        assert audit_ips(session, "login.success") == [ATTACKER]

    def test_security_emails_name_the_real_address(
        self, clients: dict[str, TestClient], student_user: User, session: Session
    ) -> None:
        client = clients[OWNER_HOME]
        client.post(f"{V1}/auth/password-reset", json={"email": student_user.email})
        r = client.post(
            f"{V1}/auth/password-reset/confirm",
            json={
                "token": reset_token(session, student_user.email),
                "new_password": "Another-Long-Passphrase-42",
            },
            headers={"X-Forwarded-For": "192.0.2.99"},
        )
        assert r.status_code == 200, r.text
        notice = session.exec(select(OutboxMail).where(OutboxMail.kind == "security_notice")).one()
        assert f"from {OWNER_HOME}" in notice.body and "192.0.2.99" not in notice.body
