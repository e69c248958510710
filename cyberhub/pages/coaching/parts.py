"""Small pieces the /coaching views share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from cyberhub.components.labelled import labelled, labelled_field
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


def native_select(id_: str, name: str, *options: rx.Component, **props: Any) -> rx.Component:
    """A native <select> (part of the form's data; keyboard and screen readers as usual)."""
    return rx.el.select(*options, id=id_, name=name, style=SELECT_STYLE, **props)


def picker(
    label: str, id_: str, name: str, blank: str, rows: Any, option: Callable[[Any], rx.Component]
) -> rx.Component:
    """A labelled native select: the `blank` choice (value ""), then `option(row)` a row."""
    return labelled(
        label,
        id_,
        native_select(id_, name, rx.el.option(blank, value=""), rx.foreach(rows, option)),
    )


def choice(
    label: str, id_: str, name: str, options: list[tuple[str, str]], **props: Any
) -> rx.Component:
    """A labelled native select of fixed (text, value) options (`props`: value, on_change)."""
    return labelled(
        label,
        id_,
        native_select(id_, name, *[rx.el.option(t, value=v) for t, v in options], **props),
    )


def number_field(
    label: str, id_: str, name: str, default: str, low: int, high: int | None = None
) -> rx.Component:
    """A labelled whole-number input from `low` (up to `high`), starting at `default`."""
    bounds = {"min": low} if high is None else {"min": low, "max": high}
    return labelled_field(label, id_, name=name, type="number", default_value=default, **bounds)


def field_row(*fields: rx.Component) -> rx.Component:
    """Fields side by side, wrapping on a narrow screen."""
    return rx.hstack(*fields, spacing="3", wrap="wrap")
