"""Closing a cohort ends its pending applications: the cohort page's applications panel shows
them gone at once (no Approve left on an application that has ended)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import User
from cyberhub.services.learning import applications
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import make_user, principal

pytestmark = [pytest.mark.e2e]


@dataclass
class Applied:
    director_email: str
    cohort_id: int
    learner: str


@pytest.fixture
def applied(app_url: str, pg_admin_url: str) -> Iterator[Applied]:
    """A cohort taking applications, with one pending application."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, _ = make_course(session, "Closing", tag, "Harden SSH")
            director = make_user(
                session, f"close-director-{tag}@example.org", "director", organization_id=org.id
            )
            learner = make_user(session, f"close-learner-{tag}@example.org", "student")
            applications.set_enrolment(
                session, principal(session, director), cohort.id or 0, mode="application"
            )
            applications.apply(session, principal(session, learner), cohort.id or 0)
            session.commit()
            data = Applied(director.email, cohort.id or 0, learner.email)
            org_id, program_id, ids = org.id, program.id, [director.id, learner.id]
        yield data
        remove_made(engine, org_id, program_id, ids)
        with Session(engine) as session:
            session.execute(delete(User).where(col(User.id).in_(ids)))
            session.commit()


def test_closing_the_cohort_empties_its_pending_applications(
    web: BrowserPage, applied: Applied
) -> None:
    page = web.page
    sign_in_to(page, f"/director/cohorts/{applied.cohort_id}", applied.director_email)
    expect(page).to_have_url(re.compile(rf"/director/cohorts/{applied.cohort_id}/?$"))
    panel = page.get_by_test_id("applications")
    expect(panel.get_by_test_id("pending-applications")).to_contain_text(
        applied.learner, timeout=15_000
    )
    page.wait_for_load_state("networkidle")

    page.get_by_test_id("cohort-completions").get_by_role("button", name="Close the cohort").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Close the cohort").click()
    expect(page.get_by_test_id("cohort-closed")).to_be_visible()
    expect(panel.get_by_test_id("pending-applications")).to_have_count(0)
    expect(panel).to_contain_text("No pending applications.")
