"""Roles, users, organizations and members, the audit log, and API keys.

Admin-only routes declare `require_roles("admin")`; routes a director may also use (their own
organization) take the signed-in user and let the service decide. Revoking a role takes a reason,
so `DELETE /users/{id}/roles` reads a JSON body; `POST /users/{id}/roles/revoke` does the same for
clients that cannot send a body with DELETE. `DELETE /organizations/{id}/members/{user_id}` and
`POST /users/{id}/deactivate` also take `{"reason": ...}`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from cyberhub.api.deps import (
    AdminUser,
    CurrentUser,
    Id,
    MetaDep,
    PageSize,
    RowId,
    SessionDep,
    SessionUser,
)
from cyberhub.models import RoleAssignment
from cyberhub.schemas.audit import AuditPage, AuditStats
from cyberhub.schemas.identity import ApiKeyCreated, ApiKeyPublic, ScopePublic
from cyberhub.schemas.organizations import (
    MemberRemoved,
    MembersPage,
    OrganizationPublic,
    OrganizationsPage,
)
from cyberhub.schemas.users import (
    AccountStatus,
    InvitationOut,
    Invited,
    RoleAssignmentPublic,
    RoleGrantPublic,
    RolePublic,
    RoleRevoked,
    UserDetail,
    UsersPage,
    UserUnlocked,
)
from cyberhub.services.admin import audit_log
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import (
    api_keys,
    deactivation,
    memberships,
    organizations,
    roles,
    users,
)
from cyberhub.services.identity.permissions import Principal

router = APIRouter(tags=["admin"])

# The admin lists also cap the page number (deps.Page does not).
Page = Annotated[int, Query(ge=1, le=100_000)]


# RoleChangeIn, OrganizationIn, MemberIn and ApiKeyIn are their services' keyword arguments,
# field for field: the routes pass them on whole (`**body.model_dump()`).
class RoleChangeIn(BaseModel):
    role: str = Field(max_length=20)
    organization_id: RowId | None = None
    reason: str = Field(max_length=500)


class OrganizationIn(BaseModel):
    name: str = Field(max_length=200)
    slug: str = Field(default="", max_length=100)
    description: str = Field(default="", max_length=2000)


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=500)


class ApiKeyIn(BaseModel):
    name: str = Field(max_length=100)
    scopes: list[str] = Field(max_length=5)
    # A fresh re-authentication: the current password, or a TOTP code when MFA is on.
    password: str = Field(default="", max_length=256)
    code: str = Field(default="", max_length=32)


def _granted(grant: RoleAssignment | memberships.InvitationSent) -> RoleAssignmentPublic | Invited:
    """A role given, or an invitation sent in its place (the person is not a member yet)."""
    if isinstance(grant, memberships.InvitationSent):
        return Invited(invitation=InvitationOut.model_validate(grant.invitation))
    return RoleAssignmentPublic.model_validate(grant)


# -- roles and users ---------------------------------------------------------------------------


@router.get("/roles", response_model=list[RolePublic])
def list_roles(principal: CurrentUser) -> list[RolePublic]:
    """The five roles and what each may do."""
    return roles.list_roles()


class UserSearchQuery(BaseModel):
    """GET /users' query parameters: a users.UserQuery, field for field."""

    q: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=20)
    organization_id: RowId | None = None
    page: Page = 1
    page_size: PageSize = users.PAGE_SIZE


@router.get("/users", response_model=UsersPage)
def search_users(
    principal: AdminUser, session: SessionDep, query: Annotated[UserSearchQuery, Query()]
) -> UsersPage:
    """Search accounts by email or name, filter by role and organization (admins)."""
    return users.search_users(session, principal, users.UserQuery(**query.model_dump()))


@router.get("/users/{user_id}", response_model=UserDetail)
def get_user(user_id: Id, principal: AdminUser, session: SessionDep) -> UserDetail:
    """One account: profile, roles, lock state and its latest audit entries (admins)."""
    return roles.user_detail(session, principal, user_id)


@router.get("/users/{user_id}/roles", response_model=list[RoleGrantPublic])
def user_roles(user_id: Id, principal: CurrentUser, session: SessionDep) -> list[RoleGrantPublic]:
    """The user's roles (a director sees those in their own organization)."""
    return roles.user_roles(session, principal, user_id)


@router.post(
    "/users/{user_id}/roles", status_code=201, response_model=RoleAssignmentPublic | Invited
)
def assign_role(
    user_id: Id, body: RoleChangeIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> RoleAssignmentPublic | Invited:
    """Give the user a role in an organization (null: global, admin role only), with a reason."""
    grant = roles.assign_role(session, principal, user_id=user_id, meta=meta, **body.model_dump())
    return _granted(grant)


def _revoke(
    user_id: int, body: RoleChangeIn, principal: Principal, session: Session, meta: RequestMeta
) -> RoleRevoked:
    return roles.revoke_role(session, principal, user_id=user_id, meta=meta, **body.model_dump())


@router.delete("/users/{user_id}/roles", response_model=RoleRevoked)
def revoke_role(
    user_id: Id, body: RoleChangeIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> RoleRevoked:
    """Take a role away, with a reason (JSON body)."""
    return _revoke(user_id, body, principal, session, meta)


@router.post("/users/{user_id}/roles/revoke", response_model=RoleRevoked)
def revoke_role_post(
    user_id: Id, body: RoleChangeIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> RoleRevoked:
    """The same as DELETE /users/{id}/roles, for clients that can't send a DELETE body."""
    return _revoke(user_id, body, principal, session, meta)


@router.post("/users/{user_id}/unlock", response_model=UserUnlocked)
def unlock_user(
    user_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> UserUnlocked:
    """Lift a sign-in lockout now (admins)."""
    return roles.unlock_user(session, principal, user_id, meta)


@router.post("/users/{user_id}/deactivate", response_model=AccountStatus)
def deactivate_user(
    user_id: Id, body: ReasonIn, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> AccountStatus:
    """Deactivate an account, body `{"reason": ...}` (admins): it can't sign in, its sessions,
    API keys and calendar feed end now, its claimed reviews go back to the queue. 409 for your
    own account, an inactive one, or the last active admin."""
    return deactivation.deactivate_user(session, principal, user_id, body.reason, meta=meta)


@router.post("/users/{user_id}/reactivate", response_model=AccountStatus)
def reactivate_user(
    user_id: Id, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> AccountStatus:
    """Let a deactivated account sign in again (admins); what ended stays ended. 409 when it is
    active."""
    return deactivation.reactivate_user(session, principal, user_id, meta=meta)


# -- organizations -----------------------------------------------------------------------------


@router.get("/organizations", response_model=OrganizationsPage)
def list_organizations(
    principal: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Page = 1,
    page_size: PageSize = organizations.ORGANIZATIONS_PAGE_SIZE,
) -> OrganizationsPage:
    """Every organization for an admin, a director's own: one page, by name, searched by name."""
    return organizations.organization_page(session, principal, q=q, page=page, page_size=page_size)


@router.post("/organizations", status_code=201, response_model=OrganizationPublic)
def create_organization(
    body: OrganizationIn, principal: AdminUser, session: SessionDep, meta: MetaDep
) -> OrganizationPublic:
    """Create an organization (admins); the slug defaults to one made from the name."""
    org = organizations.create(session, principal, **body.model_dump(), meta=meta)
    return organizations.public(org)


@router.get("/organizations/{org_id}", response_model=OrganizationPublic)
def get_organization(org_id: Id, principal: CurrentUser, session: SessionDep) -> OrganizationPublic:
    """One organization with its member count (admins, its directors)."""
    return organizations.get(session, principal, org_id)


@router.get("/organizations/{org_id}/members", response_model=MembersPage)
def list_members(
    org_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = organizations.PAGE_SIZE,
) -> MembersPage:
    """Users holding any role in the organization, with those roles."""
    return organizations.members(session, principal, org_id, page=page, page_size=page_size)


@router.post(
    "/organizations/{org_id}/members",
    status_code=201,
    response_model=RoleAssignmentPublic | Invited,
)
def add_member(
    org_id: Id, body: MemberIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> RoleAssignmentPublic | Invited:
    """Give a member (by email) a role in the organization; a non-member is invited instead
    (`{"invited": true, "invitation": ...}`) and gets the role on accepting."""
    grant = organizations.add_member(session, principal, org_id, **body.model_dump(), meta=meta)
    return _granted(grant)


@router.delete("/organizations/{org_id}/members/{user_id}", response_model=MemberRemoved)
def remove_member(
    org_id: Id,
    user_id: Id,
    body: ReasonIn,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> MemberRemoved:
    """Remove every role the user holds in the organization; body `{"reason": ...}`."""
    removed = organizations.remove_member(
        session, principal, org_id, user_id, reason=body.reason, meta=meta
    )
    return MemberRemoved(removed_roles=removed)


# -- audit log ---------------------------------------------------------------------------------


class AuditQuery(BaseModel):
    """GET /audit-logs' query parameters: audit_log.search's keyword arguments."""

    actor_id: RowId | None = None
    actor_email: str = Field(default="", max_length=320)
    action: str = Field(default="", max_length=64)
    target_type: str = Field(default="", max_length=32)
    target_id: str = Field(default="", max_length=64)
    date_from: date | None = None
    date_to: date | None = None
    page: Page = 1
    page_size: PageSize = audit_log.PAGE_SIZE


@router.get("/audit-logs", response_model=AuditPage)
def search_audit_logs(
    principal: AdminUser, session: SessionDep, query: Annotated[AuditQuery, Query()]
) -> AuditPage:
    """Audit entries, newest first; every filter optional, dates inclusive (days in your time
    zone, UTC when you have none)."""
    return audit_log.search(session, principal, **query.model_dump())


@router.get("/audit-logs/actions", response_model=list[str])
def audit_actions(principal: AdminUser, session: SessionDep) -> list[str]:
    """The action names present in the log (for a filter)."""
    return audit_log.actions(session, principal)


@router.get("/audit-logs/stats", response_model=AuditStats)
def audit_stats(
    principal: AdminUser,
    session: SessionDep,
    date_from: date | None = None,
    date_to: date | None = None,
) -> AuditStats:
    """Counts per action per day, days in your time zone (UTC when you have none); default: the
    last 14 days; with only date_from, up to today, or to date_from itself when it is later."""
    return audit_log.stats(session, principal, date_from=date_from, date_to=date_to)


# -- API keys ----------------------------------------------------------------------------------


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(principal: SessionUser, session: SessionDep, all: bool = False) -> Any:
    """Your API keys (never their secrets); `?all=true` lists everybody's, for admins."""
    return api_keys.list_keys(session, principal, all_users=all)


@router.get("/api-keys/scopes", response_model=list[ScopePublic])
def api_key_scopes(principal: SessionUser) -> Any:
    """The scopes a key may have: read (GET only) and write (everything)."""
    return api_keys.list_scopes()


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(
    body: ApiKeyIn, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> Any:
    """Create a key acting as you. `secret` is in this answer only: store it now.

    Needs `password` (or, with two-step sign-in on, a current `code`): 403 without it.
    """
    key, secret = api_keys.create(session, principal, **body.model_dump(), meta=meta)
    return ApiKeyCreated(**api_keys.as_public(key, principal.email).model_dump(), secret=secret)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyPublic)
def revoke_api_key(key_id: Id, principal: SessionUser, session: SessionDep, meta: MetaDep) -> Any:
    """Revoke a key: requests using it answer 401 from now on."""
    key = api_keys.revoke(session, principal, key_id, meta)
    return api_keys.as_public(key)
