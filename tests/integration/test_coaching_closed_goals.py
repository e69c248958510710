"""/coaching's achieved and dropped goals: they only grow (active goals are capped), so the page
and GET /coaching/goals/closed show them a page at a time, newest first, with their count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import reflex as rx
from sqlalchemy import text
from sqlmodel import Session

from cyberhub.pages.coaching.state import CoachingState
from cyberhub.schemas.coaching import GoalCreate, GoalUpdate
from cyberhub.services.coaching import goals
from cyberhub.services.errors import DomainError
from cyberhub.state.service import Outcome
from cyberhub.state.session import SessionState
from tests.factories import build_world, principal
from tests.integration.conftest import ClientFor
from tests.processes import run_in_own_loop

API = "/api/v1"


def _goals(session: Session, user: Any) -> None:
    """Two active goals and 13 closed ones ("Closed 0" the oldest, "Closed 12" the newest)."""
    p = principal(session, user)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(13):
        g = goals.create_goal(session, p, GoalCreate(title=f"Closed {n}"))
        status = "achieved" if n % 2 else "dropped"
        goals.update_goal(session, p, g.id, GoalUpdate(status=status))
        session.execute(
            text("UPDATE goals SET created_at = :at WHERE id = :id"),
            {"at": start + timedelta(days=n), "id": g.id},
        )
    for title in ("Get certified", "Land a job"):
        goals.create_goal(session, p, GoalCreate(title=title))
    session.commit()


def test_closed_goals_are_paged_newest_first_with_their_count(
    session: Session, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = build_world(session)
    _goals(session, w.student)

    async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
        try:
            return Outcome(value=fn(session, principal(session, w.student), *args))
        except DomainError as exc:
            return Outcome(value=None, error=exc.message, code=type(exc).__name__)

    monkeypatch.setattr(CoachingState, "_try", run_here)
    root = rx.State()
    page = root.get_substate(CoachingState.get_full_name().split(".")[1:])
    signed_in = root.get_substate(SessionState.get_full_name().split(".")[1:])
    assert isinstance(page, CoachingState) and isinstance(signed_in, SessionState)
    signed_in.time_zone = "UTC"
    run_in_own_loop(CoachingState.event_handlers["load"].fn(page))
    assert page.error == ""
    assert sorted(g.title for g in page.goals) == ["Get certified", "Land a job"]
    assert page.closed_count == "13 closed goals"
    assert [g.title for g in page.closed_goals] == [f"Closed {n}" for n in range(12, 2, -1)]
    assert page.closed_pages == 2
    run_in_own_loop(CoachingState.event_handlers["go_to_closed_goals"].fn(page, 2))
    assert [g.title for g in page.closed_goals] == ["Closed 2", "Closed 1", "Closed 0"]
    assert page.closed_page == 2

    c = client_for(w.student)
    active = c.get(f"{API}/coaching/goals").json()
    assert sorted(g["title"] for g in active) == ["Get certified", "Land a job"]
    first = c.get(f"{API}/coaching/goals/closed", params={"page_size": 5}).json()
    assert (first["total"], first["page"], first["pages"]) == (13, 1, 3)
    assert [g["title"] for g in first["items"]] == [f"Closed {n}" for n in range(12, 7, -1)]
    assert first["items"][0]["status"] == "dropped"
    past = c.get(f"{API}/coaching/goals/closed", params={"page": 9, "page_size": 5}).json()
    assert past["page"] == 3 and [g["title"] for g in past["items"]][-1] == "Closed 0"
    assert c.get(f"{API}/coaching/goals/closed", params={"page": 0}).status_code == 422
    # Staff keep no goals of their own: the learner's route, refused to them.
    assert client_for(w.mentor).get(f"{API}/coaching/goals/closed").status_code == 403
