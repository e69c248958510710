"""A mission's rubric is edited while a mentor reviews an attempt at it: Send used to fail with
"Score “Depth”" / "Not criteria of this mission's rubric" however often it was clicked, the form
still showing the old rubric until the page was reloaded. Now the page says what changed and
shows the current rubric, keeping the feedback and the scores of the criteria still in it (each
in its own criterion's box, though the criteria moved), and the review then goes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, update
from sqlmodel import Session, col

from cyberhub.models import Mission
from cyberhub.services.learning import reviews, submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import GOOD_ANSWER, RUBRIC, enroll, make_user, principal, serve

DEPTH = {"key": "depth", "title": "Depth", "description": "Goes past the brief.", "points": 3}


@dataclass
class Setup:
    engine: Engine
    mentor_email: str
    mission_id: int
    submission_id: int


@pytest.fixture
def claimed(app_url: str, pg_admin_url: str) -> Iterator[Setup]:
    """A student's attempt, claimed by their cohort's mentor."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Rubric", tag, "Patch a host")
            student = make_user(
                session, f"student-{tag}@example.org", "student", organization_id=org.id
            )
            mentor = make_user(
                session, f"mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            sub = submissions.submit(
                session, principal(session, student), mission.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            reviews.claim(session, principal(session, mentor), sub.id or 0)
            session.commit()
            setup = Setup(engine, mentor.email, mission.id or 0, sub.id or 0)
            org_id, program_id, user_ids = org.id, program.id, [student.id, mentor.id]
        yield setup
        remove_made(engine, org_id, program_id, user_ids)


def test_send_after_the_rubric_changed_shows_the_new_rubric_keeping_what_was_typed(
    web: BrowserPage, claimed: Setup
) -> None:
    s = claimed
    page = web.page
    sign_in_to(page, f"/review/{s.submission_id}", s.mentor_email)
    page.get_by_label("Evidence (max 10)").fill("8")
    page.get_by_label("Clarity (max 5)").fill("4")
    page.get_by_label("Feedback").fill("Solid work on the patching.")
    page.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("score 12 / 15")

    # Meanwhile the mission's rubric is edited: Depth comes first, Clarity goes.
    evidence = next(c for c in RUBRIC if c["key"] == "evidence")
    with Session(s.engine) as session:
        session.execute(
            update(Mission).where(col(Mission.id) == s.mission_id).values(rubric=[DEPTH, evidence])
        )
        session.commit()
    dialog.get_by_role("button", name="Send review").click()

    alert = page.get_by_role("alert").filter(has_text="rubric was changed while you were reviewing")
    expect(alert).to_contain_text("“Depth” was added; “Clarity” was removed.")
    expect(page.get_by_label("Depth (max 3)")).to_have_value("")
    expect(page.get_by_label("Evidence (max 10)")).to_have_value("8")
    expect(page.get_by_label("Clarity (max 5)")).to_have_count(0)
    expect(page.get_by_label("Feedback")).to_have_value("Solid work on the patching.")

    page.get_by_label("Depth (max 3)").fill("2")
    page.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("score 10 / 13")
    dialog.get_by_role("button", name="Send review").click()
    expect(page.get_by_role("status").filter(has_text="Review sent: Approved")).to_be_visible()
    expect(page.get_by_test_id("review-result")).to_contain_text(re.compile("Approved"))
    assert web.console_errors == []
