"""MFA secrets are encrypted at rest: the raw columns, sign-in, key rotation, migration 0009."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from types import ModuleType

import psycopg
import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.models import User, crypto
from cyberhub.services.identity import mfa
from cyberhub.settings import ROOT, get_settings
from tests.factories import PASSWORD, libpq, with_db
from tests.fakes import SecretKeys
from tests.integration.test_mfa_api import MFA, enrol, login
from tests.totp import Clock, code

pytestmark = [pytest.mark.auth, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_KEY = "the-rotated-secret-key-of-this-server-987654321"


def raw(session: Session, user_id: int) -> tuple[str | None, str | None]:
    row = session.connection().execute(
        text("SELECT mfa_secret, mfa_pending_secret FROM users WHERE id = :id"), {"id": user_id}
    )
    secret, pending = row.one()
    return secret, pending


def write_raw(session: Session, user_id: int, secret: str) -> None:
    session.connection().execute(
        text("UPDATE users SET mfa_secret = :s WHERE id = :id"), {"s": secret, "id": user_id}
    )
    session.commit()


def foreign_token(secret: str) -> str:
    """`secret` encrypted with a key this server does not know (a lost SECRET_KEY)."""
    return Fernet(crypto.derive_key("a-key-nobody-kept")).encrypt(secret.encode()).decode()


class TestAtRest:
    def test_the_raw_columns_hold_tokens_that_decrypt_to_the_secret(
        self, student_client: TestClient, student_user: User, session: Session, clock: Clock
    ) -> None:
        assert student_user.id is not None
        pending = student_client.post(f"{MFA}/enroll").json()["secret"]
        stored_secret, stored_pending = raw(session, student_user.id)
        assert stored_secret is None
        assert stored_pending and stored_pending != pending and pending not in stored_pending
        assert crypto.decrypt(stored_pending) == pending
        session.rollback()

        r = student_client.post(
            f"{MFA}/verify", json={"code": code(pending, -1, at=clock.now), "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        stored_secret, stored_pending = raw(session, student_user.id)
        assert stored_pending is None
        assert stored_secret and stored_secret != pending and pending not in stored_secret
        assert crypto.decrypt(stored_secret) == pending
        # The ORM still hands the services the plain base32 secret.
        session.expire_all()
        assert session.get(User, student_user.id).mfa_secret == pending  # type: ignore[union-attr]

    def test_signing_in_with_a_totp_code_still_works(
        self, student_client: TestClient, student_user: User, clock: Clock
    ) -> None:
        secret, _ = enrol(student_client, clock)
        assert login(student_client, student_user.email).status_code == 401
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 200 and r.json()["access_token"]


class TestKeyRotation:
    def test_a_secret_from_a_previous_key_works_when_that_key_is_listed(
        self,
        student_client: TestClient,
        student_user: User,
        session: Session,
        clock: Clock,
        secret_keys: SecretKeys,
    ) -> None:
        assert student_user.id is not None
        secret, _ = enrol(student_client, clock)
        old_key = get_settings().secret_key
        old_token, _ = raw(session, student_user.id)
        session.rollback()
        secret_keys(NEW_KEY, f"retired-key, {old_key}")
        clock.advance()
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 200, r.text
        # Untouched by the sign-in: still readable with the previous key only.
        assert raw(session, student_user.id)[0] == old_token

    def test_without_the_previous_key_sign_in_says_so_with_a_4xx(
        self,
        student_client: TestClient,
        student_user: User,
        session: Session,
        clock: Clock,
        secret_keys: SecretKeys,
    ) -> None:
        secret, recovery = enrol(student_client, clock)
        secret_keys(NEW_KEY)
        clock.advance()
        r = login(student_client, student_user.email)
        assert r.status_code == 401 and r.json()["mfa_required"] is True  # MFA is still on
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 409, r.text
        assert r.json() == {"detail": mfa.KEY_CHANGED}
        assert "server's key changed" in r.json()["detail"]
        # Not the user's fault: it does not count toward the lockout.
        session.expire_all()
        assert session.get(User, student_user.id).failed_login_count == 0  # type: ignore[union-attr]
        # Recovery codes are hashed, not encrypted: they still get the user in.
        assert login(student_client, student_user.email, recovery[0]).status_code == 200


class TestUndecryptableValue:
    def test_sign_in_answers_409_with_the_message_not_500(
        self, student_client: TestClient, student_user: User, session: Session, clock: Clock
    ) -> None:
        assert student_user.id is not None
        secret, _ = enrol(student_client, clock)
        write_raw(session, student_user.id, foreign_token(secret))
        r = login(student_client, student_user.email, code(secret, at=clock.now))
        assert r.status_code == 409 and r.json()["detail"] == mfa.KEY_CHANGED

    def test_the_account_still_loads_elsewhere_and_keeps_its_token(
        self,
        student_client: TestClient,
        admin_client: TestClient,
        student_user: User,
        session: Session,
        clock: Clock,
    ) -> None:
        assert student_user.id is not None
        secret, _ = enrol(student_client, clock)
        token = foreign_token(secret)
        write_raw(session, student_user.id, token)
        r = admin_client.get(f"/api/v1/users/{student_user.id}")
        assert r.status_code == 200 and r.json()["mfa_enabled"] is True
        assert student_client.get(MFA).json()["enabled"] is True
        # A sign-in with a password only updates other columns: the token is kept as it was.
        login(student_client, student_user.email)
        assert raw(session, student_user.id)[0] == token

    def test_an_unreadable_pending_secret_asks_to_start_again(
        self, student_client: TestClient, student_user: User, session: Session, clock: Clock
    ) -> None:
        assert student_user.id is not None
        pending = student_client.post(f"{MFA}/enroll").json()["secret"]
        session.connection().execute(
            text("UPDATE users SET mfa_pending_secret = :s WHERE id = :id"),
            {"s": foreign_token(pending), "id": student_user.id},
        )
        session.commit()
        r = student_client.post(
            f"{MFA}/verify", json={"code": code(pending, at=clock.now), "password": PASSWORD}
        )
        assert r.status_code == 422 and r.json()["detail"] == mfa.RESTART_SETUP
        enrol(student_client, clock)  # starting again works


# -- migration 0009 ----------------------------------------------------------------------------


def _migration() -> ModuleType:
    path = ROOT / "alembic" / "versions" / "0009_encrypt_mfa_secrets.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def empty_db(pg_admin_url: str) -> Iterator[str]:
    name = f"migrate_{os.getpid()}"
    with psycopg.connect(libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield with_db(pg_admin_url, name)
    with psycopg.connect(libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestMigration:
    def test_upgrade_encrypts_plain_rows_and_downgrade_restores_them(self, empty_db: str) -> None:
        migrate.upgrade(empty_db, "0008")
        engine = create_engine(empty_db)
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO users (email, full_name, is_active, created_at, "
                        "failed_login_count, mfa_secret, mfa_pending_secret) VALUES "
                        "('on@example.org', '', true, now(), 0, :s, NULL), "
                        "('pending@example.org', '', true, now(), 0, NULL, :p), "
                        "('off@example.org', '', true, now(), 0, NULL, NULL)"
                    ),
                    {"s": SECRET, "p": "KRSXG5CTMVRXEZLU"},
                )
            migrate.upgrade(empty_db, "0009")
            with engine.begin() as conn:
                rows: dict[str, tuple[str | None, str | None]] = {
                    email: (secret, pending)
                    for email, secret, pending in conn.execute(
                        text("SELECT email, mfa_secret, mfa_pending_secret FROM users")
                    )
                }
                kind = conn.execute(
                    text(
                        "SELECT data_type FROM information_schema.columns "
                        "WHERE table_name = 'users' AND column_name = 'mfa_secret'"
                    )
                ).scalar()
            assert kind == "text"
            on, pending, off = (
                rows["on@example.org"],
                rows["pending@example.org"],
                rows["off@example.org"],
            )
            assert on[0] and on[0] != SECRET and crypto.decrypt(on[0]) == SECRET and on[1] is None
            assert pending[0] is None and pending[1]
            assert crypto.decrypt(pending[1]) == "KRSXG5CTMVRXEZLU"
            assert off == (None, None)

            # Re-running the data step leaves already-encrypted values alone.
            with engine.begin() as conn:
                assert _migration().encrypt_existing(conn) == 0
                assert (
                    conn.execute(
                        text("SELECT mfa_secret FROM users WHERE email = 'on@example.org'")
                    ).scalar()
                    == on[0]
                )

            migrate.downgrade(empty_db, "0008")
            with engine.begin() as conn:
                back = conn.execute(
                    text("SELECT mfa_secret, mfa_pending_secret FROM users ORDER BY id")
                ).all()
                length = conn.execute(
                    text(
                        "SELECT character_maximum_length FROM information_schema.columns "
                        "WHERE table_name = 'users' AND column_name = 'mfa_secret'"
                    )
                ).scalar()
            assert [tuple(r) for r in back] == [
                (SECRET, None),
                (None, "KRSXG5CTMVRXEZLU"),
                (None, None),
            ]
            assert length == 64
        finally:
            engine.dispose()

    def test_downgrade_refuses_a_token_it_cannot_decrypt(self, session: Session) -> None:
        session.connection().execute(
            text(
                "INSERT INTO users (email, full_name, is_active, created_at, failed_login_count, "
                "mfa_secret) VALUES ('lost@example.org', '', true, now(), 0, :s)"
            ),
            {"s": foreign_token(SECRET)},
        )
        with pytest.raises(RuntimeError, match="cannot be decrypted"):
            _migration().decrypt_existing(session.connection())
        session.rollback()
