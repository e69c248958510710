"""/tracks: the five career tracks, their focus and careers (public)."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import badge_row, error_callout, loading_state, muted, page_heading
from cyberhub.routes import PUBLIC
from cyberhub.schemas.learning import TrackPublic
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog
from cyberhub.state.service import ServiceState

ROUTE = "/tracks"


def _tracks(session: Session, _: Principal | None) -> list[TrackPublic]:
    return [TrackPublic.model_validate(t) for t in catalog.list_tracks(session)]


class TracksState(ServiceState, rx.State):
    tracks: list[TrackPublic] = []
    loaded: bool = False

    @rx.event
    async def load(self) -> None:
        try:
            found = await self._call(_tracks)
        except Exception:  # a public page: whatever failed, say so rather than break the page
            self.error = "We couldn't load the tracks just now. Please reload the page."
        else:
            if found:
                self.tracks, self.error = found.value, ""
        self.loaded = True


TRACK_ICONS = {
    "builders": "hammer",
    "leaders": "compass",
    "entrepreneurs": "rocket",
    "researchers": "microscope",
    "educators": "graduation_cap",
}


def track_card(track: rx.Var[TrackPublic]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.match(
                    track.key,
                    *[
                        (k, rx.icon(icon, size=22, color=rx.color("teal", 10)))
                        for k, icon in TRACK_ICONS.items()
                    ],
                    rx.icon("star", size=22),
                ),
                rx.heading(track.name, size="5", as_="h2"),
                align="center",
            ),
            rx.text(track.tagline, weight="medium"),
            muted(track.description),
            muted("Careers", weight="bold", size="1"),
            badge_row(track.careers, lambda c: rx.badge(c, variant="surface")),
            spacing="2",
            align="start",
        ),
        height="100%",
    )


def tracks_grid() -> rx.Component:
    return rx.cond(
        TracksState.loaded,
        rx.fragment(
            error_callout(TracksState.error),
            rx.grid(
                rx.foreach(TracksState.tracks, track_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
        ),
        loading_state("Loading tracks…"),
    )


def tracks_page() -> rx.Component:
    return shell(
        page_heading(
            "Five tracks, one profession",
            "Every learner follows one track, chosen with the career profiler. Each leads to real jobs.",
        ),
        tracks_grid(),
    )


page = register_page(
    ROUTE,
    "Career tracks · CyberHub",
    tracks_page,
    PUBLIC,
    TracksState.load,
    nav_label="Tracks",
    nav_order=30,
)
