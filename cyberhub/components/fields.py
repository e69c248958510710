"""Form pieces shared by pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.ui import icon_button


def field_label(text: Any, for_id: Any) -> rx.Component:
    """A visible <label> for the input with id `for_id`."""
    return rx.el.label(text, html_for=for_id, font_weight="500")


def small_label(text: Any, for_id: Any) -> rx.Component:
    """A small <label> over a compact control (a search box, a combobox)."""
    return rx.el.label(text, html_for=for_id, font_size="0.85em", font_weight="500")


def copyable_input(field_id: str, value: Any, testid: str) -> rx.Component:
    """A full-width read-only input showing `value` (a secret, an address) in monospace, to be
    selected or copied."""
    return rx.input(
        id=field_id,
        value=value,
        read_only=True,
        width="100%",
        font_family="monospace",
        data_testid=testid,
    )


def copy_button(text: str, value: Any, toast: str) -> rx.Component:
    """A soft "copy" button: `value` goes to the clipboard and a `toast` says what to do next."""
    return icon_button(
        "copy", text, variant="soft", on_click=[rx.set_clipboard(value), rx.toast(toast)]
    )


def search_form(
    label: rx.Component | str, field_id: str, placeholder: str, query: Any, on_submit: Any
) -> rx.Component:
    """A search box (its `label` above, a str as a small_label; a Search button beside) sending
    `q` to `on_submit`; `query` is the search in the URL: Back/forward restore another one, and
    a new key redraws the box with it."""
    return rx.form(
        rx.vstack(
            small_label(label, field_id) if isinstance(label, str) else label,
            rx.hstack(
                rx.input(
                    id=field_id,
                    name="q",
                    placeholder=placeholder,
                    default_value=query,
                    key=query,
                    type="search",
                    max_length=200,
                ),
                icon_button("search", "Search", type="submit"),
            ),
            spacing="1",
        ),
        on_submit=on_submit,
    )
