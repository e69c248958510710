"""A habit of some times a week is reminded until the week's quota is met, not after: it was
reminded every day (only the day itself counted as done), so "3 times a week" checked in on
Monday, Tuesday and Wednesday still got Thursday's to Sunday's reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from cyberhub.schemas.coaching import CheckinCreate, HabitCreate
from cyberhub.services.coaching import habits, reminders
from tests.factories import build_world, principal

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

MONDAY = date(2026, 11, 9)
# 19:05 on Monday 9 Nov 2026 in Nairobi (UTC+3), after the habit's 19:00 reminder.
MONDAY_EVENING = datetime(2026, 11, 9, 16, 5, tzinfo=UTC)
DAY = timedelta(days=1)


def test_no_reminder_once_the_weeks_quota_is_met(session: Session) -> None:
    w = build_world(session)
    w.student.time_zone = "Africa/Nairobi"
    session.add(w.student)
    session.commit()
    p = principal(session, w.student)
    made = MONDAY_EVENING - timedelta(hours=10)  # 09:05 on Monday
    h = habits.create_habit(
        session,
        p,
        HabitCreate(title="Lab", cadence="n_per_week", per_week=3, reminder_time=time(19, 0)),
        now=made,
    )
    session.commit()

    def check_in(day: date) -> None:
        habits.check_in(session, p, h.id, CheckinCreate(day=day), now=MONDAY_EVENING + 2 * DAY)

    check_in(MONDAY)
    check_in(MONDAY + DAY)
    session.commit()
    # Wednesday: 2 of 3, not checked in today: reminded.
    assert reminders.send_due_reminders(session, MONDAY_EVENING + 2 * DAY) == 1
    check_in(MONDAY + 2 * DAY)
    session.commit()
    # Thursday to Sunday: the week's 3 are done, no reminder.
    for n in range(3, 7):
        assert reminders.send_due_reminders(session, MONDAY_EVENING + n * DAY) == 0
    # A new week: reminded again.
    assert reminders.send_due_reminders(session, MONDAY_EVENING + 7 * DAY) == 1
