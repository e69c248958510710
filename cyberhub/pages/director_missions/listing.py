"""The missions list: status filter, one row per mission, publish / unpublish / archive buttons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.address_sync import address_sync
from cyberhub.components.fields import field_label, search_form
from cyberhub.components.labelled import labelled
from cyberhub.components.layout import flow
from cyberhub.components.rows import pager_if_many
from cyberhub.components.tables import data_table
from cyberhub.components.ui import (
    difficulty_badge,
    empty_state,
    icon_button,
    muted,
)
from cyberhub.formatting import difficulty_label
from cyberhub.pages.director_missions.data import ALL
from cyberhub.pages.director_missions.state import DirectorMissionsState

S = DirectorMissionsState


def new_mission_button() -> rx.Component:
    """ "New mission": opens an empty editor (beside the page's heading, and in the empty list)."""
    return icon_button("plus", "New mission", on_click=S.new_mission)


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
                # No navigation (the form is brought into view: view.py). A router link to
                # "#editor" went to the bare list's address (the search and filters dropped),
                # whose load showed the whole list again.
                rx.link(
                    m["title"],
                    on_click=[rx.prevent_default, S.edit(m["id"].to(int))],
                    weight="medium",
                    aria_label=rx.cond(m["editable"].to(bool), "Edit ", "Read ")
                    + m["title"].to(str),
                ),
                muted(m["summary"], size="1"),
                spacing="0",
            )
        ),
        rx.table.cell(m["track_name"]),
        rx.table.cell(difficulty_badge(m["difficulty"].to(int))),
        rx.table.cell(_status_badge(m["status"].to(str))),
        rx.table.cell(rx.text(m["updated"], size="1")),
        rx.table.cell(
            rx.cond(
                m["editable"].to(bool),
                _action_buttons(m),
                rx.badge(
                    rx.icon("library", size=12),
                    "Library · read-only",
                    variant="soft",
                    color_scheme="gray",
                    title="A CyberHub library mission: only an admin can change it.",
                ),
            )
        ),
    )


def _select(label: str, id_: str, value: Any, on_change: Any, *items: Any) -> rx.Component:
    return labelled(
        label,
        id_,
        rx.select.root(
            rx.select.trigger(id=id_, aria_label=label, min_width="9rem"),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
        ),
    )


def _filter() -> rx.Component:
    """Search (title, summary or skill) and the filters; every change goes to the URL."""
    item = rx.select.item
    return rx.vstack(
        address_sync(S),
        flow(
            search_form(
                field_label("Search missions", "missions-search"),
                "missions-search",
                "Title or skill",
                S.query,
                S.search,
            ),
            _select(
                "Status",
                "status-filter",
                S.status_filter,
                S.set_status_filter,
                item("All", value=ALL),
                item("Draft", value="draft"),
                item("Published", value="published"),
                item("Archived", value="archived"),
            ),
            _select(
                "Track",
                "track-filter",
                S.track_filter,
                S.set_track_filter,
                item("All tracks", value=ALL),
                rx.foreach(S.track_choices, lambda t: item(t["name"], value=t["id"])),
            ),
            _select(
                "Difficulty",
                "difficulty-filter",
                S.difficulty_filter,
                S.set_difficulty_filter,
                item("Any difficulty", value=ALL),
                *[item(difficulty_label(d), value=str(d)) for d in range(1, 6)],
            ),
            align="end",
        ),
        muted(
            S.counts["draft"].to(int),
            " draft · ",
            S.counts["published"].to(int),
            " published · ",
            S.counts["archived"].to(int),
            " archived in all",
        ),
        spacing="2",
        width="100%",
    )


def _list() -> rx.Component:
    return rx.cond(
        S.items.length() > 0,
        rx.box(
            rx.text(
                "Showing ",
                S.first,
                "–",
                S.last,
                " of ",
                S.total,
                size="2",
                margin_bottom="0.5em",
                aria_live="polite",
                data_testid="missions-count",
            ),
            data_table(
                ["Mission", "Track", "Level", "Status", "Updated", "Actions"],
                rx.foreach(S.items, _mission_row),
                label="Missions",
                data_testid="missions-table",
            ),
            pager_if_many(S.page, S.pages, S.go_to),
            width="100%",
        ),
        rx.cond(
            S.error == "",
            rx.cond(
                S.filtered,
                empty_state(
                    "No mission matches",
                    "Try other words or filters, or clear them.",
                    rx.button("Clear filters", variant="soft", on_click=S.clear_filters),
                ),
                empty_state(
                    "No missions here",
                    "Write your programme's first mission.",
                    new_mission_button(),
                ),
            ),
        ),
    )
