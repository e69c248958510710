"""The cohort's schedule for its director (issue 15, item 3): each mission the programme runs
with a due date and time (typed in the director's own time zone), save and clear. Learners see
the dates on their home and mission pages, in their calendar feed, and get a reminder."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.layout import wrap_row
from cyberhub.components.notice import notice_callout
from cyberhub.components.panels import grey_text, keeping_form
from cyberhub.components.sections import section_card
from cyberhub.components.tables import table_or
from cyberhub.components.ui import error_callout, muted
from cyberhub.formatting import zone
from cyberhub.pages.director_cohort.data import ScheduleRow, fetch_panel
from cyberhub.pages.director_cohort.state import DirectorCohortState
from cyberhub.schemas.schedule import CohortSchedule
from cyberhub.services.learning import schedule
from cyberhub.state.forms import parse_id
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState


class CohortScheduleState(ServiceState, rx.State):
    cohort_id: int = 0
    rows: list[ScheduleRow] = []
    notice: str = ""
    # Bumped on each load: the date inputs remount with the stored values. Within a visit a
    # row's input remounts only when its stored date changed (its key names the date): saving
    # or clearing one row leaves a date typed in another, not saved yet, as typed.
    version: int = 0

    async def _fetch(self) -> None:
        got = await self._try(schedule.cohort_schedule, self.cohort_id)
        if not got:
            self.error = got.error
            return
        tz = await self._time_zone()
        plan: CohortSchedule = got.value
        rows = []
        for m in plan.missions:
            # the value of a datetime-local input, in the director's zone
            local = m.due_at.astimezone(zone(tz)).strftime("%Y-%m-%dT%H:%M") if m.due_at else ""
            key = f"{m.mission_id}-{local}-{self.version}"
            rows.append(ScheduleRow(key, m.mission_id, m.title, m.track, local))
        self.rows = rows

    @rx.event
    async def load(self) -> None:
        self.error, self.notice, self.rows = "", "", []
        self.version += 1
        await fetch_panel(self)

    @rx.event
    async def save(self, form: dict[str, Any]) -> Any:
        self.notice = self.error = ""  # a refusal of the last try is not this one's
        mission_id = parse_id(str(form.get("mission_id", "")))
        value = str(form.get("due_at", "")).strip()[:40]
        if mission_id is None:
            return None
        if not value:
            self.error = "Choose a date and a time first (or use Clear to remove the due date)."
            return None
        done = await self._call(
            schedule.set_due_date, self.cohort_id, mission_id, value, meta=self._meta()
        )
        if not done:
            return None
        self.notice = f"Saved the due date of {done.value.title}."
        await self._fetch()
        return DirectorCohortState.refresh  # the roster's overdue flags follow

    @rx.event
    async def clear(self, mission_id: int) -> Any:
        self.notice = self.error = ""
        done = await self._call(
            schedule.clear_due_date, self.cohort_id, int(mission_id), meta=self._meta()
        )
        if not done:
            return None
        self.notice = f"{done.value.title} has no due date now."
        await self._fetch()
        return DirectorCohortState.refresh


S = CohortScheduleState


def _row(r: rx.Var[ScheduleRow]) -> rx.Component:
    label = "Due date of " + r.title.to(str)
    return rx.table.row(
        rx.table.row_header_cell(r.title),
        rx.table.cell(r.track),
        rx.table.cell(
            keeping_form(
                wrap_row(
                    rx.el.input(type="hidden", name="mission_id", value=r.id.to(str)),
                    rx.input(
                        type="datetime-local",
                        name="due_at",
                        default_value=r.local,
                        aria_label=label,
                        min="2000-01-01T00:00",
                        max="2100-12-31T23:59",
                    ),
                    rx.button(
                        "Save",
                        type="submit",
                        aria_label="Save the due date of " + r.title.to(str),
                    ),
                    rx.cond(
                        r.local != "",
                        rx.button(
                            "Clear",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.clear(r.id),
                            aria_label="Clear the due date of " + r.title.to(str),
                        ),
                    ),
                    spacing="2",
                ),
                on_submit=S.save,
                key=r.key,
            )
        ),
    )


def schedule_panel() -> rx.Component:
    """Due dates of the programme's missions in this cohort."""
    return section_card(
        "Schedule",
        muted(
            "A due date per mission, in your time zone (",
            SessionState.time_zone,
            "); each learner sees it in theirs. A mission is overdue when its date has "
            "passed and nothing is handed in — a submission waiting for review counts. "
            "Learners who have not handed in get a reminder a few days before.",
        ),
        notice_callout(S.notice, icon="circle_check", full_width=False),
        error_callout(S.error),
        table_or(
            S.rows,
            ["Mission", "Track", "Due"],
            _row,
            grey_text("The programme runs no published missions yet: add some under Missions."),
            label="Schedule",
            data_testid="cohort-schedule",
        ),
        data_testid="schedule-panel",
    )
