"""/missions/[mission_id]: one mission's brief, rubric, prerequisites and hints."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import difficulty_badge, empty_state, loading_state
from cyberhub.pages.registry import SIGNED_IN, Page, register
from cyberhub.services import catalog
from cyberhub.services.errors import DomainError
from cyberhub.services.permissions import Principal
from cyberhub.state.session import SessionState

ROUTE = "/missions/[mission_id]"


def _detail(principal: Principal | None, mission_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        d = catalog.get_mission(session, principal, mission_id)
        m = d.mission
        return {
            "id": m.id,
            "title": m.title,
            "summary": m.summary,
            "brief": m.brief,
            "difficulty": m.difficulty,
            "skills": m.skills,
            "minutes": m.estimated_minutes,
            "track": d.track.name,
            "rubric": m.rubric,
            "hints": m.hints,
            "prerequisites": [{"id": p.id, "title": p.title} for p in d.prerequisites],
        }


class MissionState(rx.State):
    mission: dict[str, Any] = {}
    hints_shown: int = 0
    loading: bool = True
    error: str = ""

    @rx.var
    def hints(self) -> list[str]:
        return list(self.mission.get("hints", []))[: self.hints_shown]

    @rx.var
    def hints_left(self) -> int:
        return len(self.mission.get("hints", [])) - self.hints_shown

    @rx.event
    async def load(self) -> None:
        self.loading, self.hints_shown, self.mission = True, 0, {}
        raw = self.router.page.params.get("mission_id", "")
        if not str(raw).isdigit():
            self.error, self.loading = "That mission does not exist.", False
            return
        session = await self.get_state(SessionState)
        principal = await session.principal()
        try:
            self.mission = await asyncio.to_thread(_detail, principal, int(raw))
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
        self.loading = False

    @rx.event
    def reveal_hint(self) -> None:
        if self.hints_left > 0:
            self.hints_shown += 1


def _rubric_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(c["title"], weight="medium")),
        rx.table.cell(c["description"]),
        rx.table.cell(c["points"]),
    )


def mission_content() -> rx.Component:
    S = MissionState
    m = S.mission
    return rx.cond(
        S.loading,
        loading_state("Loading mission…"),
        rx.cond(
            S.error != "",
            empty_state(
                "Mission not found",
                S.error,
                rx.link(rx.button("Back to missions"), href="/missions"),
            ),
            rx.vstack(
                rx.link("← All missions", href="/missions", size="2"),
                rx.hstack(
                    rx.badge(m["track"], variant="outline"),
                    difficulty_badge(m["difficulty"].to(int)),
                    rx.badge(m["minutes"], " min", variant="soft", color_scheme="gray"),
                    wrap="wrap",
                ),
                rx.heading(m["title"], size="7", as_="h1"),
                rx.text(m["summary"], size="3", color_scheme="gray"),
                rx.flex(
                    rx.foreach(
                        m["skills"].to(list[str]),
                        lambda s: rx.badge(s, variant="soft", color_scheme="gray"),
                    ),
                    wrap="wrap",
                    gap="0.3em",
                ),
                rx.cond(
                    m["prerequisites"].to(list[dict[str, Any]]).length() > 0,
                    rx.callout(
                        rx.text(
                            "Builds on: ",
                            rx.foreach(
                                m["prerequisites"].to(list[dict[str, Any]]),
                                lambda p: rx.link(
                                    p["title"],
                                    href="/missions/" + p["id"].to(str),
                                    margin_right="0.75em",
                                ),
                            ),
                        ),
                        icon="link",
                        width="100%",
                    ),
                ),
                rx.card(rx.markdown(m["brief"].to(str)), width="100%", class_name="mission-brief"),
                rx.heading("How it is assessed", size="5", as_="h2"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Criterion"),
                                rx.table.column_header_cell("What mentors look for"),
                                rx.table.column_header_cell("Points"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(m["rubric"].to(list[dict[str, Any]]), _rubric_row)
                        ),
                        variant="surface",
                        width="100%",
                    ),
                    width="100%",
                    overflow_x="auto",
                ),
                rx.heading("Hints", size="5", as_="h2"),
                rx.foreach(
                    S.hints,
                    lambda h, i: rx.callout(
                        h, icon="lightbulb", color_scheme="amber", width="100%"
                    ),
                ),
                rx.cond(
                    S.hints_left > 0,
                    rx.button(
                        rx.icon("lightbulb"),
                        "Reveal a hint (",
                        S.hints_left,
                        " left)",
                        variant="soft",
                        on_click=S.reveal_hint,
                    ),
                    rx.text("No more hints.", size="2", color_scheme="gray"),
                ),
                spacing="4",
                width="100%",
                align="start",
            ),
        ),
    )


def mission_page() -> rx.Component:
    return shell(guarded(ROUTE, mission_content()))


page = register(
    Page(
        route=ROUTE,
        title="Mission · CyberHub",
        component=mission_page,
        access=SIGNED_IN,
        on_load=(MissionState.load,),
    )
)
