"""Membership by consent: who belongs to an organisation, invitations to join, and leaving.

A person joins only by accepting an invitation or through an admin; roles in an organisation are
granted only to its members (services/identity/roles.py asks `is_member`). Every step is audited.
Accounts that held a role before memberships existed were made members by migration 0012; a
role held there still counts as membership, so seeders that grant roles directly stay members.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import overload

from sqlalchemy import ColumnElement, CompoundSelect, case, func, literal, union
from sqlmodel import Session, col, select

from cyberhub.models import (
    Invitation,
    InvitationStatus,
    MembershipStatus,
    Organization,
    OrganizationMembership,
    Role,
    RoleAssignment,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.identity import InvitationPublic, InvitationsPage
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import accounts, organizations, roles
from cyberhub.services.identity.permissions import (
    Principal,
    require_interactive,
    require_signed_in,
)
from cyberhub.services.messaging import mail, notifications
from cyberhub.services.paging import fetch_page
from cyberhub.settings import get_settings

INVITATION_DAYS = 14
INVITATIONS_SHOWN = 50  # on the organisation page (recent_for_organization)
INVITATIONS_PAGE_SIZE = 50  # a page of the API's list (list_for_organization)
INVITABLE_ROLES = (Role.student, Role.mentor, Role.sponsor, Role.director)


@dataclass(frozen=True)
class InvitationSent:
    invitation: InvitationPublic
    token: str  # the link's secret: only in the e-mail (and returned to tests via this value)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@overload
def _open(inv: Invitation) -> bool: ...


@overload
def _open(inv: type[Invitation]) -> ColumnElement[bool]: ...


def _open(inv: Invitation | type[Invitation]) -> bool | ColumnElement[bool]:
    """Pending and not past its expiry: an invitation its person may still answer (and its
    managers revoke). `inv` is an Invitation row (the answer, a bool) or the Invitation class
    (the SQL condition): the one rule for a row's status and for the lists' queries."""
    return (inv.status == InvitationStatus.pending) & (inv.expires_at > utcnow())


def _public(session: Session, inv: Invitation) -> InvitationPublic:
    org = session.get(Organization, inv.organization_id)
    status = inv.status
    if status == InvitationStatus.pending and not _open(inv):
        status = InvitationStatus.expired
    return from_row(InvitationPublic, inv, organization_name=org.name if org else "", status=status)


def member_pairs() -> CompoundSelect:
    """(organization_id, user_id) of every member, the one rule of membership: an active
    membership row (its roles may all have been revoked: they stay a member until they leave or
    are removed), or, for accounts seeded with roles directly, a role held there. The members
    list, its counts, `is_member` (invitations, role grants) and removal all read it."""
    return union(
        select(OrganizationMembership.organization_id, OrganizationMembership.user_id).where(
            OrganizationMembership.status == MembershipStatus.active
        ),
        select(RoleAssignment.organization_id, RoleAssignment.user_id).where(
            col(RoleAssignment.organization_id).is_not(None)
        ),
    )


def is_member(session: Session, user_id: int, organization_id: int) -> bool:
    """Whether the user is a member of the organisation (member_pairs)."""
    pairs = member_pairs().subquery()
    found = select(literal(1)).where(
        pairs.c.organization_id == organization_id, pairs.c.user_id == user_id
    )
    return session.exec(found.limit(1)).first() is not None


def join(
    session: Session,
    user_id: int,
    organization_id: int,
    *,
    how: str,
    actor_id: int | None,
    meta: RequestMeta = NO_META,
) -> OrganizationMembership:
    """Make the user an active member (idempotent); audited with how they joined.

    Takes the user's roles-and-memberships lock (roles.lock_user_roles) first: an admin adding
    them while they accept an invitation take turns, the second finding the first's membership
    (and, reading after this, its role) instead of inserting its own."""
    roles.lock_user_roles(session, user_id)
    row = session.exec(
        select(OrganizationMembership)
        .where(
            OrganizationMembership.user_id == user_id,
            OrganizationMembership.organization_id == organization_id,
        )
        .with_for_update()
    ).first()
    if row is not None and row.status == MembershipStatus.active:
        return row
    if row is None:
        row = OrganizationMembership(user_id=user_id, organization_id=organization_id)
    row.status, row.joined_at, row.left_at = MembershipStatus.active, utcnow(), None
    session.add(row)
    session.flush()
    audit.record(
        session,
        "organization.member_joined",
        ("organization", organization_id),
        by=actor_id,
        meta=meta,
        user_id=user_id,
        how=how,
    )
    return row


def end_membership(
    session: Session,
    user_id: int,
    organization_id: int,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> None:
    """The user is no longer a member (they left, or were removed): their membership row says
    so, so `is_member` and everything reading memberships stop counting them, and they leave
    its cohorts (enrollment.leave_organization_cohorts), so its staff stop reading them."""
    from cyberhub.services.learning import enrollment  # noqa: PLC0415  (why: enrollment imports this module at its top)

    enrollment.leave_organization_cohorts(
        session, user_id, organization_id, actor_id=actor_id, meta=meta
    )
    row = session.exec(
        select(OrganizationMembership).where(
            OrganizationMembership.user_id == user_id,
            OrganizationMembership.organization_id == organization_id,
        )
    ).first()
    if row is None:
        row = OrganizationMembership(user_id=user_id, organization_id=organization_id)
    row.status, row.left_at = MembershipStatus.left, utcnow()
    session.add(row)


def invite(
    session: Session,
    principal: Principal | None,
    organization_id: int,
    *,
    email: str,
    role: str = Role.student,
    meta: RequestMeta = NO_META,
) -> InvitationSent:
    """A director of the organisation (or an admin) invites an e-mail address, new or existing.

    The person gets an e-mail with the link and, if they have an account, an in-app notice.
    Conflict if they are already a member or already have a pending invitation there.
    """
    org = organizations.org_for_manager(session, principal, organization_id)
    actor = require_signed_in(principal)
    if role not in [r.value for r in INVITABLE_ROLES]:
        raise Invalid("Choose the role to grant: student, mentor, sponsor or director.")
    roles.check_may_manage(actor, role, organization_id)
    address = accounts.normalize_email(email)
    if "@" not in address or len(address) > 320:
        raise Invalid("Enter a valid e-mail address.")
    # The same person invited twice at once takes turns: the second sees the first invitation.
    locks.hold(session, locks.Lock.ORGANIZATION_INVITATIONS, organization_id)
    user = accounts.find_user(session, address)
    if user is not None and user.id is not None and is_member(session, user.id, organization_id):
        raise Conflict(f"{address} is already a member of {org.name}.")
    for old in session.exec(
        select(Invitation).where(
            Invitation.organization_id == organization_id,
            Invitation.email == address,
            Invitation.status == InvitationStatus.pending,
        )
    ).all():
        if _open(old):
            raise Conflict(f"{address} already has a pending invitation to {org.name}.")
        old.status = InvitationStatus.expired
        session.add(old)
    token = secrets.token_urlsafe(32)
    inv = Invitation(
        organization_id=organization_id,
        email=address,
        role=Role(role),
        invited_by_id=actor.user_id,
        token_hash=_hash(token),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    session.add(inv)
    session.flush()
    link = f"/invitations/{token}"
    title = f"You are invited to join {org.name} on CyberHub"
    body = (
        f"You have been invited to join {org.name} as {role}. Nothing changes until you accept; "
        f"once you do, the organisation's directors and mentors can follow your learning there. "
        f"The invitation expires in {INVITATION_DAYS} days."
    )
    if user is not None and user.id is not None:
        notifications.notify(session, user.id, kind="invitation", title=title, body=body, link=link)
    else:
        # No account yet: the link opens sign-up, which creates the account and accepts at once.
        url = get_settings().base_url + signup_link(token)
        body += " Create your account from the link: signing up there accepts the invitation."
        mail.send(session, to=address, subject=title, body=f"{body}\n\n{url}", kind="invitation")
    audit.record(
        session,
        "invitation.sent",
        inv,
        by=actor,
        meta=meta,
        organization_id=organization_id,
        email=address,
        role=role,
    )
    return InvitationSent(invitation=_public(session, inv), token=token)


def list_for_organization(
    session: Session,
    principal: Principal | None,
    organization_id: int,
    *,
    page: int = 1,
    page_size: int = INVITATIONS_PAGE_SIZE,
) -> InvitationsPage:
    """One page of the organisation's invitations, newest first (its directors, admins)."""
    organizations.org_for_manager(session, principal, organization_id)
    newest = (
        select(Invitation)
        .where(col(Invitation.organization_id) == organization_id)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    )
    found = fetch_page(session, newest, page, page_size)
    return InvitationsPage.of(found.with_items([_public(session, r) for r in found.items]))


@dataclass(frozen=True)
class RecentInvitations:
    items: list[InvitationPublic]
    total: int  # every invitation the organisation ever sent


def recent_for_organization(
    session: Session,
    principal: Principal | None,
    organization_id: int,
    limit: int = INVITATIONS_SHOWN,
) -> RecentInvitations:
    """The organisation page's invitations (its directors, admins): the pending ones first
    (those a manager may still revoke), then the others, newest first each, `limit` at most,
    and how many there are in all: the list doesn't grow with every invitation ever sent."""
    organizations.org_for_manager(session, principal, organization_id)
    mine = col(Invitation.organization_id) == organization_id
    rows = session.exec(
        select(Invitation)
        .where(mine)
        .order_by(
            case((_open(Invitation), 0), else_=1),
            col(Invitation.created_at).desc(),
            col(Invitation.id).desc(),
        )
        .limit(limit)
    ).all()
    total = session.exec(select(func.count()).select_from(Invitation).where(mine)).one()
    return RecentInvitations(items=[_public(session, r) for r in rows], total=int(total))


def revoke(
    session: Session,
    principal: Principal | None,
    organization_id: int,
    invitation_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> InvitationPublic:
    """Withdraw a pending invitation; its link stops working."""
    organizations.org_for_manager(session, principal, organization_id)
    inv = session.get(Invitation, invitation_id, with_for_update=True)
    if inv is None or inv.organization_id != organization_id:
        raise NotFound("That invitation does not exist.")
    if _public(session, inv).status != InvitationStatus.pending:
        raise Conflict(f"This invitation is already {_public(session, inv).status}.")
    inv.status, inv.decided_at = InvitationStatus.revoked, utcnow()
    inv.decided_by_id = principal.user_id if principal else None
    session.add(inv)
    audit.record(
        session,
        "invitation.revoked",
        inv,
        by=inv.decided_by_id,
        meta=meta,
        organization_id=organization_id,
        email=inv.email,
    )
    session.flush()
    return _public(session, inv)


def signup_link(token: str) -> str:
    """Where someone without an account signs up and accepts in one go."""
    return f"/signup?invite={token}"


def _by_token(session: Session, token: str) -> Invitation:
    inv = session.exec(
        select(Invitation).where(Invitation.token_hash == _hash(token or "")).with_for_update()
    ).first()
    if inv is None:
        raise NotFound("This invitation link is not valid.")
    return inv


def _decidable(
    session: Session, principal: Principal | None, token: str
) -> tuple[Invitation, User]:
    # Joining (or turning down) an organisation shares the person's data with its staff: their
    # own decision, never an API key's (a leaked key must not join its holder's organisation).
    actor = require_interactive(principal)
    inv = _by_token(session, token)
    user = session.get(User, actor.user_id)
    assert user is not None
    if user.email.lower() != inv.email:
        raise Forbidden(
            f"This invitation was sent to another e-mail address. Sign in as that account "
            f"(you are signed in as {user.email})."
        )
    status = _public(session, inv).status
    if status != InvitationStatus.pending:
        raise Conflict(f"This invitation is {status}: it can no longer be answered.")
    return inv, user


def peek(session: Session, principal: Principal | None, token: str) -> InvitationPublic:
    """The invitation behind a link, for the person it was sent to."""
    require_signed_in(principal)
    inv = _by_token(session, token)
    user = session.get(User, principal.user_id) if principal else None
    if user is None or user.email.lower() != inv.email:
        raise Forbidden("This invitation was sent to another e-mail address.")
    return _public(session, inv)


def accept(
    session: Session, principal: Principal | None, token: str, *, meta: RequestMeta = NO_META
) -> InvitationPublic:
    """The invited person accepts: they become a member and receive the invited role."""
    inv, user = _decidable(session, principal, token)
    return _accept(session, inv, user, meta=meta)


def _accept(
    session: Session, inv: Invitation, user: User, *, meta: RequestMeta, on_signup: bool = False
) -> InvitationPublic:
    assert user.id is not None
    how = "invitation at sign-up" if on_signup else "invitation"
    join(session, user.id, inv.organization_id, how=how, actor_id=user.id, meta=meta)
    held = session.exec(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.organization_id == inv.organization_id,
            RoleAssignment.role == inv.role,
        )
    ).first()
    if held is None:
        session.add(
            RoleAssignment(
                user_id=user.id,
                role=inv.role,
                organization_id=inv.organization_id,
                granted_by_id=inv.invited_by_id,
                reason="Accepted an invitation",
            )
        )
    return _decide(
        session, inv, user, InvitationStatus.accepted, meta, role=inv.role, on_signup=on_signup
    )


def _decide(
    session: Session,
    inv: Invitation,
    user: User,
    status: InvitationStatus,
    meta: RequestMeta,
    **details: object,
) -> InvitationPublic:
    """Record the invited person's answer (accepted or declined) on the invitation and in the
    audit log ("invitation.accepted" / "invitation.declined")."""
    inv.status, inv.decided_at, inv.decided_by_id = status, utcnow(), user.id
    session.add(inv)
    audit.record(
        session,
        f"invitation.{status.value}",
        inv,
        by=user.id,
        meta=meta,
        organization_id=inv.organization_id,
        **details,
    )
    session.flush()
    return _public(session, inv)


def _signup_invitation(session: Session, token: str) -> Invitation:
    """The invitation behind a sign-up link if it is still pending; NotFound or Conflict when
    the link cannot be used to sign up."""
    inv = _by_token(session, token)
    status = _public(session, inv).status
    if status != InvitationStatus.pending:
        raise Conflict(f"This invitation is {status}: it can no longer be used to sign up.")
    return inv


def invitation_for_signup(session: Session, token: str) -> InvitationPublic:
    """The pending invitation behind a sign-up link (for the sign-up form to name the
    organisation); NotFound or Conflict when the link cannot be used to sign up."""
    return _public(session, _signup_invitation(session, token))


def signup_with_invitation(
    session: Session,
    *,
    token: str,
    email: str,
    password: str,
    full_name: str = "",
    consents: list[str] | None = None,
    meta: RequestMeta = NO_META,
) -> tuple[User, InvitationPublic]:
    """Sign up through an invitation link: the account is created and the invitation accepted
    in the same transaction (membership + the invited role), audited as both.

    The address must be the invited one; nothing is created when the link or the form is wrong.
    """
    inv = _signup_invitation(session, token)
    if accounts.normalize_email(email) != inv.email:
        raise Invalid(
            f"This invitation was sent to {inv.email}: sign up with that address, "
            "or sign up without the invitation."
        )
    user = accounts.signup(
        session,
        email=email,
        password=password,
        full_name=full_name,
        consents=consents,
        meta=meta,
    )
    return user, _accept(session, inv, user, meta=meta, on_signup=True)


def decline(
    session: Session, principal: Principal | None, token: str, *, meta: RequestMeta = NO_META
) -> InvitationPublic:
    """The invited person declines: nothing is shared, the link stops working."""
    inv, user = _decidable(session, principal, token)
    return _decide(session, inv, user, InvitationStatus.declined, meta)


def my_invitations(session: Session, principal: Principal | None) -> list[InvitationPublic]:
    """The caller's pending invitations (not expired), newest first."""
    actor = require_signed_in(principal)
    user = session.get(User, actor.user_id)
    if user is None:
        return []
    rows = session.exec(
        select(Invitation)
        .where(
            Invitation.email == user.email.lower(),
            _open(Invitation),
        )
        .order_by(col(Invitation.created_at).desc())
    ).all()
    return [_public(session, r) for r in rows]


NOT_A_MEMBER = "You are not a member of that organization."


def leave(
    session: Session,
    principal: Principal | None,
    organization_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> int:
    """The caller leaves the organisation: every role they hold there is revoked, and they leave
    its cohorts (end_membership); returns how many roles. Never with an API key (Forbidden)."""
    actor = require_interactive(principal)
    # An unknown id and another organization answer alike (a different detail told a
    # non-member the organization existed).
    if session.get(Organization, organization_id) is None:
        raise NotFound(NOT_A_MEMBER)
    roles.lock_user_roles(session, actor.user_id)  # a role given at once waits (remove_member)
    if not is_member(session, actor.user_id, organization_id):
        raise NotFound(NOT_A_MEMBER)
    grants = session.exec(
        select(RoleAssignment)
        .where(
            RoleAssignment.user_id == actor.user_id,
            RoleAssignment.organization_id == organization_id,
        )
        .with_for_update()
    ).all()
    removed = [g.role for g in grants]
    roles.staff_roles_ended(session, actor.user_id, list(grants), actor_id=actor.user_id, meta=meta)
    for g in grants:
        session.delete(g)
    end_membership(session, actor.user_id, organization_id, actor_id=actor.user_id, meta=meta)
    audit.record(
        session,
        "organization.member_left",
        ("organization", organization_id),
        by=actor,
        meta=meta,
        roles=removed,
    )
    session.flush()
    return len(removed)
