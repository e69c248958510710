"""The director's cohort page shows its roster, pending applications and waitlist a page at a
time: a cohort may hold up to 10,000 learners, and every row carries its own mentor select and
buttons, so the page read and drew all of them at once. The roster is searched by name or
e-mail; each list keeps its place through an action, and falls back a page when its last row
goes (a learner withdrawn, a waitlist place removed)."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.models.base import utcnow
from cyberhub.models.certificates import Certificate
from cyberhub.pages.director_cohort import ROUTE, CohortEnrolmentState, DirectorCohortState
from cyberhub.pages.director_cohort.completion import CohortCompletionState
from cyberhub.pages.director_cohort.enrolment import PANEL_PAGE_SIZE
from cyberhub.services.learning import applications, certificates, programs
from tests.factories import World, enroll, id_of, make_user, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _opened(state: type[Any], session: Session, w: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    page = page_state(state, session, principal(session, w.director), monkeypatch)
    opened_at(page, ROUTE, f"/director/cohorts/{id_of(w.cohort)}")
    run_in_own_loop(state.event_handlers["load"].fn(page))
    return page


def _run(state: type[Any], page: Any, handler: str, *args: Any) -> Any:
    """Run the page's event `handler` as the browser would send it (a plain one at once)."""
    ran = state.event_handlers[handler].fn(page, *args)
    return run_in_own_loop(ran) if inspect.iscoroutine(ran) or inspect.isasyncgen(ran) else ran


def test_the_roster_comes_a_page_at_a_time_and_is_searched(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = programs.ROSTER_PAGE_SIZE
    # The world's two learners (Student, Student2) and enough more to fill a page and start one.
    for i in range(size):
        enroll(session, world.cohort, make_user(session, f"zz{i:02d}.pupil@example.org", "student"))
    session.commit()
    S = DirectorCohortState
    page = _opened(S, session, world, monkeypatch)
    assert (len(page.roster), page.roster_page, page.roster_pages) == (size, 1, 2)
    assert page.roster[0].email == world.student.email  # by name: "Student" before "Zz00.Pupil"
    _run(S, page, "go_roster", 2)
    assert [r.email for r in page.roster] == ["zz23.pupil@example.org", "zz24.pupil@example.org"]

    # Withdrawing the last page's learners one by one: the page before it once it is empty.
    for row in list(page.roster):
        _run(S, page, "ask_withdraw", row)
        _run(S, page, "withdraw")
    assert (page.roster_page, page.roster_pages, len(page.roster)) == (1, 1, size)
    assert page.notice == "Zz24.Pupil was withdrawn from the cohort."

    # A search finds by part of an e-mail or a name, over every page, from the first page.
    _run(S, page, "search_roster", {"q": "  ZZ1"})
    assert page.roster_q == "ZZ1" and page.roster_found == 10
    assert [r.email for r in page.roster][:2] == [
        "zz10.pupil@example.org",
        "zz11.pupil@example.org",
    ]
    _run(S, page, "search_roster", {"q": "student2"})
    assert [r.email for r in page.roster] == [world.student2.email] and page.roster_found == 1
    _run(S, page, "search_roster", {"q": "%"})  # typed as it is, not a wildcard
    assert page.roster == [] and page.roster_found == 0
    # An action (a mentor matched) keeps the search; Show everyone ends it.
    _run(S, page, "search_roster", {"q": "student2"})
    _run(S, page, "assign", id_of(world.student2), str(id_of(world.mentor)))
    assert page.notice.startswith("Matched with") and page.roster_q == "student2"
    assert [r.mentor_id for r in page.roster] == [id_of(world.mentor)]
    _run(S, page, "clear_roster_search")
    assert (page.roster_q, page.roster_found, len(page.roster)) == ("", size, size)
    # A new visit starts from everyone, on the first page.
    _run(S, page, "search_roster", {"q": "zz"})
    _run(S, page, "load")
    assert (page.roster_q, page.roster_page, page.roster_found) == ("", 1, size)


def test_pending_applications_and_the_waitlist_each_come_a_page_at_a_time(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = id_of(world.cohort)
    director = principal(session, world.director)
    # Full with the world's two learners: every approval goes to the waitlist.
    applications.set_enrolment(session, director, cid, mode="application", capacity=2)
    session.commit()
    waiting = PANEL_PAGE_SIZE + 1
    apps = []
    for i in range(waiting + 1):
        learner = make_user(session, f"q{i:02d}@example.org")
        apps.append(applications.apply(session, principal(session, learner), cid))
        session.commit()
    for app in apps[:waiting]:
        applications.approve(session, director, cid, app.id)
        session.commit()
    S = CohortEnrolmentState
    page = _opened(S, session, world, monkeypatch)
    assert [r.id for r in page.pending] == [apps[-1].id] and page.pending_pages == 1
    assert (page.settings.pending, page.settings.waitlist) == (1, waiting)
    assert [r.waitlist_position for r in page.waitlist] == list(range(1, PANEL_PAGE_SIZE + 1))
    assert (page.waitlist_page, page.waitlist_pages) == (1, 2)
    _run(S, page, "go_waitlist", 2)
    [last] = page.waitlist
    assert (last.id, last.waitlist_position) == (apps[waiting - 1].id, waiting)
    _run(S, page, "go_waitlist", 7)  # past the end (a stale click): the last page
    assert page.waitlist_page == 2

    # Removing the last page's one place: the page before it, and the badge's count follows.
    _run(S, page, "ask_reject", last)
    _run(S, page, "reject")
    assert page.error == ""
    assert (page.waitlist_page, page.waitlist_pages, len(page.waitlist)) == (1, 1, PANEL_PAGE_SIZE)
    assert page.settings.waitlist == waiting - 1
    # Approving the one pending application: it joins the waitlist's end, on a second page.
    _run(S, page, "approve", apps[-1].id)
    assert page.notice.endswith(f"is {applications.position_text(waiting)}.")
    assert page.pending == [] and page.waitlist_pages == 2


def test_completions_come_a_page_at_a_time_newest_first(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = certificates.COMPLETIONS_PAGE_SIZE
    now = utcnow()
    for i in range(size + 1):
        learner = make_user(session, f"done{i:02d}@example.org", "student")
        enroll(session, world.cohort, learner)
        session.add(
            Certificate(
                code=f"code-{i:02d}",
                user_id=id_of(learner),
                cohort_id=id_of(world.cohort),
                track_id=id_of(world.builders),
                issued_at=now.replace(microsecond=0) - timedelta(minutes=i),
            )
        )
    session.commit()
    S = CohortCompletionState
    page = _opened(S, session, world, monkeypatch)
    assert (len(page.rows), page.page, page.pages, page.total) == (size, 1, 2, size + 1)
    assert page.rows[0]["email"] == "done00@example.org"  # the newest first
    _run(S, page, "go_to", 2)
    assert [r["email"] for r in page.rows] == [f"done{size:02d}@example.org"]
    # Revoking keeps the page (a revoked certificate stays listed, saying so).
    _run(S, page, "ask_revoke", page.rows[0]["id"], page.rows[0]["name"])
    page.reason = "Issued by mistake."
    _run(S, page, "revoke")
    assert page.page == 2 and page.rows[0]["revoked"] and page.error == ""
    _run(S, page, "load")  # a new visit starts on the first page
    assert (page.page, len(page.rows)) == (1, size)
