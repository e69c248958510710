"""Tables shared by pages: a table on wide screens, a stack of cards on a phone; and the plain
list that stands in for a table where rows are cards."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

# Below this width a table becomes one card per row: each cell on its own line, named by its
# column's header, so nothing (an action button least of all) needs sideways scrolling.
CARDS_BELOW = "48em"  # Radix's "sm" breakpoint (768 px)


def stacked_on_phones(headers: list[str]) -> dict[str, Any]:
    """The style that stacks a table's rows as cards on a narrow screen; each cell's header
    (if it has one) is written above it. For a table whose columns are `headers`."""
    cells = "& tr > th, & tr > td"
    narrow: dict[str, Any] = {
        "& table, & tbody, & tr, & th, & td": {
            "display": "block",
            "width": "100%",
            "height": "auto",  # Radix gives the table height 0 (it grows only as a table)
        },
        "& thead": {"display": "none"},
        "& tr": {
            "border": "1px solid var(--gray-a6)",
            "border_radius": "var(--radius-3)",
            "padding": "0.5em 0.75em",
            "margin_bottom": "0.75em",
        },
        cells: {
            "box_shadow": "none",
            "padding": "0.2em 0",
            "min_height": "0",
            "text_align": "left",
            "overflow_wrap": "anywhere",
        },
        # The table and its scroll area give up their frame: the cards have their own.
        "& .rt-TableRootTable, & .rt-ScrollAreaViewport": {"overflow": "visible"},
        "& .rt-TableRoot": {"box_shadow": "none", "background": "transparent"},
    }
    for i, header in enumerate(headers, start=1):
        if header.strip():
            narrow[f"& tr > :nth-child({i})::before"] = {
                "content": json.dumps(header),
                "display": "block",
                "font_size": "var(--font-size-1)",
                "color": "var(--gray-11)",
                "font_weight": "500",
            }
    return {f"@media (max-width: calc({CARDS_BELOW} - 1px))": narrow}


def _header(text: str) -> rx.Component:
    """A column header; the unnamed one over row buttons is "Actions" to screen readers."""
    if text:
        return rx.table.column_header_cell(text)
    return rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden"))


def data_table(
    headers: list[str],
    body: rx.Component,
    *,
    size: str | None = None,
    label: str | None = None,
    scroll_height: str | None = None,
    **props: Any,
) -> rx.Component:
    """A full-width table with a header row, one card per row on a phone; `size` "1" for a
    compact one, `label` its accessible name; a long one scrolls within `scroll_height`; `props`
    go to the outer box (e.g. data_testid)."""
    if scroll_height is not None:
        props = {"max_height": scroll_height, "overflow_y": "auto", **props}
    table_props: dict[str, Any] = {}
    if size is not None:
        table_props["size"] = size
    if label is not None:
        table_props["aria_label"] = label
    if "max_height" in props:
        # A box that scrolls is reachable by keyboard (WCAG 2.1.1), named after its table.
        props = {"tab_index": 0, "role": "region", "aria_label": label, **props}
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[_header(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
            **table_props,
        ),
        overflow_x="auto",
        width="100%",
        style=stacked_on_phones(headers),
        **props,
    )


def table_or(
    rows: Any,
    headers: list[str],
    row: Any,
    empty: rx.Component | str,
    **table_props: Any,
) -> rx.Component:
    """data_table of `row(r)` for each of `rows` (a list var), or `empty` while it has none (a
    str is said in a grey sentence)."""
    if isinstance(empty, str):
        empty = rx.text(empty, color_scheme="gray")
    return rx.cond(
        rows.length() > 0, data_table(headers, rx.foreach(rows, row), **table_props), empty
    )


def list_or(rows: Any, row: Any, empty: rx.Component | str, *, spacing: str = "3") -> rx.Component:
    """A full-width column of `row(r)` for each of `rows` (a list var), `spacing` apart, or
    `empty` while it has none (a str is said in a grey sentence)."""
    if isinstance(empty, str):
        empty = rx.text(empty, color_scheme="gray")
    return rx.cond(
        rows.length() > 0,
        rx.vstack(rx.foreach(rows, row), spacing=spacing, width="100%"),
        empty,
    )
