"""The coach's plan counts days from the day it was written: "“Pass Security+” is due in 1 day",
"your mentor asked for changes 2 days ago", "check in today". It was renewed only when the
learner's week began (or something they did changed it), so on Thursday a quiet learner still
read Monday's "due in 1 day" for a goal two days overdue, and changes requested on Tuesday were
never nudged before the next Monday. The hourly sweep now renews a plan written on an earlier
day than the learner's own today (midnight in their zone), as it renews last week's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from cyberhub.models import RoleAssignment, User
from cyberhub.models.coaching import CoachPlan
from cyberhub.models.identity import Role
from cyberhub.services.coaching import coach
from tests.factories import World, build_world, grant_ai, id_of

pytestmark = pytest.mark.usefixtures("session")

MONDAY = date(2026, 11, 30)
# Wednesday 2 December, 10:00 UTC: 13:00 in Nairobi, 05:00 in New York.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def _plan(session: Session, user: User, computed_at: datetime) -> None:
    session.add(
        CoachPlan(
            user_id=id_of(user), week_start=MONDAY, input_fingerprint="x", computed_at=computed_at
        )
    )


def test_a_plan_written_on_an_earlier_day_of_the_week_is_renewed(session: Session) -> None:
    w: World = build_world(session, prefix="days")
    yesterdays, todays, nairobi, new_york = w.student, w.student2, w.outsider_student, w.admin
    session.add(RoleAssignment(user_id=id_of(new_york), role=Role.student))
    for user, tz in ((nairobi, "Africa/Nairobi"), (new_york, "America/New_York")):
        user.time_zone = tz
        session.add(user)
    session.commit()
    grant_ai(session, yesterdays, todays, nairobi, new_york)
    # All four plans are of this week (Monday 30 November).
    _plan(session, yesterdays, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))  # Tuesday, UTC
    _plan(session, todays, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # this morning, UTC
    # 22:30 UTC on Tuesday is 01:30 on Wednesday in Nairobi: written today there.
    _plan(session, nairobi, datetime(2026, 12, 1, 22, 30, tzinfo=UTC))
    # 03:00 UTC on Wednesday is 22:00 on Tuesday in New York: yesterday there.
    _plan(session, new_york, datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    session.commit()

    assert coach.plans_due(session, NOW) == sorted([id_of(yesterdays), id_of(new_york)])
    # Last week's plan is renewed as before, whenever in the week it was written.
    row = session.get(CoachPlan, id_of(todays))
    assert row is not None
    row.week_start = date(2026, 11, 23)
    session.add(row)
    session.commit()
    assert id_of(todays) in coach.plans_due(session, NOW)
