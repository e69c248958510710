"""Labelled form controls: a visible label stacked above its input or select."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.ui import error_callout, muted


def labelled(label: Any, for_id: str, control: rx.Component, **props: Any) -> rx.Component:
    """`control` under its <label> (`props` go to the stack, e.g. width)."""
    return rx.vstack(field_label(label, for_id), control, spacing="1", **props)


def labelled_field(label: Any, id_: str, **input_props: Any) -> rx.Component:
    """A labelled input sized by `input_props` (name, type, default_value, min_width, ...)."""
    return labelled(label, id_, rx.input(id=id_, **input_props))


def email_field(label: str, id_: str, value: rx.Var[str]) -> rx.Component:
    """A labelled input for someone's email address in a staff form (the member to add, the
    student to enrol, the mentor), named `email`, showing `value` (what was typed stays after a
    refusal), at least 16em wide beside the form's other fields."""
    return labelled_field(
        label,
        id_,
        name="email",
        type="email",
        default_value=value,
        max_length=320,
        min_width="16em",
    )


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


def labelled_select_of(
    label: str, field_id: str, *items: rx.Component, value: Any, on_change: Any
) -> rx.Component:
    """A label over a select of `items` (rx.select.item / rx.foreach of them)."""
    return labelled(
        label,
        field_id,
        rx.select.root(
            rx.select.trigger(id=field_id, aria_label=label),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
        ),
    )


def labelled_form_input(label: str, field_id: str, **props: Any) -> rx.Component:
    """A label over a full-width input with id `field_id`, both children of the form's stack
    (spaced as the form spaces its fields; `labelled_input` holds them closer in a stack)."""
    return rx.fragment(field_label(label, field_id), rx.input(id=field_id, width="100%", **props))


def labelled_textarea(label: str, field_id: str, **props: Any) -> rx.Component:
    """A label over a full-width text area with id `field_id` (both children of the form's stack)."""
    return rx.fragment(
        field_label(label, field_id), rx.text_area(id=field_id, width="100%", **props)
    )


def kept_form(
    *children: rx.Component, on_submit: Any, spacing: str = "2", **props: Any
) -> rx.Component:
    """A form of stacked fields that keeps what was typed when the submit is refused (the state
    clears the fields itself once it worked)."""
    return rx.form(
        rx.vstack(*children, spacing=spacing, width="100%"),
        on_submit=on_submit,
        reset_on_submit=False,
        **props,
    )


def form_card(
    *children: rx.Component, on_submit: Any, spacing: str = "2", **card_props: Any
) -> rx.Component:
    """A full-width card holding one kept_form of `children` (`card_props` go to the card)."""
    return rx.card(
        kept_form(*children, on_submit=on_submit, spacing=spacing), width="100%", **card_props
    )


def titled_form_card(
    title: str,
    error: rx.Var[str],
    *children: rx.Component,
    on_submit: Any,
    intro: str | None = None,
    spacing: str = "2",
) -> rx.Component:
    """A form_card headed by its h2 (and a grey `intro` line saying what it does), the form's
    error shown above its fields."""
    head: list[rx.Component] = [rx.heading(title, size="4", as_="h2")]
    if intro is not None:
        head.append(muted(intro))
    return form_card(*head, error_callout(error), *children, on_submit=on_submit, spacing=spacing)
