"""auth/mfa/*: TOTP enrolment, confirmation (recovery codes shown once) and disabling.

Never with an API key (403). Turning MFA on needs the current password with the code, turning it
off needs a current code: a stolen session can't swap in another authenticator.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from cyberhub.api.deps import MetaDep, SessionDep, SessionUser, auth_rate_limit
from cyberhub.schemas.identity import (
    MfaDisabledPublic,
    MfaEnabledPublic,
    MfaEnrollmentPublic,
    MfaStatusPublic,
    RecoveryCodesPublic,
)
from cyberhub.services.identity import mfa

router = APIRouter(prefix="/auth/mfa", tags=["mfa"])


class CodeIn(BaseModel):
    # A 6-digit TOTP code, or (where accepted) a recovery code like "abcde-fghjk".
    code: str = Field(min_length=1, max_length=32)


class ConfirmIn(CodeIn):
    # The account's current password: turning two-step sign-in on is a fresh re-authentication.
    password: str = Field(default="", max_length=256)


@router.get("", response_model=MfaStatusPublic)
def mfa_status(principal: SessionUser, session: SessionDep) -> MfaStatusPublic:
    """Whether two-factor authentication is on, and how many recovery codes are left."""
    return mfa.status(session, principal)


@router.post("/enroll", response_model=MfaEnrollmentPublic)
def enroll(principal: SessionUser, session: SessionDep, meta: MetaDep) -> MfaEnrollmentPublic:
    """Start enrolment: a new secret, its otpauth:// URI and a QR code (SVG data URI)."""
    return MfaEnrollmentPublic.model_validate(mfa.begin_enrollment(session, principal, meta))


@router.post("/verify", response_model=MfaEnabledPublic, dependencies=[Depends(auth_rate_limit)])
def verify(
    body: ConfirmIn, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> MfaEnabledPublic:
    """Confirm enrolment with a code from the app and the current `password` (403 without it);
    returns the ten recovery codes (only now)."""
    codes = mfa.confirm_enrollment(session, principal, body.code, meta, password=body.password)
    return MfaEnabledPublic(enabled=True, recovery_codes=codes)


@router.post("/disable", response_model=MfaDisabledPublic)
def disable(
    body: CodeIn, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> MfaDisabledPublic:
    """Turn two-factor authentication off; needs a current code or a recovery code."""
    mfa.disable(session, principal, body.code, meta)
    return MfaDisabledPublic(enabled=False)


@router.post("/recovery-codes", response_model=RecoveryCodesPublic)
def regenerate_recovery_codes(
    body: CodeIn, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> RecoveryCodesPublic:
    """Replace the recovery codes with ten new ones (needs a code); the old ones stop working."""
    codes = mfa.regenerate_recovery_codes(session, principal, body.code, meta)
    return RecoveryCodesPublic(recovery_codes=codes)
