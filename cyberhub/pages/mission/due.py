"""The mission page's due-date badge (issue 15, item 3): "Due 12 Dec 2026, 17:00 EAT" or
"Overdue by 2 days", for a learner whose cohort set a due date for this mission, in their own
time zone. Nothing for anyone else."""

from __future__ import annotations

import reflex as rx

from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.services.learning import schedule
from cyberhub.state.forms import url_id
from cyberhub.state.service import ServiceState


class MissionDueState(ServiceState, rx.State):
    text: str = ""
    late: bool = False
    title: str = ""  # the badge's tooltip: which cohort, and what counts as handed in

    @rx.event
    async def load(self) -> None:
        self.text, self.late, self.title = "", False, ""
        mission_id = url_id(self, "mission_id")
        if mission_id is None:
            return
        got = await self._try(schedule.mission_due, mission_id)
        if not got or got.value is None:
            return
        d, tz = got.value, await self._time_zone()
        self.late = d.status == "overdue"
        shown = "Due " + when(d.due_at, tz)
        self.text = {
            "overdue": schedule.overdue_by(d.due_at, utcnow()),
            "handed_in": shown + " · handed in",
            "approved": shown + " · approved",
        }.get(d.status, shown)
        self.title = (
            f"Due in {d.cohort} on {when(d.due_at, tz)}. A submission waiting for review counts "
            "as handed in."
        )


def due_badge() -> rx.Component:
    S = MissionDueState
    return rx.cond(
        S.text != "",
        rx.badge(
            rx.icon(rx.cond(S.late, "alarm_clock", "calendar"), size=14),
            S.text,
            color_scheme=rx.cond(S.late, "red", "teal"),
            variant=rx.cond(S.late, "solid", "soft"),
            title=S.title,
            data_testid="mission-due",
        ),
    )
