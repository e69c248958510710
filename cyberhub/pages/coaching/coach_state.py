"""The AI coach's plan as the pages show it (/coaching for the learner, /mentees/<id> for their
mentor or director): view rows made from services/coaching/coach.read_plan, nothing computed
here (the worker writes the plan; the page only reads it)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import BaseModel

from cyberhub.formatting import when
from cyberhub.schemas.coach import CoachLine, CoachPlanPublic
from cyberhub.services.coaching import coach
from cyberhub.state.forms import url_id
from cyberhub.state.service import Outcome, ServiceState


class EvidenceView(BaseModel):
    label: str
    href: str


class LineView(BaseModel):
    text: str
    evidence: list[EvidenceView]
    title: str = ""  # a mission's title (its line is the reason)
    href: str = ""  # the mission's page


def _line(line: CoachLine, title: str = "", href: str = "") -> LineView:
    return LineView(
        text=line.text,
        evidence=[EvidenceView(label=e.label, href=e.href) for e in line.evidence],
        title=title,
        href=href,
    )


class CoachPlanState(ServiceState, rx.State):
    plan_loading: bool = True
    plan_state: str = ""  # "ready" | "preparing" | "off" ("" while loading or refused)
    plan_message: str = ""
    plan_computed: str = ""  # "Prepared Mon 30 Nov, 09:12"
    focus: list[LineView] = []  # none or one
    habits: list[LineView] = []
    missions: list[LineView] = []
    nudges: list[LineView] = []
    changes: list[LineView] = []

    def _show(self, p: CoachPlanPublic, tz: str) -> None:
        self.plan_state, self.plan_message = p.state, p.message
        self.plan_computed = f"Prepared {when(p.computed_at, tz)}" if p.computed_at else ""
        plan = p.plan
        self.focus = [_line(plan.focus)] if plan and plan.focus else []
        self.habits = [_line(h) for h in plan.habits] if plan else []
        self.missions = [_line(m.reason, m.title, m.href) for m in plan.missions] if plan else []
        self.nudges = [_line(n.line) for n in plan.nudges] if plan else []
        self.changes = [_line(c) for c in plan.changes] if plan else []

    async def _shown(self, found: Outcome[CoachPlanPublic]) -> None:
        """Show a plan read for either page, or why it was refused; loading ends either way."""
        if found:
            self.error = ""
            self._show(found.value, await self._time_zone())
        else:
            self.error, self.plan_state = found.error, ""
        self.plan_loading = False

    @rx.event
    async def load_mine(self) -> None:
        """The signed-in learner's plan (and again when the worker rewrites it: live topic)."""
        await self._shown(await self._try(coach.my_plan))

    @rx.event
    async def load_mentee(self) -> Any:
        """The plan of the learner on the mentee page (the same read rule as the page). The
        last learner's plan goes first: it showed under this one's name until theirs came."""
        self.plan_loading, self.plan_state, self.error = True, "", ""
        self.focus = self.habits = self.missions = self.nudges = self.changes = []
        yield
        user_id = url_id(self, "user_id")
        if user_id is None:
            self.error, self.plan_state, self.plan_loading = coach.NOT_YOURS, "", False
            return
        await self._shown(await self._try(coach.read_plan, user_id))
