"""/password-reset (ask for a reset link) and /password-reset/[token] (choose a new password)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.auth_card import auth_card, link_unusable, other_way_in, submit_button
from cyberhub.components.auth_form import auth_form, for_email, new_password_field
from cyberhub.components.consent_fields import READ_LINKS, consent_fieldset, ticked_consents
from cyberhub.components.counts import plural
from cyberhub.components.email_request import EmailRequestState, SendLink, email_request_card
from cyberhub.components.layout import full_column
from cyberhub.components.link_button import link_button
from cyberhub.components.notice import done_callout
from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, loading_state, muted
from cyberhub.routes import PUBLIC
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import consents, passwordless, passwords
from cyberhub.services.identity.permissions import Principal
from cyberhub.settings import get_settings
from cyberhub.state.emailed_link import EmailedLinkState
from cyberhub.state.session import SessionState

REQUEST_ROUTE = "/password-reset"
CONFIRM_ROUTE = "/password-reset/[token]"
RULES = f"At least {passwords.MIN_LENGTH} characters; avoid common passwords."


def _request(session: Session, _: Principal | None, email: str, meta: RequestMeta) -> None:
    rate_limit.hit_auth("/auth/password-reset", meta.ip)
    passwordless.request_password_reset(session, email=email, meta=meta)


def _check(session: Session, _: Principal | None, token: str) -> passwordless.ResetLinkInfo:
    return passwordless.check_password_reset(session, token=token)


def _confirm(
    session: Session,
    _: Principal | None,
    token: str,
    new_password: str,
    meta: RequestMeta,
    consent_kinds: list[str],
) -> None:
    rate_limit.hit_auth("/auth/password-reset/confirm", meta.ip)
    passwordless.confirm_password_reset(
        session, token=token, new_password=new_password, meta=meta, consents=consent_kinds
    )


# -- /password-reset ---------------------------------------------------------------------------


class ResetRequestState(EmailRequestState, rx.State):
    def _send(self) -> SendLink:
        return _request


def reset_request_page() -> rx.Component:
    return shell(
        email_request_card(
            ResetRequestState,
            heading="Reset your password",
            intro="Enter the address you sign in with and we'll e-mail you a link to choose a "
            "new password.",
            field_id="reset-email",
            button="Send reset link",
            footer=other_way_in("Remembered it?", "Sign in", "/signin"),
            answer=passwordless.RESET_ANSWER,
            details=rx.text(
                "The link works once and expires in ",
                plural(get_settings().password_reset_minutes, "minute") + ". ",
                "Your current password keeps working until you choose a new one.",
                size="2",
            ),
            back=("Back to sign in", "/signin"),
        )
    )


# -- /password-reset/[token] -------------------------------------------------------------------


class ResetConfirmState(EmailedLinkState, rx.State):
    # step: checking | form | done | invalid
    # The first use of an account someone else made (a director enrolled the address): the form
    # asks for the terms and the privacy notice too, as sign-up does.
    consents_needed: bool = False
    consents: list[str] = []  # ticked on the last submit (kept when it fails)

    @rx.event
    async def load(self) -> None:
        self._begin_check()
        self.consents_needed, self.consents = False, []
        found = await self._call(_check, self._token())
        if not found:
            self._refuse(found, "invalid")
            return
        self.step, self.email = "form", found.value.email
        self.consents_needed = found.value.consents_needed

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        password = str(form.get("new_password", ""))
        repeat = str(form.get("repeat_password", ""))
        if self.consents_needed:
            self.consents = ticked_consents(form)
            if consents.missing_signup_consents(self.consents):
                self.error = consents.FIRST_USE_MISSING
                return
        problems = passwords.password_problems(password, self.email)
        if problems:
            self.error = " ".join(problems)
            return
        if password != repeat:
            self.error = "The two passwords don't match."
            return
        self.error, self.submitting = "", True
        yield
        done = await self._call(_confirm, self._token(), password, self._meta(), self.consents)
        if not done:
            self.submitting = False
            if done.code not in ("Invalid", "RateLimited"):
                self._refuse(done, "invalid")
            return
        # Every session of the account was revoked: this browser signs in again too.
        session = await self.get_state(SessionState)
        session.forget_user()
        self.step, self.submitting = "done", False


def _confirm_form() -> rx.Component:
    return auth_form(
        "Choose a new password",
        for_email(
            "For ",
            ResetConfirmState.email,
            ". After the change, every device signed in to this account is signed out, and "
            "your API keys and calendar feed address stop working.",
        ),
        error_callout(ResetConfirmState.error),
        new_password_field(
            "New password",
            "reset-new-password",
            "new_password",
            max_length=256,
            aria_describedby="reset-password-help",
        ),
        muted(RULES, id="reset-password-help", size="1"),
        new_password_field(
            "Repeat new password", "reset-repeat-password", "repeat_password", max_length=256
        ),
        rx.cond(
            ResetConfirmState.consents_needed,
            rx.vstack(
                muted(
                    "Your programme made this account for you: accept the terms and the "
                    "privacy notice to start using it."
                ),
                consent_fieldset(ResetConfirmState.consents, READ_LINKS),
                width="100%",
            ),
        ),
        submit_button("Change password", ResetConfirmState.submitting),
        on_submit=ResetConfirmState.submit,
    )


def _done_view() -> rx.Component:
    return full_column(
        rx.heading("Password changed", size="6", as_="h1"),
        done_callout(
            "Your password was changed and every session was signed out. Sign in with your new "
            "password.",
            icon="circle_check",
        ),
        link_button("Sign in", size="3", href="/signin"),
        spacing="3",
    )


def reset_confirm_page() -> rx.Component:
    return shell(
        auth_card(
            rx.match(
                ResetConfirmState.step,
                ("form", _confirm_form()),
                ("done", _done_view()),
                (
                    "invalid",
                    link_unusable(
                        ResetConfirmState.error,
                        REQUEST_ROUTE,
                        "Back to sign in",
                        ResetConfirmState.renewable,
                    ),
                ),
                rx.vstack(
                    rx.heading("Reset your password", size="6", as_="h1"),
                    loading_state("Checking your link…"),
                ),
            ),
        )
    )


register_page(
    REQUEST_ROUTE,
    "Reset your password · CyberHub",
    reset_request_page,
    PUBLIC,
)

page = register_page(
    CONFIRM_ROUTE,
    "Choose a new password · CyberHub",
    reset_confirm_page,
    PUBLIC,
    ResetConfirmState.load,
)
