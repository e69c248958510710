"""Membership by consent: invitations to an organisation, answering them, and leaving.

Directors (of that organisation) and admins send, list and revoke invitations; the invited
person accepts or declines with the link's token, signed in as the invited address. Answering
and leaving need a browser or password session: an API key never joins or leaves for its owner.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cyberhub.api.deps import CurrentUser, Id, MetaDep, Page, PageSize, SessionDep, SessionUser
from cyberhub.models import Role
from cyberhub.schemas.identity import InvitationPublic, InvitationsPage, LeftOrganization
from cyberhub.services.identity import memberships

router = APIRouter(tags=["organizations"])


class InvitationIn(BaseModel):
    email: str = Field(max_length=320)
    role: str = Field(default=Role.student.value, max_length=20)


@router.post(
    "/organizations/{org_id}/invitations", status_code=201, response_model=InvitationPublic
)
def send_invitation(
    org_id: Id, body: InvitationIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> InvitationPublic:
    """Invite an e-mail address (new or existing account) to join with a role on acceptance."""
    sent = memberships.invite(
        session, principal, org_id, email=body.email, role=body.role, meta=meta
    )
    return sent.invitation


@router.get("/organizations/{org_id}/invitations", response_model=InvitationsPage)
def list_invitations(
    org_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = memberships.INVITATIONS_PAGE_SIZE,
) -> InvitationsPage:
    """One page of the organisation's invitations with their status, newest first."""
    return memberships.list_for_organization(
        session, principal, org_id, page=page, page_size=page_size
    )


@router.delete("/organizations/{org_id}/invitations/{inv_id}", response_model=InvitationPublic)
def revoke_invitation(
    org_id: Id, inv_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> InvitationPublic:
    """Withdraw a pending invitation; its link stops working."""
    return memberships.revoke(session, principal, org_id, inv_id, meta=meta)


@router.post("/invitations/{token}/accept", response_model=InvitationPublic)
def accept_invitation(
    token: str, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> InvitationPublic:
    """Join the organisation (and receive the invited role)."""
    return memberships.accept(session, principal, token[:200], meta=meta)


@router.post("/invitations/{token}/decline", response_model=InvitationPublic)
def decline_invitation(
    token: str, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> InvitationPublic:
    """Decline: nothing is shared with the organisation."""
    return memberships.decline(session, principal, token[:200], meta=meta)


@router.get("/me/invitations", response_model=list[InvitationPublic])
def my_invitations(principal: CurrentUser, session: SessionDep) -> list[InvitationPublic]:
    """The caller's pending invitations."""
    return memberships.my_invitations(session, principal)


@router.post("/organizations/{org_id}/leave", response_model=LeftOrganization)
def leave_organization(
    org_id: Id, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> LeftOrganization:
    """Leave the organisation: every role held there is revoked."""
    removed = memberships.leave(session, principal, org_id, meta=meta)
    return LeftOrganization(organization_id=org_id, removed_roles=removed)
