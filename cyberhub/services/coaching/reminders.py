"""Habit reminders: the bell and an e-mail, once per habit per local day, at or after the habit's
reminder time in the learner's zone, unless it is already checked in for the period.

`send_due_reminders` is an id-free sweep run by the scheduler (worker/actors.py,
`send_habit_reminders`): safe to run at any interval or twice at once — the conditional UPDATE
of `reminded_on` lets exactly one run claim a habit's day.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from cyberhub.formatting import zone
from cyberhub.models import User
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Habit, HabitCheckin
from cyberhub.services.coaching.streaks import period_start
from cyberhub.services.messaging import notifications

HABIT_REMINDER = "habit_reminder"


def send_due_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind learners of habits whose reminder time has come today; returns how many."""
    now = now or utcnow()
    rows = session.exec(
        select(Habit, User.time_zone)
        .join(User, col(User.id) == col(Habit.user_id))
        .where(
            col(Habit.reminder_time).is_not(None),
            col(Habit.archived_at).is_(None),
            col(User.is_active),
        )
    ).all()
    sent = 0
    for habit, tz_name in rows:
        local = now.astimezone(zone(tz_name))
        today = local.date()
        if habit.reminder_time is None or local.time() < habit.reminder_time:
            continue
        if habit.reminded_on == today:
            continue
        done = session.exec(
            select(HabitCheckin.id).where(
                HabitCheckin.habit_id == habit.id,
                HabitCheckin.period_start == period_start(habit.cadence, today),
            )
        ).first()
        # Claim the day (one reminder per habit per day, even with two sweeps at once).
        claimed = session.execute(
            update(Habit)
            .where(
                col(Habit.id) == habit.id,
                or_(col(Habit.reminded_on).is_(None), col(Habit.reminded_on) != today),
            )
            .values(reminded_on=today)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed or done is not None:
            continue
        notifications.notify(
            session,
            habit.user_id,
            kind=HABIT_REMINDER,
            title=f"Time for “{habit.title}”",
            body="A reminder you asked for. Check in on /coaching when it's done.",
            link="/coaching",
        )
        sent += 1
    return sent
