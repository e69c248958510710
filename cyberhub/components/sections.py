"""A titled card: one section of a page (its <h2> heading, then its content)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def section_card(
    title: str | rx.Component, *children: rx.Component, size: str = "5", **props: Any
) -> rx.Component:
    """A full-width card headed by `title` (an h2 of `size`, or a component such as a heading
    with a link beside it); `props` go to the card (e.g. margin_top, data_testid)."""
    heading = rx.heading(title, size=size, as_="h2") if isinstance(title, str) else title
    return rx.card(rx.vstack(heading, *children, spacing="3", width="100%"), width="100%", **props)
