"""/cohorts: a withdraw confirmation left open is closed when the learner comes back to the page:
it is a fresh visit, not the question they walked away from. An application the end of its cohort
closed (the hourly sweep) is listed under "Closed applications" with the reason."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import Cohort, Organization, User
from cyberhub.models.base import utcnow
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import applications
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, sign_in_to
from tests.factories import complete_profiler, make_cohort, make_org, make_program, make_user

pytestmark = [pytest.mark.e2e]


@dataclass
class Applied:
    cohort: str
    cohort_id: int
    learner_email: str


@pytest.fixture
def applied(app_url: str, pg_admin_url: str) -> Iterator[Applied]:
    """A learner who has applied to a cohort that takes applications."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Rift Academy {tag}")
            program = make_program(session, org, f"Rift Defenders {tag}")
            director = make_user(
                session, f"rift-director-{tag}@example.org", "director", organization_id=org.id
            )
            learner = make_user(session, f"rift-learner-{tag}@example.org", "student")
            cohort = make_cohort(session, program, director=director, name=f"Rift {tag}")
            session.commit()
            applications.set_enrolment(
                session,
                load_principal(session, director.id or 0),
                cohort.id or 0,
                mode="application",
                capacity=5,
            )
            complete_profiler(session, learner.id or 0, "builders")
            applications.apply(session, load_principal(session, learner.id or 0), cohort.id or 0)
            session.commit()
            made = Applied(cohort.name, cohort.id or 0, learner.email)
            org_id, ids = org.id, [director.id, learner.id]
        yield made
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id) == org_id))
            session.execute(delete(User).where(col(User.id).in_(ids)))
            session.commit()


def test_a_withdraw_confirmation_left_open_is_closed_on_the_next_visit(
    web: BrowserPage, applied: Applied
) -> None:
    page = web.page
    sign_in_to(page, "/cohorts", applied.learner_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/cohorts/?$"))
    page.get_by_role("button", name=f"Withdraw from {applied.cohort}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Withdraw from {applied.cohort}?")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"^[^?]*/cohorts/?$"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"^[^?]*/cohorts/?$"))
    # The page is there (a CSS locator: an open dialog hides the rest from the accessibility tree).
    expect(page.locator("h1", has_text="Join a cohort")).to_be_visible()
    expect(page.locator("[data-testid=cohort-offer]", has_text=applied.cohort)).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Join a cohort", level=1)).to_be_visible()


def test_an_application_the_cohort_s_end_closed_is_listed_with_the_reason(
    web: BrowserPage, applied: Applied, pg_admin_url: str
) -> None:
    """The cohort ended before a director decided; the hourly sweep closed the application.
    /cohorts no longer offers the cohort and lists the application under "Closed applications",
    with why."""
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        cohort = session.get(Cohort, applied.cohort_id)
        assert cohort is not None
        today = utcnow().date()
        cohort.starts_on, cohort.ends_on = today - timedelta(days=60), today - timedelta(days=1)
        session.add(cohort)
        session.commit()
        applications.expire_ended_applications(session)  # the hourly sweep
        session.commit()

    page = web.page
    sign_in_to(page, "/cohorts", applied.learner_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/cohorts/?$"))
    expect(page.get_by_role("heading", name="Closed applications", level=2)).to_be_visible()
    closed = page.get_by_test_id("closed-application")
    expect(closed).to_have_count(1)
    expect(closed).to_have_text(
        f"{applied.cohort}: The cohort ended before your application was decided."
    )
    expect(page.get_by_test_id("cohort-offer").filter(has_text=applied.cohort)).to_have_count(0)
