"""auth/magic-link and auth/password-reset: sign-in, sign-up and password reset by e-mailed link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StringConstraints

from cyberhub.api.deps import MetaDep, SessionDep, auth_rate_limit, public, public_no_api_key
from cyberhub.schemas.identity import Detail, MagicLinkSignInPublic
from cyberhub.services.identity import accounts, passwordless

router = APIRouter(tags=["passwordless"])

ACCESS = [Depends(public), Depends(auth_rate_limit)]
# Password routes: an API key is refused (403) even though they are public.
PASSWORD_ACCESS = [Depends(public_no_api_key), Depends(auth_rate_limit)]


class EmailIn(BaseModel):
    email: str = Field(max_length=320)


class MagicLinkVerifyIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    # Needed when the account has two-factor authentication on (the link is the first factor).
    mfa_code: str | None = Field(default=None, max_length=32)
    # Needed when the link creates the account, as on sign-up, and on the first use of an
    # account someone else made (a director enrolled the address): e.g. ["terms", "privacy"].
    consents: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=10
    )
    full_name: str = Field(default="", max_length=200)


class PasswordResetConfirmIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(max_length=256)
    # Needed on the first use of an account someone else made (a director enrolled the address),
    # as on sign-up: e.g. ["terms", "privacy"].
    consents: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=10
    )


@router.post("/auth/magic-link", status_code=202, response_model=Detail, dependencies=ACCESS)
def request_magic_link(body: EmailIn, session: SessionDep, meta: MetaDep) -> Detail:
    """E-mail a sign-in link (a sign-up link for a new address). Same answer either way."""
    passwordless.request_magic_link(session, email=body.email, meta=meta)
    return Detail(detail=passwordless.REQUEST_ANSWER)


@router.post("/auth/magic-link/verify", response_model=MagicLinkSignInPublic, dependencies=ACCESS)
def verify_magic_link(
    body: MagicLinkVerifyIn, session: SessionDep, meta: MetaDep
) -> MagicLinkSignInPublic:
    """Spend the link and sign in: the login answer, plus `new_account` and `redirect_url`."""
    # The body's fields are the service's keyword arguments.
    use = passwordless.verify_magic_link(session, **body.model_dump(), meta=meta)
    pair = accounts.start_session(session, use.user, meta)
    return MagicLinkSignInPublic(
        **pair.public().model_dump(),
        new_account=use.created,
        redirect_url=accounts.FIRST_PAGE if use.created else "/dashboard",
    )


@router.post(
    "/auth/password-reset", status_code=202, response_model=Detail, dependencies=PASSWORD_ACCESS
)
def request_password_reset(body: EmailIn, session: SessionDep, meta: MetaDep) -> Detail:
    """E-mail a password reset link if the address has an account. Same answer either way."""
    passwordless.request_password_reset(session, email=body.email, meta=meta)
    return Detail(detail=passwordless.RESET_ANSWER)


@router.post("/auth/password-reset/confirm", response_model=Detail, dependencies=PASSWORD_ACCESS)
def confirm_password_reset(
    body: PasswordResetConfirmIn, session: SessionDep, meta: MetaDep
) -> Detail:
    """Set the new password; every session of the account is signed out, every API key revoked."""
    passwordless.confirm_password_reset(
        session,
        token=body.token,
        new_password=body.new_password,
        meta=meta,
        consents=body.consents,
    )
    return Detail(detail="Your password was changed. Sign in with your new password.")
