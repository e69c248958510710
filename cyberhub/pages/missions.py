"""/missions: the mission catalog with filters, search and pages."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.components.learning import status_badge
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import (
    difficulty_badge,
    empty_state,
    error_callout,
    loading_state,
    page_heading,
    pager,
)
from cyberhub.models import Role
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.routes import SIGNED_IN, Page, register
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog, progress
from cyberhub.state.service import ServiceState

ROUTE = "/missions"
ALL = "all"


class CatalogCard(BaseModel):
    """A mission as the catalog's card shows it (`my_status`: the student's, "" for staff)."""

    id: int
    title: str
    summary: str
    track: str  # the track's name
    difficulty: int
    skills: list[str]
    minutes: int
    my_status: str
    recommended: int  # its rank in the learner's recommendations, 0 when not recommended


class TrackOption(BaseModel):
    key: str
    name: str


class CatalogPage(BaseModel):
    items: list[CatalogCard]
    total: int
    pages: int
    tracks: list[TrackOption]
    skills: list[str]


def _search(session: Session, principal: Principal | None, f: catalog.MissionFilter) -> CatalogPage:
    page = catalog.list_missions(session, principal, f)
    # A student sees where they stand on each mission (their latest attempt, locked, ...).
    mine: dict[int, str] = {}
    if principal is not None and principal.has_role(Role.student):
        p = progress.progress_for(session, principal, principal.user_id)
        mine = {m.id: m.status for m in p.missions}
    return CatalogPage(
        items=[
            CatalogCard(
                id=m.id or 0,
                title=m.title,
                summary=m.summary,
                track=t.name,
                difficulty=m.difficulty,
                skills=m.skills,
                minutes=m.estimated_minutes,
                my_status=mine.get(m.id or 0, ""),
                recommended=page.recommended.get(m.id or 0, 0),
            )
            for m, t in page.items
        ],
        total=page.total,
        pages=page.pages,
        tracks=[TrackOption(key=t.key, name=t.name) for t in catalog.list_tracks(session)],
        skills=catalog.all_skills(session, principal),
    )


STATUS_LABELS = [
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("changes_requested", "Changes requested"),
    ("submitted", "Waiting for review"),
    ("in_review", "In review"),
    ("draft", "Draft"),
    ("approved", "Approved"),
]


class MissionCatalogState(ServiceState, rx.State):
    items: list[CatalogCard] = []
    total: int = 0
    pages: int = 1
    page: int = 1
    track: str = ALL
    difficulty: str = ALL
    skill: str = ALL
    status: str = ALL
    sort: str = ""  # "" (track, then level) or "recommended"
    query: str = ""
    track_options: list[TrackOption] = []
    skill_options: list[str] = []
    loading: bool = True

    @rx.event
    async def load(self) -> None:
        track = self.router.url.query_parameters.get("track", "")
        if track in TRACK_KEYS:
            self.track = track
        self.page = 1
        await self._fetch()

    async def _fetch(self) -> None:
        self.loading = True
        f = catalog.MissionFilter(
            track="" if self.track == ALL else self.track,
            difficulty=None if self.difficulty == ALL else int(self.difficulty),
            skill="" if self.skill == ALL else self.skill,
            status="" if self.status == ALL else self.status,
            sort="recommended" if self.sort == "recommended" else "",
            q=self.query,
            page=self.page,
        )
        found = await self._call(_search, f)
        self.loading = False
        if not found:
            return
        data = found.value
        self.items, self.total, self.pages = data.items, data.total, data.pages
        self.track_options, self.skill_options, self.error = data.tracks, data.skills, ""

    @rx.event
    async def set_track(self, value: str) -> None:
        self.track, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_difficulty(self, value: str) -> None:
        self.difficulty, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_skill(self, value: str) -> None:
        self.skill, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_status(self, value: str) -> None:
        self.status, self.page = value, 1
        await self._fetch()

    @rx.event
    async def set_sort(self, value: str) -> None:
        self.sort, self.page = ("recommended" if value == "recommended" else ""), 1
        await self._fetch()

    @rx.event
    async def search(self, form: dict[str, Any]) -> None:
        self.query, self.page = str(form.get("q", "")).strip()[:200], 1
        await self._fetch()

    @rx.event
    async def clear_filters(self) -> None:
        self.track = self.difficulty = self.skill = self.status = ALL
        self.query, self.page = "", 1  # the order is a preference, not a filter: kept
        await self._fetch()

    @rx.event
    async def go_to(self, page: int) -> None:
        self.page = max(1, min(page, self.pages))
        await self._fetch()


def _mission_card(m: rx.Var[CatalogCard]) -> rx.Component:
    return rx.card(
        rx.link(
            rx.vstack(
                rx.hstack(
                    rx.badge(m.track, variant="outline"),
                    difficulty_badge(m.difficulty),
                    rx.cond(
                        m.my_status != "",
                        status_badge(m.my_status, testid="mission-status"),
                    ),
                    rx.cond(
                        m.recommended > 0,
                        rx.badge(
                            rx.icon("sparkles", size=12),
                            "Recommended #",
                            m.recommended.to(str),
                            color_scheme="iris",
                            variant="soft",
                            data_testid="mission-recommended",
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.heading(m.title, size="4", as_="h2"),
                rx.text(m.summary, color_scheme="gray", size="2"),
                rx.hstack(
                    rx.icon("clock", size=14),
                    rx.text(m.minutes, " min", size="1"),
                    align="center",
                    color=rx.color("gray", 10),
                ),
                rx.flex(
                    rx.foreach(
                        m.skills,
                        lambda s: rx.badge(s, variant="soft", color_scheme="gray"),
                    ),
                    wrap="wrap",
                    gap="0.3em",
                ),
                spacing="2",
                align="start",
            ),
            href="/missions/" + m.id.to(str),
            underline="none",
            color="inherit",
        ),
        height="100%",
    )


def _select(label: str, value: rx.Var[str], on_change: Any, options: Any, id_: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=id_, font_size="0.85em", font_weight="500"),
        rx.select.root(
            rx.select.trigger(id=id_, aria_label=label, min_width="10rem"),
            rx.select.content(options),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    S = MissionCatalogState
    return rx.flex(
        rx.form(
            rx.vstack(
                rx.el.label(
                    "Search", html_for="mission-search", font_size="0.85em", font_weight="500"
                ),
                rx.hstack(
                    rx.input(
                        id="mission-search",
                        name="q",
                        placeholder="e.g. phishing, YARA, risk",
                        default_value=S.query,
                        type="search",
                        max_length=200,
                    ),
                    rx.button(rx.icon("search", size=16), "Search", type="submit"),
                ),
                spacing="1",
            ),
            on_submit=S.search,
        ),
        _select(
            "Track",
            S.track,
            S.set_track,
            rx.fragment(
                rx.select.item("All tracks", value=ALL),
                rx.foreach(S.track_options, lambda t: rx.select.item(t.name, value=t.key)),
            ),
            "filter-track",
        ),
        _select(
            "Difficulty",
            S.difficulty,
            S.set_difficulty,
            rx.fragment(
                rx.select.item("Any difficulty", value=ALL),
                *[rx.select.item(f"{d}/5", value=str(d)) for d in range(1, 6)],
            ),
            "filter-difficulty",
        ),
        _select(
            "Skill",
            S.skill,
            S.set_skill,
            rx.fragment(
                rx.select.item("Any skill", value=ALL),
                rx.foreach(S.skill_options, lambda s: rx.select.item(s, value=s)),
            ),
            "filter-skill",
        ),
        _select(
            "My status",
            S.status,
            S.set_status,
            rx.fragment(
                rx.select.item("Any status", value=ALL),
                *[rx.select.item(label, value=value) for value, label in STATUS_LABELS],
            ),
            "filter-status",
        ),
        rx.cond(
            S.query == "",
            _select(
                "Order",
                rx.cond(S.sort == "recommended", "recommended", "track"),
                S.set_sort,
                rx.fragment(
                    rx.select.item("Track, then level", value="track"),
                    rx.select.item("Recommended for you first", value="recommended"),
                ),
                "sort-order",
            ),
        ),
        gap="1em",
        wrap="wrap",
        align="end",
        margin_bottom="1.25em",
    )


def catalog_content() -> rx.Component:
    S = MissionCatalogState
    return rx.box(
        page_heading(
            "Missions", "Hands-on briefs from real security work. Pick one that stretches you."
        ),
        _filters(),
        error_callout(S.error),
        rx.cond(
            S.loading & (S.items.length() == 0),
            loading_state("Loading missions…"),
            rx.cond(
                S.total > 0,
                rx.box(
                    rx.text(
                        S.total,
                        " missions",
                        size="2",
                        color_scheme="gray",
                        margin_bottom="0.75em",
                        aria_live="polite",
                    ),
                    rx.grid(
                        rx.foreach(S.items, _mission_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4",
                        width="100%",
                    ),
                    pager(S.page, S.pages, S.go_to),
                ),
                empty_state(
                    "No missions match",
                    "Try another track or skill, or clear the search.",
                    rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                ),
            ),
        ),
        width="100%",
    )


def catalog_page() -> rx.Component:
    return shell(guarded(ROUTE, catalog_content()))


page = register(
    Page(
        route=ROUTE,
        title="Missions · CyberHub",
        component=catalog_page,
        access=SIGNED_IN,
        on_load=(MissionCatalogState.load,),
        nav_label="Missions",
        nav_order=20,
    )
)
