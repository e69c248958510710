"""/notifications: each visit shows every notification ("Unread only" stayed on from the last
one), and a double click on "Mark all read" keeps the first click's notice (the second, which
found nothing left, said "Everything was already read.")."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.notifications import NotificationsPageState
from cyberhub.services.messaging import notifications
from cyberhub.state import resubmit
from tests.factories import World, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.student, pytest.mark.integration]


def _opened(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> NotificationsPageState:
    """/notifications opened by the student, who has two unread notifications."""
    for title in ("Reviewed", "Due soon"):
        notifications.notify(
            session, world.student.id or 0, kind="test", title=title, send_mail=False
        )
    session.commit()
    page = page_state(
        NotificationsPageState, session, principal(session, world.student), monkeypatch
    )
    run_in_own_loop(NotificationsPageState.event_handlers["load"].fn(page))
    assert (page.error, page.unread, page.total) == ("", 2, 2)
    return page


def test_unread_only_is_off_on_the_next_visit(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _opened(session, world, monkeypatch)
    run_in_own_loop(NotificationsPageState.event_handlers["set_unread_only"].fn(page, True))
    run_in_own_loop(NotificationsPageState.event_handlers["mark_read"].fn(page, page.items[0].id))
    assert page.unread_only and len(page.items) == 1
    run_in_own_loop(NotificationsPageState.event_handlers["load"].fn(page))  # back later
    assert not page.unread_only and len(page.items) == 2


def test_a_double_click_on_mark_all_read_keeps_its_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _opened(session, world, monkeypatch)
    mark_all = NotificationsPageState.event_handlers["mark_all"].fn
    run_in_own_loop(mark_all(page))
    assert (page.notice, page.unread) == ("Marked 2 notifications read.", 0)
    run_in_own_loop(mark_all(page))  # the second click, queued behind the first
    assert (page.notice, page.error) == ("Marked 2 notifications read.", "")
    monkeypatch.setattr(resubmit, "AGAIN_SECONDS", 0.0)  # later, it says so
    run_in_own_loop(mark_all(page))
    assert page.notice == "Everything was already read."
