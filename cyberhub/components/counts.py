"""Counts with their noun in the right number: "1 user", "2 users", "0 entries".

`counted` is for a count that lives in a state var (decided in the browser); `plural` for one
known on the server."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub.components.ui import muted
from cyberhub.formatting import plural

__all__ = ["capped_organizations_note", "counted", "plural"]


def counted(count: rx.Var[int] | int, one: str, many: str | None = None) -> rx.Var[str]:
    """The browser-side `plural`: a string var that follows the count."""
    n = rx.Var.create(count)
    return rx.cond(n == 1, "1 " + one, n.to_string() + " " + (many or one + "s"))


def capped_organizations_note(
    lists: str, shown: rx.Var[int], total: rx.Var[int], test_id: str, **props: Any
) -> rx.Component:
    """Under a list of organisations capped at a few (users.organization_choices): "<lists> N
    of M organizations: find one by name to narrow it." (`lists`: "The organization filter
    lists"). The page shows it only when more match than are listed."""
    return muted(
        lists + " ",
        shown,
        " of ",
        counted(total, "organization"),
        ": find one by name to narrow it.",
        size="1",
        data_testid=test_id,
        **props,
    )
