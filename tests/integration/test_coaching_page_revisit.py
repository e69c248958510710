"""/coaching on a later visit: a check-in note typed and left is not saved with the next
check-in (its box is empty again, but the page kept the note), and a habit card's refusal goes
once something else worked (it stayed, red, after it)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from cyberhub.models.coaching import HabitCheckin
from cyberhub.pages.coaching.state import CoachingState
from cyberhub.schemas.coaching import CheckinCreate, HabitCreate
from cyberhub.services.coaching import habits
from cyberhub.state.session import SessionState
from tests.factories import World, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.coaching, pytest.mark.integration]


def _opened(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> CoachingState:
    """/coaching opened by the student, who has the habit "Lab"."""
    habits.create_habit(session, principal(session, world.student), HabitCreate(title="Lab"))
    session.commit()
    page = page_state(CoachingState, session, principal(session, world.student), monkeypatch)
    signed_in = page.parent_state
    assert signed_in is not None
    session_state = signed_in.get_substate(SessionState.get_full_name().split(".")[1:])
    assert isinstance(session_state, SessionState)
    session_state.time_zone = "UTC"
    run_in_own_loop(CoachingState.event_handlers["load"].fn(page))
    assert page.error == "" and len(page.habits) == 1
    return page


def test_a_note_left_on_an_earlier_visit_does_not_go_with_the_next_check_in(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _opened(session, world, monkeypatch)
    [habit] = page.habits
    CoachingState.event_handlers["set_note"].fn(page, habit.id, "Typed, then left.")
    run_in_own_loop(CoachingState.event_handlers["load"].fn(page))  # back later: an empty box
    assert page.notes == {}
    run_in_own_loop(
        CoachingState.event_handlers["check_in"].fn(page, habit.id, habit.days[0].value)
    )
    [row] = session.exec(select(HabitCheckin).where(HabitCheckin.habit_id == habit.id)).all()
    assert row.note == ""


def test_a_habit_card_s_refusal_goes_once_another_action_worked(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _opened(session, world, monkeypatch)
    [habit] = page.habits
    today = habit.days[0].value
    # Checked in meanwhile, in another tab: the page's click is refused on the card.
    habits.check_in(
        session,
        principal(session, world.student),
        habit.id,
        CheckinCreate(day=date.fromisoformat(today)),
    )
    session.commit()
    run_in_own_loop(CoachingState.event_handlers["check_in"].fn(page, habit.id, today))
    assert page.card_error_id == habit.id and "already checked in" in page.card_error
    form = {"title": "Read one write-up", "per_week": "3"}
    run_in_own_loop(CoachingState.event_handlers["add_habit"].fn(page, form))
    assert page.notice == "Habit “Read one write-up” started."
    assert habit.id in [h.id for h in page.habits]  # still shown, without the refusal
    assert (page.card_error_id, page.card_error) == (0, "")
