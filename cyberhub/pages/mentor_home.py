"""/dashboard/mentor: a mentor's home — the cohorts of their organizations and the learners they
may be matched with. Review queues arrive with the learning core."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import (
    empty_state,
    error_callout,
    info_callout,
    loading_state,
    page_heading,
)
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import mentoring
from cyberhub.services.errors import DomainError
from cyberhub.services.permissions import Principal
from cyberhub.state.session import SessionState

ROUTE = "/dashboard/mentor"


def _home(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        return mentoring.mentor_home(session, principal)


class MentorHomeState(rx.State):
    organizations: list[str] = []
    cohorts: list[dict[str, Any]] = []
    learners: list[dict[str, Any]] = []
    learners_total: int = 0
    loaded: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> None:
        principal = await (await self.get_state(SessionState)).principal()
        try:
            data = await asyncio.to_thread(_home, principal)
        except DomainError as exc:
            self.error, self.loaded = exc.message, True
            return
        self.organizations = data["organizations"]
        self.cohorts = data["cohorts"]
        self.learners = [
            {**x, "joined": datetime.fromisoformat(x["joined"]).strftime("%d %b %Y")}
            for x in data["learners"]
        ]
        self.learners_total = data["learners_total"]
        self.error, self.loaded = "", True


def _cohort_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(c["name"], weight="medium"),
                rx.text(c["program"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(c["dates"]),
        rx.table.cell(c["capacity"]),
        rx.table.cell(
            rx.badge(
                c["status"],
                color_scheme=rx.match(
                    c["status"], ("running", "green"), ("upcoming", "blue"), "gray"
                ),
            )
        ),
    )


def _learner_row(x: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(x["name"], weight="medium")),
        rx.table.cell(rx.text(x["email"], size="2")),
        rx.table.cell(rx.text(x["organization"], size="2")),
        rx.table.cell(rx.text(x["joined"], size="2")),
    )


def _table(headers: list[str], rows: rx.Component) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rows),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def mentor_home_content() -> rx.Component:
    S = MentorHomeState
    return rx.vstack(
        page_heading(
            "Mentoring",
            rx.cond(
                S.organizations.length() > 0,
                "You mentor in " + S.organizations.join(", ") + ".",
                "Your mentor home.",
            ),
        ),
        info_callout(
            "Review queues for learners' mission submissions arrive with the learning core. "
            "Until then, here are your cohorts and the learners you may be matched with.",
            icon="clipboard_list",
        ),
        error_callout(S.error),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.heading("Cohorts", size="5", as_="h2"),
                rx.cond(
                    S.cohorts.length() > 0,
                    _table(
                        ["Cohort", "Dates", "Capacity", "Status"],
                        rx.foreach(S.cohorts, _cohort_row),
                    ),
                    empty_state(
                        "No cohorts yet",
                        "Your organization has no cohorts yet; a director creates them.",
                    ),
                ),
                rx.heading("Learners you may be matched with", size="5", as_="h2"),
                rx.cond(
                    S.learners.length() > 0,
                    rx.vstack(
                        rx.text(
                            S.learners_total,
                            rx.cond(S.learners_total == 1, " learner", " learners"),
                            " in your organizations",
                            size="2",
                            color_scheme="gray",
                        ),
                        _table(
                            ["Name", "Email", "Organization", "Joined"],
                            rx.foreach(S.learners, _learner_row),
                        ),
                        width="100%",
                        spacing="2",
                    ),
                    empty_state(
                        "No learners yet",
                        "When students join your organization they appear here.",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            loading_state(),
        ),
        spacing="4",
        width="100%",
    )


def mentor_home_page() -> rx.Component:
    return shell(guarded(ROUTE, mentor_home_content()))


page = register(
    Page(
        route=ROUTE,
        title="Mentoring · CyberHub",
        component=mentor_home_page,
        access=roles(Role.mentor),
        on_load=(MentorHomeState.load,),
        nav_label="Mentoring",
        nav_order=20,
    )
)
