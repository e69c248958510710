"""The admin users page's organisation filter offers users.ORG_CHOICES organisations at most,
found by name, instead of loading every organisation there is."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.admin_users import AdminUsersState
from cyberhub.services.identity.users import ORG_CHOICES
from tests.factories import id_of, make_org, make_user, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def test_the_organisation_filter_is_capped_and_found_by_name(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more organisations than the filter offers, it lists ORG_CHOICES and says how many
    there are; finding "Harbour" offers only those; the organisation the list is filtered by
    stays offered whatever was searched."""
    for n in range(ORG_CHOICES + 5):
        make_org(session, f"Inland school {n:03d}")
    harbour = [make_org(session, f"Harbour college {n}") for n in range(2)]
    admin = principal(session, make_user(session, "root@example.org", "admin"))
    page = page_state(AdminUsersState, session, admin, monkeypatch)
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(page))
    assert len(page.organizations) == ORG_CHOICES
    assert page.organizations_total >= ORG_CHOICES + 7 and page.more_organizations

    run_in_own_loop(AdminUsersState.event_handlers["find_organization"].fn(page, {"org_q": "harb"}))
    assert [o.name for o in page.organizations] == ["Harbour college 0", "Harbour college 1"]
    assert page.organizations_total == 2 and not page.more_organizations

    chosen = str(id_of(harbour[1]))
    run_in_own_loop(AdminUsersState.event_handlers["set_organization"].fn(page, chosen))
    run_in_own_loop(
        AdminUsersState.event_handlers["find_organization"].fn(page, {"org_q": "school 001"})
    )
    assert [o.name for o in page.organizations] == ["Harbour college 1", "Inland school 001"]
    assert page.organization == chosen
