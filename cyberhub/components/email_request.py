"""The "enter your e-mail, we'll send you a link" card (sign-in link, password reset).

A page state mixes in `EmailRequestState` and names the service that sends the mail
(`_send`); the page shows `email_request_card(...)`: the form, then "Check your inbox" with the
same answer whether or not the address has an account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.auth_card import (
    EMAIL_MAX_LENGTH,
    auth_card,
    auth_column,
    email_auth_field,
    submit_button,
)
from cyberhub.components.auth_form import auth_form
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import done_callout
from cyberhub.components.ui import error_callout, muted
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.messaging import mail
from cyberhub.state.service import ServiceState

# fn(session, principal, email, meta): sends the link (principal is None: these pages are public).
SendLink = Callable[[Session, Principal | None, str, RequestMeta], None]


class EmailRequestState(ServiceState, rx.State, mixin=True):
    """Mix in and override `_send`; the form submits to `submit`.

    The card resets when the user leaves the page (`reset_form` on unmount), never on the page's
    load: load events run after the tab connects, and a submit sent in between was answered and
    then undone ("Check your inbox" went back to the empty form). A reload keeps the answer."""

    email: str = ""
    sent: bool = False
    submitting: bool = False

    @rx.var
    def mailbox_enabled(self) -> bool:
        return mail.mailbox_enabled()

    def _send(self) -> SendLink:
        raise NotImplementedError

    @rx.event
    def reset_form(self) -> None:
        self.error, self.sent, self.submitting = "", False, False

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.email = str(form.get("email", "")).strip()[:EMAIL_MAX_LENGTH]
        if not self.email:
            self.error = "Enter your email address."
            return
        self.error, self.submitting = "", True
        yield
        done = await self._call(self._send(), self.email, self._meta())
        self.sent, self.submitting = bool(done), False

    @rx.event
    def try_again(self) -> None:
        self.sent, self.error = False, ""


def _sent_view(
    state: Any, answer: str, details: rx.Component, back: tuple[str, str]
) -> rx.Component:
    return auth_column(
        "Check your inbox",
        done_callout(answer, icon="mail_check"),
        details,
        rx.cond(
            state.mailbox_enabled,
            muted(
                "Developing locally? Messages land in the ",
                rx.link("dev mailbox", href="/dev/mailbox"),
                ".",
            ),
        ),
        rx.hstack(
            rx.button("Use another address", variant="soft", on_click=state.try_again),
            link_button(back[0], variant="ghost", href=back[1]),
            wrap="wrap",
        ),
    )


def _request_form(
    state: Any, heading: str, intro: str, field_id: str, button: str, footer: rx.Component
) -> rx.Component:
    return auth_form(
        heading,
        muted(intro),
        error_callout(state.error),
        email_auth_field(field_id, state.email),
        submit_button(button, state.submitting),
        footer,
        on_submit=state.submit,
    )


def email_request_card(
    state: Any,
    *,
    heading: str,
    intro: str,
    field_id: str,
    button: str,
    footer: rx.Component,
    answer: str,
    details: rx.Component,
    back: tuple[str, str],
) -> rx.Component:
    """The request form, then (once sent) the answer; `back` is (button text, href)."""
    return rx.box(
        auth_card(
            rx.cond(
                state.sent,
                _sent_view(state, answer, details, back),
                _request_form(state, heading, intro, field_id, button, footer),
            )
        ),
        on_unmount=state.reset_form,
    )
