"""/signin: email + password; back to the page the user wanted."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, info_callout
from cyberhub.pages.registry import PUBLIC, Page, register
from cyberhub.services import accounts
from cyberhub.services.audit import RequestMeta
from cyberhub.services.errors import DomainError
from cyberhub.state.forms import request_meta, safe_next
from cyberhub.state.session import SessionState

ROUTE = "/signin"


def _login(email: str, password: str, meta: RequestMeta) -> accounts.TokenPair:
    with db.session_scope() as session:
        user = accounts.authenticate(session, email=email, password=password, meta=meta)
        return accounts.start_session(session, user, meta)


class SignInState(rx.State):
    email: str = ""
    error: str = ""
    submitting: bool = False

    @rx.var
    def notice(self) -> str:
        params = self.router.url.query_parameters
        if params.get("signed_out"):
            return "You have signed out."
        if params.get("next"):
            return "Please sign in to continue."
        return ""

    @rx.event
    def reset_form(self) -> None:
        self.error = ""
        self.submitting = False

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
            pair = await asyncio.to_thread(_login, self.email, password, request_meta(self))
        except DomainError as exc:
            self.error, self.submitting = exc.message, False
            return
        session = await self.get_state(SessionState)
        session.sign_in_with(pair)
        self.submitting = False
        yield rx.redirect(safe_next(self.router.url.query_parameters.get("next")), replace=True)


def signin_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
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
                            "New here? ", rx.link("Create an account", href="/signup"), size="2"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SignInState.submit,
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
