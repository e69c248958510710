"""Tables shared by pages."""

from __future__ import annotations

from typing import Any

import reflex as rx


def data_table(headers: list[str], body: rx.Component, **props: Any) -> rx.Component:
    """A full-width table with a header row, scrolling sideways on a small screen; `props` go to
    the scrolling box (e.g. data_testid)."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        **props,
    )
