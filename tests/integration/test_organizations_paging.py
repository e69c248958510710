"""GET /admin/organizations and /admin/organizations list the organizations 25 a page, searched
by name, instead of every organization at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.pages.admin_organizations import OrganizationsState
from cyberhub.services.admin.audit import NO_META
from cyberhub.services.identity.organizations import ORGANIZATIONS_PAGE_SIZE
from tests.factories import bearer, id_of, make_org, make_user, principal
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.admin, pytest.mark.integration]

API = "/api/v1"


def campuses(session: Session, how_many: int, name: str = "Campus") -> list[int]:
    return [id_of(make_org(session, f"{name} {i:02d}")) for i in range(how_many)]


def test_the_page_shows_25_organizations_a_page_and_a_search_in_its_address(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """27 organizations: the page shows 25 and "Page 1 of 2"; ?page=2 the other 2; a search
    for a name shows the matching ones only; a page past the last shows the last."""
    campuses(session, 26)
    make_org(session, "Lakeside Institute")
    admin = principal(session, make_user(session, "admin@example.org", "admin"))
    page = page_state(OrganizationsState, session, admin, monkeypatch)
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert (len(page.items), page.total, page.page, page.pages) == (25, 27, 1, 2)
    assert page.items[0].name == "Campus 00"

    at_address(OrganizationsState, monkeypatch, page="2")
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert [o.name for o in page.items] == ["Campus 25", "Lakeside Institute"]
    assert page.page == 2

    at_address(OrganizationsState, monkeypatch, q="LAKESIDE")
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert [o.name for o in page.items] == ["Lakeside Institute"]
    assert (page.total, page.page, page.pages, page.query) == (1, 1, 1, "LAKESIDE")

    at_address(OrganizationsState, monkeypatch, page="9")
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert (len(page.items), page.page) == (2, 2)


def test_the_api_pages_and_searches_organizations_like_the_other_lists(
    session: Session, db_url: str
) -> None:
    """{items, total, page, pages} with page, page_size and q; page 2 holds the rest; a page
    past the last is empty with the total; a bad page or an overlong search is a 422."""
    campuses(session, ORGANIZATIONS_PAGE_SIZE + 3)
    make_org(session, "Zeta 50%_Off Academy")
    make_user(session, "admin@example.org", "admin")
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, "admin@example.org")
        first = client.get(f"{API}/organizations").json()
        assert (first["total"], first["page"], first["pages"]) == (29, 1, 2)
        assert len(first["items"]) == ORGANIZATIONS_PAGE_SIZE
        second = client.get(f"{API}/organizations", params={"page": 2}).json()
        assert [o["name"] for o in second["items"]] == [
            "Campus 25",
            "Campus 26",
            "Campus 27",
            "Zeta 50%_Off Academy",
        ]
        names = {o["name"] for o in first["items"] + second["items"]}
        assert len(names) == 29  # every organization exactly once
        beyond = client.get(f"{API}/organizations", params={"page": 3}).json()
        assert beyond["items"] == [] and beyond["total"] == 29
        found = client.get(f"{API}/organizations", params={"q": "50%_"}).json()
        assert [o["name"] for o in found["items"]] == ["Zeta 50%_Off Academy"]
        for params, field in (({"page": 0}, "page"), ({"q": "x" * 201}, "q")):
            refused = client.get(f"{API}/organizations", params=params)
            assert refused.status_code == 422, refused.text
            assert refused.json()["detail"].startswith(f"{field}:")


def test_a_director_pages_only_the_organizations_they_run(session: Session, db_url: str) -> None:
    mine = make_org(session, "Northwind Campus")
    campuses(session, 3, "Contoso")
    make_user(session, "dir@example.org", "director", organization_id=id_of(mine))
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, "dir@example.org")
        body = client.get(f"{API}/organizations", params={"q": "o"}).json()
        assert [o["name"] for o in body["items"]] == ["Northwind Campus"]
        assert (body["total"], body["pages"]) == (1, 1)


def test_a_new_organization_is_shown_even_when_it_sorts_past_the_first_page(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a full first page, the organization just created (sorting last) is on screen: the
    list shows it found by its name, and the address says so."""
    campuses(session, ORGANIZATIONS_PAGE_SIZE + 1)
    admin = principal(session, make_user(session, "admin@example.org", "admin"))
    page = page_state(OrganizationsState, session, admin, monkeypatch)
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    monkeypatch.setattr(OrganizationsState, "_meta", lambda _: NO_META)
    run_in_own_loop(
        OrganizationsState.event_handlers["create"].fn(
            page, {"name": "Zanzibar Campus", "slug": "", "description": ""}
        )
    )
    assert page.notice == "Created Zanzibar Campus (zanzibar-campus)."
    assert [o.name for o in page.items] == ["Zanzibar Campus"]
    assert page.address == "/admin/organizations?q=Zanzibar+Campus"


def test_a_created_organization_stays_announced_when_its_address_follows(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Creating an organization shows it found by its name, with "Created …": the page then
    goes to that list's address, and the on_load that follows keeps the notice (it cleared it,
    so the notice flashed and vanished, and the table jumped up under a pointer). Opening the
    page afresh later clears it."""
    campuses(session, 3)
    admin = principal(session, make_user(session, "admin@example.org", "admin"))
    page = page_state(OrganizationsState, session, admin, monkeypatch)
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    run_in_own_loop(
        OrganizationsState.event_handlers["create"].fn(
            page, {"name": "Lake Campus", "slug": "", "description": ""}
        )
    )
    assert page.notice.startswith("Created Lake Campus")
    assert page.address == "/admin/organizations?q=Lake+Campus"

    at_address(OrganizationsState, monkeypatch, q="Lake Campus")
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert page.notice.startswith("Created Lake Campus")
    assert [o.name for o in page.items] == ["Lake Campus"]

    at_address(OrganizationsState, monkeypatch)
    run_in_own_loop(OrganizationsState.event_handlers["load"].fn(page))
    assert page.notice == ""
    assert len(page.items) == 4
