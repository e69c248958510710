"""The director home page's dialogs (pages/director_home) driven against the test's database: a
refused save keeps its dialog open with the reason inside it; a save that works closes it, reads
the programmes again and says what changed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.pages.director_home.state import NICE_PREFIX, DirectorHomeState
from cyberhub.state import resubmit
from tests.factories import World, id_of
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _handler(name: str) -> Any:
    return DirectorHomeState.event_handlers[name].fn


def _loaded(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    page = page_state(DirectorHomeState, session, world.p(session, world.director), monkeypatch)
    run_in_own_loop(_handler("load")(page))
    assert page.error == ""
    return page


def _program(page: Any, world: World) -> dict[str, Any]:
    return next(p for p in page.programs if p["id"] == id_of(world.program))


def _track(page: Any, world: World, key: str) -> dict[str, Any]:
    return next(t for t in _program(page, world)["track_rows"] if t["key"] == key)


def test_saving_the_programme_closes_its_dialog_and_shows_the_new_name(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _loaded(session, world, monkeypatch)
    _handler("open_program")(page, _program(page, world))
    assert page.edit_program_open is True
    run_in_own_loop(
        _handler("save_program")(page, {"name": "Blue team", "description": "Defence first."})
    )
    assert page.edit_program_error == "" and page.edit_program_open is False
    assert page.notice == "Saved the programme Blue team."
    assert _program(page, world)["name"] == "Blue team"


def test_a_refused_track_save_stays_in_its_open_dialog(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _loaded(session, world, monkeypatch)
    _handler("open_track")(page, _track(page, world, "builders"))
    run_in_own_loop(_handler("save_track")(page, {"description": "Build things."}))
    assert page.edit_track_error == "Choose at least one NICE work role for this track."
    assert page.edit_track_open is True and page.notice == ""
    role = page.edit_track_nice[0]["id"]
    form = {"description": "Build things.", NICE_PREFIX + role: "on"}
    run_in_own_loop(_handler("save_track")(page, form))
    assert page.edit_track_open is False
    assert page.notice == f"Saved the {page.edit_track['name']} track."
    assert _track(page, world, "builders")["description"] == "Build things."


def test_removing_a_track_that_still_runs_missions_is_refused_in_the_dialog(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _loaded(session, world, monkeypatch)
    _handler("ask_remove_track")(page, _track(page, world, "leaders"))
    run_in_own_loop(_handler("confirm_remove_track")(page))
    assert page.remove_track_error.startswith("This programme still runs 1 mission of the ")
    assert page.remove_track_open is True and page.notice == ""


def test_new_cohort_sent_twice_creates_one_and_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double click on "Create cohort": the second submit met "a cohort of that name exists",
    which replaced "Created the cohort …" with an error."""
    page = _loaded(session, world, monkeypatch)
    page.cohort_program = str(id_of(world.program))
    form = {
        "name": "Spring 2027",
        "starts_on": "2027-03-01",
        "ends_on": "2027-05-31",
        "capacity": "30",
    }
    run_in_own_loop(_handler("create_cohort")(page, form))
    assert (page.notice, page.cohort_error) == ("Created the cohort Spring 2027.", "")
    run_in_own_loop(_handler("create_cohort")(page, form))  # the double click's second
    assert (page.notice, page.cohort_error) == ("Created the cohort Spring 2027.", "")
    # Typed again later, on purpose: the usual refusal.
    monkeypatch.setattr(resubmit, "AGAIN_SECONDS", 0.0)
    run_in_own_loop(_handler("create_cohort")(page, form))
    assert page.cohort_error
    # A new visit starts with empty forms, not what a refused one kept.
    run_in_own_loop(_handler("load")(page))
    assert page.cohort_form["name"] == "" and page.cohort_error == ""
