"""Issue 5, acceptance 3 — the whole review loop in two browsers: a student submits, a mentor
claims and requests changes with feedback, the student resubmits, the mentor approves, and the
student's progress bar moves and the notification shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import (
    Loop,
    make_loop,
    open_from_queue,
    review_from_queue,
    send_review,
    sign_in_to,
    signed_in_mentor,
    submit_mission,
)

FIRST = (
    "I hardened the server: key-only SSH, fail2ban and a default-deny firewall. The Lynis "
    "score went from 61 to 78."
)
SECOND = (
    FIRST + "\n\nAs asked, the **firewall rules**: `ufw default deny incoming`, allow 22/80/443."
)


@pytest.fixture
def loop(app_url: str, pg_admin_url: str) -> Iterator[Loop]:
    """A cohort with one builders mission, a student and their assigned mentor."""
    with make_loop(pg_admin_url, name="Loop", email_prefix="loop", title="Lock down SSH") as data:
        yield data


def test_submit_changes_resubmit_approve_progress_and_notification(
    web: BrowserPage, browser: Browser, app_url: str, loop: Loop
) -> None:
    student = web.page
    sign_in_to(student, f"/missions/{loop.mission_id}", loop.student_email)
    status = student.get_by_test_id("work-status")
    expect(status).to_have_text("Not started")

    # 1. The student submits.
    submit_mission(student, FIRST)

    with signed_in_mentor(browser, app_url, loop.mentor_email) as mentor_browser:
        mentor = mentor_browser.page

        # 2. The mentor claims it and requests changes with feedback.
        review_from_queue(
            mentor,
            loop.title,
            1,
            "Request changes",
            evidence="6",
            clarity="3",
            feedback="Show the **firewall rules** you applied.",
        )

        # 3. The student sees the feedback and resubmits: a second attempt, history kept.
        student.reload()
        expect(status).to_have_text("Changes requested")
        attempts = student.get_by_test_id("attempt-history").get_by_test_id("attempt")
        expect(attempts.first).to_contain_text("firewall rules")
        expect(student.get_by_test_id("unread-count")).to_have_text("1")
        student.get_by_label("Your answer").fill(SECOND)
        student.get_by_role("button", name="Resubmit").click()
        expect(status).to_have_text("Submitted")
        expect(attempts).to_have_count(2)
        expect(attempts.first).to_contain_text("Attempt 2")

        # 4. The mentor approves attempt 2.
        open_from_queue(mentor, loop.title, 2)
        expect(mentor.get_by_test_id("earlier-attempts")).to_contain_text("firewall rules")
        send_review(mentor, "Approve", "10", "5", "Clear evidence, well done.")
        expect(mentor.get_by_test_id("review-result")).to_contain_text("Approved")
        assert mentor_browser.console_errors == []

    # 5. The student's progress bar moves and the notification shows.
    student.goto("/dashboard/student")
    builders = student.get_by_test_id("track-progress").filter(has_text="Builders")
    expect(builders).to_contain_text("100%")
    expect(student.get_by_label("Builders progress")).to_be_visible()
    expect(student.get_by_test_id("unread-count")).to_have_text("2")
    student.get_by_test_id("notification-bell").click()
    expect(
        student.get_by_test_id("notification-item").filter(has_text=f"“{loop.title}” is approved")
    ).to_be_visible()
    student.goto(f"/missions/{loop.mission_id}")
    expect(status).to_have_text("Approved")
    assert web.console_errors == []
