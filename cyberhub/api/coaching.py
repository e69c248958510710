"""/api/v1: the Coaching OS (issue 16) — a learner's habits and check-ins, goals, reflections,
the weekly summary and the /coaching overview. Every route is the learner's own (student role);
the rules are in services/coaching/."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response

from cyberhub.api.deps import Id, Page, PageSize, SessionDep, StudentUser
from cyberhub.schemas.coach import CoachPlanPublic
from cyberhub.schemas.coaching import (
    CheckinCreate,
    CheckinPublic,
    CoachingOverview,
    GoalCreate,
    GoalPublic,
    GoalsPage,
    GoalUpdate,
    HabitCreate,
    HabitPublic,
    HabitUpdate,
    ReflectionCreate,
    ReflectionPublic,
    ReflectionsPage,
    ReflectionUpdate,
    WeekSummary,
)
from cyberhub.services.coaching import coach, goals, habits, reflections, summary

router = APIRouter(tags=["coaching"])

# -- habits ------------------------------------------------------------------------------------


@router.get("/coaching/habits", response_model=list[HabitPublic])
def list_habits(
    session: SessionDep,
    principal: StudentUser,
    include_archived: bool = Query(default=False, description="archived habits too"),
) -> list[HabitPublic]:
    """The caller's habits with their current and longest streaks."""
    return habits.list_habits(session, principal, include_archived)


@router.post("/coaching/habits", status_code=201, response_model=HabitPublic)
def create_habit(body: HabitCreate, session: SessionDep, principal: StudentUser) -> HabitPublic:
    """Start a habit: daily, weekly or `per_week` times a week, with an optional reminder."""
    return habits.create_habit(session, principal, body)


@router.get("/coaching/habits/{habit_id}", response_model=HabitPublic)
def get_habit(habit_id: Id, session: SessionDep, principal: StudentUser) -> HabitPublic:
    """One of the caller's habits."""
    return habits.get_habit(session, principal, habit_id)


@router.patch("/coaching/habits/{habit_id}", response_model=HabitPublic)
def update_habit(
    habit_id: Id, body: HabitUpdate, session: SessionDep, principal: StudentUser
) -> HabitPublic:
    """Change a habit's title, cadence, reminder or skill."""
    return habits.update_habit(session, principal, habit_id, body)


@router.delete("/coaching/habits/{habit_id}", response_model=HabitPublic)
def archive_habit(habit_id: Id, session: SessionDep, principal: StudentUser) -> HabitPublic:
    """Archive a habit (its check-ins and streaks stay readable)."""
    return habits.archive_habit(session, principal, habit_id)


@router.get("/coaching/habits/{habit_id}/logs", response_model=list[CheckinPublic])
def list_logs(habit_id: Id, session: SessionDep, principal: StudentUser) -> list[CheckinPublic]:
    """A habit's check-ins, newest first."""
    return habits.list_checkins(session, principal, habit_id)


@router.post("/coaching/habits/{habit_id}/logs", status_code=201, response_model=CheckinPublic)
def check_in(
    habit_id: Id, body: CheckinCreate, session: SessionDep, principal: StudentUser
) -> CheckinPublic:
    """Check in for today, or back-fill up to 2 days before (`day`, in your time zone). One
    check-in per period: 409 for a second one."""
    return habits.check_in(session, principal, habit_id, body)


# -- goals -------------------------------------------------------------------------------------


@router.get("/coaching/goals", response_model=list[GoalPublic])
def list_goals(session: SessionDep, principal: StudentUser) -> list[GoalPublic]:
    """The caller's active goals with their progress (achieved and dropped ones, which only
    grow, are paged: GET /coaching/goals/closed)."""
    return goals.list_goals(session, principal)


@router.get("/coaching/goals/closed", response_model=GoalsPage)
def list_closed_goals(
    session: SessionDep,
    principal: StudentUser,
    page: Page = 1,
    page_size: PageSize = goals.CLOSED_API_PAGE_SIZE,
) -> GoalsPage:
    """The caller's achieved and dropped goals, newest first, a page at a time (a page past the
    end answers the last one)."""
    return GoalsPage.of(goals.closed_goal_page(session, principal, page, page_size=page_size))


@router.post("/coaching/goals", status_code=201, response_model=GoalPublic)
def create_goal(body: GoalCreate, session: SessionDep, principal: StudentUser) -> GoalPublic:
    """Set a goal; progress from linked `mission_ids`, linked `habit_ids` (each needing
    `habit_target` check-ins) or `manual_percent`."""
    return goals.create_goal(session, principal, body)


@router.patch("/coaching/goals/{goal_id}", response_model=GoalPublic)
def update_goal(
    goal_id: Id, body: GoalUpdate, session: SessionDep, principal: StudentUser
) -> GoalPublic:
    """Change a goal's words, target date, status (active, achieved, dropped) or percentage.
    A field left out is kept; `"target_date": null` clears the target date."""
    return goals.update_goal(session, principal, goal_id, body)


@router.delete("/coaching/goals/{goal_id}", status_code=204, response_class=Response)
def delete_goal(goal_id: Id, session: SessionDep, principal: StudentUser) -> None:
    """Delete one of the caller's goals."""
    goals.delete_goal(session, principal, goal_id)


# -- reflections -------------------------------------------------------------------------------


@router.get("/coaching/reflections", response_model=ReflectionsPage)
def list_reflections(
    session: SessionDep,
    principal: StudentUser,
    page: Page = 1,
    page_size: PageSize = reflections.API_PAGE_SIZE,
) -> ReflectionsPage:
    """The caller's reflections, newest first, a page at a time (a page past the end answers
    the last one)."""
    return ReflectionsPage.of(
        reflections.reflection_page(session, principal, page, page_size=page_size)
    )


@router.post("/coaching/reflections", status_code=201, response_model=ReflectionPublic)
def add_reflection(
    body: ReflectionCreate, session: SessionDep, principal: StudentUser
) -> ReflectionPublic:
    """Write a reflection (optional prompt, mood and energy 1-5; private or "mentor")."""
    return reflections.add_reflection(session, principal, body)


@router.patch("/coaching/reflections/{reflection_id}", response_model=ReflectionPublic)
def share_reflection(
    reflection_id: Id, body: ReflectionUpdate, session: SessionDep, principal: StudentUser
) -> ReflectionPublic:
    """Share a reflection with your mentor ("mentor") or make it private again."""
    return reflections.set_visibility(session, principal, reflection_id, body.visibility)


@router.delete("/coaching/reflections/{reflection_id}", status_code=204, response_class=Response)
def delete_reflection(reflection_id: Id, session: SessionDep, principal: StudentUser) -> None:
    """Delete one of the caller's reflections."""
    reflections.delete_reflection(session, principal, reflection_id)


# -- summary and overview ----------------------------------------------------------------------


@router.get("/coaching/summary", response_model=WeekSummary)
def week_summary(
    session: SessionDep,
    principal: StudentUser,
    week: date | None = Query(default=None, description="any day of the week (default: this)"),
) -> WeekSummary:
    """A week's check-ins, streaks, goal progress, reflections and missions moved, beside the
    week before."""
    return summary.week_summary(session, principal, week)


@router.get("/student/coaching/overview", response_model=CoachingOverview)
def coaching_overview(session: SessionDep, principal: StudentUser) -> CoachingOverview:
    """Everything the /coaching page shows, in one read."""
    return summary.overview(session, principal)


@router.get("/student/coaching/ai-coach", response_model=CoachPlanPublic)
def ai_coach(session: SessionDep, principal: StudentUser) -> CoachPlanPublic:
    """The AI coach's plan for this week, as the worker last stored it: `state` is "ready"
    (with `plan`), "preparing" (not computed yet) or "off" (AI profiling not granted)."""
    return coach.my_plan(session, principal)
