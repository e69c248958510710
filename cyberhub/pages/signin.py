"""/signin: email + password (then the authenticator code when MFA is on); back to `next`."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, info_callout
from cyberhub.pages.registry import PUBLIC, Page, register
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import DomainError, MfaRequired
from cyberhub.services.identity import accounts, browser_sessions
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/signin"


def _login(email: str, password: str, meta: RequestMeta, mfa_code: str | None = None) -> str:
    """Check the credentials; the single-use code that trades for the session cookie."""
    rate_limit.hit_auth("/auth/login", meta.ip)  # the same allowance as the API's login
    with db.session_scope() as session:
        user = accounts.authenticate(
            session, email=email, password=password, mfa_code=mfa_code, meta=meta
        )
        return browser_sessions.begin_sign_in(session, user, meta)


class SignInState(rx.State):
    email: str = ""
    error: str = ""
    submitting: bool = False
    # Second step (MFA): the password waits in backend-only state (never sent to the page).
    mfa_step: bool = False
    _pending_password: str = ""

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
        try:
            code = await asyncio.to_thread(_login, self.email, password, request_meta(self))
        except MfaRequired:
            self.mfa_step, self._pending_password, self.submitting = True, password, False
            return
        except DomainError as exc:
            self.error, self.submitting = exc.message, False
            return
        await self._finish(code)

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
        try:
            handoff = await asyncio.to_thread(
                _login, self.email, self._pending_password, request_meta(self), code
            )
        except MfaRequired as exc:  # wrong code: stay on this step (it counted as a failure)
            self.error, self.submitting = exc.message, False
            return
        except DomainError as exc:  # locked, or the password no longer works: start over
            self._clear()
            self.error = exc.message
            return
        await self._finish(handoff)

    @rx.event
    def cancel_code(self) -> None:
        self._clear()

    async def _finish(self, code: str) -> None:
        """Signed in: the tab loads the page that sets the session cookie, then goes to `next`."""
        session = await self.get_state(SessionState)
        session.complete_sign_in(code, self.router.url.query_parameters.get("next"))
        self.mfa_step, self._pending_password = False, ""  # `submitting` stays on until it leaves


def _code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Two-factor authentication", size="6", as_="h1"),
            rx.text(
                "Open your authenticator app and enter the 6-digit code for CyberHub. "
                "Lost your phone? Enter one of your recovery codes instead.",
                color_scheme="gray",
                size="2",
                id="signin-code-help",
            ),
            error_callout(SignInState.error),
            rx.el.label("Authentication code", html_for="signin-code", font_weight="500"),
            rx.input(
                id="signin-code",
                name="code",
                auto_complete="one-time-code",
                input_mode="numeric",
                aria_describedby="signin-code-help",
                required=True,
                max_length=32,
                auto_focus=True,
                width="100%",
                size="3",
            ),
            rx.button(
                "Verify and sign in",
                type="submit",
                loading=SignInState.submitting,
                width="100%",
                size="3",
            ),
            rx.button(
                "Use a different account",
                type="button",
                variant="ghost",
                on_click=SignInState.cancel_code,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=SignInState.submit_code,
        reset_on_submit=True,
    )


def signin_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
                rx.cond(
                    SignInState.mfa_step,
                    _code_form(),
                    rx.form(
                        rx.vstack(
                            rx.heading("Sign in to CyberHub", size="6", as_="h1"),
                            rx.cond(SignInState.notice != "", info_callout(SignInState.notice)),
                            error_callout(SignInState.error),
                            rx.el.label("Email", html_for="signin-email", font_weight="500"),
                            rx.input(
                                id="signin-email",
                                name="email",
                                type="email",
                                auto_complete="email",
                                default_value=SignInState.email,
                                required=True,
                                width="100%",
                                size="3",
                            ),
                            rx.el.label("Password", html_for="signin-password", font_weight="500"),
                            rx.input(
                                id="signin-password",
                                name="password",
                                type="password",
                                auto_complete="current-password",
                                required=True,
                                width="100%",
                                size="3",
                            ),
                            rx.button(
                                "Sign in",
                                type="submit",
                                loading=SignInState.submitting,
                                width="100%",
                                size="3",
                            ),
                            rx.text(
                                "New here? ",
                                rx.link("Create an account", href=SignInState.signup_href),
                                size="2",
                            ),
                            rx.flex(
                                rx.link("Forgot your password?", href="/password-reset", size="2"),
                                rx.link(
                                    "Email me a sign-in link", href="/signin/email-link", size="2"
                                ),
                                gap="1.25em",
                                wrap="wrap",
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        on_submit=SignInState.submit,
                    ),
                ),
                width="100%",
                max_width="26rem",
                padding="1.5em",
            ),
            padding_y="2em",
        )
    )


page = register(
    Page(
        route=ROUTE,
        title="Sign in · CyberHub",
        component=signin_page,
        access=PUBLIC,
        on_load=(SignInState.reset_form,),
    )
)
