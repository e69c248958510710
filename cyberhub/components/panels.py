"""Pieces the director, sponsor and exports pages share: a heading row with its actions spread
to either end."""

from __future__ import annotations

from typing import Any

import reflex as rx


def spread_row(*children: rx.Component, **props: Any) -> rx.Component:
    """A full-width row whose `children` stand at either end (a title, then its buttons), wrapping
    on a phone; `props` go to the row (gap, align)."""
    return rx.hstack(*children, justify="between", width="100%", wrap="wrap", **props)
