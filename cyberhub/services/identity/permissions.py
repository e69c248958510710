"""Who may do what. Every page guard, state event and API route asks this module.

A `Principal` is the signed-in user with their role assignments, loaded from the database on
each request (so a revoked role stops working at once, whatever an old token says).
An `Access` rule is declared for every page and every API route; `check` enforces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, select

from cyberhub.models import Role, RoleAssignment, User
from cyberhub.services.errors import Forbidden, NotFound, Unauthenticated

# What the owner of a deactivated account is told wherever they prove they are the owner (the
# right password, an e-mailed link, a token or key of the account). Never to anyone else: asking
# for a sign-in or reset link answers the same for every address. Here, not in accounts, as the
# modules accounts imports (api_keys, mfa) say it too.
DEACTIVATED = "This account is deactivated. Contact your administrator."


@dataclass(frozen=True)
class Grant:
    role: str
    organization_id: int | None


@dataclass(frozen=True)
class Principal:
    user_id: int
    email: str
    full_name: str = ""
    grants: frozenset[Grant] = field(default_factory=frozenset)
    # Set when the request authenticated with an API key: what that key may do.
    scopes: frozenset[str] | None = None
    # IANA name the user reads times in (cyberhub.formatting.when); UTC until they choose one.
    time_zone: str = "UTC"

    @property
    def roles(self) -> list[str]:
        """Distinct role names, in a stable order."""
        order = [r.value for r in Role]
        return sorted({g.role for g in self.grants}, key=order.index)

    @property
    def is_admin(self) -> bool:
        return any(g.role == Role.admin for g in self.grants)

    def has_role(self, *roles: str, organization_id: int | None = None) -> bool:
        """True if the user holds one of `roles` (in `organization_id`, when given).

        A global admin grant (organization_id NULL) counts in every organization.
        """
        for g in self.grants:
            if g.role not in roles:
                continue
            if organization_id is None or g.organization_id in (organization_id, None):
                return True
        return False

    def organizations(self, *roles: str) -> set[int]:
        return {g.organization_id for g in self.grants if g.role in roles and g.organization_id}


def holds_role(
    session: Session, user_id: int | None, role: Role, organization_id: int | None
) -> bool:
    """Whether the user holds `role` in the organization, as the database says now (a global
    admin grant does not count: for checking who may fill a post, not who may act)."""
    held = session.exec(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role == role,
            RoleAssignment.organization_id == organization_id,
        )
    ).first()
    return held is not None


def load_principal(session: Session, user_id: int) -> Principal | None:
    """The active user with their current grants, or None."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    rows = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user_id)).all()
    grants = frozenset(Grant(r.role, r.organization_id) for r in rows)
    return Principal(
        user_id=user_id,
        email=user.email,
        full_name=user.full_name,
        grants=grants,
        time_zone=user.time_zone or "UTC",
    )


def active_principal(session: Session, user_id: int) -> Principal:
    """The active user's principal (load_principal); Unauthenticated when the account is gone or
    deactivated."""
    principal = load_principal(session, user_id)
    if principal is None:
        raise Unauthenticated(DEACTIVATED)
    return principal


@dataclass(frozen=True)
class Access:
    """The access rule of a page or API route.

    kind: "public" (anyone), "signed_in" (any signed-in user), "roles" (one of `roles`).
    """

    kind: str
    roles: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles: " + ", ".join(self.roles)
        return self.kind

    def allows(self, principal: Principal | None) -> bool:
        if self.kind == "public":
            return True
        if principal is None:
            return False
        if self.kind == "signed_in":
            return True
        return principal.has_role(*self.roles)

    def check(self, principal: Principal | None) -> None:
        """Raise Unauthenticated (401 / sign-in) or Forbidden (403) unless allowed."""
        if self.kind == "public":
            return
        if principal is None:
            raise Unauthenticated("Please sign in to continue.")
        if not self.allows(principal):
            raise Forbidden("You don't have access to this page.")


PUBLIC = Access("public")
SIGNED_IN = Access("signed_in")


def roles(*names: str | Role) -> Access:
    return Access("roles", tuple(str(n) for n in names))


def require_role(
    principal: Principal | None,
    *names: str,
    organization_id: int | None = None,
    refused: str = "You don't have permission to do that.",
) -> Principal:
    """Service-level check: the principal must hold one of `names` (in the organization);
    `refused` is the Forbidden message for someone signed in who does not."""
    if principal is None:
        raise Unauthenticated("Please sign in to continue.")
    if not principal.has_role(*names, organization_id=organization_id):
        raise Forbidden(refused)
    return principal


def require_signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("Please sign in to continue.")
    return principal


API_KEY_REFUSED = (
    "API keys can't be used here (two-step sign-in, consents, joining or leaving an "
    "organisation, passwords, sessions and API keys): sign in with your password instead."
)


def require_interactive(principal: Principal | None) -> Principal:
    """The signed-in user acting through a session, not an API key (account-security changes)."""
    actor = require_signed_in(principal)
    if actor.scopes is not None:
        raise Forbidden(API_KEY_REFUSED)
    return actor


def all_roles() -> Iterable[str]:
    return (r.value for r in Role)


UNKNOWN_ORGANIZATION = "That organization does not exist."


def belongs_to(principal: Principal, organization_id: int) -> bool:
    """Whether the principal holds a role in the organization (an admin: in every one). To
    someone who does not, the organization and its objects answer as ids nobody has."""
    return principal.is_admin or organization_id in principal.organizations(*all_roles())


def managed_org_ids(principal: Principal) -> set[int] | None:
    """The organizations the principal manages: None for an admin (every one), else the ones
    they direct (none for someone who directs nowhere)."""
    return None if principal.is_admin else principal.organizations(Role.director)


def manages(principal: Principal, organization_id: int) -> bool:
    """Whether the principal manages the organization, by managed_org_ids' rule (an admin every
    one, a director those they direct)."""
    managed = managed_org_ids(principal)
    return managed is None or organization_id in managed


def hide_from_outsiders(principal: Principal, organization_id: int, unknown: str) -> None:
    """NotFound(`unknown`) when the principal holds no role in the organization: to them, it
    and its programmes, cohorts and missions answer as ids nobody has (a 403 told them they
    existed). A member refused for their role (a mentor there who directs elsewhere) still
    hears why."""
    if not belongs_to(principal, organization_id):
        raise NotFound(unknown)


def hold_account(session: Session, user_id: int) -> User | None:
    """The account as committed, its row held (FOR SHARE) until this transaction ends: whoever
    makes the person serve something (a cohort's mentor or director) checks they are active and
    hold the role under it. A deactivation or role revocation locks the row (FOR UPDATE) before
    it ends what the person serves, so either it waits and then finds what this added, or this
    waits and reads the person inactive or without the role. Take it before any cohort lock,
    the order those take."""
    return session.get(User, user_id, with_for_update={"read": True}, populate_existing=True)
