"""Habit reminders: the bell and an e-mail, once per habit per local day, at or after the habit's
reminder time in the learner's zone, unless there is nothing to ask for (`habits.nothing_due`:
the period is checked in, or for a habit of some times a week the week has its number of
check-ins). One due after the day's last sweep, at 23:58, goes just after midnight, for the day
before. A reminder
set for a time already past that day (a new habit, a time moved earlier) goes first the next
day: `habits._reminder_set` marks the day as reminded.

`send_due_reminders` is an id-free sweep run by the scheduler (worker/actors.py,
`send_habit_reminders`): safe to run at any interval or twice at once — the conditional UPDATE
of `reminded_on` lets exactly one run claim a habit's day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, DateTime, String, Time, and_, cast, column, or_, update, values
from sqlmodel import Session, col, select

from cyberhub.formatting import zone
from cyberhub.models import Role, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Habit
from cyberhub.services.coaching import habits
from cyberhub.services.messaging import notifications

HABIT_REMINDER = "habit_reminder"
# How long after midnight the sweep still sends the previous day's reminders that came after
# its last sweep of that day (it runs every 5 minutes: three chances).
LATE = timedelta(minutes=15)


def _clocks(
    name: str | None, now: datetime
) -> list[tuple[str | None, date, time, time, datetime | None]]:
    """The reminder times due in zone `name` at `now`: (zone, local day, from, to, made before).
    Today's, from midnight to now; and in the first LATE of a day, yesterday's from LATE ago to
    midnight — the sweep runs every few minutes, so a reminder at 23:58 falls after the day's
    last sweep and before the next, already tomorrow — for habits made before that midnight."""
    tz = zone(name)
    local = now.astimezone(tz)
    clocks: list[tuple[str | None, date, time, time, datetime | None]] = [
        (name, local.date(), time.min, local.time().replace(tzinfo=None), None)
    ]
    before = local - LATE
    if before.date() != local.date():
        midnight = datetime.combine(local.date(), time.min, tzinfo=tz)
        clocks.append((name, before.date(), before.time().replace(tzinfo=None), time.max, midnight))
    return clocks


def _due(session: Session, now: datetime) -> list[tuple[Habit, date]]:
    """The habits whose reminder time has come in their learner's zone and that have had no
    reminder that local day, with the day (`_clocks`). PostgreSQL picks them (no scan of every
    habit in Python each sweep): the local clock of each zone in use is computed here, where the
    zone names are read the way the rest of the app reads them (`formatting.zone`: unknown →
    UTC)."""
    reminded = and_(
        col(Habit.reminder_time).is_not(None),
        col(Habit.archived_at).is_(None),
        col(User.is_active),
        # Still a learner: /coaching, where a reminder sends them (and where it is turned off),
        # is for students only. Someone who left their organisation is reminded no more.
        select(RoleAssignment.user_id)
        .where(
            col(RoleAssignment.user_id) == col(User.id),
            col(RoleAssignment.role) == Role.student,
        )
        .exists(),
    )
    zones = session.exec(
        select(User.time_zone)
        .distinct()
        .join(Habit, col(Habit.user_id) == col(User.id))
        .where(reminded)
    ).all()
    if not zones:
        return []
    clocks = values(
        column("zone", String),
        column("day", Date),
        column("since", Time),
        column("until", Time),
        column("made_before", DateTime(timezone=True)),
        name="clocks",
    ).data([clock for name in zones for clock in _clocks(name, now)])
    rows = session.exec(
        select(Habit, clocks.c.day)
        .join(User, col(User.id) == col(Habit.user_id))
        .join(clocks, clocks.c.zone.is_not_distinct_from(col(User.time_zone)))
        .where(
            reminded,
            col(Habit.reminder_time).between(clocks.c.since, clocks.c.until),
            # (cast: a column of NULLs alone, no zone just past midnight, is read as text)
            or_(
                clocks.c.made_before.is_(None),
                col(Habit.created_at) < cast(clocks.c.made_before, DateTime(timezone=True)),
            ),
            or_(col(Habit.reminded_on).is_(None), col(Habit.reminded_on) != clocks.c.day),
        )
        .order_by(col(Habit.id))
    ).all()
    return [(habit, day) for habit, day in rows]


def send_due_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind learners of habits whose reminder time has come today; returns how many."""
    sent = 0
    for habit, today in _due(session, now or utcnow()):
        done = habits.nothing_due(session, habit, today)
        # Claim the day (one reminder per habit per day, even with two sweeps at once).
        claimed = session.execute(
            update(Habit)
            .where(
                col(Habit.id) == habit.id,
                or_(col(Habit.reminded_on).is_(None), col(Habit.reminded_on) != today),
            )
            .values(reminded_on=today)
        ).rowcount  # type: ignore[attr-defined]
        if not claimed or done:
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
