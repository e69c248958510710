"""/auth/magic/[token]: open an e-mailed link and sign in.

Opening a link signs in at once. A link that creates an account first asks for the terms and
privacy consent; an account with two-factor authentication first asks for a code. Until then the
link is not spent, so the same page can submit it again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.components.auth_card import auth_card, auth_field, link_unusable, submit_button
from cyberhub.components.auth_form import auth_form, code_field, for_email
from cyberhub.components.consent_fields import READ_LINKS, consent_fieldset, ticked_consents
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, loading_state
from cyberhub.pages.magic_link.request import REQUEST_ROUTE
from cyberhub.routes import PUBLIC, Page, register
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import MFA_CODE_PROMPT
from cyberhub.services.identity import accounts, browser_sessions, consents, passwordless
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.emailed_link import EmailedLinkState
from cyberhub.state.session import SessionState

OPEN_ROUTE = "/auth/magic/[token]"


def _verify(
    session: Session,
    _: Principal | None,
    token: str,
    meta: RequestMeta,
    mfa_code: str,
    consent_kinds: list[str],
    full_name: str,
) -> tuple[str, bool]:
    """Spend the link; the single-use code that trades for the session cookie, and `created`."""
    rate_limit.hit_auth("/auth/magic-link/verify", meta.ip)
    use = passwordless.verify_magic_link(
        session,
        token=token,
        meta=meta,
        mfa_code=mfa_code or None,
        consents=consent_kinds,
        full_name=full_name,
    )
    return browser_sessions.begin_sign_in(session, use.user, meta), use.created


def _inspect(session: Session, _: Principal | None, token: str) -> passwordless.MagicLinkInfo:
    return passwordless.inspect_magic_link(session, token=token)


# -- /auth/magic/[token] -----------------------------------------------------------------------


# The link is still good after these: the form can be fixed and sent again (else it is dead).
RETRYABLE = ("Invalid", "RateLimited", "MfaRequired")


class MagicLinkState(EmailedLinkState, rx.State):
    # step: checking | signup | accept (an account made for them, first used) | mfa | done | error
    full_name: str = ""
    # The consents ticked on the last submit (kept when the submit fails).
    consents: list[str] = []

    @rx.event
    async def load(self) -> Any:
        self._begin_check()
        yield
        found = await self._call(_inspect, self._token())
        if not found:
            self._refuse(found, "error")
            return
        info = found.value
        self.email = info.email
        if info.kind == "signup":
            self.step = "signup"
        elif info.consents_needed:
            self.step = "accept"
        elif info.mfa_required:
            self.step = "mfa"
        else:
            yield MagicLinkState.finish({})

    @rx.event
    async def finish(self, form: dict[str, Any]) -> Any:
        """Spend the link (with the consent or the code the page asked for) and sign in."""
        if self.step in ("signup", "accept"):
            if self.step == "signup":
                self.full_name = str(form.get("full_name", "")).strip()[:200]
            self.consents = ticked_consents(form)
            if consents.missing_signup_consents(self.consents):
                signup = self.step == "signup"
                self.error = consents.SIGNUP_MISSING if signup else consents.FIRST_USE_MISSING
                return
        code = str(form.get("mfa_code", "")).strip()[:32]
        if self.step == "mfa" and not code:
            self.error = MFA_CODE_PROMPT
            return
        self.error, self.submitting = "", True
        yield
        done = await self._call(
            _verify, self._token(), self._meta(), code, self.consents, self.full_name
        )
        if not done:
            self.submitting = False
            if not (self.step in ("signup", "accept", "mfa") and done.code in RETRYABLE):
                self._refuse(done, "error")
            return
        handoff, created = done.value
        session = await self.get_state(SessionState)
        session.complete_sign_in(handoff, accounts.FIRST_PAGE if created else "/dashboard")
        self.step, self.submitting = "done", False


def _signup_view() -> rx.Component:
    return auth_form(
        "Create your CyberHub account",
        for_email(
            "You're creating a learner account for ",
            MagicLinkState.email,
            ". You can sign in with an e-mail link any time, or set a password later.",
        ),
        error_callout(MagicLinkState.error),
        auth_field(
            "Full name (optional)",
            "magic-name",
            "full_name",
            auto_complete="name",
            default_value=MagicLinkState.full_name,
            max_length=200,
        ),
        consent_fieldset(MagicLinkState.consents, READ_LINKS),
        submit_button("Create account", MagicLinkState.submitting),
        on_submit=MagicLinkState.finish,
    )


def _accept_view() -> rx.Component:
    return auth_form(
        "Welcome to CyberHub",
        for_email(
            "Your programme made a learner account for ",
            MagicLinkState.email,
            ". Accept the terms and the privacy notice to start using it.",
        ),
        error_callout(MagicLinkState.error),
        consent_fieldset(MagicLinkState.consents, READ_LINKS),
        submit_button("Continue", MagicLinkState.submitting),
        on_submit=MagicLinkState.finish,
    )


def _mfa_view() -> rx.Component:
    return auth_form(
        "Two-factor authentication",
        for_email(
            "Your link is valid. To finish signing in as ",
            MagicLinkState.email,
            ", enter the 6-digit code from your authenticator app or one of your recovery codes.",
        ),
        error_callout(MagicLinkState.error),
        code_field("magic-mfa-code", "mfa_code", "text", required=True, max_length=32),
        submit_button("Verify and sign in", MagicLinkState.submitting),
        on_submit=MagicLinkState.finish,
    )


def open_link_page() -> rx.Component:
    return shell(
        auth_card(
            rx.match(
                MagicLinkState.step,
                (
                    "error",
                    link_unusable(
                        MagicLinkState.error,
                        REQUEST_ROUTE,
                        "Sign in with a password",
                        MagicLinkState.renewable,
                    ),
                ),
                ("signup", _signup_view()),
                ("accept", _accept_view()),
                ("mfa", _mfa_view()),
                ("done", loading_state("Signed in — taking you to your dashboard…")),
                rx.vstack(
                    rx.heading("Signing you in", size="6", as_="h1"),
                    loading_state("Checking your link…"),
                ),
            ),
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
