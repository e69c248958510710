"""Identity's public faces: the signed-in user, sign-in answers, two-step sign-in, consents,
invitations. What the auth/*, consents, mfa, memberships and passwordless routes declare.

Datetimes are `IsoDatetime`: JSON carries them as Python's `isoformat()` ("...+00:00"), the text
these routes have always sent (pydantic's default would write "...Z").
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import Paged

# The longest IANA zone name accepted (the longest real one has 32 characters).
TIME_ZONE_MAX = 64
# The longest e-mail address an account has (users.email). A sign-in request may carry up to
# twice as long: the service, not the parser, refuses a longer one, with its length.
EMAIL_MAX = 320
EMAIL_CAP = EMAIL_MAX * 2


class Detail(BaseModel):
    """A plain answer for people (the same field errors use)."""

    detail: str


# -- the signed-in user --------------------------------------------------------------------------


class GrantPublic(BaseModel):
    role: str
    organization_id: int | None


class MePublic(BaseModel):
    """GET auth/me: who the credentials belong to, their roles and their time zone."""

    id: int
    email: str
    full_name: str
    roles: list[str]
    grants: list[GrantPublic]
    time_zone: str


class TimeZoneUpdate(BaseModel):
    """PUT auth/me/time-zone: an IANA zone name, e.g. "Africa/Nairobi"."""

    time_zone: str = Field(min_length=1, max_length=TIME_ZONE_MAX)


class TimeZonePublic(BaseModel):
    time_zone: str


class PasswordChangeIn(BaseModel):
    """POST auth/me/password: the password now and the one it becomes."""

    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class PasswordChangedPublic(Detail):
    """The change is made; `session_kept`: the browser session that made it stays signed in
    (every other session, API key and the calendar feed ended)."""

    session_kept: bool


class SignedInSessionPublic(BaseModel):
    """One sign-in of yours that is still live (GET auth/me/sessions): a browser or an app."""

    id: str  # the session id DELETE auth/me/sessions/{session_id} takes
    device: str  # a summary of the user agent: "Firefox on Linux", "Unknown device"
    user_agent: str | None  # as the browser or app sent it (at most 400 characters)
    ip: str | None
    started_at: IsoDatetime
    last_active_at: IsoDatetime | None  # noted at most every 10 minutes
    current: bool  # the session this request was made with


# -- sign-in answers -----------------------------------------------------------------------------


class SessionUserPublic(BaseModel):
    id: int
    email: str
    full_name: str
    roles: list[str]


class TokenPairPublic(BaseModel):
    """auth/login and auth/token/refresh: the access token and the next refresh token."""

    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_at: int
    user: SessionUserPublic


class JoinedOrganization(BaseModel):
    id: int
    name: str
    role: str


class SignupPublic(TokenPairPublic):
    redirect_url: str
    organization: JoinedOrganization | None


class MagicLinkSignInPublic(TokenPairPublic):
    new_account: bool
    redirect_url: str


# -- two-step sign-in ----------------------------------------------------------------------------


class MfaStatusPublic(BaseModel):
    enabled: bool
    enabled_at: IsoDatetime | None
    pending: bool
    recovery_codes_left: int


class MfaEnrollmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    secret: str
    otpauth_uri: str
    qr: str  # an SVG data URI


class MfaEnabledPublic(BaseModel):
    enabled: bool
    recovery_codes: list[str]


class MfaDisabledPublic(BaseModel):
    enabled: bool


class RecoveryCodesPublic(BaseModel):
    recovery_codes: list[str]


# -- consents ------------------------------------------------------------------------------------


class ConsentStatePublic(BaseModel):
    """One kind's latest record: never granted is granted False, version and at None."""

    granted: bool
    version: str | None
    at: IsoDatetime | None


class ConsentDocumentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    version: str
    title: str
    body: str
    required: bool
    published_at: IsoDatetime


class ConsentRecordPublic(BaseModel):
    kind: str
    label: str
    version: str
    granted: bool
    at: IsoDatetime


class ConsentsPublic(BaseModel):
    consents: dict[str, ConsentStatePublic]
    documents: list[ConsentDocumentPublic]
    history: list[ConsentRecordPublic]


class ConsentStatesPublic(BaseModel):
    consents: dict[str, ConsentStatePublic]


class ConsentDocumentsPublic(BaseModel):
    documents: list[ConsentDocumentPublic]


# -- invitations ---------------------------------------------------------------------------------


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: int
    organization_name: str
    email: str
    role: str
    status: str
    created_at: IsoDatetime
    expires_at: IsoDatetime


class InvitationsPage(Paged[InvitationPublic]):
    """One page of an organisation's invitations, newest first."""


class LeftOrganization(BaseModel):
    organization_id: int
    removed_roles: int  # how many roles were revoked


# -- API keys ----------------------------------------------------------------------------------


class ApiKeyPublic(BaseModel):
    """An API key as its owner (or an admin) sees it: never its secret."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    user_id: int
    owner_email: str
    created_at: IsoDatetime
    last_used_at: IsoDatetime | None
    revoked_at: IsoDatetime | None
    active: bool


class ApiKeyCreated(ApiKeyPublic):
    secret: str  # shown once


class ScopePublic(BaseModel):
    name: str
    description: str
