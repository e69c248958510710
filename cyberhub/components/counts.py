"""Counts with their noun in the right number: "1 user", "2 users", "0 entries".

`counted` is for a count that lives in a state var (decided in the browser); `plural` for one
known on the server."""

from __future__ import annotations

import reflex as rx


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 user", "2 users"; `many` for irregular nouns ("entry", "entries")."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def counted(count: rx.Var[int] | int, one: str, many: str | None = None) -> rx.Var[str]:
    """The browser-side `plural`: a string var that follows the count."""
    n = rx.Var.create(count)
    return rx.cond(n == 1, "1 " + one, n.to_string() + " " + (many or one + "s"))
