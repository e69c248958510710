"""The green "done" message after an action (saved, deleted, ...), announced to screen readers."""

from __future__ import annotations

import reflex as rx


def notice_callout(message: rx.Var[str]) -> rx.Component:
    """Shown only when `message` is non-empty."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="check", color_scheme="green", role="status", width="100%"),
    )
