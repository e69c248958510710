"""/director/missions shows the missions list and, below it, the missions each programme runs:
a change made in one is read again by the other (each kept what it had read: an archived mission
stayed in "runs" with its Required box, a mission the panel removed stayed in the list)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.director_missions.data import ROUTE
from cyberhub.pages.director_missions.state import DirectorMissionsState
from cyberhub.pages.director_program_missions import ProgramMissionsState
from tests.factories import World, id_of, make_mission, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _pages(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> tuple[DirectorMissionsState, ProgramMissionsState]:
    director = principal(session, world.director)
    listing = page_state(DirectorMissionsState, session, director, monkeypatch)
    opened_at(listing, ROUTE, ROUTE)
    run_in_own_loop(DirectorMissionsState.event_handlers["load"].fn(listing))
    panel = page_state(ProgramMissionsState, session, director, monkeypatch)
    opened_at(panel, ROUTE, ROUTE)
    run_in_own_loop(ProgramMissionsState.event_handlers["load"].fn(panel))
    return listing, panel


def test_a_mission_archived_in_the_list_leaves_the_programme_s_panel(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = make_mission(
        session, world.program, world.builders, title="Audit the firewall", owner=world.org
    )
    listing, panel = _pages(session, world, monkeypatch)
    assert id_of(own) in [int(r["id"]) for r in panel.runs]
    DirectorMissionsState.event_handlers["ask"].fn(listing, "archive", id_of(own), own.title)
    asked = run_in_own_loop(DirectorMissionsState.event_handlers["confirm"].fn(listing))
    assert (listing.error, listing.notice[-16:]) == ("", "is now archived.")
    assert asked == ProgramMissionsState.refresh
    run_in_own_loop(ProgramMissionsState.event_handlers["refresh"].fn(panel))
    assert id_of(own) not in [int(r["id"]) for r in panel.runs]


def test_a_library_mission_the_panel_removes_leaves_the_list(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing, panel = _pages(session, world, monkeypatch)
    m3 = id_of(world.m3)
    assert m3 in _listed(listing)
    ProgramMissionsState.event_handlers["ask_remove"].fn(panel, m3, world.m3.title)
    asked = run_in_own_loop(ProgramMissionsState.event_handlers["remove"].fn(panel))
    assert (panel.error, panel.notice[:19]) == ("", "Removed the mission")
    assert asked == DirectorMissionsState.refresh
    run_in_own_loop(DirectorMissionsState.event_handlers["refresh"].fn(listing))
    assert m3 not in _listed(listing)


def _listed(listing: DirectorMissionsState) -> list[int]:
    return [int(m["id"]) for m in listing.items]
