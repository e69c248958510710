"""A field with its visible label above it: a text input, or a select of options."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label


def labelled_input(label: str, field_id: str, **props: Any) -> rx.Component:
    """A label over an input with id `field_id`; `props` go to the input (name, type, ...)."""
    return rx.vstack(field_label(label, field_id), rx.input(id=field_id, **props), spacing="1")


def labelled_select(
    label: str, field_id: str, *items: rx.Component, value: Any, on_change: Any
) -> rx.Component:
    """A label over a select of `items` (rx.select.item / rx.foreach of them)."""
    return rx.vstack(
        field_label(label, field_id),
        rx.select.root(
            rx.select.trigger(id=field_id, aria_label=label),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def labelled_textarea(label: str, field_id: str, **props: Any) -> rx.Component:
    """A label over a full-width text area with id `field_id` (both children of the form's stack)."""
    return rx.fragment(
        field_label(label, field_id), rx.text_area(id=field_id, width="100%", **props)
    )


def kept_form(*children: rx.Component, on_submit: Any, **props: Any) -> rx.Component:
    """A form of stacked fields that keeps what was typed when the submit is refused (the state
    clears the fields itself once it worked)."""
    return rx.form(
        rx.vstack(*children, spacing="2", width="100%"),
        on_submit=on_submit,
        reset_on_submit=False,
        **props,
    )
