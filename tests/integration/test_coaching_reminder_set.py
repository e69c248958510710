"""A reminder set (a new habit, or a reminder moved) for a time already past today goes first
tomorrow: it used to go at the next sweep, minutes after it was set ("remind me at 08:00",
made at 18:00: reminded at 18:05)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from cyberhub.models import Notification
from cyberhub.schemas.coaching import HabitCreate, HabitUpdate
from cyberhub.services.coaching import habits, reminders
from cyberhub.services.identity.permissions import Principal
from tests.factories import build_world, id_of, principal

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

# Thursday 12 Nov 2026, 18:00 in Nairobi (UTC+3).
EVENING = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
FIVE_MIN = timedelta(minutes=5)


def _learner(session: Session) -> tuple[Principal, int]:
    w = build_world(session)
    w.student.time_zone = "Africa/Nairobi"
    session.add(w.student)
    session.commit()
    return principal(session, w.student), id_of(w.student)


def _bell(session: Session, user_id: int) -> list[str]:
    rows = session.exec(select(Notification).where(Notification.user_id == user_id)).all()
    return [n.title for n in rows]


def test_a_habit_made_after_its_reminder_time_is_reminded_tomorrow(session: Session) -> None:
    p, uid = _learner(session)
    morning = HabitCreate(title="Morning read", reminder_time=time(8, 0))
    habits.create_habit(session, p, morning, now=EVENING)
    # Made before its time, a reminder still goes the same day.
    later = HabitCreate(title="Night log", reminder_time=time(21, 0))
    habits.create_habit(session, p, later, now=EVENING)
    session.commit()
    assert reminders.send_due_reminders(session, EVENING + FIVE_MIN) == 0
    assert reminders.send_due_reminders(session, EVENING + timedelta(hours=3, minutes=5)) == 1
    next_morning = EVENING + timedelta(hours=14, minutes=5)  # 08:05 on the 13th
    assert reminders.send_due_reminders(session, next_morning) == 1
    session.commit()
    assert sorted(_bell(session, uid)) == ["Time for “Morning read”", "Time for “Night log”"]


def test_a_reminder_moved_to_a_time_already_past_goes_tomorrow(session: Session) -> None:
    p, uid = _learner(session)
    made = EVENING - timedelta(days=3)
    h = habits.create_habit(
        session, p, HabitCreate(title="Lab", reminder_time=time(21, 0)), now=made
    )
    session.commit()
    # At 18:00 it is moved to 08:00, already past: nothing today, tomorrow at 08:00.
    habits.update_habit(session, p, h.id, HabitUpdate(reminder_time=time(8, 0)), now=EVENING)
    session.commit()
    assert reminders.send_due_reminders(session, EVENING + FIVE_MIN) == 0
    assert reminders.send_due_reminders(session, EVENING + timedelta(hours=14, minutes=5)) == 1
    # Just after midnight (00:05 on the 14th) moved to 23:58: yesterday's 23:58 had passed
    # before it was set, so the first sweeps of the day do not send it as late.
    just_after = datetime(2026, 11, 13, 21, 5, tzinfo=UTC)
    habits.update_habit(session, p, h.id, HabitUpdate(reminder_time=time(23, 58)), now=just_after)
    session.commit()
    assert reminders.send_due_reminders(session, just_after + FIVE_MIN) == 0
    # Its first: 23:58 on the 14th (sent by the sweep just after midnight).
    assert reminders.send_due_reminders(session, just_after + timedelta(days=1)) == 1
    session.commit()
    assert _bell(session, uid) == ["Time for “Lab”", "Time for “Lab”"]
