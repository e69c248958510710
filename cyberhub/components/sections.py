"""A titled card: one section of a page (its <h2> heading, then its content)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.tables import table_or


def section_card(
    title: str | rx.Component, *children: rx.Component, size: str = "5", **props: Any
) -> rx.Component:
    """A full-width card headed by `title` (an h2 of `size`, or a component such as a heading
    with a link beside it); `props` go to the card (e.g. margin_top, data_testid)."""
    heading = rx.heading(title, size=size, as_="h2") if isinstance(title, str) else title
    return card_stack(heading, *children, **props)


def table_section(
    title: str, rows: Any, headers: list[str], row: Any, empty: str, **card_props: Any
) -> rx.Component:
    """A section_card headed by `title` holding a table (labelled `title`) of `row(r)` for each
    of `rows`, or the grey sentence `empty` while it has none; `card_props` go to the card."""
    return section_card(title, table_or(rows, headers, row, empty, label=title), **card_props)


def card_stack(
    *children: rx.Component, spacing: str = "3", align: str | None = None, **props: Any
) -> rx.Component:
    """A full-width card whose `children` stack at full width (`align` lines them up across
    it); `props` go to the card."""
    aligned: dict[str, str] = {} if align is None else {"align": align}
    return rx.card(
        rx.vstack(*children, spacing=spacing, width="100%", **aligned), width="100%", **props
    )


def heading_with_actions(title: Any, *actions: rx.Component, size: str = "5") -> rx.Component:
    """A section's h2 with its buttons pushed to the right (they wrap under it on a phone)."""
    return rx.hstack(
        rx.heading(title, size=size, as_="h2"),
        rx.spacer(),
        *actions,
        width="100%",
        align="center",
        wrap="wrap",
    )


def heading_row(heading: rx.Component, *aside: rx.Component) -> rx.Component:
    """A full-width row on one line: a section's `heading` at the start, `aside` (a count, a link,
    a button) spread to the end, all centred across (`layout.spread_row` lets them wrap)."""
    return rx.hstack(heading, *aside, justify="between", align="center", width="100%")


def titled_stack(
    title: Any,
    *children: rx.Component,
    size: str = "5",
    as_: str = "h2",
    spacing: str = "2",
    **props: Any,
) -> rx.Component:
    """A full-width stack (no card) headed by `title`: a heading of `size` and level `as_`;
    `props` go to the stack (align, data_testid)."""
    return rx.vstack(
        rx.heading(title, size=size, as_=as_), *children, spacing=spacing, width="100%", **props
    )
