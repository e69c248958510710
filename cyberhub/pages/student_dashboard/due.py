"""The "Due this week" block of the learner's home (issue 15, item 3): what their cohorts have
due in the next 7 days, and what is overdue — each time in the learner's own time zone."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.layout import wrap_row
from cyberhub.components.sections import section_card
from cyberhub.components.tables import list_or
from cyberhub.components.ui import muted
from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.schemas.schedule import DueItem
from cyberhub.services.learning import schedule
from cyberhub.state.service import ServiceState

_STATUS = {"due": "", "handed_in": "Handed in", "approved": "Approved", "overdue": "Overdue"}


class DueThisWeekState(ServiceState, rx.State):
    items: list[dict[str, Any]] = []
    failed: str = ""
    # False until the first read is in: the block says it is loading, not "Nothing is due"
    # (the dashboard shows before this block's load has run).
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        got = await self._try(schedule.my_schedule)
        self.loaded = True
        if not got:
            self.items, self.failed = [], got.error
            return
        tz, now = await self._time_zone(), utcnow()

        def row(i: DueItem) -> dict[str, Any]:
            late = i.status == "overdue"
            return {
                "key": f"{i.cohort_id}-{i.mission_id}",
                "title": i.title,
                "url": i.url,
                "cohort": i.cohort,
                "when": when(i.due_at, tz),
                "overdue": late,
                "mark": schedule.overdue_by(i.due_at, now) if late else _STATUS[i.status],
            }

        self.failed = ""
        self.items = [row(i) for i in got.value.overdue] + [row(i) for i in got.value.due_this_week]


def _item(i: rx.Var[dict[str, Any]]) -> rx.Component:
    return wrap_row(
        rx.vstack(
            rx.link(i["title"].to(str), href=i["url"].to(str), weight="medium"),
            rx.text("Due ", i["when"].to(str), " · ", i["cohort"].to(str), size="2"),
            spacing="0",
            align="start",
        ),
        rx.spacer(),
        rx.cond(
            i["mark"].to(str) != "",
            rx.badge(
                i["mark"].to(str),
                color_scheme=rx.cond(i["overdue"].to(bool), "red", "gray"),
                variant=rx.cond(i["overdue"].to(bool), "solid", "soft"),
            ),
        ),
        width="100%",
        testid="due-item",
    )


def due_section() -> rx.Component:
    S = DueThisWeekState
    return section_card(
        "Due this week",
        muted(
            "Due dates set by your cohort for the next 7 days, and anything overdue. A "
            "submission waiting for review counts as handed in."
        ),
        rx.cond(
            S.failed != "",
            rx.text(S.failed, color_scheme="red", size="2"),
            rx.cond(
                S.loaded,
                list_or(S.items, _item, "Nothing is due in the next 7 days."),
                muted("Loading your due dates…"),
            ),
        ),
        spacing="2",
        align="start",
        data_testid="due-this-week",
    )
