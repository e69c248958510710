"""The coaching summary of a week (ISO, Monday to Sunday in the learner's zone) beside the week
before, and the /coaching overview (habits, goals, reflections, this week's summary)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import Submission, SubmissionEvent, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import (
    Cadence,
    Goal,
    GoalStatus,
    Habit,
    HabitCheckin,
    Reflection,
    Visibility,
)
from cyberhub.models.progress import SubmissionEventKind
from cyberhub.schemas.coaching import (
    REFLECTION_PROMPTS,
    CheckinNote,
    CoachingGlance,
    CoachingOverview,
    Figure,
    GoalPublic,
    GoalWeek,
    HabitWeek,
    StreakPublic,
    WeekSummary,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import dates
from cyberhub.services.coaching import access, goals, habits, reflections
from cyberhub.services.coaching.streaks import local_day, streak, week_start
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal

ONE_WEEK = timedelta(days=7)
MAX_WEEK_NOTES = 20  # check-in notes a week's summary lists
# The weeks a summary may be asked for (beyond them the calendar arithmetic would overflow).


def _figure(this_week: int, last_week: int) -> Figure:
    return Figure(this_week=this_week, last_week=last_week, change=this_week - last_week)


def _bounds(monday: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants a local week starts and ends at (a DST change makes it 167 or 169 hours)."""
    return (
        datetime.combine(monday, time(0), tzinfo=tz),
        datetime.combine(monday + ONE_WEEK, time(0), tzinfo=tz),
    )


def _week_checkins(user_id: int, monday: date) -> tuple[Any, ...]:
    """WHERE conditions: the learner's check-ins of the week that starts on `monday`."""
    return (
        HabitCheckin.user_id == user_id,
        HabitCheckin.day >= monday,
        HabitCheckin.day < monday + ONE_WEEK,
    )


def _checkins(session: Session, user_id: int, monday: date) -> int:
    return session.exec(
        select(func.count()).select_from(HabitCheckin).where(*_week_checkins(user_id, monday))
    ).one()


def _notes(session: Session, user_id: int, monday: date) -> list[CheckinNote]:
    """The notes the learner wrote with the week's check-ins, newest first."""
    rows = session.exec(
        select(
            col(HabitCheckin.habit_id),
            col(Habit.title),
            col(HabitCheckin.day),
            col(HabitCheckin.note),
        )
        .join(Habit, col(Habit.id) == col(HabitCheckin.habit_id))
        .where(
            *_week_checkins(user_id, monday),
            HabitCheckin.note != "",
        )
        .order_by(col(HabitCheckin.day).desc(), col(HabitCheckin.id).desc())
        .limit(MAX_WEEK_NOTES)
    ).all()
    return [CheckinNote(habit_id=h, habit_title=t, day=d, note=n) for h, t, d, n in rows]


def _reflections(
    session: Session, user_id: int, start: datetime, end: datetime, shared_only: bool = False
) -> tuple[int, float | None]:
    """The reflections written in [start, end) and their average mood (`shared_only`: those
    shared with the learner's mentor, all a staff reader may know of)."""
    shared = (Reflection.visibility == Visibility.mentor,) if shared_only else ()
    count, mood = session.exec(
        select(func.count(), func.avg(Reflection.mood)).where(
            Reflection.user_id == user_id,
            Reflection.created_at >= start,
            Reflection.created_at < end,
            *shared,
        )
    ).one()
    return count, round(float(mood), 1) if mood is not None else None


def _events(
    session: Session,
    user_id: int,
    kind: SubmissionEventKind,
    start: datetime,
    end: datetime,
    missions: Collection[int] | None = None,
) -> int:
    """Missions with an event of `kind` in [start, end) (of `missions` only, when given)."""
    within = () if missions is None else (col(Submission.mission_id).in_(list(missions)),)
    return session.exec(
        select(func.count(func.distinct(Submission.mission_id)))
        .select_from(SubmissionEvent)
        .join(Submission, col(Submission.id) == col(SubmissionEvent.submission_id))
        .where(
            Submission.student_id == user_id,
            SubmissionEvent.kind == kind,
            SubmissionEvent.created_at >= start,
            SubmissionEvent.created_at < end,
            *within,
        )
    ).one()


def _achieved(session: Session, user_id: int, start: datetime, end: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(Goal)
        .where(
            Goal.user_id == user_id,
            Goal.status == GoalStatus.achieved,
            col(Goal.achieved_at) >= start,
            col(Goal.achieved_at) < end,
        )
    ).one()


def _approved_before(
    session: Session, user_id: int, mission_ids: set[int], start: datetime
) -> set[int]:
    if not mission_ids:
        return set()
    return set(
        session.exec(
            select(Submission.mission_id).where(
                Submission.student_id == user_id,
                col(Submission.mission_id).in_(mission_ids),
                Submission.status == SubmissionStatus.approved,
                col(Submission.decided_at) < start,
            )
        ).all()
    )


def _checkins_before(
    session: Session, habit_ids: set[int], since: date, monday: date
) -> dict[int, int]:
    if not habit_ids:
        return {}
    rows = session.exec(
        select(HabitCheckin.habit_id, func.count())
        .where(
            col(HabitCheckin.habit_id).in_(habit_ids),
            HabitCheckin.day >= since,
            HabitCheckin.day < monday,
        )
        .group_by(col(HabitCheckin.habit_id))
    ).all()
    return dict(rows)


def _progress_at(
    session: Session,
    user_id: int,
    g: GoalPublic,
    at: datetime,
    tz: tzinfo,
) -> int | None:
    """The goal's progress as it stood at `at`: 100 once achieved (`achieved_at`), else approved
    missions decided before then, linked habits' check-ins on days before then's day. None
    before the goal was set, and for a goal measured by the learner's own estimate (its history
    is not kept)."""
    if g.created_at >= at or g.progress_source == "manual":
        return None
    if g.achieved_at is not None and g.achieved_at < at:
        return 100
    if g.progress_source == "missions":
        if not g.missions:
            return 0
        approved = _approved_before(session, user_id, {m.mission_id for m in g.missions}, at)
        return goals.percent_done(len(approved), len(g.missions))
    counts = _checkins_before(
        session, {h.habit_id for h in g.habits}, local_day(g.created_at, tz), local_day(at, tz)
    )
    target = sum(h.target_checkins for h in g.habits)
    done = sum(min(counts.get(h.habit_id, 0), h.target_checkins) for h in g.habits)
    return goals.percent_done(done, target)


def _goal_weeks(
    session: Session,
    user_id: int,
    rows: list[GoalPublic],
    week: tuple[datetime, datetime],
    tz: tzinfo,
) -> list[GoalWeek]:
    """Each goal's progress now, and what the week added: its progress at the week's end (or
    now, for this week) against its progress when the week began."""
    start, end = week
    out = []
    for g in rows:
        then = _progress_at(session, user_id, g, start, tz)
        at_end = g.percent if end >= utcnow() else _progress_at(session, user_id, g, end, tz)
        out.append(
            from_row(
                GoalWeek,
                g,
                goal_id=g.id,
                percent_at_start=then,
                change=None if then is None or at_end is None else at_end - then,
            )
        )
    return out


class Reader(StrEnum):
    """Who a learner's week figures are for: the learner (all of theirs) or staff who may read
    the learner (the work they may see and the reflections shared with them: `figures`)."""

    learner = "learner"
    staff = "staff"


@dataclass(frozen=True)
class WeekFigures:
    """A week's counts beside the week before's: the figures of WeekSummary that the coach's
    "what changed" reads."""

    checkins: Figure
    reflections: Figure
    submissions: Figure
    approvals: Figure
    goals_achieved: Figure


def figures(
    session: Session,
    user_id: int,
    monday: date,
    *,
    reader: Reader,
    missions: Collection[int] | None = None,
) -> WeekFigures:
    """The counts of the week that starts on `monday` (the learner's zone) and the week before,
    for `reader`. Staff read reflections shared with them alone (a private one is not theirs
    to know of) and give `missions` (those whose work they may see, submissions.missions_seen):
    hand-ins and approvals count those missions alone — work in another organisation is not
    theirs to count. Check-ins and goals are the learner's own, of no organisation."""
    tz = access.user_zone(session, user_id)
    return _figures(session, user_id, monday, tz, reader, missions)[0]


def _figures(
    session: Session,
    user_id: int,
    monday: date,
    tz: tzinfo,
    reader: Reader = Reader.learner,
    missions: Collection[int] | None = None,
) -> tuple[WeekFigures, float | None, float | None]:
    """`figures`, with the average mood of the week and of the week before."""
    if reader == Reader.staff and missions is None:
        raise ValueError("A staff reader's figures count the missions whose work they see.")
    last = monday - ONE_WEEK
    (start, end), (last_start, _) = _bounds(monday, tz), _bounds(last, tz)
    staff = reader == Reader.staff
    n_ref, mood = _reflections(session, user_id, start, end, shared_only=staff)
    n_ref_last, mood_last = _reflections(session, user_id, last_start, start, shared_only=staff)

    def events(kind: SubmissionEventKind) -> Figure:
        return _figure(
            _events(session, user_id, kind, start, end, missions),
            _events(session, user_id, kind, last_start, start, missions),
        )

    counts = WeekFigures(
        checkins=_figure(_checkins(session, user_id, monday), _checkins(session, user_id, last)),
        reflections=_figure(n_ref, n_ref_last),
        submissions=events(SubmissionEventKind.submitted),
        approvals=events(SubmissionEventKind.approved),
        goals_achieved=_figure(
            _achieved(session, user_id, start, end),
            _achieved(session, user_id, last_start, start),
        ),
    )
    return counts, mood, mood_last


def week_of(session: Session, user_id: int, week: date | None = None) -> WeekSummary:
    """The summary of the week holding `week` (this week by default) for a learner, with the
    notes of the week's check-ins (no permission check: callers have done it; the learner's
    own, never a staff reader's — check-in notes are not marked shared)."""
    tz = access.user_zone(session, user_id)
    today = access.today(session, user_id)
    if week is not None and not dates.plausible(week):
        raise Invalid(
            f"Choose a week between {dates.EARLIEST.year} and {dates.LATEST.year} "
            f"({week.isoformat()} is outside)."
        )
    monday = week_start(week or today)
    last = monday - ONE_WEEK
    start, end = _bounds(monday, tz)
    counts, mood, mood_last = _figures(session, user_id, monday, tz)
    # Streaks as they stood at the week's end (or today, for this week).
    as_of = min(today, monday + timedelta(days=6))
    habit_rows = habits.habits_public(session, user_id)
    days = habits.checkin_days(session, [h.id for h in habit_rows])
    habit_weeks = []
    for h in habit_rows:
        mine = days.get(h.id, [])
        s = streak(Cadence(h.cadence), h.per_week, mine, as_of)
        habit_weeks.append(
            HabitWeek(
                habit_id=h.id,
                title=h.title,
                checkins=sum(1 for d in mine if monday <= d < monday + ONE_WEEK),
                last_week=sum(1 for d in mine if last <= d < monday),
                streak=StreakPublic(current=s.current, longest=s.longest, unit=s.unit),
            )
        )
    # The active goals and those achieved since the week before began (the week the summary
    # compares with): one achieved long before is not the week's news.
    goal_rows = goals.goals_public(session, user_id, achieved_since=_bounds(last, tz)[0])
    return from_row(
        WeekSummary,
        counts,
        week_start=monday,
        week_end=monday + timedelta(days=6),
        average_mood=mood,
        average_mood_last_week=mood_last,
        habits=habit_weeks,
        goals=_goal_weeks(session, user_id, goal_rows, (start, end), tz),
        notes=_notes(session, user_id, monday),
    )


def week_summary(
    session: Session, principal: Principal | None, week: date | None = None
) -> WeekSummary:
    """The learner's summary of a week (this week by default) compared with the week before."""
    actor = access.learner(principal)
    return week_of(session, actor.user_id, week)


def overview(session: Session, principal: Principal | None) -> CoachingOverview:
    """Everything /coaching shows: habits with streaks, active goals with progress (the closed
    ones are paged: goals.closed_goal_page), recent
    reflections, this week's summary and the reflection prompts."""
    actor = access.learner(principal)
    return CoachingOverview(
        today=access.today(session, actor.user_id),
        habits=habits.habits_public(session, actor.user_id, with_notes=True),
        goals=goals.goals_public(session, actor.user_id),
        reflections=reflections.recent(session, actor.user_id, 10),
        summary=week_of(session, actor.user_id),
        prompts=list(REFLECTION_PROMPTS),
    )


def glance(session: Session, principal: Principal | None) -> CoachingGlance:
    """What the learner's home shows of coaching: habits with streaks and the active goals.
    A few reads, where `overview` (for /coaching) also builds the week's summary: about a third
    of the queries per dashboard load (bench/event_profile.py)."""
    actor = access.learner(principal)
    return CoachingGlance(
        habits=habits.habits_public(session, actor.user_id),
        goals=goals.goals_public(session, actor.user_id),
    )
