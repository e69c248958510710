"""Issue 17, items 1, 2 and the hints of 12, on the mission page in two browsers:

1. a resubmission starts from the previous attempt (answer, links, file) with the mentor's
   feedback above the form, and the review notification opens that feedback;
2. a file chosen in the drop zone but not attached is attached by Submit (and a refused file
   stops the submit with a message, keeping what was typed);
12. hints are rendered as markdown (no raw backticks or `**`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import (
    Loop,
    make_loop,
    review_from_queue,
    sign_in_to,
    signed_in_mentor,
    submit_mission,
)

pytestmark = [pytest.mark.missions]

ANSWER = (
    "I hardened the server: key-only SSH, fail2ban and a default-deny firewall. The Lynis "
    "score went from 61 to 78."
)
LINK = "https://example.org/lynis-report"
HINTS = ["Run `ufw status verbose` and look for **deny (incoming)**.", "Check `sshd -T`."]


@pytest.fixture
def loop(app_url: str, pg_admin_url: str) -> Iterator[Loop]:
    """A cohort with one mission whose hints use markdown, a student and their mentor."""
    with make_loop(
        pg_admin_url, name="Resubmit", email_prefix="again", title="Close the ports", hints=HINTS
    ) as data:
        yield data


def test_hints_render_as_markdown(web: BrowserPage, loop: Loop) -> None:
    page = web.page
    sign_in_to(page, f"/missions/{loop.mission_id}", loop.student_email)
    page.get_by_role("button", name="Reveal a hint").click()
    hint = page.get_by_test_id("hint")
    expect(hint).to_have_count(1)
    expect(hint.locator("code")).to_have_text("ufw status verbose")
    expect(hint.locator("strong")).to_have_text("deny (incoming)")
    expect(hint).not_to_contain_text("`")
    expect(hint).not_to_contain_text("**")
    assert web.console_errors == []


def _open_as_student(web: BrowserPage, loop: Loop) -> Page:
    page = web.page
    sign_in_to(page, f"/missions/{loop.mission_id}", loop.student_email)
    expect(page.get_by_test_id("work-status")).to_have_text("Not started")
    return page


def test_a_file_chosen_but_not_attached_goes_with_the_submit(
    web: BrowserPage, loop: Loop, tmp_path: Path
) -> None:
    student = _open_as_student(web, loop)
    status = student.get_by_test_id("work-status")
    chooser = student.locator("#work_file input[type=file]")

    # Refused: a "text" file that is not text stops the submit and keeps the typing.
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"\x00\x01binary")
    student.get_by_label("Your answer").fill(ANSWER)
    student.get_by_label("Links (one per line)").fill(LINK)
    chooser.set_input_files(str(bad))
    student.get_by_role("button", name="Submit for review").click()
    expect(
        student.get_by_text("Your file was not attached, so nothing was submitted")
    ).to_be_visible()
    expect(status).to_have_text("Not started")
    expect(student.get_by_label("Your answer")).to_have_value(ANSWER)
    expect(student.get_by_label("Links (one per line)")).to_have_value(LINK)

    # Accepted: the chosen file is attached first, then the work is submitted with it.
    good = tmp_path / "evidence.md"
    good.write_text("# Lynis\n\nHardening index: 78")
    chooser.set_input_files(str(good))
    student.get_by_role("button", name="Submit for review").click()
    expect(status).to_have_text("Submitted")
    attempts = student.get_by_test_id("attempt-history").get_by_test_id("attempt")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("evidence.md")
    expect(attempts.first).to_contain_text(LINK)
    assert web.console_errors == []


def test_a_resubmission_starts_from_attempt_1_beside_the_feedback_the_notification_opens(
    web: BrowserPage, browser: Browser, app_url: str, loop: Loop, tmp_path: Path
) -> None:
    student = _open_as_student(web, loop)
    status = student.get_by_test_id("work-status")
    evidence = tmp_path / "evidence.md"
    evidence.write_text("# Lynis\n\nHardening index: 78")
    student.locator("#work_file input[type=file]").set_input_files(str(evidence))
    student.get_by_role("button", name="Attach file").click()
    expect(student.get_by_test_id("draft-file")).to_contain_text("evidence.md")
    student.get_by_label("Links (one per line)").fill(LINK)
    submit_mission(student, ANSWER)

    with signed_in_mentor(browser, app_url, loop.mentor_email) as mentor_browser:
        review_from_queue(
            mentor_browser.page,
            loop.title,
            1,
            "Request changes",
            evidence="6",
            clarity="3",
            feedback="Show the **firewall rules** you applied.",
        )

    # The notification opens the feedback, scrolled to and focused, above the form.
    student.goto("/missions")
    student.get_by_test_id("notification-bell").click()
    student.get_by_role("link", name=re.compile("Changes requested on")).click()
    expect(student).to_have_url(re.compile(rf"/missions/{loop.mission_id}/?#feedback$"))
    panel = student.get_by_test_id("feedback-panel")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("Your mentor's feedback on attempt 1")
    expect(panel).to_contain_text("Changes requested")
    expect(panel).to_contain_text("Evidence")
    expect(panel.locator("strong")).to_contain_text(["firewall rules"])
    assert student.evaluate("window.scrollY") > 0

    # The form starts from attempt 1: answer, links and file.
    expect(student.get_by_label("Your answer")).to_have_value(ANSWER)
    expect(student.get_by_label("Links (one per line)")).to_have_value(LINK)
    expect(student.get_by_test_id("draft-file")).to_contain_text("evidence.md")
    student.get_by_label("Your answer").fill(ANSWER + "\n\nFirewall: `ufw default deny incoming`.")
    student.get_by_role("button", name="Resubmit").click()
    expect(status).to_have_text("Submitted")
    attempts = student.get_by_test_id("attempt-history").get_by_test_id("attempt")
    expect(attempts).to_have_count(2)
    expect(attempts.first).to_contain_text("Attempt 2")
    expect(attempts.first).to_contain_text("evidence.md")
    expect(attempts.first).to_contain_text(LINK)
    expect(attempts.nth(1)).to_contain_text("evidence.md")

    # Approved: no form, so the notification's #feedback lands on the newest review.
    with signed_in_mentor(browser, app_url, loop.mentor_email) as mentor_browser:
        review_from_queue(
            mentor_browser.page,
            loop.title,
            2,
            "Approve",
            evidence="10",
            clarity="5",
            feedback="Clear evidence, well done.",
        )
    student.goto("/missions")
    student.get_by_test_id("notification-bell").click()
    student.get_by_role("link", name=re.compile("is approved")).click()
    expect(student).to_have_url(re.compile(rf"/missions/{loop.mission_id}/?#feedback$"))
    history = student.get_by_test_id("attempt-history")
    expect(history).to_be_focused()
    expect(history.get_by_test_id("attempt").first).to_contain_text("Clear evidence, well done.")
    expect(student.get_by_test_id("feedback-panel")).to_have_count(0)
    assert web.console_errors == []
