"""The organisation page's invitations: Revoke asks first, and a revocation refused (the
invitation was accepted or revoked meanwhile) says why above the invitations, with the list as
it is now (it showed the message in the "Add a member" form)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.admin_organizations import DETAIL_ROUTE
from cyberhub.pages.admin_organizations.data import add
from cyberhub.pages.admin_organizations.state import OrganizationState
from cyberhub.services.admin.audit import NO_META
from cyberhub.services.identity import memberships
from tests.factories import World, id_of, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def test_a_refused_revocation_is_said_above_the_invitations(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    director = principal(session, world.director)
    org_id = id_of(world.org)
    assert add(session, director, org_id, "invitee@example.org", "student", "", NO_META) is False
    session.commit()
    page = page_state(OrganizationState, session, director, monkeypatch)
    opened_at(page, DETAIL_ROUTE, f"/admin/organizations/{org_id}")
    run_in_own_loop(OrganizationState.event_handlers["load"].fn(page))
    [row] = [i for i in page.invitations if i.email == "invitee@example.org"]
    OrganizationState.event_handlers["ask_revoke"].fn(page, row)
    assert (page.revoke_open, page.revoke_email) == (True, "invitee@example.org")
    # Meanwhile another director (another tab) revokes it.
    memberships.revoke(session, director, org_id, row.id)
    session.commit()
    run_in_own_loop(OrganizationState.event_handlers["revoke_invitation"].fn(page))
    assert page.revoke_open is False
    assert page.invitations_error and page.add_error == "" and page.notice == ""
    [now] = [i for i in page.invitations if i.id == row.id]
    assert now.status != "pending"  # the list as it is now: no Revoke offered
