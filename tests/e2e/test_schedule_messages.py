"""The cohort schedule's messages: a refused due date says why, and once a date is saved the
refusal goes — the panel never shows 'Choose a date…' next to 'Saved the due date…'."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import make_user

pytestmark = [pytest.mark.e2e]


@dataclass
class Course:
    director_email: str
    cohort_id: int
    mission: str


@pytest.fixture
def course(app_url: str, pg_admin_url: str) -> Iterator[Course]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Dates", tag, "Harden SSH")
            director = make_user(
                session, f"dates-director-{tag}@example.org", "director", organization_id=org.id
            )
            data = Course(director.email, cohort.id or 0, mission.title)
            org_id, program_id, ids = org.id, program.id, [director.id]
        yield data
        remove_made(engine, org_id, program_id, ids)


def test_a_refusal_goes_once_the_due_date_is_saved(web: BrowserPage, course: Course) -> None:
    page = web.page
    sign_in_to(page, f"/director/cohorts/{course.cohort_id}", course.director_email)
    expect(page).to_have_url(re.compile(rf"/director/cohorts/{course.cohort_id}/?$"))
    panel = page.get_by_test_id("schedule-panel")
    expect(panel).to_contain_text(course.mission, timeout=15_000)
    page.wait_for_load_state("networkidle")
    save = panel.get_by_role("button", name=f"Save the due date of {course.mission}")

    save.click()  # no date chosen
    expect(panel.get_by_role("alert")).to_contain_text("Choose a date and a time first")

    day = date.today() + timedelta(days=3)
    panel.get_by_label(f"Due date of {course.mission}", exact=True).fill(f"{day}T17:00")
    save.click()
    expect(panel.get_by_role("status")).to_contain_text(f"Saved the due date of {course.mission}")
    expect(panel.get_by_role("alert")).to_have_count(0)


@dataclass
class TwoMissions:
    director_email: str
    cohort_id: int
    first: str
    second: str


@pytest.fixture
def two_missions(app_url: str, pg_admin_url: str) -> Iterator[TwoMissions]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (one, two) = make_course(
                session, "Rows", tag, "Harden SSH", "Rotate keys"
            )
            director = make_user(
                session, f"rows-director-{tag}@example.org", "director", organization_id=org.id
            )
            data = TwoMissions(director.email, cohort.id or 0, one.title, two.title)
            org_id, program_id, ids = org.id, program.id, [director.id]
        yield data
        remove_made(engine, org_id, program_id, ids)


def test_saving_one_row_keeps_a_date_typed_in_another(
    web: BrowserPage, two_missions: TwoMissions
) -> None:
    """A director types a date in two rows and saves the first: the second row still shows the
    date typed there (not saved yet), and saving it then stores it."""
    page, c = web.page, two_missions
    sign_in_to(page, f"/director/cohorts/{c.cohort_id}", c.director_email)
    panel = page.get_by_test_id("schedule-panel")
    expect(panel).to_contain_text(c.second, timeout=15_000)
    page.wait_for_load_state("networkidle")
    first = panel.get_by_label(f"Due date of {c.first}", exact=True)
    second = panel.get_by_label(f"Due date of {c.second}", exact=True)
    day = date.today() + timedelta(days=4)
    other = date.today() + timedelta(days=9)
    first.fill(f"{day}T17:00")
    second.fill(f"{other}T09:30")

    panel.get_by_role("button", name=f"Save the due date of {c.first}").click()
    expect(panel.get_by_role("status")).to_contain_text(f"Saved the due date of {c.first}")
    expect(panel.get_by_role("button", name=f"Clear the due date of {c.first}")).to_be_visible()
    expect(first).to_have_value(f"{day}T17:00")
    expect(second).to_have_value(f"{other}T09:30")  # typed, not saved: still there

    panel.get_by_role("button", name=f"Save the due date of {c.second}").click()
    expect(panel.get_by_role("status")).to_contain_text(f"Saved the due date of {c.second}")
    page.reload()
    expect(panel.get_by_label(f"Due date of {c.second}", exact=True)).to_have_value(
        f"{other}T09:30", timeout=15_000
    )
    expect(panel.get_by_label(f"Due date of {c.first}", exact=True)).to_have_value(f"{day}T17:00")
