"""Every page declares its route, title, access rule and loaders here; cyberhub.py adds them all."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from cyberhub.services.identity.permissions import PUBLIC, SIGNED_IN, Access, roles


@dataclass(frozen=True)
class Page:
    route: str
    title: str
    component: Callable[[], rx.Component]
    access: Access
    on_load: Sequence[Any] = field(default_factory=tuple)
    description: str = ""
    # Shown in the main navigation with this label (None: not in the nav).
    nav_label: str | None = None
    nav_order: int = 100
    # Live updates: topic (services/messaging/live.py) -> the event reloading what it changed,
    # queued while the page is open (state/live.py).
    live: Mapping[str, Any] = field(default_factory=dict)


_PAGES: dict[str, Page] = {}


def register(page: Page) -> Page:
    if page.route in _PAGES:
        raise ValueError(f"route {page.route} registered twice")
    _PAGES[page.route] = page
    return page


def page_for(route: str) -> Page:
    return _PAGES[route]


def all_pages() -> list[Page]:
    return list(_PAGES.values())


def _allowed(access: Access, user_roles: list[str] | None) -> bool:
    if access.kind == "public":
        return True
    if user_roles is None:
        return False
    return access.kind == "signed_in" or bool(set(access.roles) & set(user_roles))


def nav_for(user_roles: list[str] | None) -> list[dict[str, str]]:
    """Nav links the user may follow, in order. None = signed out."""
    items = sorted((p for p in _PAGES.values() if p.nav_label), key=lambda p: p.nav_order)
    return [
        {"label": p.nav_label or "", "href": p.route}
        for p in items
        if _allowed(p.access, user_roles)
    ]


__all__ = ["PUBLIC", "SIGNED_IN", "Page", "all_pages", "nav_for", "page_for", "register", "roles"]
