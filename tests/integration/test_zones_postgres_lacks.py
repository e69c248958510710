"""Time zone names Python's tz database knows but PostgreSQL's does not ("posix/Europe/Paris",
which the time zone setting accepted before it took only the offered IANA names, or a name
stored before it checked at all): SQL that reads days in
a stored zone (services/pg_zones) uses UTC for it, as migration 0033 did, so a director's
analytics, the open cohorts' list and the analytics snapshots still load (before, PostgreSQL
refused the name and the whole query failed: a 500).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub import db
from cyberhub.models import Enrollment, Submission, SubmissionStatus, User
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.services.learning import analytics, applications
from cyberhub.settings import get_settings
from tests.factories import World, id_of, make_cohort, principal

pytestmark = [pytest.mark.integration]

NOW = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)
ACCEPTED_HERE_ONLY = "posix/Europe/Paris"  # a file of the system's tz data: zoneinfo reads it
STORED_BEFORE_CHECKS = "Mars/Olympus_Mons"


def _store_zone(user: User, name: str) -> None:
    """Written in another transaction, as a row from before zones were checked."""
    with db.session_scope() as other:
        other.exec(update(User).where(col(User.id) == id_of(user)).values(time_zone=name))


def _inactive_since_enrolling(session: Session, *users: User) -> None:
    for row in session.exec(
        select(Enrollment).where(col(Enrollment.student_id).in_([id_of(u) for u in users]))
    ).all():
        row.enrolled_at = NOW - timedelta(days=40)
        session.add(row)
    session.commit()


def _some_work(session: Session, world: World) -> None:
    """A draft started a week ago: a week of activity to count."""
    session.add(
        Submission(
            student_id=id_of(world.student),
            mission_id=id_of(world.m1),
            attempt=1,
            status=SubmissionStatus.draft,
            answer="work",
            created_at=NOW - timedelta(days=7),
        )
    )
    session.commit()


def test_at_risk_learners_in_zones_postgres_lacks_are_counted_in_utc(
    session: Session, world: World
) -> None:
    _store_zone(world.student, ACCEPTED_HERE_ONLY)
    _store_zone(world.student2, STORED_BEFORE_CHECKS)
    _inactive_since_enrolling(session, world.student, world.student2)
    session.expire_all()
    director = principal(session, world.director)
    rows = analytics.program_analytics(
        session, director, id_of(world.program), AnalyticsFilters(), now=NOW
    ).at_risk
    reasons = {r.student_id: [x.label for x in r.reasons] for r in rows}
    assert reasons[id_of(world.student)] == ["No activity for 40 days"]
    assert reasons[id_of(world.student2)] == ["No activity for 40 days"]


def test_a_director_in_a_zone_postgres_lacks_reads_their_analytics(
    session: Session, world: World
) -> None:
    _some_work(session, world)
    _store_zone(world.director, ACCEPTED_HERE_ONLY)
    session.expire_all()
    director = principal(session, world.director)
    data = analytics.program_analytics(
        session, director, id_of(world.program), AnalyticsFilters(), now=NOW
    )
    assert sum(w.active_learners for w in data.weekly) == 1  # in weeks of the UTC calendar


def test_open_cohorts_of_a_director_in_a_zone_postgres_lacks_are_listed(
    session: Session, world: World
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Spring open")
    applications.set_enrolment(
        session, principal(session, world.director), id_of(cohort), mode="open", capacity=5
    )
    session.commit()
    _store_zone(world.director, ACCEPTED_HERE_ONLY)
    session.expire_all()
    offers = applications.open_cohorts(session, principal(session, world.outsider_student))
    assert [o.name for o in offers] == ["Spring open"]


def test_snapshots_refresh_with_a_director_in_a_zone_postgres_lacks(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "1")
    get_settings.cache_clear()
    try:
        _some_work(session, world)
        _store_zone(world.director, ACCEPTED_HERE_ONLY)
        session.expire_all()
        done = analytics.refresh_snapshots(session, now=NOW)
        assert id_of(world.program) in done.refreshed
    finally:
        get_settings.cache_clear()
