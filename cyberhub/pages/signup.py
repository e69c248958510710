"""/signup: create a student account (email + password + consents) and land in the app."""

from __future__ import annotations

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
from cyberhub.components.auth_form import auth_form, new_password_field
from cyberhub.components.consent_fields import READ_LINKS, consent_fieldset, ticked_consents
from cyberhub.components.layout import invitation_line, wide_callout
from cyberhub.components.page_kit import register_page
from cyberhub.components.shell import shell
from cyberhub.components.ui import error_callout, muted
from cyberhub.routes import PUBLIC
from cyberhub.services import rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import accounts, browser_sessions, memberships, passwords
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.forms import url_param
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

ROUTE = "/signup"


def _signup(
    session: Session,
    _: Principal | None,
    email: str,
    password: str,
    full_name: str,
    kinds: list[str],
    invite: str,
    meta: RequestMeta,
) -> str:
    """Create the account (accepting the invitation when there is one); the single-use code
    that trades for the session cookie."""
    rate_limit.hit_auth("/auth/signup", meta.ip)  # the same allowance as the API's sign-up
    if invite:
        user, _inv = memberships.signup_with_invitation(
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
            session, email=email, password=password, full_name=full_name, consents=kinds, meta=meta
        )
    return browser_sessions.begin_sign_in(session, user, meta)


def _invitation(session: Session, _: Principal | None, invite: str) -> memberships.InvitationPublic:
    return memberships.invitation_for_signup(session, invite)


class SignUpState(ServiceState, rx.State):
    full_name: str = ""
    email: str = ""
    # The consents ticked on the last submit (kept when the submit fails).
    consents: list[str] = []
    submitting: bool = False
    # Signing up through an organisation's invitation link (`?invite=`): what it joins.
    invite_organization: str = ""
    invite_role: str = ""

    def _invite(self) -> str:
        return url_param(self, "invite").strip()[:200]

    @rx.event
    def reset_form(self) -> None:
        """On leaving the page (not on its load, which can run after a quick submit's refusal
        and took its message away)."""
        self.error, self.submitting = "", False
        self.invite_organization, self.invite_role = "", ""

    @rx.event
    async def load_invite(self) -> None:
        """On load: the invitation the address names (its organisation and role), if any."""
        self.invite_organization, self.invite_role = "", ""
        if not self._invite():
            return
        found = await self._try(_invitation, self._invite())
        if not found:
            self.error = f"{found.error} You can still create an account without it."
            return
        inv = found.value
        self.invite_organization, self.invite_role = inv.organization_name, inv.role
        self.email = self.email or inv.email

    @rx.event
    async def submit(self, form: dict[str, Any]) -> Any:
        self.full_name = str(form.get("full_name", "")).strip()
        self.email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        self.consents = ticked_consents(form)
        problems = passwords.password_problems(password, self.email)
        if problems:
            self.error = " ".join(problems)
            return
        self.error, self.submitting = "", True
        yield
        code = await self._call(
            _signup,
            self.email,
            password,
            self.full_name,
            self.consents,
            self._invite() if self.invite_organization else "",
            self._meta(),
        )
        if not code:
            self.submitting = False
            return
        # `submitting` stays on until the tab leaves for the page that sets the cookie.
        (await self.get_state(SessionState)).complete_sign_in(code.value, accounts.FIRST_PAGE)


def signup_page() -> rx.Component:
    return shell(
        rx.box(
            auth_card(
                auth_form(
                    "Create your CyberHub account",
                    muted(
                        "Start as a learner: take the career profiler, pick up missions and get "
                        "feedback from working mentors."
                    ),
                    rx.cond(
                        SignUpState.invite_organization != "",
                        wide_callout(
                            invitation_line(
                                SignUpState.invite_organization,
                                " invited you as ",
                                SignUpState.invite_role,
                                ". Creating your account accepts the invitation: its "
                                "directors and mentors can then follow your learning there. "
                                "You can leave at any time.",
                            ),
                            icon="mail",
                            testid="signup-invitation",
                        ),
                    ),
                    error_callout(SignUpState.error),
                    auth_field(
                        "Full name",
                        "signup-name",
                        "full_name",
                        auto_complete="name",
                        default_value=SignUpState.full_name,
                        max_length=200,
                    ),
                    email_auth_field("signup-email", SignUpState.email),
                    new_password_field(
                        "Password", "signup-password", "password", aria_describedby="password-help"
                    ),
                    muted(
                        f"At least {passwords.MIN_LENGTH} characters; avoid common passwords.",
                        id="password-help",
                        size="1",
                    ),
                    consent_fieldset(SignUpState.consents, READ_LINKS),
                    submit_button("Create account", SignUpState.submitting),
                    other_way_in("Already have an account?", "Sign in", "/signin"),
                    on_submit=SignUpState.submit,
                ),
            ),
            on_unmount=SignUpState.reset_form,
        )
    )


page = register_page(ROUTE, "Sign up · CyberHub", signup_page, PUBLIC, SignUpState.load_invite)
