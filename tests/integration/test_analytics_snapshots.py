"""Programme analytics snapshots (issue 15, "programme analytics at 400 cohorts"): a programme
with at least ANALYTICS_SNAPSHOT_MIN_COHORTS cohorts shows its unfiltered figures from the
worker's snapshot — the very figures the live computation gives on the same data — with the
time they describe; today's nudges, filtered views and stale snapshots stay live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from cyberhub.models import (
    ProfilerResult,
    ProfilerSession,
    ProfilerStatus,
    ProgramAnalyticsSnapshot,
    Review,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.analytics import AnalyticsFilters, ProgramAnalytics
from cyberhub.services.learning import analytics
from cyberhub.settings import get_settings
from tests.factories import World, id_of

pytestmark = [pytest.mark.integration]

ALL = AnalyticsFilters()


@pytest.fixture
def snapshots_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every programme with 2 cohorts or more is "big" (the world's programme has two)."""
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def work(session: Session, world: World, now: datetime) -> None:
    """A bit of everything each block counts: a profile, an approval with its review, work
    waiting for a review, an old "changes requested", and a learner inactive for weeks."""
    ps = ProfilerSession(
        user_id=id_of(world.student), bank_version="1", status=ProfilerStatus.completed
    )
    session.add(ps)
    session.flush()
    session.add(
        ProfilerResult(
            session_id=id_of(ps),
            user_id=id_of(world.student),
            primary_track="builders",
            secondary_track="leaders",
            confidence="low",
        )
    )

    def sub(student: User, mission: int, status: SubmissionStatus, days: float) -> Submission:
        at = now - timedelta(days=days)
        row = Submission(
            student_id=id_of(student),
            mission_id=mission,
            status=status,
            answer="work",
            created_at=at - timedelta(hours=2),
            submitted_at=at,
            decided_at=at + timedelta(hours=5) if status != SubmissionStatus.submitted else None,
        )
        session.add(row)
        session.flush()
        return row

    done = sub(world.student, id_of(world.m1), SubmissionStatus.approved, 20)
    assert done.submitted_at is not None
    session.add(
        Review(
            submission_id=id_of(done),
            mentor_id=id_of(world.mentor),
            decision="approved",
            created_at=done.submitted_at + timedelta(hours=5),
        )
    )
    sub(world.student, id_of(world.m2), SubmissionStatus.changes_requested, 12)
    sub(world.student2, id_of(world.m3), SubmissionStatus.submitted, 2)
    sub(world.outsider_student, id_of(world.m1), SubmissionStatus.approved, 30)
    session.commit()


def as_shown(data: ProgramAnalytics) -> dict[str, object]:
    return data.model_dump(mode="json", exclude={"as_of"})


def test_the_snapshot_shows_exactly_the_live_figures_with_their_time(
    session: Session, world: World, snapshots_on: None
) -> None:
    now = utcnow()
    work(session, world, now)
    d = world.p(session, world.director)
    pid = id_of(world.program)
    live = analytics.program_analytics(session, d, pid, ALL, now=now)
    assert live.as_of is None and live.at_risk and live.turnaround and live.weekly

    result = analytics.refresh_snapshots(session, now=now)
    session.commit()
    assert list(result.refreshed) == [pid]
    kept = analytics.program_analytics(session, d, pid, ALL, now=now)
    assert kept.as_of == now
    assert as_shown(kept) == as_shown(live)

    # Work after the snapshot shows after the next refresh, not before.
    later = now + timedelta(minutes=1)
    extra = Submission(
        student_id=id_of(world.student2),
        mission_id=id_of(world.m1),
        status=SubmissionStatus.submitted,
        answer="more",
        created_at=later,
        submitted_at=later,
    )
    session.add(extra)
    session.commit()
    assert analytics.program_analytics(session, d, pid, ALL, now=later).backlog == live.backlog
    analytics.refresh_snapshots(session, now=later)
    session.commit()
    fresh = analytics.program_analytics(session, d, pid, ALL, now=later)
    assert fresh.as_of == later
    assert sum(b.submissions for b in fresh.backlog) == sum(b.submissions for b in live.backlog) + 1


def test_the_snapshot_keeps_the_weeks_of_each_readers_zone(
    session: Session, world: World, snapshots_on: None
) -> None:
    """Work on Sunday 22:30 UTC is on Monday in Nairobi: a director there reads it in the
    week after, from the snapshot as live; an admin in Lima, whose zone no director has, too."""
    now = utcnow()
    for user, tz in ((world.director, "Africa/Nairobi"), (world.admin, "America/Lima")):
        user.time_zone = tz
        session.add(user)
    monday = (now - timedelta(days=now.weekday() + 7)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    sunday_night = monday - timedelta(minutes=90)
    session.add(
        Submission(
            student_id=id_of(world.student),
            mission_id=id_of(world.m1),
            status=SubmissionStatus.submitted,
            answer="work",
            created_at=sunday_night,
            submitted_at=sunday_night,
        )
    )
    session.commit()
    pid = id_of(world.program)
    analytics.refresh_snapshots(session, now=now)
    session.commit()
    for user, week in (
        (world.director, monday.date()),
        (world.admin, monday.date() - timedelta(days=7)),
    ):
        p = world.p(session, user)
        kept = analytics.program_analytics(session, p, pid, ALL, now=now)
        assert kept.as_of == now
        assert [w.week for w in kept.weekly if w.submissions] == [week]
        live = analytics.program_analytics(
            session, p, pid, AnalyticsFilters(cohort_id=id_of(world.cohort)), now=now
        )
        assert [w.week for w in live.weekly if w.submissions] == [week]


def test_a_slower_refresh_never_replaces_a_newer_snapshot(
    session: Session, world: World, snapshots_on: None
) -> None:
    """Two refreshes at once (the scheduler's and a retry): the one computed first but written
    last leaves the newer figures in place."""
    now = utcnow()
    work(session, world, now)
    d = world.p(session, world.director)
    pid = id_of(world.program)
    analytics.refresh_snapshots(session, now=now)
    session.commit()
    analytics.refresh_snapshots(session, now=now - timedelta(seconds=30))
    session.commit()
    assert analytics.program_analytics(session, d, pid, ALL, now=now).as_of == now


def test_nudges_filters_and_stale_snapshots_are_live(
    session: Session, world: World, snapshots_on: None
) -> None:
    now = utcnow()
    work(session, world, now)
    d = world.p(session, world.director)
    pid = id_of(world.program)
    analytics.refresh_snapshots(session, now=now)
    session.commit()
    kept = analytics.program_analytics(session, d, pid, ALL, now=now)
    target = kept.at_risk[0]
    assert not target.nudged_today
    analytics.nudge(session, d, target.student_id, cohort_id=target.cohort_id, now=now)
    session.commit()
    again = analytics.program_analytics(session, d, pid, ALL, now=now)
    assert again.as_of == now
    assert {r.student_id for r in again.at_risk if r.nudged_today} == {target.student_id}

    one = analytics.program_analytics(
        session, d, pid, AnalyticsFilters(cohort_id=id_of(world.cohort)), now=now
    )
    assert one.as_of is None

    old = now - timedelta(seconds=get_settings().analytics_snapshot_max_age_seconds + 1)
    row = session.get(ProgramAnalyticsSnapshot, pid)
    assert row is not None
    row.computed_at = old
    session.add(row)
    session.commit()
    assert analytics.program_analytics(session, d, pid, ALL, now=now).as_of is None

    # Another organisation's director reads nothing through the snapshot either.
    from cyberhub.services.errors import Forbidden, NotFound

    with pytest.raises((Forbidden, NotFound)):
        analytics.program_analytics(
            session, world.p(session, world.other_director), pid, ALL, now=now
        )


def test_small_programmes_have_no_snapshot_and_the_actor_refreshes(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch, stub_broker, stub_worker
) -> None:
    import worker.actors
    from worker.scheduler import SCHEDULE

    assert "refresh_program_analytics" in {j.actor for j in SCHEDULE}
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "2")
    get_settings.cache_clear()
    try:
        worker.actors.refresh_program_analytics.send()
        stub_broker.join("default", timeout=20_000)
        stub_worker.join()
        session.expire_all()
        row = session.get(ProgramAnalyticsSnapshot, id_of(world.program))
        assert row is not None and row.computed_at > datetime.now(UTC) - timedelta(minutes=5)
        # The threshold raised above the programme's 2 cohorts: its snapshot goes.
        monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "3")
        get_settings.cache_clear()
        assert analytics.refresh_snapshots(session).dropped == 1
        session.commit()
        d = world.p(session, world.director)
        live = analytics.program_analytics(session, d, id_of(world.program), ALL)
        assert live.as_of is None
    finally:
        get_settings.cache_clear()
