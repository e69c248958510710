"""The career profiler in the browser: sign up, answer, reload to resume, results, welcome."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from cyberhub.services.ai.profiler_bank import load_bank
from tests.e2e.conftest import BrowserPage

BANK = load_bank()


def _answer(page, n: int) -> None:
    """Answer `n` questions from the current one, choosing each question's first option."""
    for _ in range(n):
        heading = page.locator("#question-text")
        counter = page.get_by_text(re.compile(r"^Question \d+ of \d+$"))
        position = counter.inner_text()
        text = heading.inner_text()
        question = next(q for q in BANK.questions if q.text == text)
        choice = page.get_by_label(question.options[0].text)
        choice.click()  # a click saves the answer and moves on to the next question
        if question is BANK.questions[-1]:
            expect(choice).to_be_checked()  # the last one: "See my results" instead
            return
        expect(counter).not_to_have_text(position)


def test_sign_up_profiler_results_and_welcome_dashboard(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signup")
    page.get_by_label("Full name").fill("Otieno Achieng")
    page.get_by_label("Email").fill(f"profiler-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Password").fill("violet-harbour-lamp-31")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("I accept the privacy notice").check()
    page.get_by_label(re.compile("Use AI to suggest my career track")).check()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler"))
    expect(page.get_by_text(f"Question 1 of {len(BANK.questions)}")).to_be_visible()
    _answer(page, 3)
    expect(page.get_by_text(f"Question 4 of {len(BANK.questions)}")).to_be_visible()

    # Reload mid-wizard: the same question, with the earlier answers kept.
    page.reload()
    expect(page.get_by_text(f"Question 4 of {len(BANK.questions)}")).to_be_visible()
    expect(page.get_by_text("3 answered")).to_be_visible()
    page.get_by_role("button", name="← Back").click()
    expect(page.get_by_text(f"Question 3 of {len(BANK.questions)}")).to_be_visible()
    page.get_by_role("button", name="Next →").click()
    expect(page.get_by_text(f"Question 4 of {len(BANK.questions)}")).to_be_visible()

    _answer(page, len(BANK.questions) - 3)
    expect(page.get_by_text(f"{len(BANK.questions)} answered")).to_be_visible()
    page.get_by_role("button", name="See my results").click()

    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler/results"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your track:")
    expect(page.locator(".recharts-wrapper")).to_be_visible()
    expect(page.get_by_role("table").filter(has_text="Score (0–100)")).to_contain_text("Builders")
    expect(page.get_by_text(re.compile("Confidence: (high|medium|low)"))).to_be_visible()
    expect(page.get_by_role("heading", name="NICE Framework work roles")).to_be_visible()
    track = page.get_by_role("heading", level=1).inner_text().split(":")[1].strip()
    # The attempts list names the track as the heading does, not by its key ("builders").
    attempt = page.get_by_role("button", name=re.compile(r" — .+ \((high|medium|low)\)$"))
    expect(attempt).to_contain_text(f" — {track} (")

    page.get_by_role("link", name="Continue to my dashboard →").click()
    expect(page).to_have_url(re.compile(r"/dashboard/student\?track=\w+&welcome=true"))
    expect(page.get_by_test_id("welcome-track")).to_contain_text(track)
    expect(page.get_by_test_id("profiler-reminder")).to_have_count(0)
    assert web.console_errors == []
