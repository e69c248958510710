"""Issue 5, acceptance 3 — the whole review loop in two browsers: a student submits, a mentor
claims and requests changes with feedback, the student resubmits, the mentor approves, and the
student's progress bar moves and the notification shows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine, select

from cyberhub.models import Mission, Organization, ProgramMission, User
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import (
    PASSWORD,
    assign,
    enroll,
    make_cohort,
    make_mission,
    make_org,
    make_program,
    make_track,
    make_user,
    serve,
    with_db,
)

FIRST = (
    "I hardened the server: key-only SSH, fail2ban and a default-deny firewall. The Lynis "
    "score went from 61 to 78."
)
SECOND = (
    FIRST + "\n\nAs asked, the **firewall rules**: `ufw default deny incoming`, allow 22/80/443."
)


@dataclass
class Loop:
    student_email: str
    mentor_email: str
    mission_id: int
    title: str


@pytest.fixture
def loop(app_url: str, pg_admin_url: str) -> Iterator[Loop]:
    """A cohort with one builders mission, a student and their assigned mentor."""
    tag = uuid.uuid4().hex[:6]
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Loop Academy {tag}")
            program = make_program(session, org)
            track = make_track(session, program, "builders")
            cohort = make_cohort(session, program, name=f"Loop cohort {tag}")
            mission = make_mission(session, program, track, title=f"Lock down SSH {tag}")
            student = make_user(
                session, f"loop-student-{tag}@example.org", "student", organization_id=org.id
            )
            mentor = make_user(
                session, f"loop-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, student)
            data = Loop(student.email, mentor.email, mission.id or 0, mission.title)
            org_id, program_id, user_ids = org.id, program.id, [student.id, mentor.id]
        yield data
        # The browser session shares this database: remove what was made (missions first).
        with Session(engine) as session:
            session.execute(
                delete(Mission).where(
                    col(Mission.id).in_(
                        select(ProgramMission.mission_id).where(
                            ProgramMission.program_id == program_id
                        )
                    )
                )
            )
            session.execute(delete(Organization).where(col(Organization.id) == org_id))
            session.execute(delete(User).where(col(User.id).in_(user_ids)))
            session.commit()
    finally:
        engine.dispose()


def _open_from_queue(page: Page, title: str, attempt: int) -> None:
    if not page.url.endswith("/dashboard/mentor"):
        page.goto("/dashboard/mentor")
    row = page.get_by_test_id("queue-row").filter(has_text=title)
    expect(row).to_contain_text(f"Attempt {attempt}")
    row.get_by_role("link", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(r"/review/\d+$"))
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()


def _send(page: Page, decision: str, evidence: str, clarity: str, feedback: str) -> None:
    page.get_by_label("Evidence (max 10)").fill(evidence)
    page.get_by_label("Clarity (max 5)").fill(clarity)
    page.get_by_label("Feedback").fill(feedback)
    page.get_by_role("button", name=decision).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()


def test_submit_changes_resubmit_approve_progress_and_notification(
    web: BrowserPage, browser: Browser, app_url: str, loop: Loop
) -> None:
    student = web.page
    student.goto(f"/signin?next=/missions/{loop.mission_id}")
    sign_in(student, loop.student_email, PASSWORD)
    status = student.get_by_test_id("work-status")
    expect(status).to_have_text("Not started")

    # 1. The student submits.
    student.get_by_label("Your answer").fill(FIRST)
    student.get_by_role("button", name="Submit for review").click()
    expect(status).to_have_text("Submitted")

    mentor_browser = BrowserPage(browser, app_url)
    try:
        mentor = mentor_browser.page
        mentor.goto("/signin?next=/dashboard/mentor")
        sign_in(mentor, loop.mentor_email, PASSWORD)
        expect(mentor).to_have_url(re.compile("/dashboard/mentor/?$"))

        # 2. The mentor claims it and requests changes with feedback.
        _open_from_queue(mentor, loop.title, 1)
        _send(mentor, "Request changes", "6", "3", "Show the **firewall rules** you applied.")
        expect(mentor.get_by_test_id("review-result")).to_contain_text("Changes requested")

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
        _open_from_queue(mentor, loop.title, 2)
        expect(mentor.get_by_test_id("earlier-attempts")).to_contain_text("firewall rules")
        _send(mentor, "Approve", "10", "5", "Clear evidence, well done.")
        expect(mentor.get_by_test_id("review-result")).to_contain_text("Approved")
        assert mentor_browser.console_errors == []
    finally:
        mentor_browser.context.close()

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
