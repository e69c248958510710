"""Habits and their check-ins: a learner's own (create, edit, archive, check in, list).

One check-in per period (a day; a week for a weekly habit), for today or back-filled up to
BACKFILL_DAYS before, in the learner's time zone. A period is judged by the habit's cadence
now, from the days already checked in: after a change of cadence, a weekly check-in made on a
Tuesday fills Tuesday of the daily habit (not Monday), and a daily one fills its week of the
weekly habit — as the streak and "done today" count them. The unique (habit, unit, period)
index decides a race between two clicks: the second gets a Conflict, never a second row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import Track
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Cadence, Habit, HabitCheckin
from cyberhub.schemas.coaching import (
    BACKFILL_DAYS,
    MAX_HABITS,
    NOTE_MAX,
    SKILL_MAX,
    TITLE_MAX,
    CheckinCreate,
    CheckinPublic,
    HabitCreate,
    HabitPublic,
    HabitUpdate,
    StreakPublic,
    TrackChoice,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks, text
from cyberhub.services.coaching import access
from cyberhub.services.coaching.streaks import (
    period_length,
    period_start,
    period_unit,
    streak,
    unit_counts,
    week_start,
)
from cyberhub.services.errors import Conflict, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal

UNKNOWN_HABIT = "That habit does not exist."
RECENT_CHECKINS = 5  # check-ins (with their notes) in a habit's recent history
CADENCES = {c.value for c in Cadence}


def cadence_label(cadence: Cadence, per_week: int) -> str:
    if cadence == Cadence.daily:
        return "Every day"
    if cadence == Cadence.weekly:
        return "Once a week"
    return f"{per_week} {'time' if per_week == 1 else 'times'} a week"


def _cadence(value: str | None, per_week: int | None) -> tuple[Cadence, int]:
    name = (value or "").strip().lower()
    if name not in CADENCES:
        raise Invalid("Choose how often: every day, once a week, or a number of times a week.")
    cadence = Cadence(name)
    if cadence != Cadence.n_per_week:
        return cadence, 1
    if per_week is None or not 1 <= per_week <= 7:
        raise Invalid("A habit of some times a week needs a number from 1 to 7.")
    return cadence, per_week


def _local_time(value: time | None) -> time | None:
    """A reminder is a time of day on the learner's own clock: an offset sent with it is
    dropped (the learner's zone decides), and so are seconds."""
    return value.replace(tzinfo=None, second=0, microsecond=0) if value else None


def _reminder_set(session: Session, habit: Habit, now: datetime) -> None:
    """A reminder was just set (a new habit, or a new time) at `now`: the days whose reminder
    time had already passed then count as reminded (`reminded_on`), so the first goes at the
    time's next coming, not at the next sweep — today when the time is still ahead, else
    tomorrow. (Yesterday's counts too: the sweeps just after midnight would send a 23:58 set
    at 00:05 as yesterday's late one.) Never moves `reminded_on` back: a day already reminded
    is not reminded twice."""
    if habit.reminder_time is None:
        return
    local = now.astimezone(access.user_zone(session, habit.user_id))
    passed = habit.reminder_time <= local.time().replace(tzinfo=None)
    handled = local.date() if passed else local.date() - timedelta(days=1)
    if habit.reminded_on is None or habit.reminded_on < handled:
        habit.reminded_on = handled


def _own(session: Session, actor: Principal, habit_id: int) -> Habit:
    habit = session.get(Habit, habit_id)
    # Someone else's habit is reported as missing: its existence is nobody else's business.
    if habit is None or habit.user_id != actor.user_id:
        raise NotFound(UNKNOWN_HABIT)
    return habit


def checkin_days(session: Session, habit_ids: list[int]) -> dict[int, list[date]]:
    """The local days each habit was checked in for."""
    days: dict[int, list[date]] = defaultdict(list)
    if habit_ids:
        rows = session.exec(
            select(col(HabitCheckin.habit_id), col(HabitCheckin.day)).where(
                col(HabitCheckin.habit_id).in_(habit_ids)
            )
        ).all()
        for habit_id, day in rows:
            days[habit_id].append(day)
    return days


def recent_checkins(
    session: Session, habit_ids: list[int], limit: int = RECENT_CHECKINS
) -> dict[int, list[CheckinPublic]]:
    """Each habit's last `limit` check-ins with their notes, newest first (one query), each
    with its period under its habit's cadence now."""
    out: dict[int, list[CheckinPublic]] = defaultdict(list)
    if not habit_ids:
        return out
    rank = (
        func.row_number()
        .over(
            partition_by=col(HabitCheckin.habit_id),
            order_by=(col(HabitCheckin.day).desc(), col(HabitCheckin.id).desc()),
        )
        .label("rank")
    )
    ranked = (
        select(HabitCheckin.id, rank).where(col(HabitCheckin.habit_id).in_(habit_ids)).subquery()
    )
    rows = session.exec(
        select(HabitCheckin, Habit.cadence)
        .join(ranked, col(ranked.c.id) == col(HabitCheckin.id))
        .join(Habit, col(Habit.id) == col(HabitCheckin.habit_id))
        .where(ranked.c.rank <= limit)
        .order_by(col(HabitCheckin.day).desc(), col(HabitCheckin.id).desc())
    ).all()
    for c, cadence in rows:
        out[c.habit_id].append(_checkin_public(c, Cadence(cadence)))
    return out


def open_days(habit: Habit, days: list[date], today: date) -> list[date]:
    """Today and the back-fill window's days whose period is not checked in yet (newest first);
    none for an archived habit, which takes no more check-ins."""
    if habit.archived_at is not None:
        return []
    filled = {period_start(habit.cadence, d) for d in days}
    window = [today - timedelta(days=n) for n in range(BACKFILL_DAYS + 1)]
    return [d for d in window if period_start(habit.cadence, d) not in filled]


def habit_public(
    session: Session,
    habit: Habit,
    days: list[date],
    today: date,
    recent: list[CheckinPublic] | None = None,
) -> HabitPublic:
    s = streak(habit.cadence, habit.per_week, days, today)
    track = session.get(Track, habit.track_id) if habit.track_id else None
    monday = week_start(today)
    return from_row(
        HabitPublic,
        habit,
        cadence_label=cadence_label(habit.cadence, habit.per_week),
        track_key=track.key if track else "",
        track_name=track.name if track else "",
        archived=habit.archived_at is not None,
        streak=StreakPublic(current=s.current, longest=s.longest, unit=s.unit),
        done_today=period_start(habit.cadence, today)
        in {period_start(habit.cadence, d) for d in days},
        week_count=sum(1 for d in days if monday <= d <= today),
        open_days=open_days(habit, days, today),
        recent=recent or [],
    )


def _habits(session: Session, user_id: int, include_archived: bool) -> list[Habit]:
    stmt = select(Habit).where(Habit.user_id == user_id)
    if not include_archived:
        stmt = stmt.where(col(Habit.archived_at).is_(None))
    return list(session.exec(stmt.order_by(col(Habit.created_at), col(Habit.id))).all())


def habits_public(
    session: Session,
    user_id: int,
    *,
    include_archived: bool = False,
    now: datetime | None = None,
    with_notes: bool = False,
) -> list[HabitPublic]:
    """A learner's habits with their streaks (no permission check: callers have done it).
    `with_notes`: each with its recent check-ins and their notes — for the learner only (the
    notes are not marked shared: staff do not read them)."""
    habits = _habits(session, user_id, include_archived)
    ids = [h.id for h in habits if h.id]
    days = checkin_days(session, ids)
    recent = recent_checkins(session, ids) if with_notes else {}
    today = access.today(session, user_id, now)
    return [
        habit_public(session, h, days.get(h.id or 0, []), today, recent.get(h.id or 0))
        for h in habits
    ]


def list_habits(
    session: Session, principal: Principal | None, include_archived: bool = False
) -> list[HabitPublic]:
    """The learner's habits (active ones, or all), oldest first, with streaks."""
    actor = access.learner(principal)
    return habits_public(session, actor.user_id, include_archived=include_archived, with_notes=True)


def get_habit(session: Session, principal: Principal | None, habit_id: int) -> HabitPublic:
    """One of the learner's habits."""
    actor = access.learner(principal)
    habit = _own(session, actor, habit_id)
    days = checkin_days(session, [habit_id]).get(habit_id, [])
    recent = recent_checkins(session, [habit_id]).get(habit_id)
    return habit_public(session, habit, days, access.today(session, actor.user_id), recent)


def track_choices(session: Session) -> list[TrackChoice]:
    """The career tracks a habit may be linked to, by name."""
    rows = session.exec(select(Track.key, Track.name).order_by(col(Track.name))).all()
    return [TrackChoice(key=k, name=n) for k, n in rows]


def _track_id(session: Session, key: str) -> int | None:
    key = (key or "").strip().lower()
    if not key:
        return None
    track = session.exec(select(Track).where(Track.key == key)).first()
    if track is None:
        raise Invalid(f"Unknown track {key[:32]!r}: choose one of the five tracks or none.")
    return track.id


def create_habit(
    session: Session,
    principal: Principal | None,
    data: HabitCreate,
    *,
    now: datetime | None = None,
) -> HabitPublic:
    """Start a habit (at most MAX_HABITS active ones)."""
    actor = access.learner(principal)
    title = text.line(data.title, "habit's title", TITLE_MAX)
    cadence, per_week = _cadence(data.cadence, data.per_week)
    locks.hold(session, locks.Lock.LEARNER_COACHING, actor.user_id)  # two at once take turns
    if len(_habits(session, actor.user_id, include_archived=False)) >= MAX_HABITS:
        raise Invalid(f"You have {MAX_HABITS} habits, the most you can keep. Archive one first.")
    habit = Habit(
        user_id=actor.user_id,
        title=title,
        cadence=cadence,
        per_week=per_week,
        reminder_time=_local_time(data.reminder_time),
        track_id=_track_id(session, data.track_key),
        skill=text.line(data.skill, "skill", SKILL_MAX, required=False),
        created_at=now or utcnow(),
    )
    _reminder_set(session, habit, habit.created_at)
    session.add(habit)
    session.flush()
    return habit_public(session, habit, [], access.today(session, actor.user_id, now))


def update_habit(
    session: Session,
    principal: Principal | None,
    habit_id: int,
    data: HabitUpdate,
    *,
    now: datetime | None = None,
) -> HabitPublic:
    """Change a habit's title, cadence, reminder or skill (its check-ins stay)."""
    actor = access.learner(principal)
    habit = _own(session, actor, habit_id)
    if data.title is not None:
        habit.title = text.line(data.title, "habit's title", TITLE_MAX)
    if data.cadence is not None or data.per_week is not None:
        habit.cadence, habit.per_week = _cadence(
            data.cadence or habit.cadence.value,
            data.per_week if data.per_week is not None else habit.per_week,
        )
    if data.clear_reminder:
        habit.reminder_time = None
    elif data.reminder_time is not None:
        reminder = _local_time(data.reminder_time)
        if reminder != habit.reminder_time:
            habit.reminder_time = reminder
            _reminder_set(session, habit, now or utcnow())
    if data.skill is not None:
        habit.skill = text.line(data.skill, "skill", SKILL_MAX, required=False)
    session.add(habit)
    session.flush()
    jobs.coaching_changed(session, actor.user_id)  # the plan names habits and their cadence
    return get_habit(session, actor, habit_id)


def archive_habit(session: Session, principal: Principal | None, habit_id: int) -> HabitPublic:
    """Archive a habit: no more check-ins or reminders; its history stays (idempotent)."""
    actor = access.learner(principal)
    habit = _own(session, actor, habit_id)
    if habit.archived_at is None:
        habit.archived_at = utcnow()
        session.add(habit)
        session.flush()
        jobs.coaching_changed(session, actor.user_id)  # no more nudges about this habit
    return get_habit(session, actor, habit_id)


def _checkin_public(c: HabitCheckin, cadence: Cadence) -> CheckinPublic:
    """A check-in as the learner reads it: its period is the one its day falls in under the
    habit's cadence `cadence` now (the stored `period_start` is the unit it filled when made,
    kept for the uniqueness of a period: after a change of cadence it is of the old one)."""
    return from_row(CheckinPublic, c, period_start=period_start(cadence, c.day))


def _days_checked_in(session: Session, habit: Habit, start: date, end: date) -> list[date]:
    """The days the habit is checked in on, from `start` up to (not including) `end`."""
    return list(
        session.exec(
            select(col(HabitCheckin.day)).where(
                HabitCheckin.habit_id == habit.id,
                col(HabitCheckin.day) >= start,
                col(HabitCheckin.day) < end,
            )
        ).all()
    )


def period_done(session: Session, habit: Habit, day: date) -> bool:
    """Whether the period of `day` under the habit's cadence now is checked in. Judged by the
    days checked in, not by the periods stored: those may be of an earlier cadence (a week's
    Monday that was not itself checked in, a day of a week now weekly)."""
    start = period_start(habit.cadence, day)
    return bool(_days_checked_in(session, habit, start, start + period_length(habit.cadence)))


def nothing_due(session: Session, habit: Habit, day: date) -> bool:
    """Whether a reminder for `day` has nothing to ask for: its period is checked in, or, for a
    habit of some times a week, the week of `day` already has its number of check-ins (the
    quota the streak counts: no reminders until the next week)."""
    if period_done(session, habit, day):
        return True
    if habit.cadence != Cadence.n_per_week:
        return False
    monday = week_start(day)
    days = _days_checked_in(session, habit, monday, monday + timedelta(days=7))
    return unit_counts(habit.cadence, habit.per_week, days, day)  # the streak's own rule


def _checkin_day(requested: date | None, today: date) -> date:
    day = requested or today
    if day > today:
        raise Invalid("You can't check in for a day that hasn't come yet.")
    if (today - day).days > BACKFILL_DAYS:
        raise Invalid(
            f"You can check in for today or up to {BACKFILL_DAYS} days before "
            f"({(today - timedelta(days=BACKFILL_DAYS)).isoformat()} at the earliest)."
        )
    return day


def check_in(
    session: Session,
    principal: Principal | None,
    habit_id: int,
    data: CheckinCreate,
    *,
    now: datetime | None = None,
) -> CheckinPublic:
    """Check a habit in for today (or a back-filled day): one check-in per period."""
    actor = access.learner(principal)
    habit = _own(session, actor, habit_id)
    if habit.archived_at is not None:
        raise Invalid("This habit is archived: it takes no more check-ins.")
    day = _checkin_day(data.day, access.today(session, actor.user_id, now))
    note = text.block(data.note, "note", NOTE_MAX)
    period = period_start(habit.cadence, day)
    stmt = (
        insert(HabitCheckin)
        .values(
            habit_id=habit_id,
            user_id=actor.user_id,
            period_unit=period_unit(habit.cadence),
            period_start=period,
            day=day,
            note=note,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(constraint="uq_habit_checkin_period")
        .returning(col(HabitCheckin.id))
    )
    new_id = None if period_done(session, habit, day) else session.execute(stmt).scalar()
    if new_id is None:
        what = (
            f"the week of {period.isoformat()}"
            if habit.cadence == Cadence.weekly
            else (day.isoformat())
        )
        raise Conflict(f"“{habit.title}” is already checked in for {what}.")
    row = session.get(HabitCheckin, new_id)
    assert row is not None
    jobs.coaching_changed(session, actor.user_id)  # the coach's plan reads streaks
    return _checkin_public(row, habit.cadence)


def list_checkins(
    session: Session, principal: Principal | None, habit_id: int, limit: int = 100
) -> list[CheckinPublic]:
    """A habit's check-ins, newest first."""
    actor = access.learner(principal)
    habit = _own(session, actor, habit_id)
    rows = session.exec(
        select(HabitCheckin)
        .where(HabitCheckin.habit_id == habit_id)
        .order_by(col(HabitCheckin.day).desc())
        .limit(limit)
    ).all()
    return [_checkin_public(c, habit.cadence) for c in rows]
