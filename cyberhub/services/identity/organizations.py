"""Organizations and their members (admins everywhere; directors within their own organization).

A member is who memberships.member_pairs says (an active membership, or a role held there): the
list and its counts, invitations and removal agree on it, so a member whose roles were all
revoked is still listed (with none) until removed. Adding one assigns a role, removing one takes
away every role they hold there and ends the membership (see services/identity/roles.py for who
may do which).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from cyberhub.models import Organization, OrganizationMembership, Role, RoleAssignment, User
from cyberhub.schemas.organizations import (
    MemberPublic,
    MembersPage,
    OrganizationPublic,
    OrganizationsPage,
)
from cyberhub.schemas.paging import page_count
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks, text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import accounts, memberships, roles
from cyberhub.services.identity.permissions import (
    UNKNOWN_ORGANIZATION,
    Principal,
    hide_from_outsiders,
    managed_org_ids,
    require_role,
)
from cyberhub.services.paging import fetch_page
from cyberhub.services.slugs import check_slug, slugify
from cyberhub.services.text_match import contains

PAGE_SIZE = 20
ORGANIZATIONS_PAGE_SIZE = 25


def org_for_manager(session: Session, principal: Principal | None, org_id: int) -> Organization:
    """The organization, if the principal may manage it (admin, or its director).

    Forbidden for someone who manages no organization at all (before any id is looked at), and
    for a member of it who does not direct it (a mentor there, say: they know it exists); to a
    director holding no role in it, it answers NotFound as an id nobody has (a 403 told them it
    existed), as programs.check_org_of does for its programmes and cohorts."""
    actor = roles.require_manager(principal)
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(UNKNOWN_ORGANIZATION)
    visible = managed_org_ids(actor)
    if visible is not None and org_id not in visible:
        hide_from_outsiders(actor, org_id, UNKNOWN_ORGANIZATION)
        raise Forbidden("Directors can manage only their own organization.")
    return org


def public(org: Organization, members: int = 0) -> OrganizationPublic:
    """An organization's public face, with its member count."""
    return from_row(OrganizationPublic, org, members=members)


def create(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    slug: str = "",
    description: str = "",
    meta: RequestMeta = NO_META,
) -> Organization:
    """Admins create an organization. The slug defaults to one made from the name.

    Invalid says what is wrong with the name or slug; Conflict when either is taken.
    """
    actor = require_role(principal, Role.admin)
    name = text.line(name, "organization's name", 200, required=False, min_length=2)
    slug = check_slug((slug or "").strip().lower() or slugify(name), "coast-campus")
    description = text.block(description, "description", 2000)
    locks.hold(session, locks.Lock.ORGANIZATION_NAMES)
    same_name = session.exec(
        select(Organization).where(func.lower(Organization.name) == name.lower())
    ).first()
    if same_name:
        # named as it is stored: 'north campus' typed finds 'North Campus'
        raise Conflict(f"An organization named '{same_name.name}' already exists.")
    if session.exec(select(Organization).where(Organization.slug == slug)).first():
        raise Conflict(f"The slug '{slug}' is already used by another organization.")
    org = Organization(name=name, slug=slug, description=description)
    session.add(org)
    session.flush()
    audit.record(session, "organization.created", org, by=actor, meta=meta, name=name, slug=slug)
    return org


def _visible_organizations(principal: Principal | None) -> SelectOfScalar[Organization]:
    """The organizations the principal may list (admins every one, directors those they run),
    by name; Forbidden for anyone else."""
    visible = managed_org_ids(roles.require_manager(principal))
    stmt = select(Organization)
    if visible is not None:
        stmt = stmt.where(col(Organization.id).in_(visible))
    return stmt.order_by(col(Organization.name), col(Organization.id))


def _with_member_counts(session: Session, orgs: Sequence[Organization]) -> list[OrganizationPublic]:
    pairs = memberships.member_pairs().subquery()
    counts = dict(
        session.exec(
            select(pairs.c.organization_id, func.count())
            .where(pairs.c.organization_id.in_([o.id for o in orgs]))
            .group_by(pairs.c.organization_id)
        ).all()
    )
    return [public(o, counts.get(o.id, 0)) for o in orgs]


def list_organizations(session: Session, principal: Principal | None) -> list[OrganizationPublic]:
    """Admins see every organization, directors the ones they run; with member counts."""
    orgs = session.exec(_visible_organizations(principal)).all()
    return _with_member_counts(session, orgs)


def organization_page(
    session: Session,
    principal: Principal | None,
    *,
    q: str = "",
    page: int = 1,
    page_size: int = ORGANIZATIONS_PAGE_SIZE,
    last_if_past: bool = False,
) -> OrganizationsPage:
    """One page of the organizations list_organizations shows, by name, searched by name (a
    page past the last is empty, with the total; or with `last_if_past` the last page: the
    address of a page that has since emptied)."""
    stmt = _visible_organizations(principal)
    typed = q.strip()[:200]
    if typed:
        stmt = stmt.where(contains(col(Organization.name), typed))
    found = fetch_page(session, stmt, page, page_size, last_if_past=last_if_past)
    return OrganizationsPage.of(found.with_items(_with_member_counts(session, found.items)))


def get(session: Session, principal: Principal | None, org_id: int) -> OrganizationPublic:
    """One organization (admin, or its director)."""
    org = org_for_manager(session, principal, org_id)
    pairs = memberships.member_pairs().subquery()
    count = session.exec(
        select(func.count()).select_from(pairs).where(pairs.c.organization_id == org_id)
    ).one()
    return public(org, count)


def members(
    session: Session,
    principal: Principal | None,
    org_id: int,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> MembersPage:
    """The organization's members (memberships.member_pairs), with the roles they hold there
    (perhaps none); by name, paginated."""
    org_for_manager(session, principal, org_id)
    if page < 1 or not 1 <= page_size <= 100:
        raise Invalid("page must be 1 or more and page_size between 1 and 100.")
    pairs = memberships.member_pairs().subquery()
    member_ids = select(pairs.c.user_id).where(pairs.c.organization_id == org_id)
    stmt = select(User).where(col(User.id).in_(member_ids))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    users = session.exec(
        stmt.order_by(func.lower(User.full_name), col(User.email))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    grants = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.organization_id == org_id,
            col(RoleAssignment.user_id).in_([u.id for u in users]),
        )
    ).all()
    order = [r.value for r in Role]
    by_user: dict[int, list[str]] = {}
    since: dict[int, datetime] = {}
    for g in grants:
        by_user.setdefault(g.user_id, []).append(g.role)
        since[g.user_id] = min(since.get(g.user_id, g.created_at), g.created_at)
    joined = session.exec(
        select(OrganizationMembership.user_id, OrganizationMembership.joined_at).where(
            OrganizationMembership.organization_id == org_id,
            col(OrganizationMembership.user_id).in_([u.id for u in users if u.id not in since]),
        )
    ).all()
    since.update(dict(joined))  # a member with no role: since they joined
    return MembersPage(
        items=[
            from_row(
                MemberPublic,
                u,
                roles=sorted(by_user.get(u.id or 0, []), key=order.index),
                member_since=since.get(u.id or 0),
            )
            for u in users
        ],
        total=total,
        page=page,
        pages=page_count(total, page_size),
    )


def add_member(
    session: Session,
    principal: Principal | None,
    org_id: int,
    *,
    email: str,
    role: str,
    reason: str = "",
    meta: RequestMeta = NO_META,
) -> RoleAssignment | memberships.InvitationSent:
    """Give a member (found by e-mail) a role in the organization, or invite a non-member.

    Membership is by consent: an address with no account, or an account that is not a member,
    gets an invitation (returned) and receives the role when they accept. An admin adding an
    existing account makes it a member (audited as such). The rules are those of
    roles.assign_role; the reason defaults to "Added to <organization>".
    """
    org = org_for_manager(session, principal, org_id)
    assert principal is not None  # checked by org_for_manager
    address = accounts.normalize_email(email)
    user = accounts.find_user(session, address)
    if user is not None and user.id is not None:
        # Whether they are a member and hold the role is read under their lock, so the same
        # member added twice at once is added once (the second hears they hold the role).
        roles.lock_user_roles(session, user.id)
    if (
        user is None
        or user.id is None
        or not (principal.is_admin or memberships.is_member(session, user.id, org_id))
    ):
        return memberships.invite(session, principal, org_id, email=address, role=role, meta=meta)
    grant = roles.assign_role(
        session,
        principal,
        user_id=user.id,
        role=role,
        organization_id=org_id,
        reason=(reason or "").strip() or f"Added to {org.name}",
        meta=meta,
    )
    audit.record(
        session,
        "organization.member_added",
        ("organization", org_id),
        by=principal,
        meta=meta,
        user_id=user.id,
        email=user.email,
        role=grant.role,
    )
    return grant


def remove_member(
    session: Session,
    principal: Principal | None,
    org_id: int,
    user_id: int,
    *,
    reason: str,
    meta: RequestMeta = NO_META,
) -> int:
    """Take every role the user holds in the organization away, with a reason, and end their
    membership; returns how many roles (0 for a member whose roles were all revoked already).

    A director may do so only when all those roles are ones they may revoke (not a director's).
    """
    org = org_for_manager(session, principal, org_id)
    assert principal is not None  # checked by org_for_manager
    reason = roles.clean_reason(reason)
    # A director hears of a user outside their organization as of an id nobody has, and never
    # their address (any id could be tried); an admin is told which it is.
    outside = "That user does not exist." if principal.is_admin else roles.NOT_YOUR_MEMBER
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(outside)
    # Under their lock, as adding a member reads theirs: a role given at the same moment waits
    # and finds them no longer a member (so they are invited), never left holding it.
    roles.lock_user_roles(session, user_id)
    grants = list(
        session.exec(
            select(RoleAssignment)
            .where(RoleAssignment.user_id == user_id, RoleAssignment.organization_id == org_id)
            .with_for_update()
        ).all()
    )
    if not memberships.is_member(session, user_id, org_id):
        raise NotFound(
            f"{user.email} is not a member of {org.name}." if principal.is_admin else outside
        )
    removed = [g.role for g in grants]
    for name in removed:
        roles.check_may_manage(principal, name, org_id)
    roles.revoke_grants(session, principal, user, grants, reason=reason, meta=meta)
    if not removed:  # no role to tell them of (revoke_grants mails those): tell them this
        roles.mail_access_change(
            session,
            user,
            subject=f"You are no longer a member of {org.name}",
            change=f"You are no longer a member of {org.name} on CyberHub.",
            reason=reason,
        )
    # Removed, they are no longer a member: a role there again takes a new invitation.
    memberships.end_membership(session, user_id, org_id, actor_id=principal.user_id, meta=meta)
    audit.record(
        session,
        "organization.member_removed",
        ("organization", org_id),
        by=principal,
        meta=meta,
        user_id=user_id,
        email=user.email,
        roles=removed,
        reason=reason,
    )
    return len(removed)
