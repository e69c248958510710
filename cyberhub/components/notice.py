"""The green "done" message after an action (saved, deleted, sent, ...), announced to screen
readers, and the ✕ that closes a message."""

from __future__ import annotations

from typing import Any

import reflex as rx


def done_callout(message: Any, *, icon: str = "check", full_width: bool = True) -> rx.Component:
    """The green callout saying an action went through; `full_width` False leaves the callout
    its own width (the panels that lay it out in a stack of their own)."""
    width: dict[str, str] = {"width": "100%"} if full_width else {}
    return rx.callout(message, icon=icon, color_scheme="green", role="status", **width)


def notice_callout(
    message: rx.Var[str], *, icon: str = "check", full_width: bool = True
) -> rx.Component:
    """done_callout, shown only when `message` is non-empty."""
    return rx.cond(message != "", done_callout(message, icon=icon, full_width=full_width))


def close_button(on_click: Any) -> rx.Component:
    """The small grey ✕ at the end of a message that closes it ("Close this message")."""
    return rx.icon_button(
        rx.icon("x", size=14),
        size="1",
        variant="ghost",
        color_scheme="gray",
        aria_label="Close this message",
        on_click=on_click,
    )
