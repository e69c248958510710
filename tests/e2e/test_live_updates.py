"""Issue 17 item 3 and acceptance 3: changes reach the learner's open pages live.

Two browser contexts: the learner keeps their mission page open (no reload) while the mentor
claims and reviews in another; the claim, then the decision, the feedback and the bell's count
appear on the learner's page within 2 s of the mentor's click. When every tab is gone the web
process holds no pub/sub connection any more (the listeners ended with their pages).
On /insights, "Analyse again" shows the worker's result when it has written it, without a reload.
"""

from __future__ import annotations

import re
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import (
    Loop,
    make_loop,
    open_from_queue,
    sign_in_to,
    signed_in_mentor,
    submit_mission,
)

pytestmark = [pytest.mark.missions]

ANSWER = "I moved SSH to keys only, turned on fail2ban and closed every port but 22 and 443."
FEEDBACK = "Good start. Show the **firewall rules** you applied."
LIMIT_S = 2.0
# Installed in the learner's page: the wall-clock time (ms) at which the page first shows the
# decision, the feedback and the bell's count together.
WATCH_FOR_REVIEW = """() => {
  window.__reviewSeenAt = null;
  const shown = () => {
    const status = document.querySelector('[data-testid="work-status"]');
    const unread = document.querySelector('[data-testid="unread-count"]');
    const history = document.querySelector('[data-testid="attempt-history"]');
    return status?.textContent === "Changes requested" && unread?.textContent === "1"
      && (history?.textContent || "").includes("firewall rules");
  };
  const observer = new MutationObserver(() => {
    if (shown()) { window.__reviewSeenAt = Date.now(); observer.disconnect(); }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""
WORKER_MS = 90_000  # the worker may be busy with the demo's first AI run


@pytest.fixture
def loop(app_url: str, pg_admin_url: str) -> Iterator[Loop]:
    """A cohort with one mission, a student and their assigned mentor (removed afterwards)."""
    with make_loop(pg_admin_url, name="Live", email_prefix="live", title="Watch the logs") as data:
        yield data


def _metric(app_url: str, name: str) -> int:
    """A gauge of the web process's Prometheus metrics (the e2e app runs one process)."""
    with urllib.request.urlopen(f"{app_url}/api/v1/metrics", timeout=10) as response:
        text = response.read().decode()
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"the metrics have no {name}"
    return int(float(found.group(1)))


def _wait_for_metric(app_url: str, name: str, expected: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while (seen := _metric(app_url, name)) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert seen == expected, f"{name} is {seen}, expected {expected}"


def test_a_review_reaches_the_open_mission_page_and_bell_within_2_s(
    web: BrowserPage, browser: Browser, app_url: str, loop: Loop
) -> None:
    with signed_in_mentor(browser, app_url, loop.mentor_email) as mentor_browser:
        mentor = mentor_browser.page
        waiting = mentor.get_by_test_id("queue-row").filter(has_text=loop.title)
        expect(waiting).to_have_count(0)

        student = web.page
        sign_in_to(student, f"/missions/{loop.mission_id}", loop.student_email)
        status = student.get_by_test_id("work-status")
        expect(status).to_have_text("Not started")
        submit_mission(student, ANSWER)
        unread = student.get_by_test_id("unread-count")
        expect(unread).to_have_count(0)
        # The mentor's open queue shows the new submission without a reload.
        expect(waiting).to_have_count(1, timeout=LIMIT_S * 1000)

        # The claim shows on the learner's page as it happens.
        open_from_queue(mentor, loop.title, 1)
        expect(status).to_have_text("In review", timeout=LIMIT_S * 1000)

        mentor.get_by_label("Evidence (max 10)").fill("6")
        mentor.get_by_label("Clarity (max 5)").fill("3")
        mentor.get_by_label("Feedback").fill(FEEDBACK)
        mentor.get_by_role("button", name="Request changes").click()
        send = mentor.get_by_role("alertdialog").get_by_role("button", name="Send review")
        expect(send).to_be_enabled()

        # The learner's page notes the moment it shows everything (Playwright's own polling
        # of an expect() backs off to 1 s steps: too coarse to measure 2 s).
        student.evaluate(WATCH_FOR_REVIEW)
        clicked = time.time()
        send.click()
        # No reload: the learner's open page shows the decision, the feedback and the count.
        expect(status).to_have_text("Changes requested", timeout=LIMIT_S * 1000)
        expect(unread).to_have_text("1", timeout=LIMIT_S * 1000)
        latest = student.get_by_test_id("attempt-history").get_by_test_id("attempt").first
        expect(latest).to_contain_text("firewall rules", timeout=LIMIT_S * 1000)
        seen = student.evaluate("window.__reviewSeenAt")
        assert seen, "the learner's page never showed the decision, feedback and count together"
        elapsed = seen / 1000 - clicked
        print(f"live update: the learner saw the review {elapsed:.2f} s after the click")
        assert elapsed < LIMIT_S, f"the review took {elapsed:.2f} s to reach the learner"

        # The resubmission form opens on the reviewed attempt, the feedback beside it.
        expect(student.get_by_label("Your answer")).to_have_value(ANSWER)
        expect(mentor.get_by_test_id("review-result")).to_contain_text("Changes requested")
        assert mentor_browser.console_errors == []
    assert web.console_errors == []

    # Reading the notification elsewhere clears this tab's count too.
    other = BrowserPage(browser, app_url)
    try:
        sign_in_to(other.page, "/notifications", loop.student_email)
        other.page.get_by_role("button", name="Mark all read").first.click()
        expect(unread).to_have_count(0, timeout=LIMIT_S * 1000)
    finally:
        other.context.close()

    # Moving around in the tab keeps one listener: each page's ends when the next one opens.
    _wait_for_metric(app_url, "cyberhub_live_listeners", 1)
    nav = student.locator("nav[aria-label=Main]")
    nav.get_by_role("link", name="My learning").click()
    expect(student).to_have_url(re.compile("/dashboard/student"))
    nav.get_by_role("link", name="Insights").click()
    expect(student).to_have_url(re.compile("/insights"))
    student.go_back()
    expect(student).to_have_url(re.compile("/dashboard/student"))
    _wait_for_metric(app_url, "cyberhub_live_listeners", 1)
    # One tab, one connection. Read once, it was 0 for a moment in one CI run (the tab's socket
    # between pages): wait for it as for the listeners.
    _wait_for_metric(app_url, "cyberhub_live_connections", 1)

    # Every tab gone: the listeners ended and the process closed its pub/sub connection.
    web.context.close()
    _wait_for_metric(app_url, "cyberhub_live_listeners", 0)
    _wait_for_metric(app_url, "cyberhub_live_connections", 0)


SAW_PREPARING = """() => {
  window.__sawPreparing = false;
  const seen = () => {
    const el = document.querySelector('[data-testid="analysis"]');
    if (el && el.textContent.includes('being prepared')) window.__sawPreparing = true;
  };
  new MutationObserver(seen).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""


def test_analyse_again_shows_the_result_when_the_worker_has_written_it(web: BrowserPage) -> None:
    page = web.page
    page.goto("/insights")
    sign_in(page, "student@cyberhub.example", DEMO_PASSWORD)
    analysis = page.get_by_test_id("analysis")
    preparing = analysis.get_by_role("status").filter(has_text="being prepared")
    # The demo's first AI run may still be on its way: the page shows it when it lands.
    expect(analysis.get_by_test_id("dimension").first).to_be_visible(timeout=WORKER_MS)
    expect(preparing).to_have_count(0, timeout=WORKER_MS)

    # "Being prepared" may last less than a poll of expect() when the worker is quick (or the
    # click's round trip longer than its timeout when the machine is busy): record it as it shows.
    page.evaluate(SAW_PREPARING)
    page.get_by_role("button", name="Analyse again").click()
    page.wait_for_function("() => window.__sawPreparing === true", timeout=WORKER_MS)
    # No reload, no Refresh click: the worker's result replaces "being prepared".
    expect(preparing).to_have_count(0, timeout=WORKER_MS)
    expect(analysis.get_by_test_id("dimension").first).to_be_visible()
    assert web.console_errors == []
