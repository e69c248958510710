from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from cyberhub.api.deps import (
    CurrentUser,
    MetaDep,
    SessionDep,
    SessionUser,
    auth_rate_limit,
    public,
)
from cyberhub.schemas.identity import (
    EMAIL_CAP,
    EMAIL_MAX,
    Detail,
    GrantPublic,
    JoinedOrganization,
    MePublic,
    PasswordChangedPublic,
    PasswordChangeIn,
    SignedInSessionPublic,
    SignupPublic,
    TimeZonePublic,
    TimeZoneUpdate,
    TokenPairPublic,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity import (
    accounts,
    browser_sessions,
    memberships,
    password_change,
    sign_in,
    signed_in_sessions,
    time_zones,
)
from cyberhub.services.identity.permissions import Principal

router = APIRouter(prefix="/auth", tags=["auth"])


class SignupIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
    full_name: str = Field(default="", max_length=200)
    # The documents accepted on the form, e.g. ["terms", "privacy", "ai_profiling"].
    consents: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=10
    )
    # The token of an invitation link (`/signup?invite=...`): the account joins that
    # organisation with the invited role at once. Without it the account is in no organisation.
    invite: str | None = Field(default=None, max_length=200)


class LoginIn(BaseModel):
    # The service refuses an address over EMAIL_MAX characters with its length (sign_in).
    email: str = Field(max_length=EMAIL_CAP, description=f"at most {EMAIL_MAX} characters")
    password: str = Field(max_length=256)
    # Needed when the account has two-factor authentication: a TOTP or a recovery code.
    mfa_code: str | None = Field(default=None, max_length=32)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=2000)


@router.post(
    "/signup",
    status_code=201,
    response_model=SignupPublic,
    dependencies=[Depends(public), Depends(auth_rate_limit)],
)
def signup(body: SignupIn, session: SessionDep, meta: MetaDep) -> SignupPublic:
    """Create a student account and sign it in; `redirect_url` is the AI profiler.

    With `invite` (an invitation's token, sent to this address) the invitation is accepted in the
    same step: membership and the invited role; `organization` names what was joined."""
    # The form's fields but `invite` are the account's, the same for both ways of signing up.
    account = body.model_dump(exclude={"invite"})
    joined: JoinedOrganization | None = None
    if body.invite:
        user, inv = memberships.signup_with_invitation(
            session, token=body.invite, **account, meta=meta
        )
        joined = JoinedOrganization(
            id=inv.organization_id, name=inv.organization_name, role=inv.role
        )
    else:
        user = accounts.signup(session, **account, meta=meta)
    pair = accounts.start_session(session, user, meta)
    return SignupPublic(
        **pair.public().model_dump(), redirect_url=accounts.FIRST_PAGE, organization=joined
    )


@router.post(
    "/login",
    response_model=TokenPairPublic,
    dependencies=[Depends(public), Depends(auth_rate_limit)],
)
def login(body: LoginIn, session: SessionDep, meta: MetaDep) -> TokenPairPublic:
    """Sign in. With MFA on and no (or a wrong) `mfa_code`: 401 with `"mfa_required": true`."""
    credentials = sign_in.Credentials(body.email, body.password, body.mfa_code)
    return sign_in.for_api(session, credentials, meta).public()


@router.post(
    "/token/refresh",
    response_model=TokenPairPublic,
    dependencies=[Depends(public), Depends(auth_rate_limit)],
)
def refresh(body: RefreshIn, session: SessionDep, meta: MetaDep) -> TokenPairPublic:
    """Rotate the refresh token. Replaying a used one revokes its whole family (401)."""
    return accounts.refresh_session(session, body.refresh_token, meta).public()


@router.post("/logout", status_code=204, response_class=Response, dependencies=[Depends(public)])
def logout(body: RefreshIn, session: SessionDep, meta: MetaDep) -> None:
    """End the session: its refresh tokens stop working."""
    accounts.logout(session, body.refresh_token, meta)


@router.post("/logout-everywhere", status_code=204, response_class=Response)
def logout_everywhere(principal: SessionUser, session: SessionDep, meta: MetaDep) -> None:
    """End every session of your account (this one too) and revoke all your API keys."""
    accounts.sign_out_everywhere(session, principal, meta)


def _me(principal: Principal) -> MePublic:
    grants = sorted(principal.grants, key=lambda g: (g.role, g.organization_id or 0))
    return from_row(
        MePublic,
        principal,
        id=principal.user_id,
        grants=[from_row(GrantPublic, g) for g in grants],
    )


@router.get("/me", response_model=MePublic)
def me(principal: CurrentUser) -> MePublic:
    """Who the credentials belong to: roles, grants per organisation, and time zone."""
    return _me(principal)


@router.put("/me/time-zone", response_model=TimeZonePublic)
def set_time_zone(
    body: TimeZoneUpdate, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> TimeZonePublic:
    """Set the time zone you read dates and times in (an IANA name); unknown names are 422."""
    return TimeZonePublic(
        time_zone=time_zones.set_time_zone(session, principal, body.time_zone, meta)
    )


@router.post("/me/password", response_model=PasswordChangedPublic)
def change_password(
    body: PasswordChangeIn,
    request: Request,
    principal: SessionUser,
    session: SessionDep,
    meta: MetaDep,
) -> PasswordChangedPublic:
    """Change your password: `current_password` must be right (a wrong one is 403 and counts as a
    failed sign-in), `new_password` follows the sign-up rules (422). Every other session, API
    key and the calendar feed end; a browser's session (its cookie) stays signed in, while a
    bearer token's session ends too (sign in again with the new password)."""
    return password_change.change_password(
        session,
        principal,
        body.current_password,
        body.new_password,
        meta,
        keep_session=_session_cookie(request),
    )


def _session_cookie(request: Request) -> str:
    """The browser session token the request was made with ("" for a bearer token): the cookie
    is the request's session only when no Authorization header authenticated it."""
    if request.headers.get("authorization"):
        return ""
    return request.cookies.get(browser_sessions.SESSION_COOKIE, "").strip()


def _credential(request: Request) -> str:
    """The session token (cookie) or access token (bearer) the request was made with."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else _session_cookie(request)


@router.get("/me/sessions", response_model=list[SignedInSessionPublic])
def my_sessions(
    request: Request, principal: SessionUser, session: SessionDep
) -> list[SignedInSessionPublic]:
    """Where you're signed in: every live session of your account (browsers and apps), the
    newest first, with its device (from the user agent), address, start and last activity
    (noted at most every 10 minutes); `current` marks the one this request was made with."""
    return signed_in_sessions.list_sessions(session, principal, _credential(request))


@router.delete("/me/sessions/{session_id}", response_model=Detail)
def end_my_session(
    session_id: Annotated[str, Path(max_length=signed_in_sessions.SESSION_ID_MAX)],
    request: Request,
    principal: SessionUser,
    session: SessionDep,
    meta: MetaDep,
) -> Detail:
    """Sign out one of your other sessions at once (its refresh tokens and access tokens stop
    working; a browser goes to sign-in on its next action). 404 for an id that is not a live
    session of yours; 409 for the session this request was made with (use logout)."""
    return signed_in_sessions.end_session(
        session, principal, session_id, _credential(request), meta
    )
