"""The roster block of the analytics page (for the cohort chosen in the filters): search, status
filter, sort, pages; last activity and withdrawal dates in the reader's zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.counts import counted
from cyberhub.components.labelled import labelled, labelled_select_of
from cyberhub.components.panels import filter_bar, grey_text, keeping_form, named_row
from cyberhub.components.sections import section_card
from cyberhub.components.tables import data_table
from cyberhub.components.two_line import two_line
from cyberhub.components.ui import error_callout, muted, pager
from cyberhub.formatting import when
from cyberhub.pages.director_analytics.data import ALL
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import analytics
from cyberhub.state.forms import parse_id, search_text
from cyberhub.state.paging import PagedList, filter_setter
from cyberhub.state.service import ServiceState

SORTS = (
    ("name", "Name"),
    ("progress", "Progress (lowest first)"),
    ("last_activity", "Last activity (oldest first)"),
    ("enrolled", "Enrolled (newest first)"),
)


@dataclass(frozen=True)
class RosterLine:
    student_id: int
    name: str
    email: str
    status: str
    mentor: str
    progress: str
    last_activity: str
    enrolled: str
    withdrawn: str


@dataclass(frozen=True)
class RosterView:
    items: list[RosterLine]
    total: int
    page: int
    pages: int


def _load(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    q: str,
    status: str,
    sort: str,
    page: int,
) -> RosterView:
    found = analytics.cohort_roster(
        session,
        principal,
        cohort_id,
        q=q,
        status="" if status == ALL else status,
        sort=sort,
        page=page,
    )
    tz = principal.time_zone if principal else None
    return RosterView(
        items=[
            from_row(
                RosterLine,
                e,
                mentor=e.mentor or "—",
                progress=f"{e.approved} of {e.published} ({e.progress} %)",
                last_activity=when(e.last_activity, tz, "date", empty="never"),
                enrolled=when(e.enrolled_at, tz, "date"),
                withdrawn=when(e.withdrawn_at, tz, "date", empty="(date unknown)"),
            )
            for e in found.items
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


class AnalyticsRosterState(ServiceState, PagedList, rx.State):
    cohort_id: int = 0
    q: str = ""
    status: str = ALL
    sort: str = "name"
    total: int = 0
    items: list[RosterLine] = []
    error: str = ""

    @rx.event
    async def load(self) -> None:
        cohort = self.router.url.query_parameters.get("cohort", "")
        self.cohort_id = parse_id(cohort) or 0
        self.q, self.status, self.sort, self.page = "", ALL, "name", 1
        await self._fetch()

    async def _fetch(self) -> None:
        if not self.cohort_id:
            self.items, self.total = [], 0
            return
        found = await self._call(_load, self.cohort_id, self.q, self.status, self.sort, self.page)
        if not found:  # said above the table, which shows no other search's rows under it
            self.items, self.total = [], 0
            return
        v = found.value
        self.items, self.total, self.page, self.pages = v.items, v.total, v.page, v.pages
        self.error = ""

    @rx.event
    async def refresh(self) -> None:
        """Read the roster's page again in place (a mentor was just assigned above)."""
        await self._fetch()

    @rx.event
    async def search(self, form: dict[str, Any]) -> None:
        self.q, self.page = search_text(form), 1
        await self._fetch()

    set_status = filter_setter("status")
    set_sort = filter_setter("sort")


S = AnalyticsRosterState


def _row(r: rx.Var[RosterLine]) -> rx.Component:
    return named_row(
        two_line(r.name, r.email),
        rx.cond(
            r.status == "withdrawn",
            rx.badge("Withdrawn ", r.withdrawn, color_scheme="gray"),
            rx.badge(r.status, variant="soft"),
        ),
        r.progress,
        r.last_activity,
        r.mentor,
        r.enrolled,
    )


def roster_block() -> rx.Component:
    return section_card(
        "Roster",
        rx.cond(
            S.cohort_id == 0,
            grey_text("Choose a cohort in the filters above to see its roster."),
            rx.vstack(
                filter_bar(
                    keeping_form(
                        rx.flex(
                            labelled(
                                "Search",
                                "an-roster-q",
                                rx.input(
                                    id="an-roster-q",
                                    name="q",
                                    type="search",
                                    placeholder="name or e-mail",
                                    max_length=200,
                                    default_value=S.q,
                                    # Another cohort's roster starts unsearched: a new box.
                                    key=S.cohort_id.to_string(),
                                ),
                            ),
                            rx.button("Search", type="submit"),
                            gap="0.5em",
                            align="end",
                        ),
                        on_submit=S.search,
                    ),
                    labelled_select_of(
                        "Status",
                        "an-roster-status",
                        rx.select.item("All", value=ALL),
                        rx.select.item("Active", value="active"),
                        rx.select.item("Completed", value="completed"),
                        rx.select.item("Withdrawn", value="withdrawn"),
                        value=S.status,
                        on_change=S.set_status,
                    ),
                    labelled_select_of(
                        "Sort by",
                        "an-roster-sort",
                        *[rx.select.item(label, value=key) for key, label in SORTS],
                        value=S.sort,
                        on_change=S.set_sort,
                    ),
                ),
                error_callout(S.error),
                muted(counted(S.total, "learner")),
                rx.cond(
                    S.total > 0,
                    data_table(
                        ["Learner", "Status", "Progress", "Last activity", "Mentor", "Enrolled"],
                        rx.foreach(S.items, _row),
                        size="1",
                        label="Roster",
                        data_testid="roster-table",
                    ),
                    rx.cond(
                        S.error == "",
                        grey_text(
                            rx.cond(
                                (S.q != "") | (S.status != ALL),
                                "No learner of this cohort matches the search and status.",
                                "Nobody is enrolled in this cohort yet.",
                            ),
                            data_testid="roster-empty",
                        ),
                    ),
                ),
                pager(S.page, S.pages, S.go_to),
                spacing="3",
                width="100%",
            ),
        ),
    )
