"""/: what CyberHub is, the five tracks, and the way in."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.link_button import link_button
from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import muted
from cyberhub.pages.tracks import TracksState, tracks_grid
from cyberhub.routes import PUBLIC
from cyberhub.state.session import SessionState

ROUTE = "/"

STEPS = [
    (
        "sparkles",
        "Find your track",
        "A 10-minute career profiler places you in the track that fits how you think.",
    ),
    (
        "target",
        "Do real missions",
        "Hands-on briefs: harden a server, write a detection, run a tabletop, price a service.",
    ),
    (
        "message_square",
        "Get mentor feedback",
        "Working professionals review each submission against a clear rubric.",
    ),
    (
        "trending_up",
        "Build a portfolio",
        "Approved missions add up to a track record employers can read.",
    ),
]


def _step(icon: str, title: str, body: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=24, color=rx.color("teal", 10)),
            rx.heading(title, size="4", as_="h3"),
            muted(body),
            spacing="2",
        )
    )


def landing_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.badge("Ongoza CyberHub", variant="soft", size="2"),
            rx.heading(
                "Train for a cybersecurity career by doing the work.",
                size=rx.breakpoints(initial="8", md="9"),
                as_="h1",
            ),
            rx.text(
                "CyberHub places you in one of five career tracks, gives you hands-on missions built "
                "from real security work, and pairs you with mentors who review what you hand in. "
                "Cohorts are run by programme directors and followed by the sponsors who fund them.",
                size="4",
                color_scheme="gray",
                max_width="48rem",
            ),
            rx.cond(
                SessionState.signed_in,
                link_button("Go to your dashboard", size="3", href="/dashboard"),
                rx.hstack(
                    link_button("Create a free account", size="3", href="/signup"),
                    link_button("Sign in", size="3", variant="soft", href="/signin"),
                    wrap="wrap",
                ),
            ),
            spacing="4",
            padding_y="2em",
        ),
        rx.heading("How it works", size="6", as_="h2", margin_bottom="0.75em"),
        rx.grid(
            *[_step(*s) for s in STEPS],
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
            margin_bottom="2.5em",
        ),
        rx.heading("The five tracks", size="6", as_="h2", margin_bottom="0.75em"),
        tracks_grid(),
    )


page = register_page(
    ROUTE,
    "CyberHub · Cybersecurity careers, mentored",
    landing_page,
    PUBLIC,
    TracksState.load,
    description="Hands-on cybersecurity training in five career tracks, with mentor review.",
)
