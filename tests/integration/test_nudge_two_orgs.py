"""A director's nudge is once a day per learner *and organisation*. A learner who studies at
this organisation and at Coast Campus, nudged today by this organisation's director, is not
"Nudged today" for Coast Campus's director, who may still nudge them (and the other way
round): one organisation's staff learn nothing of the learner's relationship with another
(tenancy). Each organisation still nudges the learner at most once a day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import Cohort, Enrollment, Notification, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.services.identity import memberships
from cyberhub.services.learning import analytics
from cyberhub.settings import get_settings
from tests.factories import World, enroll, id_of, make_cohort
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]


@pytest.fixture
def snapshots_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every programme with 2 cohorts or more is "big" (the world's programme has two)."""
    monkeypatch.setenv("ANALYTICS_SNAPSHOT_MIN_COHORTS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _studies_at_both(session: Session, w: World, now: datetime) -> Cohort:
    """The world's learner also studies at Coast Campus; both enrolments are weeks old and the
    learner has done nothing since (at risk in both). Returns the Coast Campus cohort."""
    coast = make_cohort(session, w.other_program, name="Coast cohort")
    enroll(session, coast, w.student)
    learner = id_of(w.student)
    memberships.join(session, learner, id_of(w.other_org), how="invitation", actor_id=learner)
    for row in session.exec(select(Enrollment).where(Enrollment.student_id == learner)).all():
        row.enrolled_at = now - timedelta(days=40)
        session.add(row)
    session.commit()
    return coast


def _nudged(session: Session, w: World, director: User, cohort_id: int, now: datetime) -> bool:
    """Whether `director`'s at-risk list of the cohort says the learner was nudged today."""
    p = w.p(session, director)
    rows = analytics.cohort_at_risk(session, p, cohort_id, now=now)
    return {r.student_id: r.nudged_today for r in rows}[id_of(w.student)]


def test_each_organisation_nudges_the_learner_once_a_day(session: Session, world: World) -> None:
    now = utcnow()
    coast = _studies_at_both(session, world, now)
    sid, here, there = id_of(world.student), id_of(world.cohort), id_of(coast)
    ours = world.p(session, world.director)
    theirs = world.p(session, world.other_director)

    assert analytics.nudge(session, ours, sid, cohort_id=here, now=now).sent
    session.commit()
    assert _nudged(session, world, world.director, here, now)
    # Coast Campus's director sees nothing of it, and may nudge the learner today.
    assert not _nudged(session, world, world.other_director, there, now)
    coast_nudge = analytics.nudge(session, theirs, sid, cohort_id=there, now=now)
    session.commit()
    assert coast_nudge.sent, coast_nudge.detail
    assert _nudged(session, world, world.other_director, there, now)
    # Each organisation still nudges at most once a day.
    assert not analytics.nudge(session, theirs, sid, cohort_id=there, now=now).sent
    assert not analytics.nudge(session, ours, sid, cohort_id=here, now=now).sent
    notes = session.exec(
        select(Notification).where(Notification.user_id == sid).order_by(col(Notification.id))
    ).all()
    assert [(n.kind, n.organization_id) for n in notes] == [
        ("director_nudge", id_of(world.org)),
        ("director_nudge", id_of(world.other_org)),
    ]


def test_the_api_and_the_snapshot_show_only_the_readers_own_nudges(
    session: Session, world: World, client_for: ClientFor, snapshots_on: None
) -> None:
    now = utcnow()
    coast = _studies_at_both(session, world, now)
    sid, pid = id_of(world.student), id_of(world.program)
    analytics.refresh_snapshots(session, now=now)
    session.commit()
    theirs = world.p(session, world.other_director)
    assert analytics.nudge(session, theirs, sid, cohort_id=id_of(coast), now=now).sent
    session.commit()

    ours = world.p(session, world.director)
    kept = analytics.program_analytics(session, ours, pid, AnalyticsFilters(), now=now)
    assert kept.as_of == now  # read from the snapshot
    assert sid in {r.student_id for r in kept.at_risk}
    assert not [r.student_id for r in kept.at_risk if r.nudged_today]

    director = client_for(world.director)
    r = director.get(f"/api/v1/director/cohorts/{id_of(world.cohort)}/at-risk")
    assert r.status_code == 200, r.text
    assert {x["student_id"]: x["nudged_today"] for x in r.json()}[sid] is False
