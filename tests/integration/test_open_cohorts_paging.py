"""/cohorts and GET /enrolment/cohorts list the cohorts on offer a page at a time, searched by
the cohort's, its programme's or its organisation's name, instead of every open cohort of every
organisation at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import Cohort, EnrolmentMode, User
from cyberhub.pages.cohorts import CohortsState
from cyberhub.services.admin.audit import NO_META
from tests.factories import login, make_cohort, make_org, make_program, make_user, principal
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.student, pytest.mark.integration]

API = "/api/v1"


def offered(session: Session, org_name: str, how_many: int) -> list[Cohort]:
    """`how_many` cohorts of a new organisation taking applications."""
    program = make_program(session, make_org(session, org_name), f"{org_name} programme")
    cohorts = []
    for i in range(how_many):
        c = make_cohort(session, program, name=f"{org_name} cohort {i:02d}", starts_in_days=i)
        c.enrolment_mode = EnrolmentMode.application
        session.add(c)
        cohorts.append(c)
    session.commit()
    return cohorts


def learner(session: Session) -> User:
    return make_user(session, "learner@example.org")


def test_the_page_shows_a_page_of_cohorts_with_a_pager_and_a_search_in_its_address(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 cohorts on offer: the page shows 20 and "Page 1 of 2"; ?page=2 the other 5; a search
    for one organisation's name shows its cohorts only, both read from the address."""
    offered(session, "Northwind", 22)
    offered(session, "Contoso", 3)
    me = principal(session, learner(session))
    page = page_state(CohortsState, session, me, monkeypatch)
    run_in_own_loop(CohortsState.event_handlers["load"].fn(page))
    assert (len(page.offers), page.total, page.page, page.pages) == (20, 25, 1, 2)

    at_address(CohortsState, monkeypatch, page="2")
    run_in_own_loop(CohortsState.event_handlers["load"].fn(page))
    assert (len(page.offers), page.page) == (5, 2)

    at_address(CohortsState, monkeypatch, q="contoso")
    run_in_own_loop(CohortsState.event_handlers["load"].fn(page))
    assert sorted(o.name for o in page.offers) == [f"Contoso cohort {i:02d}" for i in range(3)]
    assert (page.total, page.page, page.pages, page.query) == (3, 1, 1, "contoso")


def test_the_api_pages_the_cohorts_on_offer_like_the_other_lists(
    session: Session, db_url: str
) -> None:
    """{items, total, page, pages} with page, page_size and q; a page_size over 100 is a 422."""
    offered(session, "Northwind", 4)
    offered(session, "Contoso", 2)
    user = learner(session)
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {login(client, user.email)['access_token']}"
        body = client.get(f"{API}/enrolment/cohorts", params={"page_size": 3, "page": 2}).json()
        assert (body["total"], body["page"], body["pages"], len(body["items"])) == (6, 2, 2, 3)
        found = client.get(f"{API}/enrolment/cohorts", params={"q": "NORTHWIND programme"})
        assert [o["organization"] for o in found.json()["items"]] == ["Northwind"] * 4
        refused = client.get(f"{API}/enrolment/cohorts", params={"page_size": 101})
        assert refused.status_code == 422 and "detail" in refused.json()


def test_apply_clicked_twice_applies_once_and_keeps_its_notice(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second click of a double click (its event runs after the first's): the card already
    says "applied", so nothing more happens and "You applied to …" stays, not "You have
    already applied"."""
    [cohort] = offered(session, "Northwind", 1)
    me = principal(session, learner(session))
    page = page_state(CohortsState, session, me, monkeypatch)
    monkeypatch.setattr(CohortsState, "_meta", lambda _: NO_META)
    at_address(CohortsState, monkeypatch)
    run_in_own_loop(CohortsState.event_handlers["load"].fn(page))
    apply = CohortsState.event_handlers["apply"].fn
    run_in_own_loop(apply(page, cohort.id))
    notice = page.notice
    assert notice.startswith("You applied to") and page.error == ""
    run_in_own_loop(apply(page, cohort.id))
    assert (page.notice, page.error) == (notice, "")
