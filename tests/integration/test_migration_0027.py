"""Migration 0027: text stored before the text rule loses its invisible characters, as
`text.printable` would write it out (a name that reads backwards, a terminal colour code, a
Windows line break); a row whose cleaned text would be another row's unique value keeps its own;
the audit log stays as recorded."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.services import text as text_rule
from tests.factories import make_user

pytestmark = [pytest.mark.integration]

REVERSED = "Eve\u202egnp.exe"
COLOURED = "Line one\r\nLine two\x1b[31m red\u2029after\x85"
AUDITED = "curl\x1b[2J\u202e"


def _one(session: Session, sql: str, **params: Any) -> Any:
    value = session.execute(text(sql), params).scalar_one()
    session.commit()
    return value


def test_stored_text_is_cleaned_as_printable_writes_it(session: Session, db_url: str) -> None:
    eve = make_user(session, "eve@example.org", "student")
    twin = make_user(session, "twin@example.org", "student")
    audit_id = _one(
        session,
        "INSERT INTO audit_logs (created_at, action, target_type, target_id, user_agent, details)"
        " VALUES (now(), 'sign_in', 'user', :id, :ua, '{}') RETURNING id",
        id=str(eve.id),
        ua=AUDITED,
    )
    migrate.downgrade(db_url, "0026")
    for user_id, column, value in [
        (eve.id, "full_name", REVERSED),
        (twin.id, "email", "eve@example.org\u202e"),  # cleaned, it would be Eve's address
    ]:
        session.execute(
            text(f"UPDATE users SET {column} = :v WHERE id = :id"), {"v": value, "id": user_id}
        )
    org_id = session.execute(
        text(
            "INSERT INTO organizations (name, slug, description, created_at) "
            "VALUES ('Acme\u2066 Labs', 'acme-0027', :d, now()) RETURNING id"
        ),
        {"d": COLOURED},
    ).scalar_one()
    session.commit()

    migrate.upgrade(db_url, "0027")
    assert _one(session, "SELECT full_name FROM users WHERE id = :id", id=eve.id) == "Evegnp.exe"
    name, about = session.execute(
        text("SELECT name, description FROM organizations WHERE id = :id"), {"id": org_id}
    ).one()
    session.commit()
    assert name == "Acme Labs"
    assert about == text_rule.printable(COLOURED) == "Line one\nLine two[31m red\nafter"
    # Two accounts can't share an address: the second keeps its text (and its sign-in).
    assert _one(session, "SELECT email FROM users WHERE id = :id", id=twin.id) == (
        "eve@example.org\u202e"
    )
    assert _one(session, "SELECT email FROM users WHERE id = :id", id=eve.id) == "eve@example.org"
    ua = _one(session, "SELECT user_agent FROM audit_logs WHERE id = :id", id=audit_id)
    assert ua == AUDITED  # evidence stays as recorded
    migrate.upgrade(db_url)
