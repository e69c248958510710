"""/dashboard: the signed-in home. Role-specific dashboards build on it."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.shell import guarded, shell
from cyberhub.components.tables import data_table
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.routes import SIGNED_IN, Page, register
from cyberhub.schemas.overview import CohortBrief, ProgramOverview, RoleCount
from cyberhub.services.admin import overview
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

ROUTE = "/dashboard"


class DashboardState(ServiceState, rx.State):
    programs: list[ProgramOverview] = []
    users_total: int = 0
    users_by_role: list[RoleCount] = []
    loaded: bool = False
    error: str = ""

    @rx.var
    def welcome(self) -> bool:
        return self.router.url.query_parameters.get("welcome") == "true"

    @rx.event
    async def load(self) -> None:
        found = await self._call(overview.home)
        self.loaded = True
        if found:
            data = found.value
            self.programs, self.users_total = data.programs, data.users_total
            self.users_by_role, self.error = data.users_by_role, ""


def _cohort_row(c: rx.Var[CohortBrief]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(c.name),
        rx.table.cell(c.dates),
        rx.table.cell(c.capacity),
        rx.table.cell(
            rx.badge(
                c.status,
                color_scheme=rx.match(c.status, ("running", "green"), ("upcoming", "blue"), "gray"),
            )
        ),
    )


def _program(p: rx.Var[ProgramOverview]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(p.name, size="5", as_="h2"),
            rx.text(p.description, color_scheme="gray"),
            rx.text(p.missions, " published missions", weight="medium"),
            rx.heading("Cohorts", size="3", as_="h3"),
            data_table(
                ["Cohort", "Dates", "Capacity", "Status"], rx.foreach(p.cohorts, _cohort_row)
            ),
            spacing="3",
            width="100%",
            overflow_x="auto",
        ),
        width="100%",
    )


def _admin_panel() -> rx.Component:
    return rx.cond(
        SessionState.is_admin,
        rx.card(
            rx.vstack(
                rx.heading("People", size="5", as_="h2"),
                rx.text(DashboardState.users_total, " accounts"),
                rx.flex(
                    rx.foreach(
                        DashboardState.users_by_role,
                        lambda r: rx.badge(r.role, ": ", r.count, variant="surface", size="2"),
                    ),
                    gap="0.5em",
                    wrap="wrap",
                ),
                rx.link("Manage users →", href="/admin/users"),
                spacing="2",
            ),
            width="100%",
        ),
    )


def dashboard_content() -> rx.Component:
    return rx.vstack(
        page_heading(
            rx.cond(
                SessionState.display_name != "", "Welcome, " + SessionState.display_name, "Welcome"
            ),
            "Roles: " + SessionState.roles.join(", "),
        ),
        rx.cond(
            DashboardState.welcome,
            rx.callout(
                "Your account is ready. Browse the missions of your programme, or explore the five "
                "career tracks to see where you fit.",
                icon="party_popper",
                color_scheme="green",
                width="100%",
            ),
        ),
        error_callout(DashboardState.error),
        rx.hstack(
            rx.link(rx.button(rx.icon("target"), "Browse missions"), href="/missions"),
            rx.link(
                rx.button(rx.icon("compass"), "Explore tracks", variant="soft"), href="/tracks"
            ),
            wrap="wrap",
        ),
        _admin_panel(),
        rx.cond(
            DashboardState.loaded,
            rx.cond(
                DashboardState.programs.length() > 0,
                rx.foreach(DashboardState.programs, _program),
                empty_state(
                    "No programme yet",
                    "You are not part of a programme yet. A director adds learners to cohorts.",
                ),
            ),
            loading_state(),
        ),
        spacing="4",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return shell(guarded(ROUTE, dashboard_content()))


page = register(
    Page(
        route=ROUTE,
        title="Dashboard · CyberHub",
        component=dashboard_page,
        access=SIGNED_IN,
        on_load=(DashboardState.load,),
        nav_label="Dashboard",
        nav_order=10,
    )
)
