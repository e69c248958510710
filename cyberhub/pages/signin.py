"""/signin: email + password (then the authenticator code when MFA is on); back to `next`."""

from __future__ import annotations

import re
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.auth_card import (
    auth_card,
    auth_field,
    email_auth_field,
    other_way_in,
    submit_button,
)
from cyberhub.components.auth_form import auth_form, code_field
from cyberhub.components.focus_on_change import focus_on_change
from cyberhub.components.layout import flow
from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, info_callout, muted
from cyberhub.routes import PUBLIC
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import browser_sessions, sign_in
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import Outcome, ServiceState
from cyberhub.state.session import SessionState

ROUTE = "/signin"


def _sign_in(
    session: Session, _: Principal | None, credentials: sign_in.Credentials, meta: RequestMeta
) -> str:
    """Check the credentials; the single-use code that trades for the session cookie."""
    return sign_in.for_browser(session, credentials, meta)


class SignInState(ServiceState, rx.State):
    email: str = ""
    submitting: bool = False
    # Second step (MFA): the password waits in backend-only state (never sent to the page).
    mfa_step: bool = False
    _pending_password: str = ""
    # Counts refused attempts: each one puts the focus back on the field to retype.
    refused: int = 0

    @rx.var
    def notice(self) -> str:
        params = self.router.url.query_parameters
        if params.get("signed_out"):
            return "You have signed out."
        if params.get("expired"):
            return browser_sessions.HANDOFF_EXPIRED
        if params.get("next"):
            return "Please sign in to continue."
        return ""

    @rx.var
    def signup_href(self) -> str:
        """Sent here from an invitation link: creating an account there accepts it too."""
        found = re.fullmatch(
            r"/invitations/([A-Za-z0-9_-]{1,200})/?",
            str(self.router.url.query_parameters.get("next") or ""),
        )
        return f"/signup?invite={found.group(1)}" if found else "/signup"

    @rx.event
    def reset_form(self) -> None:
        """On leaving the page (not on its load, which can run after a quick submit's refusal
        and took its message away)."""
        self._clear()

    def _clear(self) -> None:
        self.error = ""
        self.submitting = False
        self.mfa_step, self._pending_password = False, ""

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        if not self.email or not password:
            self.error = "Enter your email and password."
            return
        self.error, self.submitting = "", True
        yield
        code = await self._attempt(sign_in.Credentials(self.email, password))
        if code.code == "MfaRequired":
            self.error, self.mfa_step, self._pending_password = "", True, password
        elif code:
            await self._finish(code.value)

    @rx.event
    async def submit_code(self, form: dict[str, Any]) -> Any:
        """Second step: the authenticator (or recovery) code, with the password kept above."""
        code = str(form.get("code", "")).strip()
        if not code:
            self.error = "Enter the code from your authenticator app, or a recovery code."
            return
        if not self.mfa_step or not self._pending_password:
            self._clear()
            self.error = "Please sign in again."
            return
        self.error, self.submitting = "", True
        yield
        handoff = await self._attempt(sign_in.Credentials(self.email, self._pending_password, code))
        if handoff:
            await self._finish(handoff.value)
        elif handoff.code != "MfaRequired":  # locked, or the password no longer works: start over
            self._clear()
            self.error = handoff.error
        # a wrong code stays on this step (it counted as a failure)

    @rx.event
    def cancel_code(self) -> None:
        self._clear()

    async def _attempt(self, credentials: sign_in.Credentials) -> Outcome[str]:
        """One sign-in attempt; a refusal is shown, and `submitting` ends unless it worked."""
        outcome = await self._call(_sign_in, credentials, self._meta())
        if not outcome:
            self.submitting = False
            if outcome.code != "MfaRequired":
                self.refused += 1
        return outcome

    async def _finish(self, code: str) -> None:
        """Signed in: the tab loads the page that sets the session cookie, then goes to `next`."""
        session = await self.get_state(SessionState)
        session.complete_sign_in(code, self.router.url.query_parameters.get("next"))
        self.mfa_step, self._pending_password = False, ""  # `submitting` stays on until it leaves


def _code_form() -> rx.Component:
    return auth_form(
        "Two-factor authentication",
        muted(
            "Open your authenticator app and enter the 6-digit code for CyberHub. "
            "Lost your phone? Enter one of your recovery codes instead.",
            id="signin-code-help",
        ),
        error_callout(SignInState.error),
        code_field(
            "signin-code",
            "code",
            "numeric",
            aria_describedby="signin-code-help",
            required=True,
            max_length=32,
            auto_focus=True,
        ),
        submit_button("Verify and sign in", SignInState.submitting),
        rx.button(
            "Use a different account",
            type="button",
            variant="ghost",
            on_click=SignInState.cancel_code,
        ),
        on_submit=SignInState.submit_code,
        reset_on_submit=True,
    )


def _password_form() -> rx.Component:
    return auth_form(
        "Sign in to CyberHub",
        rx.cond(SignInState.notice != "", info_callout(SignInState.notice)),
        error_callout(SignInState.error),
        email_auth_field("signin-email", SignInState.email),
        auth_field(
            "Password",
            "signin-password",
            "password",
            type="password",
            auto_complete="current-password",
            required=True,
        ),
        submit_button("Sign in", SignInState.submitting),
        other_way_in("New here?", "Create an account", SignInState.signup_href),
        flow(
            rx.link("Forgot your password?", href="/password-reset", size="2"),
            rx.link("Email me a sign-in link", href="/signin/email-link", size="2"),
            gap="1.25em",
        ),
        on_submit=SignInState.submit,
    )


def signin_page() -> rx.Component:
    return shell(
        rx.box(
            auth_card(
                rx.cond(SignInState.mfa_step, _code_form(), _password_form()),
                # the loading button dropped the focus; a refusal gives it back to the field
                focus_on_change(SignInState.refused, "signin-code", "signin-password"),
                max_width="26rem",
            ),
            on_unmount=SignInState.reset_form,
        )
    )


page = register_page(ROUTE, "Sign in · CyberHub", signin_page, PUBLIC)
