"""One card per programme: its tracks (run or not, edit / add / remove) and its cohorts."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.counts import counted
from cyberhub.components.layout import flow, spread_row, wrap_row
from cyberhub.components.page_kit import stack_card
from cyberhub.components.panels import grey_text, icon_link
from cyberhub.components.tables import table_or
from cyberhub.components.ui import cohort_status_badge, error_callout, icon_button, muted
from cyberhub.pages.director_home.state import DirectorHomeState


def _cohort_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(c["name"], href="/director/cohorts/" + c["id"].to(str), weight="medium")
        ),
        rx.table.cell(rx.text(c["dates"], size="2")),
        rx.table.cell(cohort_status_badge(c["status"].to(str))),
        rx.table.cell(c["enrolled"], " / ", c["capacity"]),
        rx.table.cell(c["mentors"]),
        rx.table.cell(
            rx.cond(
                c["unassigned"].to(int) > 0,
                rx.badge(c["unassigned"], " without mentor", color_scheme="amber"),
                muted("all matched"),
            )
        ),
    )


def _track_chip(t: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.button(
        t["name"],
        rx.icon("pencil", size=12),
        variant="surface",
        size="2",
        on_click=DirectorHomeState.open_track(t),
        aria_label="Edit the " + t["name"].to(str) + " track",
    )


def _track_button(
    icon: str, text: str, on_click: Any, aria_label: Any, **props: Any
) -> rx.Component:
    """A track's soft Add / Remove button, its label naming the track and the programme."""
    return icon_button(
        icon,
        text,
        variant="soft",
        size="2",
        on_click=on_click,
        aria_label=aria_label,
        icon_size=14,
        **props,
    )


def _track_choice(t: rx.Var[dict[str, Any]]) -> rx.Component:
    S = DirectorHomeState
    name = t["name"].to(str)
    program = t["program"].to(str)
    return wrap_row(
        rx.text(name, weight="medium", min_width="8em"),
        rx.cond(
            t["runs"].to(bool),
            wrap_row(
                rx.badge("runs", color_scheme="green"),
                _track_chip(t),
                _track_button(
                    "minus",
                    "Remove",
                    S.ask_remove_track(t),
                    "Remove the " + name + " track from " + program,
                    color_scheme="red",
                ),
            ),
            rx.hstack(
                rx.badge("not run", color_scheme="gray"),
                _track_button(
                    "plus", "Add", S.add_track(t), "Add the " + name + " track to " + program
                ),
                align="center",
            ),
        ),
        data_testid="track-" + t["id"].to(str),
    )


def _program_card(p: rx.Var[dict[str, Any]]) -> rx.Component:
    cohorts = p["cohort_rows"].to(list[dict[str, Any]])
    return stack_card(
        spread_row(
            rx.vstack(
                rx.heading(p["name"], size="5", as_="h2"),
                muted(p["organization"]),
                spacing="0",
            ),
            rx.hstack(
                icon_button(
                    "pencil",
                    "Edit programme",
                    variant="soft",
                    on_click=DirectorHomeState.open_program(p),
                    icon_size=14,
                ),
                icon_link(
                    "chart_column",
                    "Analytics",
                    href="/dashboard/director/analytics?program=" + p["id"].to(str),
                    icon_size=14,
                ),
                icon_link(
                    "file_pen_line",
                    "Missions",
                    variant="soft",
                    href="/director/missions",
                    icon_size=14,
                ),
                wrap="wrap",
            ),
            gap="0.5em",
            align="start",
        ),
        rx.cond(p["description"] != "", grey_text(p["description"])),
        flow(
            rx.badge(counted(p["cohorts"].to(int), "cohort"), variant="soft", size="2"),
            rx.badge(counted(p["students"].to(int), "student"), variant="soft", size="2"),
            rx.badge(
                counted(p["published_missions"].to(int), "published mission"),
                variant="soft",
                size="2",
            ),
            rx.badge(counted(p["tracks"].to(int), "track"), variant="soft", size="2"),
            gap="0.5em",
        ),
        rx.heading("Tracks", size="3", as_="h3"),
        rx.cond(
            DirectorHomeState.track_error_program == p["id"].to(int),
            error_callout(DirectorHomeState.track_error),
        ),
        rx.vstack(
            rx.foreach(p["track_choices"].to(list[dict[str, Any]]), _track_choice),
            spacing="2",
            width="100%",
        ),
        rx.heading("Cohorts", size="3", as_="h3"),
        table_or(
            cohorts,
            ["Cohort", "Dates", "Status", "Enrolled", "Mentors", "Matching"],
            _cohort_row,
            muted("No cohorts yet: create one below."),
        ),
        spacing="3",
        width="100%",
    )
