"""Small pieces the /coaching views share."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.pages.coaching.state import CoachingState

S = CoachingState
SELECT_STYLE = {
    "min_height": "32px",
    "padding": "0 0.5em",
    "border_radius": "var(--radius-2)",
    "border": "1px solid var(--gray-a7)",
    "background": "var(--color-surface)",
    "color": "var(--gray-12)",
}


def hint(text: Any, size: str = "2", **props: Any) -> rx.Component:
    """Grey secondary text."""
    return rx.text(text, size=size, color_scheme="gray", **props)


def native_select(id_: str, name: str, *options: rx.Component, **props: Any) -> rx.Component:
    """A native <select> (part of the form's data; keyboard and screen readers as usual)."""
    return rx.el.select(*options, id=id_, name=name, style=SELECT_STYLE, **props)
