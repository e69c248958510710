"""Sign-in by e-mailed link: /signin/email-link (ask for one) and /auth/magic/[token] (open it)."""

from __future__ import annotations

from cyberhub.components.page_kit import register_page
from cyberhub.pages.magic_link.open_link import OPEN_ROUTE, MagicLinkState, open_link_page, page
from cyberhub.pages.magic_link.request import REQUEST_ROUTE, EmailLinkState, email_link_page
from cyberhub.routes import PUBLIC

__all__ = [
    "OPEN_ROUTE",
    "REQUEST_ROUTE",
    "EmailLinkState",
    "MagicLinkState",
    "email_link_page",
    "open_link_page",
    "page",
]

register_page(
    REQUEST_ROUTE,
    "Sign in with an e-mail link · CyberHub",
    email_link_page,
    PUBLIC,
)
