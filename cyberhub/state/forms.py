"""Helpers shared by form-handling states."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import unquote

import reflex as rx
from reflex.config import get_config

from cyberhub.models.base import MAX_ID
from cyberhub.services import network
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import browser_sessions

# A dynamic route segment of a page's route pattern: "[mission_id]".
_ROUTE_ARG = re.compile(r"\[([A-Za-z_]\w*)\]")

# Reflex puts the websocket's TCP peer among the connection's headers under this name.
PEER_HEADER = "asgi-scope-client"


def request_meta(state: rx.State) -> RequestMeta:
    """Where this event comes from, decided as for API requests (services/network.py)."""
    router = state.router
    headers = {k.lower(): v for k, v in router.headers.raw_headers.items()}
    peer = headers.pop(PEER_HEADER, "") or router.session.client_ip or None
    return network.request_meta(peer, headers)


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    return browser_sessions.safe_next(value, default)


def search_text(form: dict[str, Any], name: str = "q") -> str:
    """A search box's text from its form: trimmed, capped at 200 characters as every search."""
    return str(form.get(name, "")).strip()[:200]


def parse_id(raw: object) -> int | None:
    """An id from a URL or a form field, or None when it can name no row (not a plain decimal
    number, or outside the id columns' range): pages then show their "not found" state."""
    text = str(raw or "")
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def url_params(state: rx.State) -> dict[str, str]:
    """The page's address parameters: its query string's, then its dynamic route segments
    ("token" in /…/[token]), read from the matched route (`router.route_id`) against the
    browser's path (`router.url`), as Reflex 0.10 gives them (RouterData.page is deprecated)."""
    router = state.router
    params = dict(router.url.query_parameters)
    path = router.url.path
    prefix = (get_config().frontend_path or "").rstrip("/")
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix) :]
    route_parts = router.route_id.strip("/").split("/")
    path_parts = path.strip("/").split("/")
    if len(route_parts) == len(path_parts):
        for pattern, value in zip(route_parts, path_parts, strict=True):
            if match := _ROUTE_ARG.fullmatch(pattern):
                params[match.group(1)] = unquote(value)
    return params


def url_param(state: rx.State, name: str) -> str:
    """The text of the page's address parameter `name` (a dynamic route segment, "token" in
    /…/[token], or a query parameter), "" when absent."""
    return url_params(state).get(name, "")


def url_id(state: rx.State, name: str) -> int | None:
    """The id in the page's dynamic route segment `name` (/…/[mission_id]), or None when it
    names no row (see `parse_id`)."""
    return parse_id(url_param(state, name))


def parse_day(value: str, label: str) -> date | None:
    """A day typed in a form or read from the address (YYYY-MM-DD), None when blank; anything
    else is `Invalid`, naming the field by `label` ("start", "end")."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"The {label} date must look like 2026-03-01.") from exc


def whole_number(value: Any, what: str) -> int:
    """A whole number typed in a form field; anything else is `Invalid`, naming the field by
    `what` ("capacity", "difficulty")."""
    try:
        return int(str(value if value is not None else "").strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a whole number.") from None
