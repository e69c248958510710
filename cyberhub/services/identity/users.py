"""Finding users (admin console)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from cyberhub.models import Organization, Role, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.paging import page_count
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.users import RoleHeld, UsersPage, UserSummary
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import lockout
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.text_match import contains

PAGE_SIZE = 20


@dataclass
class UserQuery:
    q: str = ""
    role: str = ""
    organization_id: int | None = None
    page: int = 1
    page_size: int = PAGE_SIZE


def search_users(session: Session, principal: Principal | None, query: UserQuery) -> UsersPage:
    """Admins search every account by email or name, filter by role and organization, and page."""
    require_role(principal, Role.admin)
    if query.role and query.role not in {r.value for r in Role}:
        raise Invalid(f"Unknown role '{query.role}'.")
    if query.page < 1 or not 1 <= query.page_size <= 100:
        raise Invalid("page must be 1 or more and page_size between 1 and 100.")
    stmt = select(User)
    if query.q.strip():
        q = query.q.strip()
        stmt = stmt.where(or_(contains(col(User.email), q), contains(col(User.full_name), q)))
    if query.role or query.organization_id:
        cond = col(RoleAssignment.user_id) == col(User.id)
        if query.role:
            cond = cond & (col(RoleAssignment.role) == query.role)
        if query.organization_id:
            cond = cond & (col(RoleAssignment.organization_id) == query.organization_id)
        stmt = stmt.where(exists().where(cond))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    users = session.exec(
        stmt.order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    ).all()
    ids = [u.id for u in users]
    grants = session.exec(
        select(RoleAssignment, Organization.name)
        .join(
            Organization, col(Organization.id) == col(RoleAssignment.organization_id), isouter=True
        )
        .where(col(RoleAssignment.user_id).in_(ids))
    ).all()
    by_user: dict[int, list[RoleHeld]] = {}
    for ra, org_name in grants:
        by_user.setdefault(ra.user_id, []).append(
            RoleHeld(
                role=ra.role, organization_id=ra.organization_id, organization=org_name or "global"
            )
        )
    now = utcnow()
    # Locked as the account's page says (lockout.status): password sign-in paused for everyone,
    # or an address locked out of the account.
    by_address = lockout.locked_by_address(u.id for u in users if u.id is not None)
    locked = {u.id for u in users if lockout.account_locked_for(u, now) or u.id in by_address}
    return UsersPage(
        items=[
            from_row(
                UserSummary,
                u,
                locked=u.id in locked,
                status=account_status(u.is_active, u.id in locked),
                roles=sorted(by_user.get(u.id or 0, []), key=lambda g: g.role),
            )
            for u in users
        ],
        total=total,
        page=query.page,
        pages=page_count(total, query.page_size),
    )


def account_status(is_active: bool, locked: bool) -> Literal["active", "locked", "disabled"]:
    """The state an account's row shows: a deactivated account is "disabled" even while locked
    (unlocking would not let them in), else "locked" or "active"."""
    if not is_active:
        return "disabled"
    return "locked" if locked else "active"


# Organisations an admin's organisation picker offers at once: the users page's filter, the
# user page's Give a role form.
ORG_CHOICES = 25


@dataclass(frozen=True)
class OrgChoices:
    """The organisations a picker offers: `items` (the ones kept listed that are not among the
    first by name, then the first `ORG_CHOICES` by name) of the `total` whose name contains what
    was typed, of which `shown` are in `items` (a kept one need not match)."""

    items: list[Organization]
    total: int
    shown: int


def organization_choices(
    session: Session, principal: Principal | None, typed: str = "", *keep: int | None
) -> OrgChoices:
    """Admins: the organisations whose name contains `typed`, by name, ORG_CHOICES at most,
    and those in `keep` (the filter in force; the one chosen and the usual one) even when they
    do not match: the pickers stay usable with thousands of organisations."""
    require_role(principal, Role.admin)
    stmt = select(Organization)
    if typed.strip():
        stmt = stmt.where(contains(col(Organization.name), typed.strip()[:200]))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    items = list(
        session.exec(stmt.order_by(col(Organization.name), col(Organization.id)).limit(ORG_CHOICES))
    )
    shown = len(items)
    listed = {o.id for o in items}
    kept = [i for i in dict.fromkeys(keep) if i and i not in listed]
    if kept:
        found = {
            o.id: o
            for o in session.exec(select(Organization).where(col(Organization.id).in_(kept)))
        }
        items[:0] = [found[i] for i in kept if i in found]
    return OrgChoices(items=items, total=int(total), shown=shown)
