"""/notifications says what the reader's notifications are about, for their roles: a learner
reads of reviews of their work and due dates, never of "submissions to review and expired
claims", which only a mentor is sent."""

from __future__ import annotations

import pytest
import reflex as rx

from cyberhub.pages.notifications import NotificationsPageState, told_of
from cyberhub.state.session import SessionState
from tests.processes import run_in_own_loop


def _loaded(roles: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    async def no_list(_: NotificationsPageState) -> None:  # the list's read is not this test's
        return None

    monkeypatch.setattr(NotificationsPageState, "_fetch", no_list)
    root = rx.State()
    page = root.get_substate(NotificationsPageState.get_full_name().split(".")[1:])
    signed_in = root.get_substate(SessionState.get_full_name().split(".")[1:])
    assert isinstance(page, NotificationsPageState) and isinstance(signed_in, SessionState)
    signed_in.roles = roles
    run_in_own_loop(NotificationsPageState.event_handlers["load"].fn(page))
    return page.told_of


def test_a_learner_reads_of_their_own_news_not_of_work_to_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    learner = _loaded(["student"], monkeypatch)
    assert learner == (
        "Reviews of your work, due dates, answers to your applications, certificates, "
        "habit reminders and invitations"
    )
    assert "to review" not in learner and "claims" not in learner
    mentor = _loaded(["mentor"], monkeypatch)
    assert mentor == "Submissions to review, expired claims and invitations"
    both = _loaded(["mentor", "director"], monkeypatch)
    assert both == (
        "Submissions to review, expired claims, applications to your cohorts and invitations"
    )
    assert told_of([]) == "Invitations"
