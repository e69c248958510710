"""Brings an element into view each time a state counter changes (e.g. a form opened from a row
further down the page), without navigating: a "#id" link changes the address, and a router link
to "#id" drops the address's search and filters.

The hook is compiled into the page bundle (no eval, which `rx.scroll_to` needs), so the strict
CSP allows it.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from cyberhub.components.on_change import on_each_change


def scroll_into_view(element_id: str, seq: Var[int]) -> rx.Component:
    """A hidden element that scrolls `element_id` into view each time `seq` changes while the
    page is shown (not for the value it had when the page mounted)."""
    return on_each_change(
        seq,
        "scroll",
        f"""  document.getElementById({element_id!r})?.scrollIntoView({{block: "start"}});""",
    )
