"""Labelled form controls: a visible label stacked above its input or select."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label


def labelled(label: Any, for_id: str, control: rx.Component, **props: Any) -> rx.Component:
    """`control` under its <label> (`props` go to the stack, e.g. width)."""
    return rx.vstack(field_label(label, for_id), control, spacing="1", **props)


def labelled_field(label: Any, id_: str, **input_props: Any) -> rx.Component:
    """A labelled input sized by `input_props` (name, type, default_value, min_width, ...)."""
    return labelled(label, id_, rx.input(id=id_, **input_props))


def labelled_input(label: Any, id_: str, **input_props: Any) -> rx.Component:
    """A labelled input as wide as its column (`input_props`: name, default_value, ...)."""
    return labelled(label, id_, rx.input(id=id_, width="100%", **input_props), width="100%")


def labelled_select(
    label: str,
    id_: str,
    options: Any,
    value: Any,
    on_change: Any,
    *,
    placeholder: str = "",
    full_width: bool = False,
) -> rx.Component:
    """A labelled select of `{"id", "name"}` options."""
    width = {"width": "100%"} if full_width else {}
    trigger = rx.select.trigger(id=id_, aria_label=label, placeholder=placeholder, **width)
    return labelled(
        label,
        id_,
        rx.select.root(
            trigger,
            rx.select.content(
                rx.foreach(options, lambda o: rx.select.item(o["name"], value=o["id"]))
            ),
            value=value,
            on_change=on_change,
        ),
        **width,
    )
