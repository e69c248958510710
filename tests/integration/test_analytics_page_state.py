"""The director analytics page's states (pages/director_analytics) driven against the test's
database: what they show when a load is refused, and the roster after a mentor is assigned."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.pages.director_analytics.roster import AnalyticsRosterState
from cyberhub.pages.director_analytics.state import DirectorAnalyticsState
from cyberhub.services.errors import NotFound
from cyberhub.services.learning import analytics
from tests.factories import World, id_of
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _page(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    return page_state(
        DirectorAnalyticsState, session, world.p(session, world.director), monkeypatch
    )


def test_refused_filters_leave_no_figures_of_the_previous_ones(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dates in the wrong order ("from" after "to") were refused under the figures of the
    filters before: the programme's whole history read as that range. Nothing is shown but the
    refusal and the filters to correct."""
    page = _page(session, world, monkeypatch)
    load = DirectorAnalyticsState.event_handlers["load"].fn

    def open_with(**query: str) -> None:
        at_address(DirectorAnalyticsState, monkeypatch, program=str(id_of(world.program)), **query)
        run_in_own_loop(load(page))

    open_with()
    assert page.error == "" and page.funnel[0].learners == 3
    open_with(**{"from": "2026-05-01", "to": "2026-04-01"})
    assert page.error == "The start of the date range must not be after its end."
    assert (page.funnel, page.weekly, page.approvals, page.at_risk) == ([], [], [], [])
    assert (page.track_mix, page.backlog, page.turnaround, page.mentor_load) == ([], [], [], [])
    assert page.has_learners is False and page.as_of == ""
    # The filters stay offered, to correct the dates.
    assert page.cohort_options and page.program_options
    assert (page.date_from, page.date_to) == ("2026-05-01", "2026-04-01")
    open_with(**{"from": "2026-04-01", "to": "2026-05-01"})
    assert page.error == "" and page.funnel[0].learners == 3


def _roster(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    roster = page_state(
        AnalyticsRosterState, session, world.p(session, world.director), monkeypatch
    )
    at_address(AnalyticsRosterState, monkeypatch, cohort=str(id_of(world.cohort)))
    run_in_own_loop(AnalyticsRosterState.event_handlers["load"].fn(roster))
    return roster


def test_a_mentor_assigned_from_the_at_risk_list_shows_in_the_roster(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice said "… now mentors Juma" while the roster below still showed "—"."""
    page = _page(session, world, monkeypatch)
    roster = _roster(session, world, monkeypatch)

    def mentor_of(user_id: int) -> str:
        return next(r.mentor for r in roster.items if r.student_id == user_id)

    learner = id_of(world.student2)
    assert world.mentor.full_name not in mentor_of(learner)
    target = {"cohort_id": id_of(world.cohort), "student_id": learner, "name": "Juma"}
    run_in_own_loop(DirectorAnalyticsState.event_handlers["open_mentor"].fn(page, target))
    page.mentor_choice = str(id_of(world.mentor))
    asked = run_in_own_loop(DirectorAnalyticsState.event_handlers["assign_mentor"].fn(page))
    assert page.notice.endswith("now mentors Juma.")
    assert asked == AnalyticsRosterState.refresh
    run_in_own_loop(AnalyticsRosterState.event_handlers["refresh"].fn(roster))
    assert world.mentor.full_name in mentor_of(learner)


def test_a_roster_that_cannot_be_read_says_so_and_shows_no_old_rows(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roster's refusal was kept but never shown: the block said "Nobody is enrolled in
    this cohort yet", or kept the rows of the search before."""
    roster = _roster(session, world, monkeypatch)
    assert roster.items and roster.error == ""

    def refused(*_: object, **__: object) -> None:
        raise NotFound("That cohort does not exist.")

    monkeypatch.setattr(analytics, "cohort_roster", refused)
    run_in_own_loop(AnalyticsRosterState.event_handlers["search"].fn(roster, {"q": "a"}))
    assert roster.error == "That cohort does not exist."
    assert (roster.items, roster.total) == ([], 0)
