"""The director analytics page's state (pages/director_analytics) driven against the test's
database: what it shows when a load is refused."""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from sqlmodel import Session

from cyberhub.pages.director_analytics.state import DirectorAnalyticsState
from cyberhub.services.errors import DomainError
from cyberhub.state.service import Outcome
from tests.factories import World, id_of
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _page(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    director = world.p(session, world.director)

    async def run_here(_: Any, fn: Any, *args: Any, **kwargs: Any) -> Outcome[Any]:
        try:
            return Outcome(value=fn(session, director, *args, **kwargs))
        except DomainError as exc:
            return Outcome(value=None, error=exc.message, code=type(exc).__name__)

    monkeypatch.setattr(DirectorAnalyticsState, "_try", run_here)
    page = rx.State().get_substate(DirectorAnalyticsState.get_full_name().split(".")[1:])
    assert isinstance(page, DirectorAnalyticsState)
    return page


def test_refused_filters_leave_no_figures_of_the_previous_ones(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dates in the wrong order ("from" after "to") were refused under the figures of the
    filters before: the programme's whole history read as that range. Nothing is shown but the
    refusal and the filters to correct."""
    page = _page(session, world, monkeypatch)
    page.program = str(id_of(world.program))
    run_in_own_loop(page._fetch())
    assert page.error == "" and page.funnel[0].learners == 3
    page.date_from, page.date_to = "2026-05-01", "2026-04-01"
    run_in_own_loop(page._fetch())
    assert page.error == "The start of the date range must not be after its end."
    assert (page.funnel, page.weekly, page.approvals, page.at_risk) == ([], [], [], [])
    assert (page.track_mix, page.backlog, page.turnaround, page.mentor_load) == ([], [], [], [])
    assert page.has_learners is False and page.as_of == ""
    # The filters stay offered, to correct the dates.
    assert page.cohort_options and page.program_options
    page.date_from, page.date_to = "2026-04-01", "2026-05-01"
    run_in_own_loop(page._fetch())
    assert page.error == "" and page.funnel[0].learners == 3
