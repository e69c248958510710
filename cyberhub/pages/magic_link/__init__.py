"""Sign-in by e-mailed link: /signin/email-link (ask for one) and /auth/magic/[token] (open it)."""

from __future__ import annotations

from cyberhub.pages.magic_link.open_link import OPEN_ROUTE, MagicLinkState, open_link_page, page
from cyberhub.pages.magic_link.request import REQUEST_ROUTE, EmailLinkState, email_link_page
from cyberhub.routes import PUBLIC, Page, register

__all__ = [
    "OPEN_ROUTE",
    "REQUEST_ROUTE",
    "EmailLinkState",
    "MagicLinkState",
    "email_link_page",
    "open_link_page",
    "page",
]

register(
    Page(
        route=REQUEST_ROUTE,
        title="Sign in with an e-mail link · CyberHub",
        component=email_link_page,
        access=PUBLIC,
        on_load=(EmailLinkState.reset_form,),
    )
)
