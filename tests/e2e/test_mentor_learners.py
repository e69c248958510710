"""Issue 17, item 9: the mentor home's "Learners you may be matched with" lists learners only (a
director who also holds a student role is not one), each with the attempt the mentor can act on;
"Claim and review" from the list claims it and opens the review page; the two "Reviewed" counts
say which is which. The data is made through the services, in the app's own database."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.services.learning import submissions
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine, make_course, remove_made
from tests.factories import (
    GOOD_ANSWER,
    PASSWORD,
    enroll,
    make_user,
    principal,
    serve,
)


@dataclass
class Setup:
    mentor_email: str
    student_name: str
    idle_name: str
    staff_email: str
    mission_title: str
    submission_id: int


@pytest.fixture
def learners_setup(app_url: str, pg_admin_url: str) -> Iterator[Setup]:
    """A mentor of a cohort with a learner who submitted, one who did not, and a director who
    also holds a student role (staff)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(
                session, "Matching", tag, "Harden a server"
            )

            def user(name: str, *roles: str) -> User:
                email = f"{name}-{tag}@example.org"
                return make_user(session, email, *roles, organization_id=org.id)

            mentor = user("mentor", "mentor")
            student, idle = user("student", "student"), user("idle", "student")
            staff = user("staff", "student", "director")
            for learner in (student, idle, staff):
                enroll(session, cohort, learner)
            serve(session, cohort, mentor)
            sub = submissions.submit(
                session, principal(session, student), mission.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            org_id, program_id = org.id, program.id
            user_ids = [mentor.id, student.id, idle.id, staff.id]
            setup = Setup(
                mentor_email=mentor.email,
                student_name=student.full_name,
                idle_name=idle.full_name,
                staff_email=staff.email,
                mission_title=mission.title,
                submission_id=sub.id or 0,
            )
        yield setup
        remove_made(engine, org_id, program_id, user_ids)


def test_mentor_claims_a_learners_work_from_the_learners_list(
    web: BrowserPage, learners_setup: Setup
) -> None:
    s = learners_setup
    page = web.page
    page.goto("/signin")
    sign_in(page, s.mentor_email, PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/mentor/?$"))  # the mentor's own home

    # The counts say which is which.
    expect(page.get_by_role("tab", name=re.compile(r"Reviewed \(all time\)"))).to_be_visible()
    expect(page.get_by_test_id("workload")).to_contain_text("Reviewed (last 7 days)")

    learners = page.get_by_test_id("learners")
    expect(learners.get_by_test_id("learner-row")).to_have_count(2)
    expect(learners).not_to_contain_text(s.staff_email)
    expect(page.get_by_text("2 learners in your organizations")).to_be_visible()
    idle = learners.get_by_test_id("learner-row").filter(has_text=s.idle_name)
    expect(idle).to_contain_text("Nothing waiting for you")

    row = learners.get_by_test_id("learner-row").filter(has_text=s.student_name)
    expect(row).to_contain_text(s.mission_title)
    row.get_by_role(
        "button", name=f"Claim and review {s.mission_title} by {s.student_name}"
    ).click()
    expect(page).to_have_url(re.compile(f"/review/{s.submission_id}$"))
    expect(page.get_by_role("button", name="Release")).to_be_visible()  # held by this mentor
    expect(page.get_by_test_id("claim-button")).to_have_count(0)

    # Back on the home, the same learner now offers to continue the review.
    page.goto("/dashboard/mentor")
    row = page.get_by_test_id("learner-row").filter(has_text=s.student_name)
    expect(row.get_by_role("link", name=re.compile("Continue your review"))).to_have_attribute(
        "href", f"/review/{s.submission_id}"
    )

    # The list searches by name: one learner matches, then none.
    page.get_by_label("Search learners by name or e-mail").fill(s.idle_name)
    page.get_by_label("Search learners by name or e-mail").press("Enter")
    expect(page.get_by_text("1 learner matches")).to_be_visible()
    expect(page.get_by_test_id("learner-row")).to_have_count(1)
    expect(page.get_by_test_id("learner-row")).to_contain_text(s.idle_name)
    page.get_by_label("Search learners by name or e-mail").fill("nobody-of-that-name")
    page.get_by_label("Search learners by name or e-mail").press("Enter")
    expect(page.get_by_role("heading", name="No learner matches")).to_be_visible()
