"""The admin users page's organisation filter offers users.ORG_CHOICES organisations at most,
found by name, instead of loading every organisation there is."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.admin_users import AdminUsersState
from cyberhub.services.identity.users import ORG_CHOICES
from tests.factories import id_of, make_org, make_user, principal
from tests.page_states import at_address, page_state
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
    assert page.organizations_total == 1 and not page.more_organizations


def test_the_chosen_organisation_is_not_counted_among_the_matches_listed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ORG_CHOICES + 1 matches and the chosen organisation matching none, the filter lists
    ORG_CHOICES matches plus the chosen one: the note says a match is left out."""
    for n in range(ORG_CHOICES + 1):
        make_org(session, f"Coastal academy {n:03d}")
    chosen = make_org(session, "Upland institute")
    admin = principal(session, make_user(session, "root@example.org", "admin"))
    page = page_state(AdminUsersState, session, admin, monkeypatch)
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(page))
    run_in_own_loop(AdminUsersState.event_handlers["set_organization"].fn(page, str(id_of(chosen))))
    run_in_own_loop(
        AdminUsersState.event_handlers["find_organization"].fn(page, {"org_q": "coastal"})
    )
    assert len(page.organizations) == ORG_CHOICES + 1  # the matches offered and the chosen one
    assert page.organizations[0].name == "Upland institute"
    assert (page.organizations_shown, page.organizations_total) == (ORG_CHOICES, ORG_CHOICES + 1)
    assert page.more_organizations


def test_a_filter_value_naming_no_organisation_lists_everyone(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tampered organisation filter ("abc", "²", an id past the column's range) lists every
    user with the filter back on "all", instead of an error on this and every later search."""
    org = make_org(session, "Harbour college")
    make_user(session, "member@example.org", "student", organization_id=id_of(org))
    admin = principal(session, make_user(session, "root@example.org", "admin"))
    page = page_state(AdminUsersState, session, admin, monkeypatch)
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(page))
    everyone = page.total
    for tampered in ("abc", "²", "99999999999"):
        run_in_own_loop(AdminUsersState.event_handlers["set_organization"].fn(page, tampered))
        assert (page.error, page.total, page.organization) == ("", everyone, "all")
        run_in_own_loop(AdminUsersState.event_handlers["search"].fn(page, {"q": "member"}))
        assert [u.email for u in page.items] == ["member@example.org"] and page.error == ""
        run_in_own_loop(AdminUsersState.event_handlers["search"].fn(page, {"q": ""}))


def test_the_search_and_filters_are_in_the_address(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search and the filters put the list's address in the bar; opening that address (a
    reload, a shared link, Back) shows the same list, its organisation listed in the filter
    whatever sorts first; a tampered role or organisation in the address means "all"."""
    for n in range(ORG_CHOICES + 2):
        make_org(session, f"Inland school {n:03d}")
    org = make_org(session, "Zebra college")
    make_user(session, "zoe@example.org", "mentor", organization_id=id_of(org))
    make_user(session, "zack@example.org", "student", organization_id=id_of(org))
    admin = principal(session, make_user(session, "root@example.org", "admin"))
    page = page_state(AdminUsersState, session, admin, monkeypatch)
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(page))
    run_in_own_loop(AdminUsersState.event_handlers["set_role"].fn(page, "mentor"))
    run_in_own_loop(AdminUsersState.event_handlers["set_organization"].fn(page, str(id_of(org))))
    run_in_own_loop(AdminUsersState.event_handlers["search"].fn(page, {"q": " zo "}))
    assert [u.email for u in page.items] == ["zoe@example.org"]
    assert page.address == f"/admin/users?role=mentor&organization={id_of(org)}&q=zo"

    again = page_state(AdminUsersState, session, admin, monkeypatch)
    at_address(AdminUsersState, monkeypatch, role="mentor", organization=str(id_of(org)), q="zo")
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(again))
    assert (again.role, again.organization, again.query) == ("mentor", str(id_of(org)), "zo")
    assert [u.email for u in again.items] == ["zoe@example.org"]
    assert "Zebra college" in [o.name for o in again.organizations]  # sorts past the 25

    at_address(AdminUsersState, monkeypatch, role="overlord", organization="²", q="za")
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(again))
    assert (again.role, again.organization) == ("all", "all")
    assert [u.email for u in again.items] == ["zack@example.org"]
    assert again.address == "/admin/users?q=za" and again.address_replace  # the bar, in place

    # An organisation that does not exist (deleted since the link was made): everyone listed,
    # the filter back on "all", and the address says so.
    at_address(AdminUsersState, monkeypatch, organization="999999", q="z")
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(again))
    assert again.organization == "all" and again.error == ""
    assert sorted(u.email for u in again.items) == ["zack@example.org", "zoe@example.org"]
    assert again.address == "/admin/users?q=z"
