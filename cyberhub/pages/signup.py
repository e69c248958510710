"""/signup: create a student account (email + password + consents) and land in the app."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout
from cyberhub.pages.registry import PUBLIC, Page, register
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import DomainError
from cyberhub.services.identity import accounts, browser_sessions, consents, memberships, passwords
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

ROUTE = "/signup"
AFTER_SIGNUP = "/onboarding/ai-profiler"


def _signup(
    email: str, password: str, full_name: str, kinds: list[str], invite: str, meta: RequestMeta
) -> str:
    """Create the account (accepting the invitation when there is one); the single-use code
    that trades for the session cookie."""
    rate_limit.hit_auth("/auth/signup", meta.ip)  # the same allowance as the API's sign-up
    with db.session_scope() as session:
        if invite:
            user, _ = memberships.signup_with_invitation(
                session,
                token=invite,
                email=email,
                password=password,
                full_name=full_name,
                consents=kinds,
                meta=meta,
            )
        else:
            user = accounts.signup(
                session,
                email=email,
                password=password,
                full_name=full_name,
                consents=kinds,
                meta=meta,
            )
        return browser_sessions.begin_sign_in(session, user, meta)


def _invitation(invite: str) -> memberships.InvitationPublic:
    with db.session_scope() as session:
        return memberships.invitation_for_signup(session, invite)


def _ticked(form: dict[str, Any], name: str) -> bool:
    # A Radix checkbox submits its ref value (bool) under its id, or "on" through FormData.
    return form.get(name) in (True, "on", "true")


class SignUpState(rx.State):
    full_name: str = ""
    email: str = ""
    # The consents ticked on the last submit (kept when the submit fails).
    consents: list[str] = []
    error: str = ""
    submitting: bool = False
    # Signing up through an organisation's invitation link (`?invite=`): what it joins.
    invite_organization: str = ""
    invite_role: str = ""

    def _invite(self) -> str:
        return str(self.router.page.params.get("invite", "") or "").strip()[:200]

    @rx.event
    async def reset_form(self) -> None:
        self.error = ""
        self.submitting = False
        self.invite_organization, self.invite_role = "", ""
        if not self._invite():
            return
        try:
            inv = await asyncio.to_thread(_invitation, self._invite())
        except DomainError as exc:
            self.error = f"{exc.message} You can still create an account without it."
            return
        self.invite_organization, self.invite_role = inv.organization_name, inv.role
        self.email = self.email or inv.email

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.full_name = str(form.get("full_name", "")).strip()
        self.email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        self.consents = [k for k in consents.KINDS if _ticked(form, f"consent_{k}")]
        problems = passwords.password_problems(password, self.email)
        if problems:
            self.error = " ".join(problems)
            return
        self.error, self.submitting = "", True
        yield
        try:
            code = await asyncio.to_thread(
                _signup,
                self.email,
                password,
                self.full_name,
                self.consents,
                self._invite() if self.invite_organization else "",
                request_meta(self),
            )
        except DomainError as exc:
            self.error, self.submitting = exc.message, False
            return
        # `submitting` stays on until the tab leaves for the page that sets the cookie.
        (await self.get_state(SessionState)).complete_sign_in(code, AFTER_SIGNUP)


_READ = {
    "terms": "Read the terms of use",
    "privacy": "Read the privacy notice",
    "ai_profiling": "Read about AI profiling",
    "marketing": "Read about news e-mail",
}


def _consent_box(kind: str, label: str, help_text: str) -> rx.Component:
    box = f"consent_{kind}"  # id == name: the form submits the ref's checked state under it
    return rx.hstack(
        rx.checkbox(
            id=box,
            name=box,
            default_checked=SignUpState.consents.contains(kind),
            size="3",
            aria_describedby=f"{box}-help",
            margin_top="0.15em",
        ),
        rx.vstack(
            rx.el.label(label, html_for=box, font_weight="500"),
            rx.text(
                help_text,
                " ",
                rx.link(
                    _READ[kind],
                    href=f"/legal/{kind}",
                    is_external=True,
                ),
                id=f"{box}-help",
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        align="start",
        spacing="2",
    )


def _consents() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Your consents", font_weight="600", margin_bottom="0.5em"),
        rx.vstack(
            _consent_box(
                "terms", "I accept the terms of use (required)", "How CyberHub may be used."
            ),
            _consent_box(
                "privacy",
                "I accept the privacy notice (required)",
                "What we keep about you and why.",
            ),
            _consent_box(
                "ai_profiling",
                "Use AI to suggest my career track and missions (optional)",
                "AI runs on CyberHub's own servers. Without it the profiler and AI feedback are "
                "off; you can change this any time.",
            ),
            _consent_box(
                "marketing",
                "Send me news about programmes and jobs (optional)",
                "Occasional e-mail; withdraw any time.",
            ),
            spacing="3",
        ),
        border="none",
        padding="0",
        margin="0",
    )


def signup_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("Create your CyberHub account", size="6", as_="h1"),
                        rx.text(
                            "Start as a learner: take the career profiler, pick up missions and get "
                            "feedback from working mentors.",
                            color_scheme="gray",
                            size="2",
                        ),
                        rx.cond(
                            SignUpState.invite_organization != "",
                            rx.callout(
                                rx.text(
                                    rx.text.strong(SignUpState.invite_organization),
                                    " invited you as ",
                                    rx.text.strong(SignUpState.invite_role),
                                    ". Creating your account accepts the invitation: its "
                                    "directors and mentors can then follow your learning there. "
                                    "You can leave at any time.",
                                ),
                                icon="mail",
                                width="100%",
                                data_testid="signup-invitation",
                            ),
                        ),
                        error_callout(SignUpState.error),
                        rx.el.label("Full name", html_for="signup-name", font_weight="500"),
                        rx.input(
                            id="signup-name",
                            name="full_name",
                            auto_complete="name",
                            default_value=SignUpState.full_name,
                            width="100%",
                            size="3",
                            max_length=200,
                        ),
                        rx.el.label("Email", html_for="signup-email", font_weight="500"),
                        rx.input(
                            id="signup-email",
                            name="email",
                            type="email",
                            auto_complete="email",
                            default_value=SignUpState.email,
                            required=True,
                            width="100%",
                            size="3",
                        ),
                        rx.el.label("Password", html_for="signup-password", font_weight="500"),
                        rx.input(
                            id="signup-password",
                            name="password",
                            type="password",
                            auto_complete="new-password",
                            required=True,
                            width="100%",
                            size="3",
                            aria_describedby="password-help",
                        ),
                        rx.text(
                            f"At least {passwords.MIN_LENGTH} characters; avoid common passwords.",
                            id="password-help",
                            size="1",
                            color_scheme="gray",
                        ),
                        _consents(),
                        rx.button(
                            "Create account",
                            type="submit",
                            loading=SignUpState.submitting,
                            width="100%",
                            size="3",
                        ),
                        rx.text(
                            "Already have an account? ",
                            rx.link("Sign in", href="/signin"),
                            size="2",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=SignUpState.submit,
                ),
                width="100%",
                max_width="28rem",
                padding="1.5em",
            ),
            padding_y="2em",
        )
    )


page = register(
    Page(
        route=ROUTE,
        title="Sign up · CyberHub",
        component=signup_page,
        access=PUBLIC,
        on_load=(SignUpState.reset_form,),
    )
)
