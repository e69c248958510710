"""A link that looks like a button: one <a> element, never a <button> inside a link.

`rx.link(rx.button(...))` renders two nested interactive controls (WCAG 4.1.2, axe
`nested-interactive`): a keyboard user tabs to both, a screen reader announces a button that
navigates. Here Radix's Button styles the router link itself (`as_child`), so the page keeps
client-side navigation and a single focus stop named by the visible text.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink


def link_button(*children: Any, href: str | rx.Var[str], **button_props: Any) -> rx.Component:
    """A button-styled link to `href`; `button_props` are rx.button's (variant, size, color…)."""
    return rx.button(ReactRouterLink.create(*children, to=href), as_child=True, **button_props)
