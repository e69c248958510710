"""The mission page's "Reveal a hint": the click says which hint it is for (the next one as the
page showed it), so a double click, whose second event runs after the first's answer, reveals
one hint, not two (each revealed hint counts, and the mentor sees how many). Its download
refusal and its due badge after a submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from cyberhub.models import HintReveal
from cyberhub.models.base import utcnow
from cyberhub.pages.mission import ROUTE, MissionState
from cyberhub.pages.mission.due import MissionDueState
from cyberhub.services.learning import schedule
from tests.factories import World, id_of, principal
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.student, pytest.mark.integration]


def test_a_double_click_reveals_one_hint(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = page_state(MissionState, session, principal(session, world.student), monkeypatch)
    opened_at(page, ROUTE, f"/missions/{id_of(world.m1)}")
    run_in_own_loop(MissionState.event_handlers["load"].fn(page))
    assert page.revealed == [] and page.error == ""
    reveal = MissionState.event_handlers["reveal_hint"].fn
    run_in_own_loop(reveal(page, 0))
    run_in_own_loop(reveal(page, 0))  # the second click, sent with what the page showed then
    assert [h.hint for h in page.revealed] == ["First hint."] and page.hint_error == ""
    rows = session.exec(select(HintReveal).where(HintReveal.student_id == id_of(world.student)))
    assert len(rows.all()) == 1
    run_in_own_loop(reveal(page, len(page.revealed)))  # a deliberate next click: the next one
    assert [h.hint for h in page.revealed] == ["First hint.", "Second hint."]


def test_a_file_that_cannot_be_downloaded_says_why_above_the_attempts(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal was a toast sent from the server, which the Content-Security-Policy blocks
    (it runs through eval): the learner saw nothing."""
    page = page_state(MissionState, session, principal(session, world.student), monkeypatch)
    opened_at(page, ROUTE, f"/missions/{id_of(world.m1)}")
    run_in_own_loop(MissionState.event_handlers["load"].fn(page))
    download = MissionState.event_handlers["download_file"].fn
    assert run_in_own_loop(download(page, 999_999)) is None
    assert page.download_error


def test_submitting_turns_the_due_badge_to_handed_in(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An overdue mission submitted from its page: the red "Overdue by 3 days" badge becomes
    "Due … · handed in" (it stayed red until the page was opened again)."""
    director = principal(session, world.director)
    due = utcnow() - timedelta(days=3, hours=1)
    schedule.set_due_date(session, director, id_of(world.cohort), id_of(world.m1), due)
    session.commit()
    learner = principal(session, world.student)
    badge = page_state(MissionDueState, session, learner, monkeypatch)
    opened_at(badge, ROUTE, f"/missions/{id_of(world.m1)}")
    run_in_own_loop(MissionDueState.event_handlers["load"].fn(badge))
    assert badge.late and badge.text == "Overdue by 3 days"

    page = page_state(MissionState, session, learner, monkeypatch)
    opened_at(page, ROUTE, f"/missions/{id_of(world.m1)}")
    run_in_own_loop(MissionState.event_handlers["load"].fn(page))
    asked = run_in_own_loop(
        MissionState.event_handlers["save_work"].fn(
            page, {"answer": "My scan report lists every open port I found.", "links": ""}
        )
    )
    assert (page.form_error, page.notice) == ("", "Attempt 1 was submitted for review.")
    assert MissionDueState.load in asked
    run_in_own_loop(MissionDueState.event_handlers["load"].fn(badge))
    assert not badge.late and badge.text.endswith("· handed in")
