"""The mentor home's mentees table is paged (MENTEES_PAGE_SIZE a page, by name) with the pager
the other paged lists have, instead of listing the first 200 and saying "The first 200 of N
mentees" with no way to reach the rest; GET /mentor/dashboard still lists the first MAX_MENTEES
and gives mentees_total."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.mentor_home.state import MentorHomeState
from cyberhub.services.learning import mentoring, reviews, submissions
from tests.factories import GOOD_ANSWER, World, assign, enroll, id_of, make_user, principal
from tests.integration.conftest import ClientFor
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def test_every_mentee_can_be_reached_page_by_page(
    session: Session, world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    for n in range(2):
        learner = make_user(session, f"more{n}@example.org", "student", organization_id=w.org.id)
        enroll(session, w.cohort, learner)
        assign(session, w.cohort, w.mentor, learner)
    mentor = principal(session, w.mentor)
    whole = mentoring.mentor_dashboard(session, mentor)
    assert (len(whole.mentees), whole.mentees_total) == (3, 3)
    names = [m.name for m in whole.mentees]
    page = page_state(MentorHomeState, session, mentor, monkeypatch)
    at_address(MentorHomeState, monkeypatch)
    run_in_own_loop(MentorHomeState.event_handlers["load"].fn(page))
    assert [m.name for m in page.mentees] == names
    assert (page.mentees_page, page.mentees_pages) == (1, 1)  # one page: no pager shown

    monkeypatch.setattr(mentoring, "MENTEES_PAGE_SIZE", 2)
    page = page_state(MentorHomeState, session, mentor, monkeypatch)
    run_in_own_loop(MentorHomeState.event_handlers["load"].fn(page))
    assert [m.name for m in page.mentees] == names[:2]
    assert (page.mentees_page, page.mentees_pages) == (1, 2)
    go_to = MentorHomeState.event_handlers["mentees_go_to"].fn
    run_in_own_loop(go_to(page, 2))
    assert [m.name for m in page.mentees] == names[2:]
    assert (page.mentees_page, page.mentees_pages) == (2, 2)
    run_in_own_loop(go_to(page, 9))  # past the end (the list shrank meanwhile): the last page
    assert [m.name for m in page.mentees] == names[2:] and page.mentees_page == 2
    run_in_own_loop(go_to(page, 1))
    assert [m.name for m in page.mentees] == names[:2] and page.mentees_page == 1

    # The API is not the page: it still lists the first MAX_MENTEES, and how many there are.
    monkeypatch.setattr(mentoring, "MAX_MENTEES", 2)
    body = client_for(w.mentor).get("/api/v1/mentor/dashboard").json()
    assert (len(body["mentees"]), body["mentees_total"]) == (2, 3)


def test_a_claim_from_the_learners_list_refused_says_so_beside_the_list(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another mentor claimed the work first: the refusal is shown above the learners list
    (not at the top of the page, out of sight) and the row no longer offers the claim."""
    w = world
    sub = submissions.submit(
        session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
    )
    session.commit()
    sid = id_of(sub)
    page = page_state(MentorHomeState, session, principal(session, w.comentor), monkeypatch)
    at_address(MentorHomeState, monkeypatch)
    run_in_own_loop(MentorHomeState.event_handlers["load"].fn(page))
    [row] = [x for x in page.learners if x.submission_id == sid]
    assert row.action == "claim"
    reviews.claim(session, principal(session, w.mentor), sid)  # the other mentor, first
    session.commit()
    claim = MentorHomeState.event_handlers["claim_from_list"].fn
    assert run_in_own_loop(claim(page, sid)) is None  # no review page opened
    assert page.learners_error and page.error == ""
    [row] = [x for x in page.learners if x.name == row.name]
    assert row.action != "claim"


def test_a_live_queue_update_moves_the_workload_figures_with_the_tabs(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mentee submits while the mentor home is open: the Pending tab and the Workload card
    both say 1 (the card said 0 until the page was opened again)."""
    mentor = principal(session, world.mentor)
    page = page_state(MentorHomeState, session, mentor, monkeypatch)
    at_address(MentorHomeState, monkeypatch)
    run_in_own_loop(MentorHomeState.event_handlers["load"].fn(page))
    assert (page.counts["pending"], page.workload.pending) == (0, "0")
    submissions.submit(
        session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
    )
    session.commit()
    run_in_own_loop(MentorHomeState.event_handlers["queue_changed"].fn(page))
    assert (page.counts["pending"], page.workload.pending) == (1, "1")
