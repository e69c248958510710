"""Migration 0029: an admin grant that named one organization becomes the global grant it always
acted as (an admin who also held the global one keeps only that; one with several scoped grants
keeps the first, made global); other roles in organizations are left as they were."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.models import Organization
from tests.factories import id_of, make_user

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def rows(session: Session, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql), params).all()]
    session.commit()
    return out


def test_scoped_admin_grants_become_global(session: Session, db_url: str) -> None:
    org_a, org_b = (
        Organization(name="Org A", slug="org-a"),
        Organization(name="Org B", slug="org-b"),
    )
    session.add_all([org_a, org_b])
    session.commit()
    a, b = id_of(org_a), id_of(org_b)
    scoped = make_user(session, "scoped@example.org")  # admin in Org A only
    both = make_user(session, "both@example.org", "admin")  # global, and in Org A too
    twice = make_user(session, "twice@example.org")  # admin in Org A and in Org B
    director = make_user(session, "director@example.org", "director", organization_id=a)
    migrate.downgrade(db_url, "0028")
    for user, org, reason in [
        (scoped, a, "runs Org A"),
        (both, a, "also Org A"),
        (twice, b, "first Org B"),
        (twice, a, "then Org A"),
    ]:
        session.execute(
            text(
                "INSERT INTO role_assignments (user_id, role, organization_id, reason, created_at) "
                "VALUES (:u, 'admin', :o, :r, now())"
            ),
            {"u": id_of(user), "o": org, "r": reason},
        )
    session.commit()
    migrate.upgrade(db_url, "0029")

    def grants(user_id: int) -> list[tuple[Any, ...]]:
        return rows(
            session,
            "SELECT role, organization_id, reason FROM role_assignments WHERE user_id = :u "
            "ORDER BY id",
            u=user_id,
        )

    assert grants(id_of(scoped)) == [("admin", None, "runs Org A")]
    assert [g[:2] for g in grants(id_of(both))] == [("admin", None)]
    assert grants(id_of(twice)) == [("admin", None, "first Org B")]
    assert [g[:2] for g in grants(id_of(director))] == [("director", a)]
    assert rows(
        session,
        "SELECT count(*) FROM role_assignments WHERE role = 'admin' "
        "AND organization_id IS NOT NULL",
    ) == [(0,)]
    migrate.downgrade(db_url, "0028")
    migrate.upgrade(db_url, "head")
    assert grants(id_of(scoped)) == [("admin", None, "runs Org A")]
