"""/insights in a real browser: a learner sees the state of their work-style analysis and is led to
/coaching, where goals and reflections are kept; a reflection written there updates it."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in


def test_student_sees_the_analysis_and_writes_reflections_on_coaching(
    web: BrowserPage,
) -> None:
    page = web.page
    page.goto("/insights")
    sign_in(page, "student@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/insights/?$"))  # not /signin?next=/insights
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    nav = page.locator("nav[aria-label=Main]")
    expect(nav.get_by_role("link", name="Insights")).to_be_visible()

    # The demo student took the profiler and grants AI profiling: the analysis is there or on
    # its way (the worker computes it), never an error.
    analysis = page.get_by_test_id("analysis")
    expect(analysis.get_by_role("heading", name="Your work style")).to_be_visible()
    expect(analysis).to_contain_text(re.compile(r"being prepared|Balanced|Leans|Strongly"))

    # Goals and reflections are kept on /coaching (issue 16): the page leads there.
    card = page.get_by_test_id("coaching-link")
    expect(card).to_contain_text("kept on Coaching")
    expect(page.get_by_role("button", name="Save note")).to_have_count(0)
    card.get_by_role("link", name="Open Coaching").click()
    expect(page).to_have_url(re.compile(r"/coaching"))
    expect(page.get_by_role("heading", name="Coaching", level=1)).to_be_visible()

    # A private reflection written there queues a fresh analysis: /insights says so (or
    # already shows the update).
    text = f"I enjoyed building the lab firewall on my own ({uuid.uuid4().hex[:6]})."
    page.get_by_label("Your reflection").fill(text)
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_test_id("reflection").filter(has_text=text)).to_be_visible()
    page.goto("/insights")
    expect(analysis).to_contain_text(re.compile(r"being prepared|Balanced|Leans|Strongly"))
    assert web.console_errors == []
