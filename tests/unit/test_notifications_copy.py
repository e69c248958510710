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
        "Reviews of your work, due dates, answers to your applications, certificates awarded "
        "or revoked, habit reminders, notes from your programme team and invitations"
    )
    assert "to review" not in learner and "claims" not in learner
    mentor = _loaded(["mentor"], monkeypatch)
    assert mentor == "Submissions to review, expired claims and invitations"
    both = _loaded(["mentor", "director"], monkeypatch)
    assert both == (
        "Submissions to review, expired claims, applications to your cohorts and invitations"
    )
    assert told_of([]) == "Invitations"


def test_each_role_reads_of_every_kind_it_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner is also sent their programme team's nudges (analytics.nudge: "A note from your
    … team") and word that a certificate was revoked; sponsors and admins are sent nothing but
    invitations, and read no more than that."""
    learner = _loaded(["student"], monkeypatch)
    assert "notes from your programme team" in learner
    assert "certificates awarded or revoked" in learner
    assert _loaded(["sponsor"], monkeypatch) == "Invitations"
    assert _loaded(["admin"], monkeypatch) == "Invitations"
    director = _loaded(["director"], monkeypatch)
    assert director == "Applications to your cohorts and invitations"
