"""The admin console's sub-navigation, shown at the top of every admin page."""

from __future__ import annotations

import reflex as rx

from cyberhub.components.ui import thin_rule
from cyberhub.state.session import SessionState

# (label, href, icon, admins only?)
LINKS: list[tuple[str, str, str, bool]] = [
    ("Users", "/admin/users", "users", True),
    ("Organizations", "/admin/organizations", "building_2", False),
    ("Audit log", "/admin/audit", "scroll_text", True),
    ("Jobs", "/admin/jobs", "cpu", True),
    ("API keys", "/settings/api-keys", "key_round", True),
]


def _link(label: str, href: str, icon: str, current: str) -> rx.Component:
    active = href == current
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label), align="center", spacing="1"),
        href=href,
        underline="none",
        weight="medium",
        padding="0.4em 0.75em",
        min_height="32px",
        border_radius="6px",
        color=rx.color("teal", 11) if active else rx.color("gray", 12),
        background=rx.color("teal", 3) if active else "transparent",
        aria_current="page" if active else None,
    )


def admin_nav(current: str) -> rx.Component:
    """Links between the admin pages; `current` is the route of the page showing it.

    Directors (who may manage their own organization) see only the Organizations link.
    """
    return rx.el.nav(
        rx.flex(
            *[
                _link(label, href, icon, current)
                if not admins_only
                else rx.cond(SessionState.is_admin, _link(label, href, icon, current))
                for label, href, icon, admins_only in LINKS
            ],
            gap="0.25em",
            wrap="wrap",
        ),
        aria_label="Admin",
        border_bottom=thin_rule(5),
        padding_bottom="0.5em",
        margin_bottom="1.25em",
    )
