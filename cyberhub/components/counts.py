"""Counts with their noun in the right number: "1 user", "2 users", "0 entries".

`counted` is for a count that lives in a state var (decided in the browser); `plural` for one
known on the server."""

from __future__ import annotations

import reflex as rx

from cyberhub.formatting import plural

__all__ = ["counted", "plural"]


def counted(count: rx.Var[int] | int, one: str, many: str | None = None) -> rx.Var[str]:
    """The browser-side `plural`: a string var that follows the count."""
    n = rx.Var.create(count)
    return rx.cond(n == 1, "1 " + one, n.to_string() + " " + (many or one + "s"))
