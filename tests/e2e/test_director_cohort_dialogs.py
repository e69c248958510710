"""A director's confirmation dialog on one cohort is not still open on the next cohort they open
(the dialog asked about a learner of the first cohort); the message at the top of a cohort is
its last action's."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import assign, enroll, make_user, serve

DIRECTOR = "director@cyberhub.example"


def test_a_withdraw_dialog_left_open_is_closed_on_the_next_cohort(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.get_by_role("link", name="Nairobi Spring Cohort").click()
    expect(page.get_by_role("heading", name="Nairobi Spring Cohort", level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Withdraw ")).first.click()
    expect(page.get_by_role("alertdialog")).to_be_visible()

    # Back to the programme (the dialog not answered), then another cohort.
    page.go_back()
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.get_by_role("link", name="Remote Evening Cohort").click()
    expect(page).to_have_url(re.compile(r"/director/cohorts/\d+$"))
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Remote Evening Cohort", level=1)).to_be_visible()


@dataclass
class FullMentor:
    director_email: str
    cohort_id: int
    mentor_name: str
    waiting_name: str
    tag: str


@pytest.fixture
def full_mentor(app_url: str, pg_admin_url: str) -> Iterator[FullMentor]:
    """A cohort whose one mentor (capacity 1) has a mentee, and a second learner unmatched."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, _ = make_course(session, "Full", tag, "Harden SSH")

            def user(name: str, role: str) -> User:
                return make_user(session, f"{name}-{tag}@example.org", role, organization_id=org.id)

            director, mentor = user("director", "director"), user("mentor", "mentor")
            matched, waiting = user("matched", "student"), user("waiting", "student")
            serve(session, cohort, mentor, capacity=1)
            for learner in (matched, waiting):
                enroll(session, cohort, learner)
            assign(session, cohort, mentor, matched)
            data = FullMentor(
                director.email, cohort.id or 0, mentor.full_name, waiting.full_name, tag
            )
            org_id, program_id = org.id, program.id
            ids = [director.id, mentor.id, matched.id, waiting.id]
        yield data
        remove_made(engine, org_id, program_id, ids)


def test_a_refused_match_s_message_goes_with_the_next_action(
    web: BrowserPage, full_mentor: FullMentor
) -> None:
    """The message at the top of the cohort is the last action's: a refused match says why,
    and enrolling someone afterwards says 'Enrolled …' without the refusal under it."""
    f, page = full_mentor, web.page
    sign_in_to(page, f"/director/cohorts/{f.cohort_id}", f.director_email)
    expect(page.get_by_test_id("roster")).to_contain_text(f.waiting_name, timeout=15_000)
    page.get_by_role("combobox", name=f"Mentor of {f.waiting_name}").click()
    page.get_by_role("option", name=f.mentor_name).click()
    refusal = page.get_by_role("alert").filter(has_text="already has 1 mentee in this cohort")
    expect(refusal).to_be_visible()

    page.get_by_label("Email", exact=True).fill(f"newcomer-{f.tag}@example.org")
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(
        page.get_by_role("status").filter(has_text=f"Enrolled newcomer-{f.tag}@example.org")
    ).to_be_visible()
    expect(refusal).to_have_count(0)
