"""Who holds which role where: assigning and revoking roles, and the admin's view of one user.

Admins may assign any role in any organization; the admin role only by an admin, and only
globally (organization_id None): it covers every organization, so it names none. Directors may assign and revoke the student, mentor and sponsor roles, and
only in the organizations they direct. Every change needs a reason, is audited and mailed to the
user.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, or_, select

from cyberhub.models import AuditLog, Organization, Role, RoleAssignment, User
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.users import (
    RoleGrantPublic,
    RolePublic,
    RoleRevoked,
    UserAuditEntry,
    UserDetail,
    UserUnlocked,
)
from cyberhub.services import locks, text
from cyberhub.services.admin import audit, audit_log
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import accounts, lockout, memberships
from cyberhub.services.identity.permissions import (
    UNKNOWN_ORGANIZATION,
    Principal,
    manages,
    require_role,
)
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings

ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.student: "Learns through hands-on missions in a cohort of their organization.",
    Role.mentor: "Reviews learners' submissions and coaches them in their organization.",
    Role.director: "Runs the programmes and cohorts of their organization and manages its members.",
    Role.sponsor: "Follows the cohorts their organization funds.",
    Role.admin: "Manages every account, role, organization, API key and the audit log.",
}
# The roles a director may hand out (and take back) in their own organization.
DIRECTOR_ASSIGNABLE = frozenset({Role.student.value, Role.mentor.value, Role.sponsor.value})
# An admin may act in every organization (Principal.is_admin), so an admin grant naming one would
# promise a limit nothing enforces.
ADMIN_IS_GLOBAL = (
    "The admin role is global: it covers every organization. Grant it without choosing one."
)
REASON_MAX = 500
NOT_YOUR_MEMBER = "That user is not a member of your organization."


def lock_user_roles(session: Session, user_id: int) -> None:
    """Wait for (then hold until commit) the right to change the user's roles and memberships;
    taking it again in the same transaction is free."""
    locks.hold(session, locks.Lock.USER_ROLES, user_id)


def list_roles() -> list[RolePublic]:
    """The five roles, in their natural order, each with a one-line description."""
    return [RolePublic(name=r.value, description=ROLE_DESCRIPTIONS[r]) for r in Role]


# -- rules -------------------------------------------------------------------------------------


def require_manager(principal: Principal | None) -> Principal:
    """Only admins and directors manage roles at all (403 for everyone else, before any input)."""
    return require_role(principal, Role.admin, Role.director)


def clean_reason(reason: str) -> str:
    """The reason for a role change, kept in the audit log: services/text.block, required."""
    reason = text.block(reason, "reason", REASON_MAX)
    if not reason:
        raise Invalid("Give a reason for this change: it is kept in the audit log.")
    return reason


def _check_role_name(role: str) -> str:
    role = (role or "").strip().lower()
    if role not in {r.value for r in Role}:
        names = ", ".join(r.value for r in Role)
        raise Invalid(f"Unknown role '{role}'. Choose one of: {names}.")
    return role


def check_may_manage(principal: Principal, role: str, organization_id: int | None) -> None:
    """Raise Forbidden unless `principal` may assign/revoke `role` in `organization_id`."""
    if principal.is_admin:
        return
    if role not in DIRECTOR_ASSIGNABLE:
        raise Forbidden(f"Only an admin can assign or revoke the {role} role.")
    if organization_id is None or not manages(principal, organization_id):
        raise Forbidden("Directors can manage roles only within their own organization.")


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def _organization(session: Session, organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(UNKNOWN_ORGANIZATION)
    return org


def _where(org: Organization | None) -> str:
    return f"in {org.name}" if org else "globally (every organization)"


def mail_access_change(
    session: Session, user: User, *, subject: str, change: str, reason: str
) -> None:
    """Tell `user` by mail what changed in what they may do (`change`, one sentence) and why:
    their roles (here), or their membership of an organisation (organizations.remove_member)."""
    body = (
        f"Hello {user.full_name or user.email},\n\n"
        f"{change}\n"
        f"Reason: {reason}\n\n"
        f"The change applies the next time you open a page: {get_settings().base_url}/dashboard\n\n"
        "If you did not expect this, reply to this message or contact an administrator."
    )
    mail.send(session, to=user.email, subject=subject, body=body, kind="role_change")


def _notify(session: Session, user: User, *, granted: bool, what: list[str], reason: str) -> None:
    """Tell the user by mail; `what` lists "<role> <where>" phrases."""
    verb = "given" if granted else "removed from"
    noun = "role" if len(what) == 1 else "roles"
    mail_access_change(
        session,
        user,
        subject=f"Your CyberHub roles changed: {'added' if granted else 'removed'} {what[0]}"[:200],
        change=f"You have been {verb} the {noun} {'; '.join(what)} on CyberHub.",
        reason=reason,
    )


# -- assign / revoke ---------------------------------------------------------------------------


def assign_role(
    session: Session,
    principal: Principal | None,
    *,
    user_id: int,
    role: str,
    organization_id: int | None,
    reason: str,
    meta: RequestMeta = NO_META,
) -> RoleAssignment:
    """Give `user_id` the `role` in `organization_id` (None: global, the admin role's only scope).

    Raises Forbidden (not an admin, or a director outside their organization or rights),
    Invalid (unknown role, missing/long reason, a non-admin role without organization, the
    admin role with one),
    NotFound (user or organization), Conflict (the user already holds that role there).
    """
    actor = require_manager(principal)
    role = _check_role_name(role)
    reason = clean_reason(reason)
    if organization_id is None and role != Role.admin:
        raise Invalid("Choose an organization: only the admin role can be global.")
    check_may_manage(actor, role, organization_id)
    if role == Role.admin and organization_id is not None:
        raise Invalid(ADMIN_IS_GLOBAL)
    # The same grant twice at once takes turns: the second sees the first's and is refused.
    lock_user_roles(session, user_id)
    user = _user(session, user_id)
    org = _organization(session, organization_id)
    if _held_grant(session, user_id, role, organization_id) is not None:
        raise Conflict(f"{user.email} already has the {role} role {_where(org)}.")
    if organization_id is not None and not memberships.is_member(session, user_id, organization_id):
        if not actor.is_admin:  # their address is not told: any id could be tried
            raise Conflict(
                f"That person is not a member {_where(org)}: invite them by e-mail; roles are "
                "granted only to members, who join by accepting an invitation."
            )
        memberships.join(
            session, user_id, organization_id, how="admin", actor_id=actor.user_id, meta=meta
        )
    grant = RoleAssignment(
        user_id=user_id,
        role=Role(role),
        organization_id=organization_id,
        granted_by_id=actor.user_id,
        reason=reason,
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        "role.assigned",
        ("user", user_id),
        by=actor,
        meta=meta,
        role=role,
        organization_id=organization_id,
        organization=org.name if org else "global",
        reason=reason,
    )
    _notify(session, user, granted=True, what=[f"{role} {_where(org)}"], reason=reason)
    return grant


def _same_org(organization_id: int | None) -> Any:
    if organization_id is None:
        return col(RoleAssignment.organization_id).is_(None)
    return col(RoleAssignment.organization_id) == organization_id


def _held_grant(
    session: Session, user_id: int, role: str, organization_id: int | None, *, lock: bool = False
) -> RoleAssignment | None:
    """The user's grant of `role` in `organization_id` (None: the global one), if they hold it.
    `lock` takes a row lock on it (SELECT ... FOR UPDATE) for a revocation."""
    stmt = select(RoleAssignment).where(
        RoleAssignment.user_id == user_id,
        RoleAssignment.role == role,
        _same_org(organization_id),
    )
    if lock:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def _active_admin(session: Session, user_id: int) -> bool:
    """Whether the account is active and holds the admin role, as the database says now."""
    held = session.exec(
        select(RoleAssignment.id)
        .join(User, col(User.id) == col(RoleAssignment.user_id))
        .where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role == Role.admin,
            col(User.is_active).is_(True),
        )
    ).first()
    return held is not None


def revoke_role(
    session: Session,
    principal: Principal | None,
    *,
    user_id: int,
    role: str,
    organization_id: int | None,
    reason: str,
    meta: RequestMeta = NO_META,
) -> RoleRevoked:
    """Take `role` in `organization_id` away from `user_id`, with a reason; what was revoked
    (the role named as the user's roles name it).

    Same rights as assign_role. NotFound when the user doesn't hold that role there; Conflict
    when an admin would remove their own last admin role (nobody could then undo it for them).
    """
    actor = require_manager(principal)
    role = _check_role_name(role)
    reason = clean_reason(reason)
    check_may_manage(actor, role, organization_id)
    if role == Role.admin:
        # Admin roles end one at a time, as deactivations do (the same lock), and only by an
        # admin still active and holding the role once it is their turn: two admins taking each
        # other's role at once (each let in as an admin) can't leave nobody to manage accounts.
        locks.hold(session, locks.Lock.ACCOUNT_STATUS)
        if not _active_admin(session, actor.user_id):
            raise Forbidden(f"Only an admin can assign or revoke the {role} role.")
    if not actor.is_admin and not (
        organization_id is not None
        and session.get(User, user_id) is not None
        and memberships.is_member(session, user_id, organization_id)
    ):
        # A director hears of a user outside their organization as of an id nobody has, and
        # never their address (as user_roles answers).
        raise NotFound(NOT_YOUR_MEMBER)
    user = _user(session, user_id)
    org = _organization(session, organization_id)
    grant = _held_grant(session, user_id, role, organization_id, lock=True)
    if grant is None:
        raise NotFound(f"{user.email} does not have the {role} role {_where(org)}.")
    revoke_grants(session, actor, user, [grant], reason=reason, meta=meta)
    return RoleRevoked(user_id=user_id, role=role, organization_id=organization_id)


def revoke_grants(
    session: Session,
    actor: Principal,
    user: User,
    grants: list[RoleAssignment],
    *,
    reason: str,
    meta: RequestMeta = NO_META,
) -> None:
    """Delete `grants` of `user` (rights already checked), audit each and mail the user once."""
    if not grants:
        return
    if user.id == actor.user_id and any(g.role == Role.admin for g in grants):
        admin_left = session.exec(
            select(RoleAssignment).where(
                RoleAssignment.user_id == user.id,
                RoleAssignment.role == Role.admin,
                col(RoleAssignment.id).not_in([g.id for g in grants]),
            )
        ).first()
        if admin_left is None:
            raise Conflict(
                "You can't remove your own last admin role: you would lock yourself out of the "
                "admin console. Ask another admin to do it."
            )
    staff_roles_ended(session, user.id or 0, grants, actor_id=actor.user_id, meta=meta)
    names: list[str] = []
    for grant in grants:
        org = session.get(Organization, grant.organization_id) if grant.organization_id else None
        audit.record(
            session,
            "role.revoked",
            user,
            by=actor,
            meta=meta,
            role=grant.role,
            organization_id=grant.organization_id,
            organization=org.name if org else "global",
            reason=reason,
        )
        names.append(f"{grant.role} {_where(org)}")
        session.delete(grant)
    session.flush()
    _notify(session, user, granted=False, what=names, reason=reason)


def staff_roles_ended(
    session: Session,
    user_id: int,
    grants: list[RoleAssignment],
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> int:
    """`grants` are about to go (or the account is deactivated: deactivation.deactivate_user):
    where one is a mentor role, the user stops serving that organisation's cohorts
    (enrollment.stop_mentoring_in_organization), so no learner stays assigned to, and no work is
    sent to, a mentor who is not one there any more; where one is a director role, they stop
    directing its cohorts (programs.stop_directing_in_organization), so no cohort names them or
    sends them its applications. Returns how many claims on those cohorts' work went back."""
    from cyberhub.services.learning import enrollment, programs  # noqa: PLC0415  (why: enrollment imports identity.memberships, which imports this module)

    def orgs(role: Role) -> list[int]:
        return sorted({g.organization_id for g in grants if g.role == role and g.organization_id})

    if orgs(Role.mentor) or orgs(Role.director):
        # Their row first (FOR UPDATE, free if held: a deactivation holds it): a director making
        # them a cohort's mentor or director at this moment holds it (accounts.hold_account), so
        # either this waits and ends what was just added, or the addition waits and is refused.
        session.exec(select(User.id).where(User.id == user_id).with_for_update()).first()
    released = 0
    for org_id in orgs(Role.mentor):
        released += enrollment.stop_mentoring_in_organization(
            session, user_id, org_id, actor_id=actor_id, meta=meta
        )
    for org_id in orgs(Role.director):
        programs.stop_directing_in_organization(
            session, user_id, org_id, actor_id=actor_id, meta=meta
        )
    return released


# -- reading -----------------------------------------------------------------------------------


def _grant_rows(session: Session, user_id: int, org_ids: set[int] | None) -> list[RoleGrantPublic]:
    granter = User.__table__.alias("granter")  # type: ignore[attr-defined]
    stmt = (
        select(RoleAssignment, Organization.name, granter.c.email)
        .join(
            Organization, col(Organization.id) == col(RoleAssignment.organization_id), isouter=True
        )
        .join(granter, granter.c.id == col(RoleAssignment.granted_by_id), isouter=True)
        .where(RoleAssignment.user_id == user_id)
    )
    if org_ids is not None:
        stmt = stmt.where(col(RoleAssignment.organization_id).in_(org_ids))
    order = [r.value for r in Role]
    rows = [
        from_row(
            RoleGrantPublic, ra, organization=org_name or "global", granted_by=granted_by or ""
        )
        for ra, org_name, granted_by in session.exec(stmt).all()
    ]
    return sorted(rows, key=lambda g: (order.index(g.role), g.organization))


def user_roles(
    session: Session, principal: Principal | None, user_id: int
) -> list[RoleGrantPublic]:
    """The user's role assignments: all of them for an admin; for a director, only those in the
    organizations they direct (NotFound when the user isn't a member there)."""
    actor = require_manager(principal)
    _user(session, user_id)
    if actor.is_admin:
        return _grant_rows(session, user_id, None)
    rows = _grant_rows(session, user_id, actor.organizations(Role.director))
    if not rows:
        raise NotFound(NOT_YOUR_MEMBER)
    return rows


def user_detail(session: Session, principal: Principal | None, user_id: int) -> UserDetail:
    """Everything the admin console shows about one account (admins only)."""
    require_role(principal, Role.admin)
    user = _user(session, user_id)
    lock = lockout.status(user)
    entries = session.exec(
        select(AuditLog)
        .where(
            or_(
                col(AuditLog.actor_id) == user_id,
                (col(AuditLog.target_type) == "user") & (col(AuditLog.target_id) == str(user_id)),
            )
        )
        .order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
        .limit(20)
    ).all()
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    emails = dict(
        session.exec(select(User.id, User.email).where(col(User.id).in_(actor_ids))).all()
    )
    names = audit_log.target_names(session, ((e.target_type, e.target_id) for e in entries))
    return from_row(
        UserDetail,
        user,
        locked=lock.locked,
        locked_until=lock.locked_until,
        locked_sources=lock.sources,
        mfa_enabled=user.mfa_secret is not None,
        roles=_grant_rows(session, user_id, None),
        audit=[
            from_row(
                UserAuditEntry,
                e,
                actor=emails.get(e.actor_id, "") if e.actor_id else "",
                target=audit_log.describe_target(e.target_type, e.target_id, names),
                summary=summarize(e.details),
            )
            for e in entries
        ],
    )


def summarize(details: dict[str, Any]) -> str:
    """An audit entry's details as "key: value" lines, for tables."""
    return audit_log.readable_details(details)


# -- lockout -----------------------------------------------------------------------------------


UNLOCKED = "The account is unlocked: they can sign in again."
UNLOCKED_BUT_DEACTIVATED = (
    "Unlocked. The account is deactivated: reactivate it to let them sign in."
)


def unlock_user(
    session: Session, principal: Principal | None, user_id: int, meta: RequestMeta = NO_META
) -> UserUnlocked:
    """Admins lift a sign-in lockout at once (audited as account.unlocked)."""
    actor = require_role(principal, Role.admin)
    user = _user(session, user_id)
    accounts.unlock(session, user=user, actor_id=actor.user_id, meta=meta)
    session.flush()
    return UserUnlocked(
        id=user.id or 0,
        email=user.email,
        is_active=user.is_active,
        message=UNLOCKED if user.is_active else UNLOCKED_BUT_DEACTIVATED,
    )
