"""A director's cohort page shows a big roster a page at a time and finds a learner by name:
Next shows the rest, a search says how many match, Show everyone brings the whole roster back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from cyberhub.services.learning.programs import ROSTER_PAGE_SIZE
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import enroll, make_user


@dataclass
class BigCohort:
    director_email: str
    cohort_id: int
    cohort_name: str
    tag: str


@pytest.fixture
def big_cohort(pg_admin_url: str) -> Iterator[BigCohort]:
    """A cohort of ROSTER_PAGE_SIZE + 2 learners ("Learner 00 <tag>" …) and its director."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, _ = make_course(session, "Roster", tag)
            director = make_user(
                session, f"roster-director-{tag}@example.org", "director", organization_id=org.id
            )
            learners = []
            for i in range(ROSTER_PAGE_SIZE + 2):
                learner = make_user(session, f"roster-{i:02d}-{tag}@example.org", "student")
                learner.full_name = f"Learner {i:02d} {tag}"
                session.add(learner)
                enroll(session, cohort, learner)
                learners.append(learner)
            session.commit()
            made = BigCohort(director.email, cohort.id or 0, cohort.name, tag)
            ids = [director.id, *(u.id for u in learners)]
            org_id, program_id = org.id, program.id
        try:
            yield made
        finally:
            remove_made(engine, org_id, program_id, ids)


def test_a_big_roster_comes_a_page_at_a_time_and_a_learner_is_found_by_name(
    big_cohort: BigCohort, web: BrowserPage
) -> None:
    page, tag = web.page, big_cohort.tag
    sign_in_to(page, f"/director/cohorts/{big_cohort.cohort_id}", big_cohort.director_email)
    expect(page.get_by_role("heading", name=big_cohort.cohort_name, level=1)).to_be_visible(
        timeout=15_000
    )
    roster = page.get_by_test_id("roster")
    expect(roster.get_by_text(f"Learner 00 {tag}", exact=True)).to_be_visible()
    expect(roster.get_by_text(f"Learner 26 {tag}", exact=True)).to_have_count(0)
    pages = page.get_by_role("group", name="Pages of the roster")
    expect(pages).to_contain_text("Page 1 of 2")
    pages.get_by_role("button", name="Next page of the roster").click()
    expect(pages).to_contain_text("Page 2 of 2")
    expect(roster.get_by_text(f"Learner 26 {tag}", exact=True)).to_be_visible()
    expect(roster.get_by_text(f"Learner 00 {tag}", exact=True)).to_have_count(0)

    page.get_by_label("Search the roster").fill("learner 1")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("roster-found")).to_have_text(re.compile(r"^10 learners match"))
    expect(roster.get_by_text(f"Learner 10 {tag}", exact=True)).to_be_visible()
    expect(pages).to_have_count(0)  # ten fit on one page
    page.get_by_label("Search the roster").fill("nobody-like-this")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No learner matches")).to_be_visible()
    page.get_by_role("button", name="Show everyone").click()
    expect(roster.get_by_text(f"Learner 00 {tag}", exact=True)).to_be_visible()
    expect(page.get_by_label("Search the roster")).to_have_value("")
    expect(pages).to_contain_text("Page 1 of 2")
