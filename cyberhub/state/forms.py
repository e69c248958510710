"""Helpers shared by form-handling states."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import reflex as rx

from cyberhub.models.base import MAX_ID
from cyberhub.services.audit import RequestMeta


def request_meta(state: rx.State) -> RequestMeta:
    router = state.router
    return RequestMeta(
        ip=router.session.client_ip or None, user_agent=router.headers.user_agent or ""
    )


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not value:
        return default
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if value.startswith(("/signin", "/signup")):
        return default
    return value


def parse_id(raw: object) -> int | None:
    """An id from a URL or a form field, or None when it can name no row (not a plain decimal
    number, or outside the id columns' range): pages then show their "not found" state."""
    text = str(raw or "")
    if not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
