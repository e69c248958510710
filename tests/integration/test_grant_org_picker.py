"""The admin user page's "Give a role" form offers organisations as the users page's filter does:
25 at most, by name, with a search to find another, and the one the person already holds a role
in even when it sorts past the 25. Before, the form loaded every organisation into its list."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import Role, RoleAssignment
from cyberhub.pages.admin_user import ROUTE, AdminUserState
from cyberhub.services.identity.users import ORG_CHOICES
from tests.factories import id_of, make_org, make_user, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def _open(page: AdminUserState, user_id: int) -> None:
    """The page opened at /admin/users/<user_id> (its on_load)."""
    opened_at(page, ROUTE, f"/admin/users/{user_id}")
    run_in_own_loop(AdminUserState.event_handlers["load"].fn(page))


def _a_learner_of_the_30th(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> tuple[AdminUserState, list[int]]:
    """30 organisations, "Campus 00" to "Campus 29"; an admin opens the page of a learner of the
    last one (past the 25 the form lists). The page, and the organisations' ids in order."""
    ids = [id_of(make_org(session, f"Campus {i:02d}")) for i in range(30)]
    person = make_user(session, "learner@example.org")
    session.add(RoleAssignment(user_id=id_of(person), role=Role.student, organization_id=ids[-1]))
    session.commit()
    admin = principal(session, make_user(session, "admin@example.org", "admin"))
    page = page_state(AdminUserState, session, admin, monkeypatch)
    _open(page, id_of(person))
    return page, ids


def test_the_grant_form_offers_25_organisations_and_finds_the_rest(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, ids = _a_learner_of_the_30th(session, monkeypatch)

    names = [o.name for o in page.organizations]
    # Their own organisation first (chosen, though it sorts past the 25), then the first 25.
    assert names[0] == "Campus 29"
    assert names[1:] == [f"Campus {i:02d}" for i in range(ORG_CHOICES)]
    assert page.new_org == str(ids[-1])
    assert (page.organizations_shown, page.organizations_total) == (ORG_CHOICES, 30)
    # "The organization list offers the first 25 of 30 organizations by name (and the one
    # chosen): find one by name to narrow it."
    assert page.more_organizations and page.organizations_kept
    assert not page.no_organization_found

    run_in_own_loop(AdminUserState.event_handlers["find_organization"].fn(page, {"q": " 27 "}))

    assert [o.name for o in page.organizations] == ["Campus 29", "Campus 27"]
    assert (page.organizations_shown, page.organizations_total, page.org_query) == (1, 1, "27")
    assert not page.more_organizations
    assert page.new_org == str(ids[-1])  # what was chosen stays chosen and listed

    page.new_org = str(ids[27])
    run_in_own_loop(AdminUserState.event_handlers["find_organization"].fn(page, {"q": "x" * 500}))
    assert page.org_query == "x" * 200  # capped, as every search box
    # No match, said so; the one chosen and their own organisation stay listed.
    assert [o.name for o in page.organizations] == ["Campus 27", "Campus 29"]
    assert page.no_organization_found and page.organizations_kept
    assert page.error == ""
    # The admin role (global), then another: the form is back on their own organisation, which
    # the list still holds (it was blank when only the chosen one was kept).
    AdminUserState.event_handlers["set_new_role"].fn(page, "admin")
    AdminUserState.event_handlers["set_new_role"].fn(page, "mentor")
    assert page.new_org == str(ids[-1])
    assert page.new_org in [o.id for o in page.organizations]


def test_their_organisation_stays_listed_while_global_is_chosen(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the admin role (Global) chosen, a search still lists the person's own organisation,
    so going back to another role finds it chosen and listed; a tampered choice is told to
    choose an organisation, as none at all is."""
    page, ids = _a_learner_of_the_30th(session, monkeypatch)

    AdminUserState.event_handlers["set_new_role"].fn(page, "admin")
    assert page.new_org == "global"
    run_in_own_loop(AdminUserState.event_handlers["find_organization"].fn(page, {"q": "27"}))
    assert [o.name for o in page.organizations] == ["Campus 29", "Campus 27"]
    AdminUserState.event_handlers["set_new_role"].fn(page, "mentor")
    assert page.new_org == str(ids[-1])

    for tampered in ("²", "99999999999", "global"):
        page.new_org = tampered
        run_in_own_loop(AdminUserState.event_handlers["assign"].fn(page, {"reason": "Mentors"}))
        assert page.assign_error == "Choose an organization: only the admin role can be global."
        assert page.new_reason == "Mentors"  # what was typed is kept
    assert (
        session.exec(select(RoleAssignment).where(RoleAssignment.role == Role.mentor)).all() == []
    )


def test_a_search_for_markup_finds_it_as_text(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_org(session, "<img src=x onerror=alert(1)> Academy")
    make_org(session, "Plain Campus")
    person = make_user(session, "learner@example.org")
    admin = principal(session, make_user(session, "admin@example.org", "admin"))
    page = page_state(AdminUserState, session, admin, monkeypatch)
    _open(page, id_of(person))

    run_in_own_loop(
        AdminUserState.event_handlers["find_organization"].fn(page, {"q": "<img src=x"})
    )

    assert [o.name for o in page.organizations] == ["<img src=x onerror=alert(1)> Academy"]


def test_only_admins_get_the_organisations(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org(session, "Campus")
    director = principal(
        session, make_user(session, "d@example.org", "director", organization_id=id_of(org))
    )
    page = page_state(AdminUserState, session, director, monkeypatch)
    run_in_own_loop(AdminUserState.event_handlers["find_organization"].fn(page, {"q": ""}))
    assert page.organizations == []
    assert page.error  # refused by the service, not only hidden by the page's guard


def test_the_next_person_s_form_keeps_nothing_of_the_last_one_s(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening another person's page after one whose organisation sorts past the 25: their form
    starts on their own organisation (or the first by name), not the last person's, and with
    the mentor role, whatever was chosen on the last page."""
    page, ids = _a_learner_of_the_30th(session, monkeypatch)
    AdminUserState.event_handlers["set_new_role"].fn(page, "admin")
    newcomer = make_user(session, "newcomer@example.org")
    _open(page, id_of(newcomer))
    assert page.new_role == "mentor"
    assert page.new_org == str(ids[0]) == page.default_org  # "Campus 00", the first by name
    assert [o.name for o in page.organizations][:2] == ["Campus 00", "Campus 01"]
    assert "Campus 29" not in [o.name for o in page.organizations]
    assert not page.organizations_kept


def test_assign_sent_twice_gives_the_role_once_and_keeps_its_notice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click on "Assign role": the second submit's "already has that role" replaced
    "Gave … the mentor role"."""
    page, ids = _a_learner_of_the_30th(session, monkeypatch)
    page.new_role, page.new_org = "mentor", str(ids[-1])
    assign = AdminUserState.event_handlers["assign"].fn
    run_in_own_loop(assign(page, {"reason": "Runs the Tuesday labs."}))
    notice = page.notice
    assert notice.startswith("Gave learner@example.org the mentor role") and not page.assign_error
    run_in_own_loop(assign(page, {"reason": "Runs the Tuesday labs."}))
    assert (page.notice, page.assign_error) == (notice, "")
