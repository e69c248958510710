"""Membership by consent: invitations to an organisation, answering them, and leaving.

Directors (of that organisation) and admins send, list and revoke invitations; the invited
person accepts or declines with the link's token, signed in as the invited address. Answering
and leaving need a browser or password session: an API key never joins or leaves for its owner.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cyberhub.api.deps import CurrentUser, Id, MetaDep, SessionDep, SessionUser
from cyberhub.models import Role
from cyberhub.services.identity import memberships

router = APIRouter(tags=["organizations"])


class InvitationIn(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(default=Role.student.value, max_length=20)


def _json(inv: memberships.InvitationPublic) -> dict[str, Any]:
    data = asdict(inv)
    data["created_at"] = inv.created_at.isoformat()
    data["expires_at"] = inv.expires_at.isoformat()
    return data


@router.post("/organizations/{org_id}/invitations", status_code=201)
def send_invitation(
    org_id: Id, body: InvitationIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Invite an e-mail address (new or existing account) to join with a role on acceptance."""
    sent = memberships.invite(
        session, principal, org_id, email=body.email, role=body.role, meta=meta
    )
    return _json(sent.invitation)


@router.get("/organizations/{org_id}/invitations")
def list_invitations(
    org_id: Id, principal: CurrentUser, session: SessionDep
) -> list[dict[str, Any]]:
    """The organisation's invitations with their status, newest first."""
    return [_json(i) for i in memberships.list_for_organization(session, principal, org_id)]


@router.delete("/organizations/{org_id}/invitations/{inv_id}")
def revoke_invitation(
    org_id: Id, inv_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Withdraw a pending invitation; its link stops working."""
    return _json(memberships.revoke(session, principal, org_id, inv_id, meta=meta))


@router.post("/invitations/{token}/accept")
def accept_invitation(
    token: str, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Join the organisation (and receive the invited role)."""
    return _json(memberships.accept(session, principal, token[:200], meta=meta))


@router.post("/invitations/{token}/decline")
def decline_invitation(
    token: str, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Decline: nothing is shared with the organisation."""
    return _json(memberships.decline(session, principal, token[:200], meta=meta))


@router.get("/me/invitations")
def my_invitations(principal: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    """The caller's pending invitations."""
    return [_json(i) for i in memberships.my_invitations(session, principal)]


@router.post("/organizations/{org_id}/leave")
def leave_organization(
    org_id: Id, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """Leave the organisation: every role held there is revoked."""
    return {
        "organization_id": org_id,
        "removed_roles": memberships.leave(session, principal, org_id, meta=meta),
    }
