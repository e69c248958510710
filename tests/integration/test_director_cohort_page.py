"""A director's cohort page (its states): a double click enrols or approves once and the first
click's notice stays (it showed "already enrolled" / "only pending ones can be approved" for
something that worked); opening another cohort, learner or mission shows the spinner first,
not the last one's page, and none of what was typed for the last cohort."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub.models import Enrollment
from cyberhub.pages.coaching.coach_state import CoachPlanState, LineView
from cyberhub.pages.director_cohort import ROUTE, CohortEnrolmentState, DirectorCohortState
from cyberhub.pages.mentee import ROUTE as MENTEE_ROUTE
from cyberhub.pages.mentee import MenteeState
from cyberhub.services.learning import applications
from cyberhub.state import resubmit
from tests.factories import World, id_of, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _cohort_page(
    state: type[Any], session: Session, w: World, monkeypatch: pytest.MonkeyPatch
) -> Any:
    page = page_state(state, session, principal(session, w.director), monkeypatch)
    opened_at(page, ROUTE, f"/director/cohorts/{id_of(w.cohort)}")
    run_in_own_loop(state.event_handlers["load"].fn(page))
    return page


def test_enrol_sent_twice_enrols_once_and_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _cohort_page(DirectorCohortState, session, world, monkeypatch)
    form = {"email": world.outsider_student.email, "full_name": ""}
    enroll = DirectorCohortState.event_handlers["enroll"].fn
    run_in_own_loop(enroll(page, form))
    run_in_own_loop(enroll(page, form))  # the double click's second submit, same form
    assert page.notice == f"Enrolled {world.outsider_student.email}."
    assert page.enroll_error == ""
    seats = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == id_of(world.cohort),
            Enrollment.student_id == id_of(world.outsider_student),
        )
    ).all()
    assert len(seats) == 1
    # Typing that learner again later still says so (the page is not silent for a new try).
    page2 = _cohort_page(DirectorCohortState, session, world, monkeypatch)
    run_in_own_loop(enroll(page2, form))
    assert "already" in page2.enroll_error


def test_a_learner_withdrawn_and_enrolled_again_on_the_same_visit_is_enrolled(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enrol, withdraw (by mistake), type the address again: enrolled again. The double-click
    guard remembered the address for the whole visit, so Enrol did nothing at all."""
    page = _cohort_page(DirectorCohortState, session, world, monkeypatch)
    email = world.outsider_student.email
    enroll = DirectorCohortState.event_handlers["enroll"].fn
    run_in_own_loop(enroll(page, {"email": email, "full_name": ""}))
    page.withdraw_id, page.withdraw_name = id_of(world.outsider_student), "Them"
    run_in_own_loop(DirectorCohortState.event_handlers["withdraw"].fn(page))
    assert page.notice == "Them was withdrawn from the cohort."
    monkeypatch.setattr(resubmit, "AGAIN_SECONDS", 0.0)  # the seconds a retyping takes pass
    run_in_own_loop(enroll(page, {"email": email, "full_name": ""}))
    assert (page.notice, page.enroll_error) == (f"Enrolled {email}.", "")
    seat = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == id_of(world.cohort),
            Enrollment.student_id == id_of(world.outsider_student),
        )
    ).one()
    session.refresh(seat)
    assert seat.status == "active"


def test_approve_clicked_twice_approves_once_and_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = id_of(world.cohort)
    director = principal(session, world.director)
    applications.set_enrolment(session, director, cid, mode="application")
    applied = applications.apply(session, principal(session, world.outsider_student), cid)
    session.commit()
    page = _cohort_page(CohortEnrolmentState, session, world, monkeypatch)
    assert [r.id for r in page.pending] == [applied.id]
    approve = CohortEnrolmentState.event_handlers["approve"].fn
    run_in_own_loop(approve(page, applied.id))
    notice = page.notice
    assert notice.endswith("is enrolled.") and page.error == ""
    run_in_own_loop(approve(page, applied.id))  # the second click of a double click
    assert (page.notice, page.error) == (notice, "")


def test_another_cohort_opens_on_its_spinner_with_empty_forms(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _cohort_page(DirectorCohortState, session, world, monkeypatch)
    assert page.cohort.name == world.cohort.name
    page.csv_text, page.enroll_email, page.mentor_email = "a@x.org,A", "b@x.org", "c@x.org"
    page.mentor_capacity = "3"
    opened_at(page, ROUTE, f"/director/cohorts/{id_of(world.other_cohort)}")
    steps = DirectorCohortState.event_handlers["load"].fn(page)

    async def first_step() -> None:
        await steps.__anext__()

    run_in_own_loop(first_step())
    # What the browser is sent before the other cohort is read: the spinner, empty forms.
    assert page.loading is True
    assert (page.csv_text, page.enroll_email, page.mentor_email) == ("", "", "")
    assert page.mentor_capacity == "10"


def test_another_learner_opens_on_the_spinner_not_the_last_learner(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = page_state(MenteeState, session, principal(session, world.mentor), monkeypatch)
    opened_at(page, MENTEE_ROUTE, f"/mentees/{id_of(world.student)}")
    run_in_own_loop(MenteeState.event_handlers["load"].fn(page))
    assert page.loading is False and page.error == ""
    steps = MenteeState.event_handlers["load"].fn(page)

    async def first_step() -> None:
        await steps.__anext__()

    run_in_own_loop(first_step())
    assert page.loading is True  # the page shows its spinner, not the learner read before


def test_another_learner_s_page_does_not_show_the_last_learner_s_coach_plan(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coach's plan card is emptied before the next learner's plan is read (the last
    learner's focus and nudges showed under the new name until it came)."""
    page = page_state(CoachPlanState, session, principal(session, world.mentor), monkeypatch)
    opened_at(page, MENTEE_ROUTE, f"/mentees/{id_of(world.student2)}")
    page.plan_state, page.plan_loading = "ready", False
    page.focus = [LineView(text="Finish the port scan lab.", evidence=[])]
    steps = CoachPlanState.event_handlers["load_mentee"].fn(page)

    async def first_step() -> None:
        await steps.__anext__()

    run_in_own_loop(first_step())
    assert (page.plan_loading, page.plan_state, page.focus) == (True, "", [])
