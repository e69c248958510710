"""The organizations pages' routes and the service calls their states run in worker threads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cyberhub import db
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity import memberships, organizations
from cyberhub.services.identity.permissions import Principal

LIST_ROUTE = "/admin/organizations"
DETAIL_ROUTE = "/admin/organizations/[org_id]"


def _day(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d %b %Y") if value else ""


def _list(principal: Principal | None) -> list[dict[str, Any]]:
    with db.session_scope() as session:
        return organizations.list_organizations(session, principal)


def _create(
    principal: Principal | None, name: str, slug: str, description: str, meta: RequestMeta
) -> dict[str, Any]:
    with db.session_scope() as session:
        org = organizations.create(
            session, principal, name=name, slug=slug, description=description, meta=meta
        )
        return organizations.as_json(org)


def _org_and_members(principal: Principal | None, org_id: int, page: int) -> dict[str, Any]:
    with db.session_scope() as session:
        org = organizations.get(session, principal, org_id)
        members = organizations.members(session, principal, org_id, page=page)
        invitations = [
            {
                "id": i.id,
                "email": i.email,
                "role": i.role,
                "status": i.status,
                "sent": i.created_at.date().isoformat(),
            }
            for i in memberships.list_for_organization(session, principal, org_id)
        ]
        return {"org": org, "members": members, "invitations": invitations}


def _revoke_invitation(
    principal: Principal | None, org_id: int, invitation_id: int, meta: RequestMeta
) -> str:
    with db.session_scope() as session:
        return memberships.revoke(session, principal, org_id, invitation_id, meta=meta).email


def _add(
    principal: Principal | None,
    org_id: int,
    email: str,
    role: str,
    reason: str,
    meta: RequestMeta,
) -> bool:
    """True if a role was granted; False if an invitation was sent (the person must accept)."""
    with db.session_scope() as session:
        done = organizations.add_member(
            session, principal, org_id, email=email, role=role, reason=reason, meta=meta
        )
        return not isinstance(done, memberships.InvitationSent)


def _remove(
    principal: Principal | None, org_id: int, user_id: int, reason: str, meta: RequestMeta
) -> None:
    with db.session_scope() as session:
        organizations.remove_member(session, principal, org_id, user_id, reason=reason, meta=meta)
