"""The organisation page after its last page of members empties (the only member there removed)
shows the last page that has members, not an empty page past the end."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from cyberhub.pages.admin_organizations.data import org_page
from cyberhub.services.identity import organizations
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
