"""Helpers shared by form-handling states."""

from __future__ import annotations

import reflex as rx

from cyberhub.services import browser_sessions
from cyberhub.services.audit import RequestMeta


def request_meta(state: rx.State) -> RequestMeta:
    router = state.router
    return RequestMeta(
        ip=router.session.client_ip or None, user_agent=router.headers.user_agent or ""
    )


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    return browser_sessions.safe_next(value, default)
