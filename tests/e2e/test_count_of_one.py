"""Lists that count what they show say "1 learner" and "1 mission" for one, not "1 learners":
the director's analytics roster of a cohort with one learner, and the catalog filtered down to
one mission."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from cyberhub.models import Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import enroll, make_user

pytestmark = [pytest.mark.e2e]


@dataclass
class Made:
    program_id: int
    cohort_id: int
    director_email: str
    learner_email: str


@pytest.fixture
def made(app_url: str, pg_admin_url: str) -> Iterator[Made]:
    """A cohort with one learner, who has one approved mission."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "One", tag, "Harden SSH")
            director = make_user(
                session, f"one-director-{tag}@example.org", "director", organization_id=org.id
            )
            learner = make_user(
                session, f"one-learner-{tag}@example.org", "student", organization_id=org.id
            )
            enroll(session, cohort, learner)
            at = utcnow()
            session.add(
                Submission(
                    student_id=learner.id or 0,
                    mission_id=mission.id or 0,
                    status=SubmissionStatus.approved,
                    submitted_at=at,
                    decided_at=at,
                )
            )
            session.commit()
            data = Made(program.id or 0, cohort.id or 0, director.email, learner.email)
            ids, org_id, program_id = [director.id, learner.id], org.id, program.id
        yield data
        remove_made(engine, org_id, program_id, ids)


def test_the_roster_of_one_learner_says_1_learner(web: BrowserPage, made: Made) -> None:
    page = web.page
    path = f"/dashboard/director/analytics?program={made.program_id}&cohort={made.cohort_id}"
    sign_in_to(page, quote(path, safe="/"), made.director_email)
    expect(page).to_have_url(re.compile(r"/dashboard/director/analytics/?\?program=.*&cohort="))
    expect(page.get_by_test_id("roster-table")).to_contain_text(made.learner_email)
    roster = page.locator("main")
    expect(roster.get_by_text("1 learner", exact=True)).to_be_visible()
    expect(roster.get_by_text("1 learners", exact=True)).to_have_count(0)


def test_the_catalog_filtered_to_one_mission_says_1_mission(
    browser: Browser, app_url: str, made: Made
) -> None:
    learner = BrowserPage(browser, app_url)
    try:
        page = learner.page
        sign_in_to(page, "/missions?status=approved", made.learner_email)
        expect(page).to_have_url(re.compile(r"/missions/?\?status=approved"))
        main = page.locator("main")
        expect(main.get_by_role("heading", name=re.compile("Harden SSH"))).to_be_visible()
        expect(main.get_by_text("1 mission", exact=True)).to_be_visible()
        expect(main.get_by_text("1 missions", exact=True)).to_have_count(0)
    finally:
        learner.context.close()
