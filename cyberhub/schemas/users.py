"""Accounts and their roles as the admin console and /api/v1 (users, roles) show them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.identity import InvitationPublic
from cyberhub.schemas.paging import Paged


class RolePublic(BaseModel):
    """One of the five roles and what it may do."""

    name: str
    description: str


class RoleHeld(BaseModel):
    """A role a user holds, and where (organization "global" when organization_id is null)."""

    role: str
    organization_id: int | None
    organization: str


class UserSummary(BaseModel):
    """One row of the admin's user search."""

    id: int
    email: str
    full_name: str
    is_active: bool
    locked: bool
    # The one state the list shows: "disabled" (deactivated, locked or not) wins over "locked".
    status: Literal["active", "locked", "disabled"]
    created_at: IsoDatetime
    last_login_at: IsoDatetime | None
    roles: list[RoleHeld]


class UsersPage(Paged[UserSummary]):
    pass


class RoleGrantPublic(BaseModel):
    """A role assignment with its organization's name, who granted it and why."""

    id: int
    role: str
    organization_id: int | None
    organization: str
    reason: str
    granted_by: str
    created_at: IsoDatetime


class UserAuditEntry(BaseModel):
    """An audit entry by or about a user: its target named, its details as "key: value" lines."""

    id: int
    created_at: IsoDatetime
    action: str
    actor: str
    target: str = ""
    summary: str


class UserDetail(BaseModel):
    """Everything the admin console shows about one account."""

    id: int
    email: str
    full_name: str
    is_active: bool
    created_at: IsoDatetime
    last_login_at: IsoDatetime | None
    locked: bool
    locked_until: IsoDatetime | None
    locked_sources: list[str]
    failed_login_count: int
    mfa_enabled: bool
    roles: list[RoleGrantPublic]
    audit: list[UserAuditEntry]


class UserUnlocked(BaseModel):
    """An account just unlocked; `message` says whether they can sign in now (a deactivated
    account stays out until reactivated)."""

    id: int
    email: str
    locked: bool = False
    is_active: bool
    message: str


class AccountStatus(BaseModel):
    """An account just deactivated or reactivated. `claims_returned`: the reviews the person had
    claimed that went back to the queue (deactivation only)."""

    id: int
    email: str
    is_active: bool
    claims_returned: int = 0


class RoleAssignmentPublic(BaseModel):
    """A role assignment as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    role: str
    organization_id: int | None
    reason: str
    granted_by_id: int | None
    created_at: IsoDatetime


class RoleRevoked(BaseModel):
    user_id: int
    role: str
    organization_id: int | None
    revoked: bool = True


class InvitationOut(InvitationPublic):
    """An invitation sent instead of a grant (the person is not a member yet)."""


class Invited(BaseModel):
    """The answer when a role could only be offered: `invited` is true."""

    invited: bool = True
    invitation: InvitationOut
