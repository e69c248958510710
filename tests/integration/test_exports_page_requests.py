"""/exports' request buttons: a double click makes one export, and the button shows it is busy
while the export is recorded (busy was set and reset with nothing sent between: never shown)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub.models import Export
from cyberhub.pages.exports.state import ExportsState
from cyberhub.services.admin.audit import NO_META
from cyberhub.settings import get_settings
from cyberhub.state import resubmit
from tests.factories import World, principal
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


@pytest.fixture(autouse=True)
def data_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path


def _page(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> ExportsState:
    """/exports opened by the world's director, its pickers on the world's cohort."""
    page = page_state(ExportsState, session, principal(session, world.director), monkeypatch)
    monkeypatch.setattr(ExportsState, "_meta", lambda _: NO_META)

    async def zone(_: Any) -> str:
        return "UTC"

    monkeypatch.setattr(ExportsState, "_time_zone", zone)
    at_address(ExportsState, monkeypatch, cohort=str(world.cohort.id))
    run_in_own_loop(ExportsState.event_handlers["load"].fn(page))
    assert page.error == "" and page.picked["roster"] == f"c{world.cohort.id}"
    return page


def _rosters(session: Session) -> list[int]:
    """The cohort of each roster export made."""
    session.commit()
    return [e.cohort_id or 0 for e in session.exec(select(Export).where(Export.kind == "roster"))]


def test_a_double_click_on_an_export_button_makes_one_export(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(session, world, monkeypatch)
    request = ExportsState.event_handlers["request"].fn
    run_in_own_loop(request(page, "roster"))
    notice = page.notice
    assert page.error == "" and "being prepared" in notice
    run_in_own_loop(request(page, "roster"))  # the second click, queued behind the first
    assert (page.notice, page.error, page.busy) == (notice, "", "")
    assert _rosters(session) == [world.cohort.id]
    # Another scope is another export, and so is the same one asked for again later.
    ExportsState.event_handlers["pick"].fn(page, "roster", f"c{world.other_cohort.id}")
    run_in_own_loop(request(page, "roster"))
    monkeypatch.setattr(resubmit, "AGAIN_SECONDS", 0.0)  # the seconds a second thought takes
    run_in_own_loop(request(page, "roster"))
    cohort, other = world.cohort.id or 0, world.other_cohort.id or 0
    assert sorted(_rosters(session)) == sorted([cohort, other, other])


def test_the_button_shows_it_is_busy_while_the_export_is_recorded(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(session, world, monkeypatch)

    async def busy_when_first_sent() -> str:
        """What the page shows when the handler first sends its state, before the export."""
        events = ExportsState.event_handlers["request"].fn(page, "roster")
        await events.__anext__()
        shown = page.busy
        async for _ in events:
            pass
        return shown

    assert run_in_own_loop(busy_when_first_sent()) == "roster"
    assert page.busy == "" and "being prepared" in page.notice
