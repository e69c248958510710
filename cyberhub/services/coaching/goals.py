"""Goals: title, why, target date, status, and progress from one source — linked missions
(approved of linked), linked habits (check-ins since the goal was set against a target per
habit) or the learner's own percentage. Active goals steer the learner's recommendations
(services/coaching/ai_sources.py): a change to one queues them again after commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.formatting import plural
from cyberhub.models import Mission, Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import (
    Goal,
    GoalHabit,
    GoalMission,
    GoalStatus,
    Habit,
    HabitCheckin,
    ProgressSource,
)
from cyberhub.schemas.coaching import (
    GOAL_TITLE_MAX,
    MAX_GOALS,
    TEXT_MAX,
    GoalCreate,
    GoalHabitPublic,
    GoalMissionPublic,
    GoalPublic,
    GoalUpdate,
    MissionChoice,
)
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.rows import from_row
from cyberhub.services import dates, locks, text
from cyberhub.services.coaching import access, ai_sources
from cyberhub.services.coaching.streaks import local_day
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import mission_scope
from cyberhub.services.paging import fetch_page

UNKNOWN_GOAL = "That goal does not exist."
# A goal measured by missions, none of them in the staff reader's programmes (seen_with_missions).
NO_MISSION_SEEN = "None of its missions is in your programmes"
SOURCES = {s.value for s in ProgressSource}
STATUSES = {s.value for s in GoalStatus}
CLOSED_PAGE_SIZE = 10  # the closed goals /coaching shows at a time
CLOSED_API_PAGE_SIZE = 50  # GET /coaching/goals/closed's page unless asked


def _own(session: Session, actor: Principal, goal_id: int) -> Goal:
    goal = session.get(Goal, goal_id)
    if goal is None or goal.user_id != actor.user_id:
        raise NotFound(UNKNOWN_GOAL)
    return goal


def _percent(value: int | None) -> int:
    if value is None or not 0 <= value <= 100:
        raise Invalid("Give your progress as a percentage from 0 to 100.")
    return value


def _target_date(value: date | None, today: date) -> date | None:
    if value is not None and value < today:
        raise Invalid(
            f"The target date {value.isoformat()} has passed: choose today or a later day."
        )
    if value is not None and value > dates.LATEST:  # a typo ("20266")
        raise Invalid(f"Choose a target date by the end of {dates.LATEST.year}.")
    return value


def percent_done(done: int, total: int) -> int:
    """`done` of `total` as a whole percentage, rounded down as every progress figure is
    (mission_scope.percent: 2 of 3 is 66 % on a goal as on the track beside it; 199 of 200 is
    99, not a rounded-up 100 that reads as finished); 0 when there is nothing to count."""
    return mission_scope.percent(min(done, total), total)


def _missions(session: Session, goal: Goal) -> list[GoalMissionPublic]:
    rows = session.exec(
        select(Mission.id, Mission.title)
        .join(GoalMission, col(GoalMission.mission_id) == col(Mission.id))
        .where(GoalMission.goal_id == goal.id)
        .order_by(col(Mission.title))
    ).all()
    ids = [mid for mid, _ in rows]
    approved = (
        set(
            session.exec(
                select(Submission.mission_id).where(
                    Submission.student_id == goal.user_id,
                    col(Submission.mission_id).in_(ids),
                    Submission.status == SubmissionStatus.approved,
                )
            ).all()
        )
        if ids
        else set()
    )
    return [GoalMissionPublic(mission_id=m, title=t, approved=m in approved) for m, t in rows]


def _habits(session: Session, goal: Goal) -> list[GoalHabitPublic]:
    since = local_day(goal.created_at, access.user_zone(session, goal.user_id))
    counted = (
        select(func.count())
        .select_from(HabitCheckin)
        .where(HabitCheckin.habit_id == GoalHabit.habit_id, HabitCheckin.day >= since)
        .scalar_subquery()
    )
    rows = session.exec(
        select(GoalHabit.habit_id, Habit.title, GoalHabit.target_checkins, counted)
        .join(Habit, col(Habit.id) == col(GoalHabit.habit_id))
        .where(GoalHabit.goal_id == goal.id)
        .order_by(col(Habit.title))
    ).all()
    return [
        GoalHabitPublic(habit_id=h, title=t, target_checkins=target, checkins=n)
        for h, t, target, n in rows
    ]


def _missions_progress(missions: list[GoalMissionPublic]) -> tuple[int, str]:
    """(percent, label) of a goal measured by `missions`: "1 of 3 missions approved"."""
    done = sum(1 for m in missions if m.approved)
    label = f"{done} of {len(missions)} mission{'s' if len(missions) != 1 else ''} approved"
    return percent_done(done, len(missions)), label


def goal_public(session: Session, goal: Goal, today: date | None = None) -> GoalPublic:
    """The goal with its progress from its source (100 % once achieved), overdue when still
    active after its target date (`today`: the learner's day, looked up when not given)."""
    missions, habits = _missions(session, goal), _habits(session, goal)
    if goal.progress_source == ProgressSource.missions:
        percent, label = _missions_progress(missions)
    elif goal.progress_source == ProgressSource.habits:
        target = sum(h.target_checkins for h in habits)
        done = sum(min(h.checkins, h.target_checkins) for h in habits)
        percent = percent_done(done, target)
        label = f"{done} of {plural(target, 'check-in')}"
    else:
        percent = goal.manual_percent
        label = f"{percent} % (your estimate)"
    if goal.status == GoalStatus.achieved:
        percent, label = 100, "Achieved"
    overdue = False
    if goal.status == GoalStatus.active and goal.target_date is not None:
        overdue = goal.target_date < (today or access.today(session, goal.user_id))
    return from_row(
        GoalPublic,
        goal,
        overdue=overdue,
        percent=percent,
        progress_label=label,
        missions=missions,
        habits=habits,
        achieved_at=goal.achieved_at if goal.status == GoalStatus.achieved else None,
    )


def seen_with_missions(goal: GoalPublic, seen: Callable[[int], bool]) -> GoalPublic:
    """The goal as staff read it: linking only the missions `seen` (those whose work by the
    learner they may see), and — measured by missions, not achieved — its progress counted over
    those alone, so an approval in another organisation is neither listed nor counted."""
    missions = [m for m in goal.missions if seen(m.mission_id)]
    update: dict[str, object] = {"missions": missions}
    if goal.progress_source == ProgressSource.missions and goal.status != GoalStatus.achieved:
        percent, label = _missions_progress(missions)
        update |= {"percent": percent, "progress_label": label if missions else NO_MISSION_SEEN}
    return goal.model_copy(update=update)


def goals_public(
    session: Session,
    user_id: int,
    *,
    closed_newest: int = 0,
    achieved_since: datetime | None = None,
) -> list[GoalPublic]:
    """A learner's active goals (MAX_GOALS at most), newest first, then of the closed ones,
    which only grow: the `closed_newest` newest, and those achieved since `achieved_since`
    (no permission check: callers have done it). Each costs a few queries (goal_public), so
    nobody reads every closed goal at once: closed_goal_page pages them."""
    closed = col(Goal.status) != GoalStatus.active
    newest = (col(Goal.created_at).desc(), col(Goal.id).desc())
    rows = list(
        session.exec(select(Goal).where(Goal.user_id == user_id, ~closed).order_by(*newest)).all()
    )
    picked: dict[int | None, Goal] = {}
    if closed_newest:
        for g in session.exec(
            select(Goal)
            .where(Goal.user_id == user_id, closed)
            .order_by(*newest)
            .limit(closed_newest)
        ):
            picked[g.id] = g
    if achieved_since is not None:
        for g in session.exec(
            select(Goal)
            .where(
                Goal.user_id == user_id,
                Goal.status == GoalStatus.achieved,
                col(Goal.achieved_at) >= achieved_since,
            )
            .order_by(*newest)
        ):
            picked[g.id] = g
    rows += sorted(picked.values(), key=lambda g: (g.created_at, g.id or 0), reverse=True)
    today = access.today(session, user_id)
    return [goal_public(session, g, today) for g in rows]


def list_goals(session: Session, principal: Principal | None) -> list[GoalPublic]:
    """The learner's active goals with their progress (at most MAX_GOALS; the closed ones, which
    only grow, a page at a time: closed_goal_page)."""
    actor = access.learner(principal)
    return goals_public(session, actor.user_id)


def closed_goal_page(
    session: Session,
    principal: Principal | None,
    page: int = 1,
    *,
    page_size: int = CLOSED_PAGE_SIZE,
) -> PageOf[GoalPublic]:
    """The learner's achieved and dropped goals, newest first, a page at a time (a page past the
    end, the list having shrunk, answers the last one)."""
    actor = access.learner(principal)
    closed = (
        select(Goal)
        .where(Goal.user_id == actor.user_id, Goal.status != GoalStatus.active)
        .order_by(col(Goal.created_at).desc(), col(Goal.id).desc())
    )
    found = fetch_page(session, closed, page, page_size, last_if_past=True)
    today = access.today(session, actor.user_id)
    return found.with_items([goal_public(session, g, today) for g in found.items])


def _link_missions(session: Session, actor: Principal, goal: Goal, ids: list[int]) -> None:
    for mission_id in dict.fromkeys(ids):
        if not mission_scope.can_see(session, actor, mission_id):
            raise NotFound(f"Mission {mission_id} does not exist or is not open to you.")
        session.add(GoalMission(goal_id=goal.id or 0, mission_id=mission_id))


def _link_habits(
    session: Session, actor: Principal, goal: Goal, ids: list[int], target: int
) -> None:
    if ids and not 1 <= target <= 1000:
        raise Invalid("Give the check-ins a habit needs for this goal, from 1 to 1000.")
    for habit_id in dict.fromkeys(ids):
        habit = session.get(Habit, habit_id)
        if habit is None or habit.user_id != actor.user_id:
            raise NotFound(f"Habit {habit_id} does not exist.")
        if habit.archived_at is not None:  # it takes no more check-ins: the goal could not move
            raise Invalid(
                f"“{habit.title}” is archived: it takes no more check-ins. "
                "Link an active habit, or start a new one."
            )
        session.add(GoalHabit(goal_id=goal.id or 0, habit_id=habit_id, target_checkins=target))


def _check_room(session: Session, user_id: int) -> None:
    """Invalid when the learner already keeps MAX_GOALS active goals (a new or reopened goal
    would be one more). Takes the learner's coaching lock first, so that two at once take turns
    and the second counts the first."""
    locks.hold(session, locks.Lock.LEARNER_COACHING, user_id)
    active = session.exec(
        select(func.count())
        .select_from(Goal)
        .where(Goal.user_id == user_id, Goal.status == GoalStatus.active)
    ).one()
    if active >= MAX_GOALS:
        raise Invalid(f"You have {MAX_GOALS} active goals. Mark one achieved or dropped first.")


def create_goal(session: Session, principal: Principal | None, data: GoalCreate) -> GoalPublic:
    """Set a goal; its progress comes from linked missions, linked habits or a percentage."""
    actor = access.learner(principal)
    title = text.line(data.title, "goal's title", GOAL_TITLE_MAX)
    why = text.block(data.why, "why", TEXT_MAX)
    source = (data.progress_source or "").strip().lower()
    if source not in SOURCES:
        raise Invalid("Choose how progress is measured: missions, habits or your own estimate.")
    target = _target_date(data.target_date, access.today(session, actor.user_id))
    if source == ProgressSource.missions and not data.mission_ids:
        raise Invalid("Link at least one mission: progress is counted from them.")
    if source == ProgressSource.habits and not data.habit_ids:
        raise Invalid("Link at least one habit: progress is counted from its check-ins.")
    _check_room(session, actor.user_id)
    now = utcnow()
    goal = Goal(
        user_id=actor.user_id,
        title=title,
        why=why,
        target_date=target,
        progress_source=ProgressSource(source),
        manual_percent=_percent(data.manual_percent),
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    session.flush()
    _link_missions(session, actor, goal, data.mission_ids)
    _link_habits(session, actor, goal, data.habit_ids, data.habit_target)
    session.flush()
    ai_sources.changed(session, actor.user_id)
    jobs.coaching_changed(session, actor.user_id)
    return goal_public(session, goal)


def update_goal(
    session: Session, principal: Principal | None, goal_id: int, data: GoalUpdate
) -> GoalPublic:
    """Change a goal's words, target date, status or manual percentage. A field left out of
    `data` is kept; `target_date` given as None clears the goal's target date."""
    actor = access.learner(principal)
    goal = _own(session, actor, goal_id)
    now = utcnow()
    read_by_ai = (goal.title, goal.why, goal.status)
    if data.title is not None:
        goal.title = text.line(data.title, "goal's title", GOAL_TITLE_MAX)
    if data.why is not None:
        goal.why = text.block(data.why, "why", TEXT_MAX)
    if "target_date" in data.model_fields_set and data.target_date != goal.target_date:
        # Left out: kept. None (JSON null): cleared, even a target that has passed. A day: the
        # new target, checked as a new goal's.
        goal.target_date = _target_date(data.target_date, access.today(session, actor.user_id))
    if data.status is not None:
        status = data.status.strip().lower()
        if status not in STATUSES:
            raise Invalid("A goal is active, achieved or dropped.")
        if status == GoalStatus.active and goal.status != GoalStatus.active:
            _check_room(session, actor.user_id)  # reopening counts as a new active goal
        if status != goal.status:
            goal.achieved_at = now if status == GoalStatus.achieved else None
        goal.status = GoalStatus(status)
    if data.manual_percent is not None:
        goal.manual_percent = _percent(data.manual_percent)
    goal.updated_at = now
    session.add(goal)
    session.flush()
    if (goal.title, goal.why, goal.status) != read_by_ai:
        ai_sources.changed(session, actor.user_id)
    jobs.coaching_changed(session, actor.user_id)
    return goal_public(session, goal)


def delete_goal(session: Session, principal: Principal | None, goal_id: int) -> None:
    """Delete one of the learner's goals (its links go with it)."""
    actor = access.learner(principal)
    goal = _own(session, actor, goal_id)
    was_read = goal.status == GoalStatus.active
    session.delete(goal)
    session.flush()
    if was_read:
        ai_sources.changed(session, actor.user_id)
    jobs.coaching_changed(session, actor.user_id)


def mission_choices(session: Session, principal: Principal | None) -> list[MissionChoice]:
    """The missions the learner may link a goal to: those their programmes run, by title."""
    actor = access.learner(principal)
    rows = session.exec(
        select(Mission.id, Mission.title)
        .where(col(Mission.id).in_(mission_scope.takeable_missions(actor.user_id)))
        .order_by(col(Mission.title))
        .limit(200)
    ).all()
    return [MissionChoice(id=m or 0, title=t) for m, t in rows]
