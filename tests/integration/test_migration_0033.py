"""Migration 0033: a certificate's dates are stored. Each certificate made before takes the days
it showed until then — issued (and revoked) in its holder's time zone — and a holder with no
zone, or one PostgreSQL does not know, gets the UTC days rather than a failed migration."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from tests.factories import World, id_of, make_user

pytestmark = [pytest.mark.integration]


def rows(session: Session, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql), params).all()]
    session.commit()
    return out


def test_each_earlier_certificate_keeps_the_days_it_showed_in_its_holders_zone(
    session: Session, world: World, db_url: str
) -> None:
    nobody = make_user(session, "no.zone@example.org")
    session.commit()
    zones = {
        id_of(world.student): "Pacific/Auckland",
        id_of(world.student2): "Mars/Olympus_Mons",  # not a zone PostgreSQL knows
        id_of(nobody): None,
    }
    for user, zone in zones.items():
        session.execute(
            text("UPDATE users SET time_zone = :z WHERE id = :u"), {"z": zone, "u": user}
        )
    session.commit()
    migrate.downgrade(db_url, "0032")
    # 12:30 UTC on 12 Nov is the 13th in Auckland; revoked at 20:00 UTC on the 20th, the 21st.
    for code, user, revoked_at in [
        ("auckland-code", id_of(world.student), "2026-11-20 20:00"),
        ("unknown-zone-code", id_of(world.student2), None),
        ("no-zone-code", id_of(nobody), "2026-11-20 20:00"),
    ]:
        session.execute(
            text(
                "INSERT INTO certificates (code, user_id, cohort_id, track_id, missions,"
                " issued_at, revoked_at, revoke_reason) VALUES (:c, :u, :k, :t, '[]',"
                " CAST('2026-11-12 12:30+00' AS timestamptz),"
                " CAST(:r AS timestamp) AT TIME ZONE 'UTC', '')"
            ),
            {
                "c": code,
                "u": user,
                "k": id_of(world.cohort),
                "t": id_of(world.builders),
                "r": revoked_at,
            },
        )
    session.commit()
    migrate.upgrade(db_url, "0033")
    assert rows(session, "SELECT code, issued_on, revoked_on FROM certificates ORDER BY id") == [
        ("auckland-code", date(2026, 11, 13), date(2026, 11, 21)),
        ("unknown-zone-code", date(2026, 11, 12), None),
        ("no-zone-code", date(2026, 11, 12), date(2026, 11, 20)),
    ]
    assert rows(
        session,
        "SELECT is_nullable FROM information_schema.columns"
        " WHERE table_name = 'certificates' AND column_name = 'issued_on'",
    ) == [("NO",)]
    migrate.upgrade(db_url, "head")
