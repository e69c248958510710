"""Tables shared by pages."""

from __future__ import annotations

from typing import Any

import reflex as rx


def data_table(
    headers: list[str],
    body: rx.Component,
    *,
    size: str | None = None,
    label: str | None = None,
    **props: Any,
) -> rx.Component:
    """A full-width table with a header row, scrolling sideways on a small screen; `size` "1"
    for a compact one, `label` its accessible name; `props` go to the scrolling box (e.g.
    data_testid)."""
    table_props: dict[str, Any] = {}
    if size is not None:
        table_props["size"] = size
    if label is not None:
        table_props["aria_label"] = label
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
            **table_props,
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )
