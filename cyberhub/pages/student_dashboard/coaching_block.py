"""The "Coaching" block of the learner's home (issue 16): today's habits done, the best current
streak, the active goals with their progress bars, and the way to /coaching. A learner with
nothing yet is invited to start a habit or set a goal."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel

from cyberhub.components.counts import plural
from cyberhub.components.layout import full_column
from cyberhub.components.sections import card_stack, heading_row
from cyberhub.components.ui import muted
from cyberhub.schemas.coaching import CoachingGlance
from cyberhub.services.coaching import summary
from cyberhub.state.service import ServiceState

GOALS_SHOWN = 3


class GoalBar(BaseModel):
    title: str
    percent: int
    label: str


def habits_line(o: CoachingGlance) -> str:
    """ "2 of 3 habits done today · best streak 5 days" ("" without habits). A streak of days
    and one of weeks are not compared as numbers (6 days is not more than 5 weeks): each unit
    has its best ("best streaks 6 days and 5 weeks")."""
    if not o.habits:
        return ""
    done = sum(1 for h in o.habits if h.done_today)
    line = f"{done} of {plural(len(o.habits), 'habit')} done today"
    best = [
        plural(n, unit)
        for unit in ("day", "week")
        if (n := max((h.streak.current for h in o.habits if h.streak.unit == unit), default=0))
    ]
    if best:
        line += f" · best streak{'s' if len(best) > 1 else ''} {' and '.join(best)}"
    return line


class CoachingBlockState(ServiceState, rx.State):
    ready: bool = False
    habits_line: str = ""  # "2 of 3 habits done today · best streak 5 days"
    goals: list[GoalBar] = []

    @rx.event
    async def load(self) -> None:
        got = await self._try(summary.glance)
        self.ready = bool(got)
        if got:
            self._show(got.value)

    def _show(self, o: CoachingGlance) -> None:
        self.habits_line = habits_line(o)
        self.goals = [
            GoalBar(title=g.title, percent=g.percent, label=g.progress_label) for g in o.goals
        ][:GOALS_SHOWN]


def _goal(g: rx.Var[GoalBar]) -> rx.Component:
    return full_column(
        rx.text(g.title, size="2", weight="medium", overflow_wrap="anywhere"),
        rx.progress(value=g.percent, max=100, aria_label="Progress of “" + g.title + "”"),
        muted(g.label, size="1"),
        spacing="1",
    )


def coaching_block() -> rx.Component:
    S = CoachingBlockState
    empty = (S.habits_line == "") & (S.goals.length() == 0)
    return rx.cond(
        S.ready,
        card_stack(
            heading_row(
                rx.heading("Coaching", size="5", as_="h2"),
                rx.link("Open coaching", href="/coaching"),
            ),
            rx.cond(
                empty,
                rx.text(
                    "Small daily habits and a clear goal keep you moving. ",
                    rx.link("Start a habit or set a goal", href="/coaching"),
                    ".",
                    size="2",
                ),
                rx.fragment(
                    rx.cond(S.habits_line != "", rx.text(S.habits_line, size="2")),
                    rx.foreach(S.goals, _goal),
                ),
            ),
            spacing="3",
            align="start",
            data_testid="coaching-block",
        ),
    )
