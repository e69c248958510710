"""/signin/email-link: ask for a link that signs in (or creates the account) by e-mail."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from cyberhub.components.auth_card import other_way_in
from cyberhub.components.counts import plural
from cyberhub.components.email_request import EmailRequestState, SendLink, email_request_card
from cyberhub.components.shell import shell
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import passwordless
from cyberhub.services.identity.permissions import Principal
from cyberhub.settings import get_settings

REQUEST_ROUTE = "/signin/email-link"


def _request(session: Session, _: Principal | None, email: str, meta: RequestMeta) -> None:
    rate_limit.hit_auth("/auth/magic-link", meta.ip)
    passwordless.request_magic_link(session, email=email, meta=meta)


class EmailLinkState(EmailRequestState, rx.State):
    def _send(self) -> SendLink:
        return _request


def email_link_page() -> rx.Component:
    return shell(
        email_request_card(
            EmailLinkState,
            heading="Sign in with an e-mail link",
            intro="We'll e-mail you a link that signs you in — no password needed. New to "
            "CyberHub? The same link creates your account.",
            field_id="email-link-email",
            button="Email me a link",
            footer=other_way_in("Know your password?", "Sign in", "/signin"),
            answer=passwordless.REQUEST_ANSWER,
            details=rx.text(
                "Open the link in the e-mail sent to ",
                rx.text.strong(EmailLinkState.email),
                " on this device. It works once and expires in ",
                plural(get_settings().magic_link_minutes, "minute") + ".",
                size="2",
            ),
            back=("Sign in with a password", "/signin"),
        )
    )
