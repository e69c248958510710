"""The /coaching page's state: the learner's overview (habits, goals, reflections, the week) as
view rows already written for the reader, and one event per action. Every rule is in
services/coaching/."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.formatting import plural, when
from cyberhub.pages.coaching.rows import (
    CheckinView,
    FigureView,
    GoalView,
    HabitView,
    ReflectionView,
    day_label,
    figure_views,
    goal_view,
    habit_view,
    reflection_view,
)
from cyberhub.schemas.coaching import (
    GOAL_TITLE_MAX,
    NOTE_MAX,
    SKILL_MAX,
    TEXT_MAX,
    TITLE_MAX,
    CheckinCreate,
    CoachingOverview,
    GoalCreate,
    GoalPublic,
    GoalUpdate,
    HabitCreate,
    MissionChoice,
    ReflectionCreate,
    ReflectionPublic,
    TrackChoice,
)
from cyberhub.schemas.paging import PageOf
from cyberhub.services.coaching import goals, habits, reflections, summary
from cyberhub.services.identity.permissions import Principal
from cyberhub.state import resubmit
from cyberhub.state.dialogs import open_setter, value_setter
from cyberhub.state.service import ServiceState

ROUTE = "/coaching"
KEPT = TEXT_MAX * 2  # what the page keeps of a typed text before the service checks it


class Loaded(BaseModel):
    overview: CoachingOverview
    missions: list[MissionChoice]
    tracks: list[TrackChoice]
    reflections: list[ReflectionPublic]  # the page of them shown
    reflection_page: int
    reflection_pages: int
    closed: PageOf[GoalPublic]  # the page of achieved and dropped goals shown


def _read(
    session: Session, principal: Principal | None, reflection_page: int, closed_page: int
) -> Loaded:
    shown = reflections.reflection_page(session, principal, reflection_page)
    return Loaded(
        overview=summary.overview(session, principal),
        missions=goals.mission_choices(session, principal),
        tracks=habits.track_choices(session),
        reflections=shown.items,
        reflection_page=shown.page,
        reflection_pages=shown.pages,
        closed=goals.closed_goal_page(session, principal, closed_page),
    )


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


class CoachingState(ServiceState, rx.State):
    loading: bool = True
    error: str = ""
    notice: str = ""
    habits: list[HabitView] = []
    goals: list[GoalView] = []  # the active ones
    closed_goals: list[GoalView] = []  # a page of the achieved and dropped ones, newest first
    closed_page: int = 1
    closed_pages: int = 1
    closed_count: str = ""  # "12 closed goals", "" when none
    reflections: list[ReflectionView] = []
    reflection_page: int = 1
    reflection_pages: int = 1
    figures: list[FigureView] = []
    week_notes: list[CheckinView] = []
    week: str = ""  # "Week of 30 Nov 2026"
    prompts: list[str] = []
    missions: list[MissionChoice] = []
    tracks: list[TrackChoice] = []
    habit_error: str = ""
    goal_error: str = ""
    reflection_error: str = ""
    new_cadence: str = "daily"
    new_source: str = "manual"
    prompt: str = ""
    shared: bool = False
    archive_open: bool = False
    archive_id: int = 0
    # What each form made just now ("kind:" + its data as JSON -> when): resubmit.
    _made_at: dict[str, float] = {}
    # A check-in or archive refused, said on that habit's card.
    card_error_id: int = 0
    card_error: str = ""
    # An optional note per habit for its next check-in (keyed by the habit's id).
    notes: dict[str, str] = {}

    async def _fetch(self) -> str:
        read = await self._try(_read, self.reflection_page, self.closed_page)
        if not read:
            return read.error
        o, tz = read.value.overview, await self._time_zone()
        self.habits = [habit_view(h, o.today) for h in o.habits]
        changes = {w.goal_id: w.change for w in o.summary.goals}
        self.goals = [goal_view(g, changes.get(g.id)) for g in o.goals]
        closed = read.value.closed
        self.closed_goals = [goal_view(g, changes.get(g.id)) for g in closed.items]
        self.closed_page, self.closed_pages = closed.page, closed.pages
        self.closed_count = plural(closed.total, "closed goal") if closed.total else ""
        self.reflections = [reflection_view(r, tz) for r in read.value.reflections]
        self.reflection_page = read.value.reflection_page
        self.reflection_pages = read.value.reflection_pages
        self.figures = figure_views(o)
        self.week_notes = [
            CheckinView(day=day_label(n.day, o.today), note=n.note, habit=n.habit_title)
            for n in o.summary.notes
        ]
        self.week = f"Week of {when(o.summary.week_start, style='date')}"
        self.prompts = o.prompts
        self.missions = read.value.missions
        self.tracks = read.value.tracks
        return ""

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice = True, ""
        self.habit_error = self.goal_error = self.reflection_error = ""
        self.archive_open, self.reflection_page, self.closed_page = False, 1, 1
        self.shared, self.prompt = False, ""  # a new visit writes a private reflection
        self.card_error_id, self.card_error, self._made_at = 0, "", {}
        # A note typed and left on an earlier visit is gone from its (new, empty) box: it must
        # not go with the next check-in.
        self.notes = {}
        self.error = await self._fetch()
        self.loading = False

    def _again(self, kind: str, sent: str) -> bool:
        """Whether this form sends what it made just now (`sent`: what was typed; the second
        submit of a double click or Enter): it is not made twice (resubmit)."""
        return resubmit.sent_again(self._made_at, f"{kind}:{sent}")

    def _made(self, kind: str, sent: str) -> None:
        self._made_at = resubmit.made_now(self._made_at, f"{kind}:{sent}")

    async def _done(self, error: str, notice: str, field: str) -> bool:
        """Show a refusal under its form, or reload and say what happened."""
        setattr(self, field, error)
        if error:
            return False
        # A habit card's refusal is of an earlier action, not of this one that worked.
        self.card_error_id, self.card_error = 0, ""
        self.error = await self._fetch()
        self.notice = notice
        return True

    # habits -----------------------------------------------------------------------------------
    set_new_cadence = value_setter("new_cadence", str)

    @rx.event
    def set_note(self, habit_id: int, value: str) -> None:
        self.notes[str(habit_id)] = str(value)[:KEPT]

    @rx.event
    async def add_habit(self, form: dict[str, Any]) -> Any:
        raw = str(form.get("reminder_time", "")).strip()
        try:
            reminder = time.fromisoformat(raw) if raw else None
        except ValueError:
            self.habit_error = "Give the reminder as a time of day (e.g. 19:00), or leave it out."
            return
        data = HabitCreate(
            title=str(form.get("title", ""))[: TITLE_MAX * 2],
            cadence=self.new_cadence,
            per_week=max(0, min(100, _int(form.get("per_week", 1)) or 0)),
            reminder_time=reminder,
            track_key=str(form.get("track_key", ""))[:32],
            skill=str(form.get("skill", ""))[: SKILL_MAX * 2],
        )
        if self._again("habit", data.model_dump_json()):
            return
        made = await self._try(habits.create_habit, data)
        if await self._done(made.error, f"Habit “{data.title.strip()}” started.", "habit_error"):
            self._made("habit", data.model_dump_json())
            yield rx.set_value("habit-title", "")
            yield rx.set_value("habit-skill", "")

    @rx.event
    async def check_in(self, habit_id: int, day: str) -> Any:
        habit = next((h for h in self.habits if h.id == int(habit_id)), None)
        if habit is None or not any(d.value == day for d in habit.days):
            # That day is checked in already on this page (the second click of a double
            # click): the first one's notice stands, not "already checked in".
            return None
        note = self.notes.get(str(habit_id), "")
        data = CheckinCreate(day=date.fromisoformat(day), note=note[: NOTE_MAX * 2])
        done = await self._try(habits.check_in, int(habit_id), data)
        if not await self._on_card(habit.id, done.error, f"“{habit.title}” checked in."):
            return None
        # The note went with this check-in: its box empties (it stayed, as if the next
        # check-in, of another open day, would carry it too; it went without it).
        self.notes.pop(str(habit_id), None)
        return rx.set_value(f"habit-note-{habit.id}", "")

    async def _on_card(self, habit_id: int, error: str, notice: str) -> bool:
        """A habit's own refusal is said on its card (the page's top is far above it)."""
        self.card_error_id, self.card_error = (habit_id, error) if error else (0, "")
        if error:
            self.notice = ""
            return False
        return await self._done("", notice, "error")

    @rx.event
    def ask_archive(self, habit_id: int) -> None:
        self.archive_id, self.archive_open = int(habit_id), True

    set_archive_open = open_setter("archive_open")

    @rx.event
    async def archive(self) -> None:
        self.archive_open = False
        done = await self._try(habits.archive_habit, self.archive_id)
        await self._on_card(self.archive_id, done.error, "Habit archived. Its history stays.")

    # goals ------------------------------------------------------------------------------------
    set_new_source = value_setter("new_source", str)

    @rx.event
    async def add_goal(self, form: dict[str, Any]) -> Any:
        target = str(form.get("target_date", "")).strip()
        mission = _int(form.get("mission_id", ""))
        habit = _int(form.get("habit_id", ""))
        try:
            target_date = date.fromisoformat(target) if target else None
        except ValueError:
            self.goal_error = "Give the target date as a day (YYYY-MM-DD), or leave it out."
            return
        data = GoalCreate(
            title=str(form.get("title", ""))[: GOAL_TITLE_MAX * 2],
            why=str(form.get("why", ""))[:KEPT],
            target_date=target_date,
            progress_source=self.new_source,
            manual_percent=max(-1000, min(1000, _int(form.get("manual_percent", 0)) or 0)),
            mission_ids=[mission] if mission and self.new_source == "missions" else [],
            habit_ids=[habit] if habit and self.new_source == "habits" else [],
            habit_target=max(-1000, min(100_000, _int(form.get("habit_target", 10)) or 0)),
        )
        if self._again("goal", data.model_dump_json()):
            return
        made = await self._try(goals.create_goal, data)
        if await self._done(made.error, f"Goal “{data.title.strip()}” set.", "goal_error"):
            self._made("goal", data.model_dump_json())
            yield rx.set_value("goal-title", "")
            yield rx.set_value("goal-why", "")

    @rx.event
    async def set_goal_status(self, goal_id: int, status: str) -> None:
        done = await self._try(goals.update_goal, int(goal_id), GoalUpdate(status=status))
        said = {"achieved": "Goal achieved. Well done!", "dropped": "Goal dropped."}
        await self._done(done.error, said.get(status, "Goal reopened."), "goal_error")

    @rx.event
    async def go_to_closed_goals(self, page: int) -> None:
        """The closed goals' pager (a page past the end shows the last one)."""
        self.closed_page, self.goal_error = max(1, int(page)), ""
        self.error = await self._fetch()

    @rx.event
    async def clear_goal_target(self, goal_id: int) -> None:
        done = await self._try(goals.update_goal, int(goal_id), GoalUpdate(target_date=None))
        await self._done(done.error, "Target date cleared.", "goal_error")

    # reflections ------------------------------------------------------------------------------
    @rx.event
    def use_prompt(self, prompt: str) -> None:
        self.prompt = "" if prompt == self.prompt else prompt

    @rx.event
    def set_shared(self, value: bool) -> None:
        self.shared = bool(value)

    @rx.event
    async def add_reflection(self, form: dict[str, Any]) -> Any:
        data = ReflectionCreate(
            body=str(form.get("body", ""))[:KEPT],
            prompt=self.prompt,
            mood=_int(form.get("mood", "")),
            energy=_int(form.get("energy", "")),
            visibility="mentor" if self.shared else "private",
        )
        # What was typed (sharing and the prompt are reset by the first save, not typed).
        typed = f"{data.body}|{data.mood}|{data.energy}"
        if self._again("reflection", typed):
            return
        made = await self._try(reflections.add_reflection, data)
        if made:  # the newest: shown first on the first page
            self._made("reflection", typed)
            self.reflection_page = 1
        said = "Reflection saved" + (" and shared with your mentor." if self.shared else ".")
        if await self._done(made.error, said, "reflection_error"):
            # The next reflection starts afresh, and private: sharing is chosen each time.
            self.prompt, self.shared = "", False
            for field in ("reflection-body", "reflection-mood", "reflection-energy"):
                yield rx.set_value(field, "")

    @rx.event
    async def go_to_reflections(self, page: int) -> None:
        """The reflections' pager (a page past the end shows the last one)."""
        self.reflection_page, self.reflection_error = max(1, int(page)), ""
        self.error = await self._fetch()

    @rx.event
    async def toggle_share(self, reflection_id: int, shared: bool) -> None:
        visibility = "private" if shared else "mentor"
        done = await self._try(reflections.set_visibility, int(reflection_id), visibility)
        said = "Shared with your mentor." if visibility == "mentor" else "Now private."
        await self._done(done.error, said, "reflection_error")
