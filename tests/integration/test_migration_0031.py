"""Migration 0031: a director's nudge records its organisation. Each nudge made before takes the
organisation of the cohort its audit entry ("learner.nudged") names — the learner's entry
nearest in time — so the learner's "Nudged today" stays with the organisation that nudged them;
a nudge with no such entry counts for no organisation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from tests.factories import World, id_of, make_cohort

pytestmark = [pytest.mark.integration]


def rows(session: Session, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql), params).all()]
    session.commit()
    return out


def test_each_earlier_nudge_takes_its_audited_cohorts_organisation(
    session: Session, world: World, db_url: str
) -> None:
    coast = make_cohort(session, world.other_program, name="Coast cohort")
    session.commit()
    here, there = id_of(world.cohort), id_of(coast)
    learner, other = id_of(world.student), id_of(world.student2)
    migrate.downgrade(db_url, "0030")
    for user, cohort, at in [
        (learner, here, "2026-03-10 09:00"),
        (learner, there, "2026-03-11 09:00"),
        (other, None, "2026-03-11 10:00"),  # no audit entry
    ]:
        session.execute(
            text(
                "INSERT INTO notifications (user_id, kind, title, body, link, created_at) "
                "VALUES (:u, 'director_nudge', 'A note', '', '', CAST(:at AS timestamptz))"
            ),
            {"u": user, "at": at},
        )
        if cohort is not None:
            session.execute(
                text(
                    "INSERT INTO audit_logs (created_at, action, target_type, target_id, "
                    "user_agent, details) VALUES (CAST(:at AS timestamptz) + interval '1 second',"
                    " 'learner.nudged', 'user', :t, '', CAST(:d AS jsonb))"
                ),
                {"at": at, "t": str(user), "d": f'{{"cohort_id": {cohort}}}'},
            )
    session.commit()
    migrate.upgrade(db_url, "0031")
    assert rows(
        session, "SELECT user_id, organization_id FROM notifications ORDER BY created_at"
    ) == [(learner, id_of(world.org)), (learner, id_of(world.other_org)), (other, None)]
    migrate.upgrade(db_url, "head")
