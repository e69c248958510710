"""Helpers shared by form-handling states."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import reflex as rx

from cyberhub.models.base import MAX_ID
from cyberhub.services import network
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import browser_sessions

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


def parse_id(raw: object) -> int | None:
    """An id from a URL or a form field, or None when it can name no row (not a plain decimal
    number, or outside the id columns' range): pages then show their "not found" state."""
    text = str(raw or "")
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def url_param(state: rx.State, name: str) -> str:
    """The text of the page's address parameter `name` (a dynamic route segment, "token" in
    /…/[token], or a query parameter), "" when absent."""
    return str(state.router.page.params.get(name, "") or "")


def url_id(state: rx.State, name: str) -> int | None:
    """The id in the page's dynamic route segment `name` (/…/[mission_id]), or None when it
    names no row (see `parse_id`)."""
    return parse_id(state.router.page.params.get(name, ""))


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
