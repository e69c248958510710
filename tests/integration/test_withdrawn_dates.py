"""Withdrawn enrolments keep their date (issue 15 item 1, migration 0024): set when a director
withdraws a learner, cleared when they are enrolled again, shown on the roster; migration 0024
backfills it from the audit trail and leaves it empty (the page says "date unknown") when no
record of the withdrawal exists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cyberhub import migrate
from cyberhub.models import Enrollment
from cyberhub.models.base import utcnow
from cyberhub.services.learning import analytics, enrollment
from tests.factories import World, enroll, id_of, make_user

pytestmark = [pytest.mark.integration]

LEFT = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)


def _enrolment(session: Session, cohort_id: int, student_id: int) -> Enrollment:
    row = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort_id, Enrollment.student_id == student_id
        )
    ).one()
    session.refresh(row)
    return row


def test_withdrawing_sets_the_date_the_roster_shows_and_enrolling_again_clears_it(
    session: Session, world: World
) -> None:
    d = world.p(session, world.director)
    cid, sid = id_of(world.cohort), id_of(world.student)
    before = utcnow()
    enrollment.unenroll(session, d, cid, sid)
    session.commit()
    left = _enrolment(session, cid, sid).withdrawn_at
    assert left is not None and before <= left <= utcnow()
    [gone] = analytics.cohort_roster(session, d, cid, status="withdrawn").items
    assert (gone.student_id, gone.withdrawn_at) == (sid, left)

    enrollment.enroll(session, d, cid, world.student.email)
    session.commit()
    again = _enrolment(session, cid, sid)
    assert (again.status, again.withdrawn_at) == ("active", None)
    assert analytics.cohort_roster(session, d, cid, status="withdrawn").items == []


def test_asking_for_the_withdrawn_lists_them_whatever_include_withdrawn_says(
    session: Session, world: World
) -> None:
    """The roster leaves the withdrawn out by default (the API's include_withdrawn=false) but a
    filter on status=withdrawn lists them: the service decides it, for the API and the page."""
    d = world.p(session, world.director)
    cid, sid = id_of(world.cohort), id_of(world.student)
    enrollment.unenroll(session, d, cid, sid)
    session.commit()
    every = analytics.cohort_roster(session, d, cid, include_withdrawn=False)
    assert sid not in {e.student_id for e in every.items}
    asked = analytics.cohort_roster(session, d, cid, status="withdrawn", include_withdrawn=False)
    assert [e.student_id for e in asked.items] == [sid]


def rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql)).all()]
    session.commit()
    return out


def test_migration_0024_backfills_from_the_audit_trail_else_leaves_it_unknown(
    session: Session, world: World, db_url: str
) -> None:
    cid = id_of(world.cohort)
    unknown = make_user(session, "left.unrecorded@example.org", "student")
    enroll(session, world.cohort, unknown, status="withdrawn")
    session.commit()
    migrate.downgrade(db_url, "0023")
    # The director's withdrawal, as enrollment.unenroll audited it before 0024.
    session.execute(
        text(
            "UPDATE enrollments SET status = 'withdrawn' WHERE student_id = :s AND cohort_id = :c"
        ),
        {"s": id_of(world.student), "c": cid},
    )
    for at, student in ((LEFT - timedelta(days=9), world.student2), (LEFT, world.student)):
        session.execute(
            text(
                "INSERT INTO audit_logs (created_at, action, actor_id, target_type, target_id, "
                "details, user_agent) VALUES (:at, 'enrollment.withdrawn', :a, 'cohort', "
                ":c, CAST(:d AS jsonb), '')"
            ),
            {
                "at": at,
                "a": id_of(world.director),
                "c": str(cid),
                "d": f'{{"student_id": {id_of(student)}}}',
            },
        )
    session.commit()
    migrate.upgrade(db_url, "0024")
    found = dict(
        rows(
            session,
            f"SELECT student_id, withdrawn_at FROM enrollments WHERE cohort_id = {cid}",
        )
    )
    # student2 is still active: their old audit entry (an earlier withdrawal) gives no date.
    assert found == {
        id_of(world.student): LEFT,
        id_of(world.student2): None,
        id_of(unknown): None,
    }
    migrate.upgrade(db_url, "head")
