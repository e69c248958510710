"""The green "done" message after an action (saved, deleted, ...), announced to screen readers."""

from __future__ import annotations

import reflex as rx


def notice_callout(
    message: rx.Var[str], *, icon: str = "check", full_width: bool = True
) -> rx.Component:
    """Shown only when `message` is non-empty; `full_width` False leaves the callout its own
    width (the panels that lay it out in a stack of their own)."""
    width: dict[str, str] = {"width": "100%"} if full_width else {}
    return rx.cond(
        message != "",
        rx.callout(message, icon=icon, color_scheme="green", role="status", **width),
    )
