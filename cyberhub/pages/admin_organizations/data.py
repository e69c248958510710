"""The organizations pages' routes, their rows (dates already formatted) and the one-transaction
loads their states run through `ServiceState._call`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models import Role
from cyberhub.schemas.organizations import MemberPublic, OrganizationPublic
from cyberhub.schemas.rows import from_row
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import memberships, organizations
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.identity.roles import DIRECTOR_ASSIGNABLE

LIST_ROUTE = "/admin/organizations"
DETAIL_ROUTE = "/admin/organizations/[org_id]"


def _tz(principal: Principal | None) -> str | None:
    return principal.time_zone if principal else None


@dataclass(frozen=True)
class OrgRow:
    id: int = 0
    name: str = ""
    slug: str = ""
    description: str = ""
    members: int = 0
    created_at: str = ""

    @classmethod
    def of(cls, o: OrganizationPublic, tz: str | None) -> OrgRow:
        return from_row(cls, o, created_at=when(o.created_at, tz, "date"))


@dataclass(frozen=True)
class MemberRow:
    id: int
    email: str
    full_name: str
    roles: list[str] = field(default_factory=list)
    member_since: str = ""

    @classmethod
    def of(cls, m: MemberPublic, tz: str | None) -> MemberRow:
        return from_row(cls, m, member_since=when(m.member_since, tz, "date"))


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    role: str
    status: str
    sent: str


@dataclass(frozen=True)
class OrgPage:
    """One organization's page: the organization, a page of members, its invitations, and the
    roles the viewer may hand out there."""

    org: OrgRow
    members: list[MemberRow]
    total: int
    page: int
    pages: int
    invitations: list[InvitationRow]
    invitations_total: int  # the organisation's invitations in all (the page lists the latest)
    role_options: list[str]


@dataclass(frozen=True)
class OrgListPage:
    """One page of the organizations list (searched by name): a page past the last (the
    address of one that has since emptied) shows the last."""

    rows: list[OrgRow]
    total: int
    page: int
    pages: int


def list_rows(session: Session, principal: Principal | None, q: str, page: int) -> OrgListPage:
    tz = _tz(principal)
    found = organizations.organization_page(session, principal, q=q, page=page, last_if_past=True)
    return OrgListPage(
        rows=[OrgRow.of(o, tz) for o in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


def create(
    session: Session,
    principal: Principal | None,
    name: str,
    slug: str,
    description: str,
    meta: RequestMeta,
) -> OrganizationPublic:
    org = organizations.create(
        session, principal, name=name, slug=slug, description=description, meta=meta
    )
    return organizations.public(org)


def org_page(session: Session, principal: Principal | None, org_id: int, page: int) -> OrgPage:
    tz = _tz(principal)
    org = organizations.get(session, principal, org_id)
    members = organizations.members(session, principal, org_id, page=page)
    if not members.items and page > 1:  # the page emptied (a member removed): the last one
        members = organizations.members(session, principal, org_id, page=members.pages)
    recent = memberships.recent_for_organization(session, principal, org_id)
    invitations = [
        from_row(InvitationRow, i, sent=when(i.created_at, tz, "date")) for i in recent.items
    ]
    if principal is not None and principal.is_admin:  # not admin: that role is global only
        options = [r.value for r in Role if r != Role.admin]
    else:
        options = [r.value for r in Role if r.value in DIRECTOR_ASSIGNABLE]
    return OrgPage(
        org=OrgRow.of(org, tz),
        members=[MemberRow.of(m, tz) for m in members.items],
        total=members.total,
        page=members.page,
        pages=members.pages,
        invitations=invitations,
        invitations_total=recent.total,
        role_options=options,
    )


def revoke_invitation(
    session: Session,
    principal: Principal | None,
    org_id: int,
    invitation_id: int,
    meta: RequestMeta,
) -> str:
    return memberships.revoke(session, principal, org_id, invitation_id, meta=meta).email


def add(
    session: Session,
    principal: Principal | None,
    org_id: int,
    email: str,
    role: str,
    reason: str,
    meta: RequestMeta,
) -> bool:
    """True if a role was granted; False if an invitation was sent (the person must accept)."""
    done = organizations.add_member(
        session, principal, org_id, email=email, role=role, reason=reason, meta=meta
    )
    return not isinstance(done, memberships.InvitationSent)
