"""Confirmation dialogs shared by pages: the Cancel / confirm row, and a dialog that asks for a
reason (kept in the audit log) before a change takes effect."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.fields import field_label
from cyberhub.components.ui import error_callout


def dialog_actions(confirm: rx.Component, **props: Any) -> rx.Component:
    """Cancel (closes the dialog) and the confirming button, at the dialog's end."""
    return rx.hstack(
        rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
        confirm,
        justify="end",
        **props,
    )


def reason_dialog(
    *,
    title: rx.Component,
    description: rx.Component,
    field_id: str,
    label: str,
    reason: rx.Var[str],
    error: rx.Var[str],
    confirm: str,
    on_submit: Any,
    is_open: rx.Var[bool],
    on_open_change: Any,
) -> rx.Component:
    """An alert dialog whose form asks why (a `reason` field, focused) before `on_submit`; the
    red `confirm` button submits, the error shows above the field."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            title,
            description,
            rx.form(
                rx.vstack(
                    error_callout(error),
                    field_label(label, field_id),
                    rx.text_area(
                        id=field_id,
                        name="reason",
                        default_value=reason,
                        max_length=500,
                        width="100%",
                        auto_focus=True,
                    ),
                    dialog_actions(
                        rx.button(confirm, color_scheme="red", type="submit"), width="100%"
                    ),
                    spacing="2",
                    margin_top="1em",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
        ),
        open=is_open,
        on_open_change=on_open_change,
    )
