"""The "Recommended for you" card of the student dashboard: the worker's stored list with the
reason for each mission, and a "not interested" control. It only reads stored results: while the
worker prepares a fresh list the card says so and checks again a few times."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub.components.ui import difficulty_badge
from cyberhub.schemas.ai import RecommendationPublic
from cyberhub.services.ai import recommendations
from cyberhub.state.service import ServiceState

POLL_SECONDS = 3
POLL_TIMES = 40  # ~2 minutes: the first job after a worker starts also loads the model


class RecommendationsState(ServiceState, rx.State):
    items: list[RecommendationPublic] = []
    # locked missions matching a goal: "unlocks after …"
    unlocks: list[RecommendationPublic] = []
    enabled: bool = True
    message: str = ""
    computed_at: str = ""  # when the stored list was computed (ISO), to notice a fresh one
    loaded: bool = False
    error: str = ""
    waiting: bool = False

    async def _read(self) -> None:
        found = await self._call(recommendations.stored_or_queue)
        self.loaded = True
        if not found:
            return
        data = found.value
        self.items, self.unlocks = data.items, data.unlocks
        self.enabled, self.message = data.enabled, data.message
        self.computed_at = data.computed_at.isoformat() if data.computed_at else ""
        self.error = ""

    @rx.event(background=True)
    async def load(self) -> None:
        """Read the stored list; while it is empty (being prepared) or a refresh is pending,
        look again every few seconds for a little while."""
        async with self:
            self.loaded = False
            await self._read()
            before = self.computed_at
        for _ in range(POLL_TIMES):
            async with self:
                if self.error or not self.enabled or (self.items and not self.waiting):
                    return
            await asyncio.sleep(POLL_SECONDS)
            async with self:
                await self._read()
                if self.computed_at and self.computed_at != before:
                    self.waiting = False

    @rx.event
    async def not_interested(self, mission_id: int) -> Any:
        if not await self._call(recommendations.not_interested, mission_id):
            return None
        self.items = [i for i in self.items if i.mission_id != mission_id]
        return rx.toast.info("Got it — we'll suggest fewer missions like that.")

    @rx.event
    async def refresh(self) -> Any:
        if not await self._call(recommendations.request_refresh):
            return None
        self.waiting = True
        return RecommendationsState.load


def _mission_href(item: rx.Var[RecommendationPublic]) -> rx.Var[str]:
    return "/missions/" + item.mission_id.to_string()


def _item(item: rx.Var[RecommendationPublic]) -> rx.Component:
    mission_id = item.mission_id
    return rx.hstack(
        rx.vstack(
            rx.link(rx.text(item.title, weight="medium"), href=_mission_href(item)),
            rx.text(item.reason, size="2", color_scheme="gray"),
            rx.hstack(
                rx.badge(item.track_name, variant="outline"),
                difficulty_badge(item.difficulty),
                spacing="2",
            ),
            spacing="1",
            align="start",
            flex="1",
        ),
        rx.tooltip(
            rx.icon_button(
                rx.icon("thumbs_down", size=16),
                variant="ghost",
                color_scheme="gray",
                aria_label="Not interested in " + item.title,
                on_click=RecommendationsState.not_interested(mission_id),
            ),
            content="Not interested",
        ),
        width="100%",
        align="start",
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        data_testid="recommendation",
    )


def _unlock(item: rx.Var[RecommendationPublic]) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("lock", size=14), rx.text(item.title, size="2"), spacing="2"),
            href=_mission_href(item),
        ),
        rx.text(item.reason, size="1", color_scheme="gray"),
        spacing="0",
        align="start",
        data_testid="recommendation-unlock",
    )


def _unlocks(S: type[RecommendationsState]) -> rx.Component:
    return rx.cond(
        S.unlocks.length() > 0,
        rx.vstack(
            rx.heading("Later, for your goals", size="2", as_="h3"),
            rx.foreach(S.unlocks, _unlock),
            spacing="2",
            width="100%",
            align="start",
            padding_top="0.5em",
        ),
    )


def _waiting(text: str, spinner_size: str = "2", **text_props: Any) -> rx.Component:
    return rx.hstack(rx.spinner(size=spinner_size), rx.text(text, size="2", **text_props))


def _card_body(S: type[RecommendationsState]) -> rx.Component:
    """Loading, the refusal, "off" (no consent), the list, or "being prepared"."""
    return rx.cond(
        ~S.loaded,
        _waiting("Loading recommendations…"),
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="triangle_alert", color_scheme="red"),
            rx.cond(
                ~S.enabled,
                rx.vstack(
                    rx.text(S.message, size="2"),
                    rx.link("Privacy settings", href="/settings/privacy", size="2"),
                    spacing="1",
                ),
                rx.cond(
                    S.items.length() > 0,
                    rx.vstack(rx.foreach(S.items, _item), _unlocks(S), spacing="0", width="100%"),
                    _waiting(
                        "Your recommendations are being prepared — this takes a few seconds.",
                        spinner_size="1",
                        color_scheme="gray",
                    ),
                ),
            ),
        ),
    )


def recommendations_card() -> rx.Component:
    S = RecommendationsState
    refresh = rx.button(
        rx.icon("refresh_cw", size=14),
        "Refresh",
        size="1",
        variant="soft",
        loading=S.waiting,
        on_click=S.refresh,
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Recommended for you", size="4", as_="h2"),
                rx.spacer(),
                rx.cond(S.enabled, refresh),
                width="100%",
                align="center",
            ),
            _card_body(S),
            spacing="3",
            width="100%",
            align="start",
        ),
        width="100%",
        data_testid="recommendations",
        on_mount=S.load,
    )
