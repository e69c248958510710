"""Pieces the director, sponsor and exports pages share: a heading row with its actions spread
to either end, and table rows of one cell per value."""

from __future__ import annotations

from typing import Any

import reflex as rx


def spread_row(*children: rx.Component, **props: Any) -> rx.Component:
    """A full-width row whose `children` stand at either end (a title, then its buttons), wrapping
    on a phone; `props` go to the row (gap, align)."""
    return rx.hstack(*children, justify="between", width="100%", wrap="wrap", **props)


def named_row(name: Any, *cells: Any) -> rx.Component:
    """A table row named by its first cell (a row header, read out with each value), then one
    cell for each of `cells`."""
    return rx.table.row(rx.table.row_header_cell(name), *[rx.table.cell(c) for c in cells])


def cells_row(*cells: Any) -> rx.Component:
    """A table row of one plain cell for each of `cells`."""
    return rx.table.row(*[rx.table.cell(c) for c in cells])
