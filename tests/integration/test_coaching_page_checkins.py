"""/coaching's check-ins: a double click on "Check in" checks in once and keeps its notice
(the second said "already checked in" at the top of the page); a check-in refused says why on
that habit's card, not at the top of the page, far above it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Habit, HabitCheckin
from cyberhub.pages.coaching.rows import HabitView
from cyberhub.pages.coaching.state import CoachingState
from cyberhub.schemas.coaching import HabitCreate, HabitPublic
from cyberhub.services.coaching import habits
from cyberhub.state import resubmit
from cyberhub.state.session import SessionState
from tests.factories import World, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.student, pytest.mark.integration]


def _page(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> CoachingState:
    page = page_state(CoachingState, session, principal(session, world.student), monkeypatch)
    signed_in = page.parent_state
    assert signed_in is not None
    session_state = signed_in.get_substate(SessionState.get_full_name().split(".")[1:])
    assert isinstance(session_state, SessionState)
    session_state.time_zone = "UTC"
    run_in_own_loop(CoachingState.event_handlers["load"].fn(page))
    assert page.error == ""
    return page


def _with_a_habit(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> tuple[HabitPublic, CoachingState, HabitView]:
    """The student's habit "Lab", and /coaching opened showing it."""
    made = habits.create_habit(session, principal(session, world.student), HabitCreate(title="Lab"))
    session.commit()
    page = _page(session, world, monkeypatch)
    [habit] = page.habits
    return made, page, habit


def test_a_double_click_on_check_in_checks_in_once_and_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, page, habit = _with_a_habit(session, world, monkeypatch)
    today = habit.days[0].value
    check_in = CoachingState.event_handlers["check_in"].fn
    run_in_own_loop(check_in(page, habit.id, today))
    assert page.notice == "“Lab” checked in." and page.card_error == ""
    run_in_own_loop(check_in(page, habit.id, today))  # the second click, against the old page
    assert (page.notice, page.error, page.card_error) == ("“Lab” checked in.", "", "")
    rows = session.exec(select(HabitCheckin).where(HabitCheckin.habit_id == made.id)).all()
    assert len(rows) == 1


def test_a_refused_check_in_is_said_on_its_habit_s_card(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    made, page, habit = _with_a_habit(session, world, monkeypatch)
    row = session.get(Habit, made.id)
    assert row is not None
    row.archived_at = utcnow()  # archived meanwhile, in another tab
    session.add(row)
    session.commit()
    run_in_own_loop(
        CoachingState.event_handlers["check_in"].fn(page, habit.id, habit.days[0].value)
    )
    assert page.card_error_id == habit.id and page.card_error
    assert page.error == "" and page.notice == ""


def test_a_form_sent_twice_makes_one_habit_and_one_reflection(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter pressed twice (or a double click) sends the form twice before it is emptied: one
    habit, one reflection (each could not be deleted from the page)."""
    page = _page(session, world, monkeypatch)

    def run(handler: str, form: dict[str, str]) -> None:
        run_in_own_loop(CoachingState.event_handlers[handler].fn(page, form))

    for _ in range(2):
        run("add_habit", {"title": "Read one write-up", "per_week": "3"})
    page.shared = True
    for _ in range(2):
        run("add_reflection", {"body": "Hard week, good lab.", "mood": "4", "energy": ""})
    assert [h.title for h in page.habits] == ["Read one write-up"]
    assert [r.body for r in page.reflections] == ["Hard week, good lab."]
    # Written again later, on purpose, it is another reflection.
    run("add_reflection", {"body": "Another week.", "mood": "", "energy": ""})
    assert len(page.reflections) == 2


def test_the_same_habit_started_again_later_is_started(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a resubmit right after the first (a double click) is dropped: a habit archived and
    then typed again, later in the same visit, starts again with its notice (it was silently
    ignored: no notice, no error, the form not emptied)."""
    page = _page(session, world, monkeypatch)
    form = {"title": "Read one write-up", "per_week": "3"}
    run_in_own_loop(CoachingState.event_handlers["add_habit"].fn(page, form))
    [first] = page.habits
    page.archive_id = first.id
    run_in_own_loop(CoachingState.event_handlers["archive"].fn(page))
    assert page.habits == []
    monkeypatch.setattr(resubmit, "AGAIN_SECONDS", 0.0)  # the seconds a retyping takes pass
    run_in_own_loop(CoachingState.event_handlers["add_habit"].fn(page, form))
    assert [h.title for h in page.habits] == ["Read one write-up"]
    assert page.notice == "Habit “Read one write-up” started."


def test_a_check_in_s_note_leaves_its_box_with_it(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note typed for a check-in is saved with it and its box empties (the text stayed on
    screen, though the next check-in went without it)."""
    made, page, habit = _with_a_habit(session, world, monkeypatch)
    CoachingState.event_handlers["set_note"].fn(page, habit.id, "Did the web lab.")
    asked = run_in_own_loop(
        CoachingState.event_handlers["check_in"].fn(page, habit.id, habit.days[0].value)
    )
    [row] = session.exec(select(HabitCheckin).where(HabitCheckin.habit_id == made.id)).all()
    assert row.note == "Did the web lab."
    assert page.notes == {}
    # The page is told to empty that habit's note box (rx.set_value on its id).
    said = [str(v) for pair in asked.args for v in pair]
    assert f'"ref_habit_note_{habit.id}"' in said and '""' in said
