"""A director enrols, by address, a learner whose application is still pending (issue 12): the
cohort page's applications panel stops listing it as pending at once. It went on offering
"Approve" (which then answered that the application is enrolled) and counting "1 pending" until
the page was reloaded: enrolling refreshed the roster, not the panel.

The cohort belongs to an organisation made for the test; everything made here is deleted
afterwards (the app database is shared by the whole browser session)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine

from cyberhub.models import Organization, User
from cyberhub.services.identity import memberships
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import applications
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import PASSWORD, make_cohort, make_org, make_program, make_user, with_db


@dataclass
class Pending:
    cohort_id: int
    cohort_name: str
    director_email: str
    learner_email: str
    learner_name: str


@pytest.fixture
def pending(app_url: str, pg_admin_url: str) -> Iterator[Pending]:
    tag = uuid.uuid4().hex[:6]
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Lakeside Academy {tag}")
            program = make_program(session, org, f"Lakeside Defenders {tag}")
            director = make_user(
                session, f"director-{tag}@example.org", "director", organization_id=org.id
            )
            learner = make_user(session, f"pending-{tag}@example.org")
            # A member of the organisation already (so a director may enrol the address).
            memberships.join(session, learner.id or 0, org.id or 0, how="test", actor_id=None)
            cohort = make_cohort(session, program, director=director, name=f"Lakeside {tag}")
            applications.set_enrolment(
                session,
                load_principal(session, director.id or 0),
                cohort.id or 0,
                mode="application",
                capacity=5,
            )
            applications.apply(session, load_principal(session, learner.id or 0), cohort.id or 0)
            session.commit()
            made = Pending(
                cohort.id or 0, cohort.name, director.email, learner.email, learner.full_name
            )
            org_id, people = org.id, [director.id, learner.id]
        yield made
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id) == org_id))
            session.execute(delete(User).where(col(User.id).in_(people)))
            session.commit()
    finally:
        engine.dispose()


def test_enrolling_a_pending_applicant_settles_it_on_the_panel(
    web: BrowserPage, pending: Pending
) -> None:
    page = web.page
    page.goto(f"/signin?next=/director/cohorts/{pending.cohort_id}")
    sign_in(page, pending.director_email, PASSWORD)
    expect(page).to_have_url(
        re.compile(rf"/director/cohorts/{pending.cohort_id}/?$"), timeout=15_000
    )
    panel = page.get_by_test_id("applications")
    expect(panel.get_by_test_id("pending-applications")).to_contain_text(pending.learner_email)
    expect(panel).to_contain_text("1 pending")

    page.locator("#enroll-email").fill(pending.learner_email)
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_text(f"Enrolled {pending.learner_email}.")).to_be_visible()
    expect(
        page.get_by_test_id("roster").get_by_role("link", name=pending.learner_name)
    ).to_be_visible()

    expect(panel.get_by_text("No pending applications.")).to_be_visible()
    expect(panel).to_contain_text("0 pending")
    expect(panel.get_by_role("button", name=f"Approve {pending.learner_name}")).to_have_count(0)
    assert web.console_errors == []
