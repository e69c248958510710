"""The director analytics page's state (pages/director_analytics) driven against the test's
database: what it shows when a load is refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.pages.director_analytics.state import DirectorAnalyticsState
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
