"""The "Recommended for you" card of the student dashboard: the worker's stored list with the
reason for each mission, and a "not interested" control that can be undone. It only reads stored results: while the
worker prepares a fresh list the card says so, and the worker's commit updates the open card
(services/messaging/live.py, topic "recommendations")."""

from __future__ import annotations

import time
from typing import Any

import reflex as rx

from cyberhub.components.layout import wrap_row
from cyberhub.components.notice import close_button
from cyberhub.components.sections import card_stack, titled_stack
from cyberhub.components.ui import difficulty_badge, icon_button, muted, thin_rule, track_badge
from cyberhub.schemas.ai import RecommendationPublic
from cyberhub.services.ai import recommendations
from cyberhub.state.service import ServiceState

# How long Refresh stays busy at most, waiting for the worker's new list.
WAIT_SECONDS = 300.0


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
    # The list shown when Refresh was clicked, and when: the wait is over once a newer one is
    # read (on this visit or a later one: the worker's live word only reaches an open page),
    # or after WAIT_SECONDS (a refresh that failed must not keep the button busy for ever).
    _waiting_from: str = ""
    _waiting_since: float = 0.0

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
        newer = bool(self.computed_at) and self.computed_at != self._waiting_from
        if newer or time.time() - self._waiting_since > WAIT_SECONDS:
            self.waiting = False

    @rx.event
    async def load(self) -> None:
        """Read the stored list. While it is being prepared the card says so; the worker's
        commit tells the open dashboard (live topic "recommendations", see `list_changed`)."""
        self.loaded = False
        await self._read()

    @rx.event
    async def list_changed(self) -> None:
        """The worker stored a new list for this learner (or a lost live connection came back):
        read it; a pending refresh is over once the list is newer than the one shown."""
        await self._read()

    # The last mission set aside with "not interested" (and where it was), until undone or the
    # next dismissal: the card offers to put it back.
    dismissed_id: int = 0
    dismissed_title: str = ""
    _dismissed: RecommendationPublic | None = None
    _dismissed_at: int = 0

    @rx.event
    async def not_interested(self, mission_id: int) -> None:
        if not await self._call(recommendations.not_interested, mission_id):
            return
        self.error = ""  # an earlier refusal is over: the list shows again
        at = next((n for n, i in enumerate(self.items) if i.mission_id == mission_id), None)
        if at is None:
            return
        self._dismissed, self._dismissed_at = self.items[at], at
        self.dismissed_id, self.dismissed_title = mission_id, self.items[at].title
        self.items = [i for i in self.items if i.mission_id != mission_id]

    @rx.event
    async def undo_not_interested(self) -> None:
        """Put the last dismissed mission back where it was (and on the server)."""
        item, mission_id = self._dismissed, self.dismissed_id
        if item is None or not await self._call(recommendations.undo_not_interested, mission_id):
            return
        self.error = ""  # an earlier refusal is over: the list shows again
        if all(i.mission_id != mission_id for i in self.items):
            self.items = [
                *self.items[: self._dismissed_at],
                item,
                *self.items[self._dismissed_at :],
            ]
        self.dismiss_notice()

    @rx.event
    def dismiss_notice(self) -> None:
        self._dismissed, self.dismissed_id, self.dismissed_title = None, 0, ""

    @rx.event
    async def refresh(self) -> Any:
        if not await self._call(recommendations.request_refresh):
            return None
        self.waiting = True
        self._waiting_from, self._waiting_since = self.computed_at, time.time()
        return RecommendationsState.load


def _mission_href(item: rx.Var[RecommendationPublic]) -> rx.Var[str]:
    return "/missions/" + item.mission_id.to_string()


def _item(item: rx.Var[RecommendationPublic]) -> rx.Component:
    mission_id = item.mission_id
    return rx.hstack(
        rx.vstack(
            rx.link(rx.text(item.title, weight="medium"), href=_mission_href(item)),
            muted(item.reason),
            rx.hstack(
                track_badge(item.track_name),
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
        border_bottom=thin_rule(),
        data_testid="recommendation",
    )


def _dismissed_notice(S: type[RecommendationsState]) -> rx.Component:
    """After "not interested": what was set aside, with Undo (keyboard-usable, announced)."""
    return rx.cond(
        S.dismissed_id != 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("eye_off", size=16)),
            wrap_row(
                rx.callout.text(
                    "“", S.dismissed_title, "” hidden — we'll suggest fewer missions like it."
                ),
                rx.button(
                    "Undo",
                    size="1",
                    variant="soft",
                    aria_label="Undo: show “" + S.dismissed_title + "” again",
                    on_click=S.undo_not_interested,
                ),
                close_button(S.dismiss_notice),
                spacing="2",
            ),
            size="1",
            color_scheme="gray",
            role="status",
            width="100%",
            data_testid="recommendation-dismissed",
        ),
    )


def _unlock(item: rx.Var[RecommendationPublic]) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("lock", size=14), rx.text(item.title, size="2"), spacing="2"),
            href=_mission_href(item),
        ),
        muted(item.reason, size="1"),
        spacing="0",
        align="start",
        data_testid="recommendation-unlock",
    )


def _unlocks(S: type[RecommendationsState]) -> rx.Component:
    return rx.cond(
        S.unlocks.length() > 0,
        titled_stack(
            "Later, for your goals",
            rx.foreach(S.unlocks, _unlock),
            size="2",
            as_="h3",
            align="start",
            padding_top="0.5em",
        ),
    )


def _waiting(text: str, spinner_size: str = "2", **text_props: Any) -> rx.Component:
    return rx.hstack(rx.spinner(size=spinner_size), rx.text(text, size="2", **text_props))


def _card_body(S: type[RecommendationsState]) -> rx.Component:
    """Loading, the refusal, "off" (no consent), the list, "nothing new" (computed, empty) or
    "being prepared" (never computed yet)."""
    return rx.cond(
        ~S.loaded,
        _waiting("Loading recommendations…"),
        rx.cond(
            S.error != "",
            rx.callout(S.error, icon="triangle_alert", color_scheme="red", role="alert"),
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
                    rx.cond(
                        S.computed_at != "",
                        # Computed, with nothing new to start: said, with what unlocks later.
                        rx.vstack(
                            rx.text(S.message, size="2", data_testid="recommendations-none"),
                            _unlocks(S),
                            spacing="0",
                            width="100%",
                        ),
                        _waiting(
                            "Your recommendations are being prepared — this takes a few seconds.",
                            spinner_size="1",
                            color_scheme="gray",
                        ),
                    ),
                ),
            ),
        ),
    )


def recommendations_card() -> rx.Component:
    S = RecommendationsState
    refresh = icon_button(
        "refresh_cw",
        "Refresh",
        icon_size=14,
        size="1",
        variant="soft",
        loading=S.waiting,
        on_click=S.refresh,
    )
    return card_stack(
        rx.hstack(
            rx.heading("Recommended for you", size="4", as_="h2"),
            rx.spacer(),
            rx.cond(S.enabled, refresh),
            width="100%",
            align="center",
        ),
        _dismissed_notice(S),
        _card_body(S),
        align="start",
        data_testid="recommendations",
        on_mount=S.load,
    )
