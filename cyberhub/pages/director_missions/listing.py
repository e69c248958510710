"""The missions list: status filter, one row per mission, publish / unpublish / archive buttons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.ui import difficulty_badge, empty_state
from cyberhub.pages.director_missions.data import ALL
from cyberhub.pages.director_missions.state import DirectorMissionsState

S = DirectorMissionsState


def _status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(status, ("published", "green"), ("draft", "amber"), "gray"),
        variant="soft",
    )


def _action_buttons(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return _transitions(m["status"].to(str), m["id"].to(int), m["title"].to(str))


def _editor_actions() -> rx.Component:
    return _transitions(S.editing_status, S.editing_id, S.form["title"])


def _transitions(status: Any, mid: Any, title: Any, size: str = "2") -> rx.Component:
    def button(action: str, label: str, **props: Any) -> rx.Component:
        return rx.button(
            label,
            size=size,
            variant="soft",
            on_click=S.ask(action, mid, title),
            aria_label=label + " " + title,
            **props,
        )

    return rx.hstack(
        rx.cond(status != "published", button("publish", "Publish", color_scheme="green")),
        rx.cond(status != "draft", button("unpublish", "Unpublish")),
        rx.cond(status != "archived", button("archive", "Archive", color_scheme="gray")),
        spacing="2",
        wrap="wrap",
    )


def _mission_row(m: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(
                    m["title"],
                    href="#editor",
                    on_click=S.edit(m["id"].to(int)),
                    weight="medium",
                    aria_label="Edit " + m["title"].to(str),
                ),
                rx.text(m["summary"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(m["track_name"]),
        rx.table.cell(difficulty_badge(m["difficulty"].to(int))),
        rx.table.cell(_status_badge(m["status"].to(str))),
        rx.table.cell(rx.text(m["updated"], size="1")),
        rx.table.cell(_action_buttons(m)),
    )


def _filter() -> rx.Component:
    def option(value: str, label: str) -> rx.Component:
        return rx.select.item(label, value=value)

    return rx.hstack(
        field_label("Status", "status-filter"),
        rx.select.root(
            rx.select.trigger(id="status-filter", aria_label="Status"),
            rx.select.content(
                option(ALL, "All"),
                option("draft", "Draft"),
                option("published", "Published"),
                option("archived", "Archived"),
            ),
            value=S.status_filter,
            on_change=S.set_status_filter,
        ),
        rx.text(
            S.counts["draft"].to(int),
            " draft · ",
            S.counts["published"].to(int),
            " published · ",
            S.counts["archived"].to(int),
            " archived",
            size="2",
            color_scheme="gray",
        ),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _list() -> rx.Component:
    return rx.cond(
        S.items.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Mission", "Track", "Level", "Status", "Updated", "Actions")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.items, _mission_row)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            data_testid="missions-table",
        ),
        rx.cond(
            S.error == "",
            empty_state(
                "No missions here",
                rx.cond(
                    S.status_filter == ALL,
                    "Write your programme's first mission.",
                    "No mission has this status.",
                ),
                rx.button(rx.icon("plus", size=16), "New mission", on_click=S.new_mission),
            ),
        ),
    )
