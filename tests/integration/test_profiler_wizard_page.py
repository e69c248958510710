"""/onboarding/ai-profiler's answers: a double click on an answer answers its question once (the
second click, run after the page moved on, was taken as an answer to the next question: refused
as an unknown option, and left in `answers` as if saved); an answer refused is not kept."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages.profiler_wizard import ProfilerWizardState
from cyberhub.services.admin.audit import NO_META
from cyberhub.services.ai import profiler
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal
from tests.factories import make_user, principal
from tests.page_states import page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.profiler, pytest.mark.integration]


def _page(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> tuple[ProfilerWizardState, Principal]:
    """The wizard opened by a learner who agreed to AI profiling, at its first question."""
    user = make_user(session, "wizard@example.org", "student")
    consents.record_signup_consents(
        session, user.id or 0, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    session.commit()
    who = principal(session, user)
    page = page_state(ProfilerWizardState, session, who, monkeypatch)
    monkeypatch.setattr(ProfilerWizardState, "_meta", lambda _: NO_META)
    run_in_own_loop(ProfilerWizardState.event_handlers["load"].fn(page))
    assert (page.error, page.needs_consent, page.index) == ("", False, 0)
    return page, who


def test_a_double_click_on_an_answer_answers_its_question_once(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, who = _page(session, monkeypatch)
    first = page.question
    choose = ProfilerWizardState.event_handlers["choose"].fn
    picked = first.options[0].id
    for _ in range(2):  # each click's mousedown arms the move on; the second runs after it
        page.pointer_pick = True
        run_in_own_loop(choose(page, first.id, picked))
    assert (page.error, page.index, page.answers) == ("", 1, {first.id: picked})
    saved = profiler.start(session, who)  # resumed where the page is
    assert (saved.current_index, dict(saved.answers)) == (1, {first.id: picked})


def test_an_answer_refused_is_not_kept_as_answered(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, _ = _page(session, monkeypatch)
    question = page.question
    run_in_own_loop(
        ProfilerWizardState.event_handlers["choose"].fn(page, question.id, "no-such-option")
    )
    assert "Unknown option_id" in page.error
    assert (page.answers, page.answered, page.current_answer, page.saving) == ({}, 0, "", False)
