"""/dashboard/student: the learner's home, with the context of their track."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import difficulty_badge, error_callout, loading_state, page_heading
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services import student_home
from cyberhub.services.errors import DomainError
from cyberhub.services.permissions import Principal
from cyberhub.state.session import SessionState

ROUTE = "/dashboard/student"


def _load(principal: Principal | None, hint: str) -> dict[str, Any]:
    with db.session_scope() as session:
        return student_home.student_home(session, principal, hint)


class StudentDashboardState(rx.State):
    data: dict[str, Any] = {}
    loading: bool = True
    error: str = ""

    @rx.var
    def welcome(self) -> bool:
        return self.router.url.query_parameters.get("welcome") == "true"

    @rx.var
    def has_track(self) -> bool:
        return bool(self.data.get("track"))

    @rx.var
    def profiler_done(self) -> bool:
        return bool(self.data.get("profiler_done"))

    @rx.var
    def track(self) -> dict[str, Any]:
        return dict(self.data.get("track") or {})

    @rx.var
    def starters(self) -> list[dict[str, Any]]:
        return list(self.data.get("starters", []))

    @rx.var
    def confidence(self) -> str:
        return str((self.data.get("result") or {}).get("confidence", ""))

    @rx.event
    async def load(self) -> None:
        self.loading = True
        principal = await (await self.get_state(SessionState)).principal()
        hint = self.router.url.query_parameters.get("track", "")
        try:
            self.data = await asyncio.to_thread(_load, principal, hint)
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
        self.loading = False


def _starter(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.card(
        rx.link(
            rx.vstack(
                difficulty_badge(m["difficulty"].to(int)),
                rx.text(m["title"], weight="medium"),
                rx.text(m["minutes"], " min", size="1", color_scheme="gray"),
                spacing="1",
                align="start",
            ),
            href="/missions/" + m["id"].to(str),
            underline="none",
            color="inherit",
        )
    )


def content() -> rx.Component:
    S = StudentDashboardState
    t = S.track
    return rx.vstack(
        page_heading(
            rx.cond(
                SessionState.display_name != "", "Hello, " + SessionState.display_name, "Hello"
            ),
            "Your learning home.",
        ),
        error_callout(S.error),
        rx.cond(
            S.loading,
            loading_state(),
            rx.vstack(
                rx.cond(
                    S.welcome & S.has_track,
                    rx.callout(
                        rx.text(
                            "Welcome to the ",
                            rx.text.strong(t["name"].to(str)),
                            " track — ",
                            t["tagline"].to(str),
                            ". Here is where to start.",
                        ),
                        icon="party_popper",
                        color_scheme="green",
                        width="100%",
                        data_testid="welcome-track",
                    ),
                ),
                rx.cond(
                    ~S.profiler_done,
                    rx.callout(
                        rx.vstack(
                            rx.text(
                                "You haven't taken the career profiler yet. Ten minutes of scenarios "
                                "tell you which of the five tracks fits how you think."
                            ),
                            rx.link(
                                rx.button("Take the career profiler"),
                                href="/onboarding/ai-profiler",
                            ),
                            align="start",
                        ),
                        icon="sparkles",
                        width="100%",
                        data_testid="profiler-reminder",
                    ),
                ),
                rx.cond(
                    S.has_track,
                    rx.card(
                        rx.vstack(
                            rx.text("Your track", size="1", color_scheme="gray"),
                            rx.heading(t["name"].to(str), size="6", as_="h2"),
                            rx.text(t["tagline"].to(str), weight="medium"),
                            rx.text(t["description"].to(str), color_scheme="gray"),
                            rx.flex(
                                rx.foreach(
                                    t["careers"].to(list[str]),
                                    lambda c: rx.badge(c, variant="surface"),
                                ),
                                gap="0.4em",
                                wrap="wrap",
                            ),
                            rx.cond(
                                S.confidence != "",
                                rx.link(
                                    "Profiler confidence: ",
                                    S.confidence,
                                    " — see your results",
                                    href="/onboarding/ai-profiler/results",
                                    size="2",
                                ),
                            ),
                            spacing="2",
                            align="start",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.starters.length() > 0,
                    rx.vstack(
                        rx.heading("Start here", size="5", as_="h2"),
                        rx.grid(
                            rx.foreach(S.starters, _starter),
                            columns=rx.breakpoints(initial="1", sm="3"),
                            spacing="3",
                            width="100%",
                        ),
                        rx.link(
                            "All missions in your track →",
                            href="/missions?track=" + t["key"].to(str),
                        ),
                        width="100%",
                        align="start",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        width="100%",
    )


def student_dashboard_page() -> rx.Component:
    return shell(guarded(ROUTE, content()))


page = register(
    Page(
        route=ROUTE,
        title="My learning · CyberHub",
        component=student_dashboard_page,
        access=roles(Role.student),
        on_load=(StudentDashboardState.load,),
        nav_label="My learning",
        nav_order=5,
    )
)
