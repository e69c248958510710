"""Issue 16, item 9: one mentee page for mentors and directors. The assigned mentor opens their
mentee from the mentoring home, sees the career profile, progress, their goal, the reflection they
shared (not the private one) and the attempt waiting for review, and goes from there to the review
page; a mentor with no relationship to the learner
gets "Learner not found" (the same as for an id that does not exist)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from sqlmodel import Session, col, select

from cyberhub.models import Enrollment, EnrollmentStatus, User
from cyberhub.schemas.coaching import CheckinCreate, GoalCreate, HabitCreate, ReflectionCreate
from cyberhub.services.admin.demo import DEMO_PASSWORD
from cyberhub.services.coaching import goals, habits, reflections
from cyberhub.services.learning import submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, make_loop, remove_made, sign_in_to
from tests.factories import (
    GOOD_ANSWER,
    PASSWORD,
    assign,
    complete_profiler,
    enroll,
    make_user,
    principal,
    serve,
)

DEMO_MENTOR = "mentor@cyberhub.example"


def test_mentor_opens_their_mentee_and_goes_on_to_review(
    web: BrowserPage, pg_admin_url: str
) -> None:
    with make_loop(
        pg_admin_url, name="Mentee", email_prefix="mentee", title="Lock down SSH"
    ) as loop:
        with app_engine(pg_admin_url) as engine, Session(engine) as session:
            student = session.exec(select(User).where(User.email == loop.student_email)).one()
            complete_profiler(session, student.id or 0, "builders", "researchers")
            sub = submissions.submit(
                session, principal(session, student), loop.mission_id, answer=GOOD_ANSWER
            )
            me = principal(session, student)
            goals.create_goal(session, me, GoalCreate(title="Pass the SOC interview"))
            reflections.add_reflection(
                session, me, ReflectionCreate(body="SSH keys confused me", visibility="mentor")
            )
            reflections.add_reflection(session, me, ReflectionCreate(body="A private doubt"))
            habit = habits.create_habit(session, me, HabitCreate(title="Read a write-up"))
            habits.check_in(session, me, habit.id, CheckinCreate(note="A check-in thought"))
            session.commit()
            student_id, name, sub_id = student.id, student.full_name, sub.id

        page = web.page
        sign_in_to(page, "/dashboard/mentor", loop.mentor_email)
        mentee = page.get_by_test_id("mentee-row").filter(has_text=name)
        mentee.get_by_role("link", name=name).click()
        expect(page).to_have_url(re.compile(f"/mentees/{student_id}$"))
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(page.get_by_test_id("mentee-profile")).to_contain_text("Builders")
        expect(page.get_by_test_id("mentee-profile")).to_contain_text("Researchers")
        # Their goals and the reflections they shared — never a private one.
        expect(page.get_by_test_id("mentee-goals")).to_contain_text("Pass the SOC interview")
        shared = page.get_by_test_id("mentee-reflections")
        expect(shared).to_contain_text("SSH keys confused me")
        expect(shared).not_to_contain_text("A private doubt")
        # Their habit and streak, but not the notes of their check-ins (not marked shared).
        expect(page.locator("main")).to_contain_text("Read a write-up")
        expect(page.locator("main")).not_to_contain_text("A check-in thought")
        attempt = page.get_by_test_id("mentee-attempt").filter(has_text=loop.title)
        expect(attempt).to_contain_text("Attempt 1")
        expect(page.get_by_test_id("mentee-attempts")).to_contain_text("1 waiting")
        expect(page.get_by_test_id("mentee-recommendations")).to_contain_text(
            "not agreed to AI recommendations"
        )
        attempt.get_by_role("link", name=f"Review {loop.title}, attempt 1").click()
        expect(page).to_have_url(re.compile(f"/review/{sub_id}$"))
        # The review page leads back to the learner.
        expect(page.get_by_role("link", name=name)).to_have_attribute(
            "href", f"/mentees/{student_id}"
        )

        # The demo mentor has nothing to do with this learner: nothing about them is shown.
        page.context.clear_cookies()
        sign_in_to(page, f"/mentees/{student_id}", DEMO_MENTOR, DEMO_PASSWORD)
        expect(page.get_by_text("Learner not found")).to_be_visible()
        expect(page.get_by_text("No learner of yours has that id.")).to_be_visible()
        expect(page.get_by_text(name)).to_have_count(0)


@dataclass
class TwoMentees:
    mentor_email: str
    shown_id: int
    shown_name: str
    other_email: str
    enrollment_id: int
    mission_ids: list[int]


@pytest.fixture
def two_mentees(app_url: str, pg_admin_url: str) -> Iterator[TwoMentees]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, missions = make_course(
                session, "Back", tag, "Harden SSH", "Rotate keys"
            )

            def user(name: str, role: str) -> User:
                return make_user(session, f"{name}-{tag}@example.org", role, organization_id=org.id)

            mentor, shown, other = (
                user("mentor", "mentor"),
                user("shown", "student"),
                user("other", "student"),
            )
            serve(session, cohort, mentor)
            row = enroll(session, cohort, shown)
            enroll(session, cohort, other)
            # the mentor reads `shown` as a learner of a cohort they mentor (not assigned)
            assign(session, cohort, mentor, other)
            data = TwoMentees(
                mentor.email,
                shown.id or 0,
                shown.full_name,
                other.email,
                row.id or 0,
                [m.id or 0 for m in missions],
            )
            org_id, program_id, ids = org.id, program.id, [mentor.id, shown.id, other.id]
        yield data
        remove_made(engine, org_id, program_id, ids)


def _enrolled(pg_admin_url: str, enrollment_id: int, status: EnrollmentStatus) -> None:
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            update(Enrollment).where(col(Enrollment.id) == enrollment_id).values(status=status)
        )
        session.commit()


def test_the_learner_comes_back_when_the_page_can_read_them_again(
    web: BrowserPage, app_url: str, pg_admin_url: str, two_mentees: TwoMentees
) -> None:
    """The page follows the mentor's queue live. A refresh that could not read the learner
    (withdrawn for a moment) says so; the next one that can shows them again, not the old
    'Learner not found'."""
    t, page = two_mentees, web.page
    sign_in_to(page, f"/mentees/{t.shown_id}", t.mentor_email)
    heading = page.get_by_role("heading", name=t.shown_name, level=1)
    expect(heading).to_be_visible()
    page.wait_for_timeout(1_000)  # the page's live listener is up

    api = httpx.Client(base_url=f"{app_url}/api/v1", timeout=30)
    r = api.post("/auth/login", json={"email": t.other_email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def other_submits(mission_id: int) -> None:  # the mentor's queue changes: the page re-reads
        r = api.post(f"/missions/{mission_id}/submit", json={"answer": GOOD_ANSWER, "links": []})
        assert r.status_code == 201, r.text

    _enrolled(pg_admin_url, t.enrollment_id, EnrollmentStatus.withdrawn)
    other_submits(t.mission_ids[0])
    expect(page.get_by_text("Learner not found")).to_be_visible()

    _enrolled(pg_admin_url, t.enrollment_id, EnrollmentStatus.active)
    other_submits(t.mission_ids[1])
    expect(heading).to_be_visible()
    expect(page.get_by_text("Learner not found")).to_have_count(0)
    api.close()
