"""The organisation page after its last page of members empties (the only member there removed)
shows the last page that has members, not an empty page past the end."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session

from cyberhub.models import Invitation, InvitationStatus
from cyberhub.models.base import utcnow
from cyberhub.pages.admin_organizations.data import org_page
from cyberhub.services.identity import memberships, organizations
from tests.factories import id_of, make_org, make_user, principal

pytestmark = [pytest.mark.integration]


def test_removing_the_last_page_s_only_member_shows_the_page_before(session: Session) -> None:
    tag = uuid.uuid4().hex[:6]
    org = make_org(session)
    org_id = id_of(org)
    admin = principal(session, make_user(session, f"admin-{tag}@example.org", "admin"))
    people = [
        make_user(session, f"m{i:02d}-{tag}@example.org", "student", organization_id=org_id)
        for i in range(organizations.PAGE_SIZE + 1)
    ]
    second = org_page(session, admin, org_id, 2)
    assert [m.id for m in second.members] == [id_of(people[-1])]
    assert second.pages == 2

    organizations.remove_member(session, admin, org_id, id_of(people[-1]), reason="Moved on")
    session.commit()
    after = org_page(session, admin, org_id, 2)
    assert len(after.members) == organizations.PAGE_SIZE
    assert (after.page, after.pages, after.total) == (1, 1, organizations.PAGE_SIZE)


def test_an_admin_is_not_offered_the_admin_role_for_one_organisation(session: Session) -> None:
    """The admin role is global only (roles.assign_role refuses it with an organisation): the
    organisation page's role choices leave it out rather than offer a choice that always fails."""
    tag = uuid.uuid4().hex[:6]
    org_id = id_of(make_org(session))
    admin = principal(session, make_user(session, f"admin-{tag}@example.org", "admin"))
    choices = org_page(session, admin, org_id, 1).role_options
    assert "admin" not in choices
    assert {"student", "mentor", "director", "sponsor"} <= set(choices)


def test_the_invitations_shown_are_the_pending_then_the_latest_with_how_many_there_are(
    session: Session,
) -> None:
    """The organisation page listed every invitation ever sent, accepted, revoked and expired
    ones included: a list that only grew. It shows the pending ones first (those a manager can
    still revoke), then the latest others, INVITATIONS_SHOWN at most, and says how many there
    are in all."""
    tag = uuid.uuid4().hex[:6]
    org = make_org(session)
    org_id = id_of(org)
    admin = principal(session, make_user(session, f"admin-{tag}@example.org", "admin"))
    now = utcnow()
    shown = memberships.INVITATIONS_SHOWN

    def invite(i: int, status: InvitationStatus, age: timedelta) -> None:
        session.add(
            Invitation(
                organization_id=org_id,
                email=f"i{i:03d}-{tag}@example.org",
                token_hash=f"{tag}{i:058d}",
                status=status,
                created_at=now - age,
                expires_at=now - age + timedelta(days=memberships.INVITATION_DAYS),
            )
        )

    invite(0, InvitationStatus.pending, timedelta(days=3))  # older than every decided one
    for i in range(1, shown + 10):
        invite(i, InvitationStatus.accepted, timedelta(hours=i))
    session.commit()
    page = org_page(session, admin, org_id, 1)
    assert len(page.invitations) == shown and page.invitations_total == shown + 10
    assert page.invitations[0].email == f"i000-{tag}@example.org"
    assert page.invitations[0].status == "pending"
    assert [i.email for i in page.invitations[1:3]] == [
        f"i001-{tag}@example.org",
        f"i002-{tag}@example.org",
    ]
