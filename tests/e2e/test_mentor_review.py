"""A mentor in a real browser: the bell shows the new submission, the queue lists it, they claim it
(another mentor then sees who holds it and no form), a bad score is refused with a message and
the typed values kept, they request changes with feedback, and the attempt moves to "Waiting for
student". The data is made through the services, in the app's own database."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from cyberhub.services.learning import submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import (
    GOOD_ANSWER,
    assign,
    enroll,
    make_user,
    principal,
    serve,
)


@dataclass
class Setup:
    mentor_email: str
    comentor_email: str
    mentor_name: str
    student_name: str
    mission_title: str
    submission_id: int


@pytest.fixture
def review_setup(app_url: str, pg_admin_url: str) -> Iterator[Setup]:
    """A mentor (assigned), a co-mentor and a student of one cohort; the student's submission."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(
                session, "Review", tag, "Harden a server"
            )

            def user(name: str, role: str):
                return make_user(session, f"{name}-{tag}@example.org", role, organization_id=org.id)

            student, mentor, comentor = (
                user("student", "student"),
                user("mentor", "mentor"),
                user("comentor", "mentor"),
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            serve(session, cohort, comentor)
            assign(session, cohort, mentor, student)
            sub = submissions.submit(
                session,
                principal(session, student),
                mission.id or 0,
                answer=GOOD_ANSWER + "\n\n- **ufw** allows 80 and 443",
                links=["https://github.com/example/hardening"],
            )
            session.commit()
            org_id, program_id = org.id, program.id
            user_ids = [student.id, mentor.id, comentor.id]
            setup = Setup(
                mentor_email=mentor.email,
                comentor_email=comentor.email,
                mentor_name=mentor.full_name,
                student_name=student.full_name,
                mission_title=mission.title,
                submission_id=sub.id or 0,
            )
        yield setup
        remove_made(engine, org_id, program_id, user_ids)


def test_mentor_claims_scores_and_requests_changes(
    web: BrowserPage, browser: Browser, app_url: str, review_setup: Setup
) -> None:
    s = review_setup
    page = web.page
    sign_in_to(page, "/dashboard/mentor", s.mentor_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/mentor/?$"))

    # The bell counts the "submitted" notification; its popover lists it.
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("notification-bell").click()
    item = page.get_by_test_id("notification-item").filter(has_text=s.mission_title)
    expect(item).to_contain_text(f"submitted “{s.mission_title}”")
    page.keyboard.press("Escape")

    # The pending queue lists the attempt; "Open" leads to the review page.
    expect(page.get_by_role("tab", name=re.compile("Pending"))).to_contain_text("1")
    row = page.get_by_test_id("queue-row").filter(has_text=s.mission_title)
    expect(row).to_contain_text(s.student_name)
    expect(row).to_contain_text("Attempt 1")
    row.get_by_role("link", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(f"/review/{s.submission_id}$"))
    expect(page.get_by_role("heading", name=f"Review: {s.mission_title}", level=1)).to_be_visible()
    expect(page.get_by_test_id("submission-answer").locator("strong")).to_have_text("ufw")
    expect(page.get_by_role("link", name="https://github.com/example/hardening")).to_be_visible()
    expect(page.get_by_test_id("rubric")).to_contain_text("Evidence")

    page.get_by_test_id("claim-button").click()
    expect(
        page.get_by_role("status").filter(has_text="You claimed this submission")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Release")).to_be_visible()

    # Another mentor of the cohort sees who holds it, and no form.
    other = BrowserPage(browser, app_url)
    try:
        op = other.page
        sign_in_to(op, f"/review/{s.submission_id}", s.comentor_email)
        expect(op.get_by_test_id("claimed-by-other")).to_contain_text(s.mentor_name)
        expect(op.get_by_test_id("claim-button")).to_have_count(0)
        expect(op.get_by_label("Feedback")).to_have_count(0)
    finally:
        other.context.close()

    # A score over the criterion's maximum: the message, and what was typed is still there.
    page.get_by_label("Evidence (max 10)").fill("11")
    page.get_by_label("Clarity (max 5)").fill("3")
    page.get_by_role("button", name="Request changes").click()
    alert = page.get_by_role("alert").filter(has_text="must be a whole number from 0 to 10")
    expect(alert).to_contain_text("Write feedback saying what to change.")
    expect(page.get_by_label("Evidence (max 10)")).to_have_value("11")
    expect(page.get_by_role("alertdialog")).to_have_count(0)

    page.get_by_label("Evidence (max 10)").fill("6")
    page.get_by_label("Feedback").fill("Show the **firewall rules** you applied.")
    page.get_by_role("button", name="Request changes").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("score 9 / 15")
    dialog.get_by_role("button", name="Send review").click()
    result = page.get_by_test_id("review-result")
    expect(result).to_contain_text("Changes requested")
    expect(result.locator("strong").filter(has_text="firewall rules")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Review sent")).to_be_visible()

    # Back on the dashboard the attempt waits for the student.
    page.get_by_role("link", name="Back to the review queue").click()
    expect(page).to_have_url(re.compile("/dashboard/mentor$"))
    expect(page.get_by_test_id("queue-row").filter(has_text=s.mission_title)).to_have_count(0)
    page.get_by_role("tab", name=re.compile("Waiting for student")).click()
    waiting = page.get_by_test_id("queue-row").filter(has_text=s.mission_title)
    expect(waiting).to_contain_text(s.student_name)
    expect(waiting).to_contain_text("Changes requested")

    # Mark all read: the badge goes.
    page.get_by_test_id("notification-bell").click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert web.console_errors == []
