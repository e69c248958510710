"""Issue 17 item 6: the profiler's core loop — a pick advances (Back still works), focus follows
the new question, and after a tie the learner picks between the tied tracks."""

from __future__ import annotations

import random
import re
import uuid

from playwright.sync_api import Locator, Page, expect

from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES, score_profile
from tests.e2e.conftest import BrowserPage

BANK = load_bank()
TOTAL = len(BANK.questions)


def _tied_answers() -> tuple[dict[str, str], tuple[str, ...], str]:
    """A full set of answers whose result is a tie (ties are common: a seeded search)."""
    rng = random.Random(17)
    while True:
        answers = {q.id: rng.choice(q.options).id for q in BANK.questions}
        scored = score_profile(BANK, answers)
        if scored.tie:
            return answers, scored.tie, scored.primary_track


def _sign_up(page: Page) -> None:
    page.goto("/signup")
    page.get_by_label("Full name").fill("Wanjiru Kamau")
    page.get_by_label("Email").fill(f"flow17-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password").fill("amber-river-kite-47")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("I accept the privacy notice").check()
    page.get_by_label(re.compile("Use AI to suggest my career track")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Question 1 of {TOTAL}")).to_be_visible()


def _option(page: Page, qi: int, option_id: str) -> Locator:
    text = next(o.text for o in BANK.questions[qi].options if o.id == option_id)
    return page.get_by_label(text, exact=True)


def test_a_pick_advances_back_works_and_focus_follows_the_question(web: BrowserPage) -> None:
    page = web.page
    _sign_up(page)
    heading = page.locator("#question-text")

    # A click on an answer saves it and moves on: no Next needed; focus lands on the question.
    _option(page, 0, BANK.questions[0].options[1].id).click()
    expect(page.get_by_text(f"Question 2 of {TOTAL}")).to_be_visible()
    expect(heading).to_have_text(BANK.questions[1].text)
    expect(heading).to_be_focused()
    expect(page.get_by_text("1 answered")).to_be_visible()

    # Back shows the earlier answer, still chosen; Next returns without changing it.
    page.get_by_role("button", name="← Back").click()
    expect(heading).to_have_text(BANK.questions[0].text)
    expect(heading).to_be_focused()
    expect(_option(page, 0, BANK.questions[0].options[1].id)).to_be_checked()
    page.get_by_role("button", name="Next →").click()
    expect(heading).to_have_text(BANK.questions[1].text)
    expect(heading).to_be_focused()

    # Keyboard: arrows move between answers (and choose) without jumping to the next question;
    # Next (by keyboard) then moves on, with focus on the new question.
    first = _option(page, 1, BANK.questions[1].options[0].id)
    first.focus()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    # Radix moves focus on a timer after keydown and chooses only while the arrow is still held:
    # hold it like a person does (press() releases it at once, before focus has moved).
    second = _option(page, 1, BANK.questions[1].options[1].id)
    page.keyboard.down("ArrowDown")
    expect(second).to_be_focused()
    page.keyboard.up("ArrowDown")
    expect(second).to_be_checked()
    expect(page.get_by_text(f"Question 2 of {TOTAL}")).to_be_visible()
    expect(page.get_by_text("2 answered")).to_be_visible()
    page.get_by_role("button", name="Next →").focus()
    page.keyboard.press("Enter")
    expect(heading).to_have_text(BANK.questions[2].text)
    expect(heading).to_be_focused()
    assert web.console_errors == []


def test_after_a_tie_the_learner_picks_between_the_tied_tracks(web: BrowserPage) -> None:
    page = web.page
    answers, tie, primary = _tied_answers()
    _sign_up(page)
    heading = page.locator("#question-text")
    for qi, q in enumerate(BANK.questions):
        expect(heading).to_have_text(q.text)
        _option(page, qi, answers[q.id]).click()
        if qi < TOTAL - 1:
            expect(heading).not_to_have_text(q.text)
    expect(page.get_by_text(f"{TOTAL} answered")).to_be_visible()
    page.get_by_role("button", name="See my results").click()

    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler/results"))
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_text(f"Your track: {TRACK_NAMES[primary]}")
    choice = page.get_by_role("group", name="Choose your track")
    for t in tie:
        expect(choice.get_by_role("button", name=f"Follow {TRACK_NAMES[t]}")).to_be_visible()
    other = next(t for t in tie if t != primary)
    choice.get_by_role("button", name=f"Follow {TRACK_NAMES[other]}").click()
    expect(h1).to_have_text(f"Your track: {TRACK_NAMES[other]}")
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    expect(page.get_by_role("link", name="Continue to my dashboard →")).to_have_attribute(
        "href", re.compile(rf"track={other}")
    )

    # The choice is kept: a reload shows it, and the other tied track can still be chosen.
    page.reload()
    expect(h1).to_have_text(f"Your track: {TRACK_NAMES[other]}")
    expect(
        page.get_by_role("group", name="Choose your track").get_by_role(
            "button", name=f"Follow {TRACK_NAMES[primary]}"
        )
    ).to_be_enabled()
    assert web.console_errors == []
