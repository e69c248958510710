"""Migration 0036: a users.time_zone stored before zones were checked ("posix/Europe/Paris",
which the setting once accepted, "localtime", anything) becomes the zone it copies, or empty (no
zone: UTC, the browser's stored at the next sign-in), audited. Afterwards SQL reads every stored
zone as it is (services/pg_zones): a director's analytics, the open cohorts' list and the
snapshots load, and learners' days are counted in the zone they meant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from cyberhub import migrate
from cyberhub.models import AuditLog, Enrollment, Submission, SubmissionStatus, User
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.services.learning import analytics, applications
from cyberhub.settings import get_settings
from tests.factories import World, cohorts_begun_by, id_of, make_cohort, make_user, principal

pytestmark = [pytest.mark.integration]

# 23:30 UTC on 12 March is already 13 March in Paris.
NOW = datetime(2026, 3, 12, 23, 30, tzinfo=UTC)
BEFORE = {  # stored -> after the migration
    "posix/Europe/Paris": "Europe/Paris",
    "right/UTC": "UTC",
    "localtime": "",
    "posix/posixrules": "",
    "GMT": "",  # PostgreSQL and zoneinfo know it, the picker does not offer it
    "Mars/Olympus_Mons": "",
    "Africa/Nairobi": "Africa/Nairobi",
    "": "",
}


def _stored_before_0036(session: Session, db_url: str, zones: dict[int, str | None]) -> None:
    """The rows as they were before the check (written at revision 0035), then migrated."""
    migrate.downgrade(db_url, "0035")
    for user_id, name in zones.items():
        session.execute(
            text("UPDATE users SET time_zone = :z WHERE id = :u"), {"z": name, "u": user_id}
        )
    session.commit()
    migrate.upgrade(db_url, "0036")
    session.expire_all()


def test_odd_zones_become_the_zone_they_copy_or_none_audited(session: Session, db_url: str) -> None:
    users = {name: make_user(session, f"u{i}@example.org") for i, name in enumerate(BEFORE)}
    nobody = make_user(session, "none@example.org")
    session.commit()
    zones: dict[int, str | None] = {id_of(u): name for name, u in users.items()}
    _stored_before_0036(session, db_url, zones | {id_of(nobody): None})

    after = {name: session.get(User, id_of(u)).time_zone for name, u in users.items()}  # type: ignore[union-attr]
    assert after == BEFORE
    assert session.get(User, id_of(nobody)).time_zone is None  # type: ignore[union-attr]
    entries = session.exec(
        select(AuditLog).where(AuditLog.action == "user.time_zone_changed")
    ).all()
    assert {
        (e.actor_id, e.target_type, e.target_id, e.details["previous"], e.details["time_zone"])
        for e in entries
    } == {
        (None, "user", str(id_of(users[old])), old, new)
        for old, new in BEFORE.items()
        if old != new
    }
    assert {e.details["source"] for e in entries} == {"migration"}
    migrate.upgrade(db_url, "head")


def test_learners_days_are_counted_in_the_zone_they_meant(
    session: Session, world: World, db_url: str
) -> None:
    _stored_before_0036(
        session,
        db_url,
        {id_of(world.student): "posix/Europe/Paris", id_of(world.student2): "Mars/Olympus_Mons"},
    )
    migrate.upgrade(db_url, "head")
    cohorts_begun_by(session, date(2026, 1, 1))
    for row in session.exec(
        select(Enrollment).where(
            col(Enrollment.student_id).in_([id_of(world.student), id_of(world.student2)])
        )
    ).all():
        row.enrolled_at = datetime(2026, 2, 1, 12, tzinfo=UTC)  # 1 February in both zones
        session.add(row)
    session.commit()
    director = principal(session, world.director)
    rows = analytics.program_analytics(
        session, director, id_of(world.program), AnalyticsFilters(), now=NOW
    ).at_risk
    reasons = {r.student_id: [x.label for x in r.reasons] for r in rows}
    assert reasons[id_of(world.student)] == ["No activity for 40 days"]  # 13 March in Paris
    assert reasons[id_of(world.student2)] == ["No activity for 39 days"]  # UTC: 12 March


def test_a_director_who_had_an_odd_zone_reads_analytics_open_cohorts_and_snapshots(
    session: Session, world: World, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Spring open")
    applications.set_enrolment(
        session, principal(session, world.director), id_of(cohort), mode="open", capacity=5
    )
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
    _stored_before_0036(session, db_url, {id_of(world.director): "posix/Europe/Paris"})
    migrate.upgrade(db_url, "head")
    director = principal(session, world.director)
    assert director.time_zone == "Europe/Paris"
    data = analytics.program_analytics(
        session, director, id_of(world.program), AnalyticsFilters(), now=NOW
    )
    assert sum(w.active_learners for w in data.weekly) == 1
    offers = applications.open_cohorts(session, principal(session, world.outsider_student)).items
    assert [o.name for o in offers] == ["Spring open"]
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "1")
    get_settings.cache_clear()
    try:
        assert id_of(world.program) in analytics.refresh_snapshots(session, now=NOW).refreshed
    finally:
        get_settings.cache_clear()
