"""A confirmation dialog for a destructive action: a title, what happens, a cancel button and a
red confirm button (focus moves into it when it opens and back when it closes)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirm_dialog(
    title: Any,
    description: Any,
    *,
    confirm: str,
    on_confirm: Any,
    open: rx.Var[bool],
    on_open_change: Any,
    cancel: str = "Cancel",
) -> rx.Component:
    """`open` / `on_open_change` bind it to a state var; `on_confirm` runs the action."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(cancel, variant="soft")),
                rx.alert_dialog.action(rx.button(confirm, color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
                padding_top="1em",
            ),
        ),
        open=open,
        on_open_change=on_open_change,
    )
