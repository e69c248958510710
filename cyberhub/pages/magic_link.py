"""/signin/email-link (ask for a sign-in link) and /auth/magic/[token] (open it and sign in).

Opening a link signs in at once. A link that creates an account first asks for the terms and
privacy consent; an account with two-factor authentication first asks for a code. Until then the
link is not spent, so the same page can submit it again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, loading_state
from cyberhub.pages.registry import PUBLIC, Page, register
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import MFA_CODE_PROMPT, DomainError, Invalid, MfaRequired, RateLimited
from cyberhub.services.identity import browser_sessions, consents, passwordless
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings
from cyberhub.state.forms import request_meta
from cyberhub.state.session import SessionState

REQUEST_ROUTE = "/signin/email-link"
OPEN_ROUTE = "/auth/magic/[token]"


def _request(email: str, meta: RequestMeta) -> None:
    rate_limit.hit_auth("/auth/magic-link", meta.ip)
    with db.session_scope() as session:
        passwordless.request_magic_link(session, email=email, meta=meta)


def _inspect(token: str) -> dict[str, Any]:
    with db.session_scope() as session:
        info = passwordless.inspect_magic_link(session, token=token)
        return {"kind": info.kind, "email": info.email, "mfa_required": info.mfa_required}


def _verify(
    token: str, meta: RequestMeta, mfa_code: str, consent_kinds: list[str], full_name: str
) -> tuple[str, bool]:
    """Spend the link; the single-use code that trades for the session cookie, and `created`."""
    rate_limit.hit_auth("/auth/magic-link/verify", meta.ip)
    with db.session_scope() as session:
        use = passwordless.verify_magic_link(
            session,
            token=token,
            meta=meta,
            mfa_code=mfa_code or None,
            consents=consent_kinds,
            full_name=full_name,
        )
        return browser_sessions.begin_sign_in(session, use.user, meta), use.created


# -- /signin/email-link ------------------------------------------------------------------------


class EmailLinkState(rx.State):
    email: str = ""
    error: str = ""
    sent: bool = False
    submitting: bool = False

    @rx.var
    def mailbox_enabled(self) -> bool:
        return mail.mailbox_enabled()

    @rx.event
    def reset_form(self) -> None:
        self.error, self.sent, self.submitting = "", False, False

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.email = str(form.get("email", "")).strip()[:320]
        if not self.email:
            self.error = "Enter your email address."
            return
        self.error, self.submitting = "", True
        yield
        try:
            await asyncio.to_thread(_request, self.email, request_meta(self))
        except DomainError as exc:
            self.error, self.submitting = exc.message, False
            return
        self.sent, self.submitting = True, False

    @rx.event
    def try_again(self) -> None:
        self.sent, self.error = False, ""


def _sent_view() -> rx.Component:
    return rx.vstack(
        rx.heading("Check your inbox", size="6", as_="h1"),
        rx.callout(
            passwordless.REQUEST_ANSWER,
            icon="mail_check",
            color_scheme="green",
            role="status",
            width="100%",
        ),
        rx.text(
            "Open the link in the e-mail sent to ",
            rx.text.strong(EmailLinkState.email),
            " on this device. It works once and expires in ",
            f"{get_settings().magic_link_minutes} minutes.",
            size="2",
        ),
        rx.cond(
            EmailLinkState.mailbox_enabled,
            rx.text(
                "Developing locally? Messages land in the ",
                rx.link("dev mailbox", href="/dev/mailbox"),
                ".",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.hstack(
            rx.button("Use another address", variant="soft", on_click=EmailLinkState.try_again),
            rx.link(rx.button("Sign in with a password", variant="ghost"), href="/signin"),
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def _request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Sign in with an e-mail link", size="6", as_="h1"),
            rx.text(
                "We'll e-mail you a link that signs you in — no password needed. New to CyberHub? "
                "The same link creates your account.",
                size="2",
                color_scheme="gray",
            ),
            error_callout(EmailLinkState.error),
            rx.el.label("Email", html_for="email-link-email", font_weight="500"),
            rx.input(
                id="email-link-email",
                name="email",
                type="email",
                auto_complete="email",
                default_value=EmailLinkState.email,
                required=True,
                max_length=320,
                width="100%",
                size="3",
            ),
            rx.button(
                "Email me a link",
                type="submit",
                loading=EmailLinkState.submitting,
                width="100%",
                size="3",
            ),
            rx.text("Know your password? ", rx.link("Sign in", href="/signin"), size="2"),
            spacing="3",
            width="100%",
        ),
        on_submit=EmailLinkState.submit,
    )


def email_link_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
                rx.cond(EmailLinkState.sent, _sent_view(), _request_form()),
                width="100%",
                max_width="28rem",
                padding="1.5em",
            ),
            padding_y="2em",
        )
    )


# -- /auth/magic/[token] -----------------------------------------------------------------------


def _can_retry(exc: DomainError) -> bool:
    """The link is still good: the form can be fixed and sent again (else the link is dead)."""
    return isinstance(exc, Invalid | RateLimited | MfaRequired)


def _ticked(form: dict[str, Any], name: str) -> bool:
    # A Radix checkbox submits its ref value (bool) under its id, or "on" through FormData.
    return form.get(name) in (True, "on", "true")


class MagicLinkState(rx.State):
    # checking | signup | mfa | done | error
    step: str = "checking"
    email: str = ""
    full_name: str = ""
    # The consents ticked on the last submit (kept when the submit fails).
    consents: list[str] = []
    error: str = ""
    submitting: bool = False

    def _token(self) -> str:
        return str(self.router.page.params.get("token", "") or "")

    @rx.event
    async def load(self) -> Any:
        self.step, self.error, self.submitting, self.email = "checking", "", False, ""
        yield
        try:
            info = await asyncio.to_thread(_inspect, self._token())
        except DomainError as exc:
            self.step, self.error = "error", exc.message
            return
        self.email = info["email"]
        if info["kind"] == "signup":
            self.step = "signup"
        elif info["mfa_required"]:
            self.step = "mfa"
        else:
            yield MagicLinkState.finish({})

    @rx.event
    async def finish(self, form: dict[str, Any]) -> Any:
        """Spend the link (with the consent or the code the page asked for) and sign in."""
        if self.step == "signup":
            self.full_name = str(form.get("full_name", "")).strip()[:200]
            self.consents = [k for k in consents.KINDS if _ticked(form, f"consent_{k}")]
            if consents.missing_signup_consents(self.consents):
                self.error = consents.SIGNUP_MISSING
                return
        code = str(form.get("mfa_code", "")).strip()[:32]
        if self.step == "mfa" and not code:
            self.error = MFA_CODE_PROMPT
            return
        self.error, self.submitting = "", True
        yield
        try:
            handoff, created = await asyncio.to_thread(
                _verify, self._token(), request_meta(self), code, self.consents, self.full_name
            )
        except DomainError as exc:
            self.submitting, self.error = False, exc.message
            if not (self.step in ("signup", "mfa") and _can_retry(exc)):
                self.step = "error"
            return
        session = await self.get_state(SessionState)
        session.complete_sign_in(handoff, "/dashboard?welcome=true" if created else "/dashboard")
        self.step, self.submitting = "done", False


def _invalid_view() -> rx.Component:
    return rx.vstack(
        rx.heading("This link can't be used", size="6", as_="h1"),
        rx.callout(
            MagicLinkState.error,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            width="100%",
        ),
        rx.hstack(
            rx.link(rx.button("Request a new link"), href=REQUEST_ROUTE),
            rx.link(rx.button("Sign in with a password", variant="soft"), href="/signin"),
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


def _signup_view() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Create your CyberHub account", size="6", as_="h1"),
            rx.text(
                "You're creating a learner account for ",
                rx.text.strong(MagicLinkState.email),
                ". You can sign in with an e-mail link any time, or set a password later.",
                size="2",
            ),
            error_callout(MagicLinkState.error),
            rx.el.label("Full name (optional)", html_for="magic-name", font_weight="500"),
            rx.input(
                id="magic-name",
                name="full_name",
                auto_complete="name",
                default_value=MagicLinkState.full_name,
                max_length=200,
                width="100%",
                size="3",
            ),
            _consents(),
            rx.button(
                "Create account",
                type="submit",
                loading=MagicLinkState.submitting,
                width="100%",
                size="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=MagicLinkState.finish,
    )


def _consent_box(kind: str, label: str, help_text: str) -> rx.Component:
    box = f"consent_{kind}"  # id == name: the form submits the ref's checked state under it
    return rx.hstack(
        rx.checkbox(
            id=box,
            name=box,
            default_checked=MagicLinkState.consents.contains(kind),
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
                    f"Read the {consents.LABELS[kind].lower()}",
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
                consents.TERMS, "I accept the terms of use (required)", "How CyberHub may be used."
            ),
            _consent_box(
                consents.PRIVACY,
                "I accept the privacy notice (required)",
                "What we keep about you and why.",
            ),
            _consent_box(
                consents.AI_PROFILING,
                "Use AI to suggest my career track and missions (optional)",
                "AI runs on CyberHub's own servers. Without it the profiler and AI feedback are "
                "off; you can change this any time.",
            ),
            _consent_box(
                consents.MARKETING,
                "Send me news about programmes and jobs (optional)",
                "Occasional e-mail; withdraw any time.",
            ),
            spacing="3",
        ),
        border="none",
        padding="0",
        margin="0",
    )


def _mfa_view() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Two-factor authentication", size="6", as_="h1"),
            rx.text(
                "Your link is valid. To finish signing in as ",
                rx.text.strong(MagicLinkState.email),
                ", enter the 6-digit code from your authenticator app or one of your recovery "
                "codes.",
                size="2",
            ),
            error_callout(MagicLinkState.error),
            rx.el.label("Authentication code", html_for="magic-mfa-code", font_weight="500"),
            rx.input(
                id="magic-mfa-code",
                name="mfa_code",
                auto_complete="one-time-code",
                input_mode="text",
                required=True,
                max_length=32,
                width="100%",
                size="3",
            ),
            rx.button(
                "Verify and sign in",
                type="submit",
                loading=MagicLinkState.submitting,
                width="100%",
                size="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=MagicLinkState.finish,
    )


def open_link_page() -> rx.Component:
    return shell(
        rx.center(
            rx.card(
                rx.match(
                    MagicLinkState.step,
                    ("error", _invalid_view()),
                    ("signup", _signup_view()),
                    ("mfa", _mfa_view()),
                    ("done", loading_state("Signed in — taking you to your dashboard…")),
                    rx.vstack(
                        rx.heading("Signing you in", size="6", as_="h1"),
                        loading_state("Checking your link…"),
                    ),
                ),
                width="100%",
                max_width="28rem",
                padding="1.5em",
            ),
            padding_y="2em",
        )
    )


register(
    Page(
        route=REQUEST_ROUTE,
        title="Sign in with an e-mail link · CyberHub",
        component=email_link_page,
        access=PUBLIC,
        on_load=(EmailLinkState.reset_form,),
    )
)

page = register(
    Page(
        route=OPEN_ROUTE,
        title="Signing in · CyberHub",
        component=open_link_page,
        access=PUBLIC,
        on_load=(MagicLinkState.load,),
    )
)
