"""A new learner applies to a cohort in a real browser (issue 12): sign up, take the career
profiler, open the mission catalog, find a cohort that takes applications at /cohorts and apply;
the cohort's director approves on the cohort page; the learner sees "Enrolled", then gives the
seat up (after a confirmation).

The cohort belongs to an organisation made for the test (the learner is not a member of it,
whether sign-up puts new accounts in the first organisation or in none). Everything made here is
deleted afterwards (the app database is shared by the whole browser session)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine

from cyberhub.models import Organization, User
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import applications
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.test_profiler import _answer
from tests.factories import PASSWORD, make_cohort, make_org, make_program, make_user, with_db

BANK = load_bank()


@dataclass
class Offer:
    cohort_id: int
    cohort_name: str
    director_email: str
    learner_email: str


@pytest.fixture
def offer(app_url: str, pg_admin_url: str) -> Iterator[Offer]:
    tag = uuid.uuid4().hex[:6]
    learner_email = f"applicant-{tag}@example.org"
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Highland Academy {tag}")
            program = make_program(session, org, f"Highland Defenders {tag}")
            director = make_user(
                session, f"director-{tag}@example.org", "director", organization_id=org.id
            )
            cohort = make_cohort(session, program, director=director, name=f"Highland {tag}")
            applications.set_enrolment(
                session,
                load_principal(session, director.id or 0),
                cohort.id or 0,
                mode="application",
                capacity=5,
            )
            session.commit()
            made = Offer(cohort.id or 0, cohort.name, director.email, learner_email)
            org_id, director_id = org.id, director.id
        yield made
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id) == org_id))
            session.execute(
                delete(User).where(
                    (col(User.id) == director_id) | (col(User.email) == learner_email)
                )
            )
            session.commit()
    finally:
        engine.dispose()


def test_sign_up_profiler_catalog_apply_approved_enrolled(
    web: BrowserPage, browser: Browser, app_url: str, offer: Offer
) -> None:
    page = web.page
    name = "Wanjiru Applicant"
    page.goto("/signup")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(offer.learner_email)
    page.get_by_label("Password").fill("amber-valley-kite-42")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("I accept the privacy notice").check()
    page.get_by_label(re.compile("Use AI to suggest my career track")).check()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler"))
    expect(page.get_by_text(f"Question 1 of {len(BANK.questions)}")).to_be_visible()
    _answer(page, len(BANK.questions))
    page.get_by_role("button", name="See my results").click()
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler/results"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your track:")

    page.goto("/missions")
    expect(page.get_by_role("heading", name="Missions", level=1)).to_be_visible()

    page.goto("/cohorts")
    expect(page.get_by_role("heading", name="Join a cohort", level=1)).to_be_visible()
    card = page.get_by_test_id("cohort-offer").filter(has_text=offer.cohort_name)
    expect(card).to_contain_text("5 of 5 seats left")
    expect(card).to_contain_text("Apply: a director approves")
    card.get_by_role("button", name=f"Apply {offer.cohort_name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"You applied to {offer.cohort_name}")
    expect(card.get_by_test_id("my-status")).to_have_text("Applied: waiting for the director")
    expect(card.get_by_role("button", name=f"Apply {offer.cohort_name}")).to_have_count(0)

    director = BrowserPage(browser, app_url)
    try:
        dp = director.page
        dp.goto(f"/signin?next=/director/cohorts/{offer.cohort_id}")
        sign_in(dp, offer.director_email, PASSWORD)
        expect(dp).to_have_url(
            re.compile(rf"/director/cohorts/{offer.cohort_id}/?$"), timeout=15_000
        )
        expect(dp.get_by_role("heading", name=offer.cohort_name, level=1)).to_be_visible()
        panel = dp.get_by_test_id("applications")
        pending = panel.get_by_test_id("pending-applications")
        expect(pending).to_contain_text(offer.learner_email)
        pending.get_by_role("button", name=f"Approve {name}").click()
        expect(panel.get_by_role("status")).to_contain_text(f"{name} is enrolled.")
        expect(panel.get_by_text("No pending applications.")).to_be_visible()
        expect(dp.get_by_test_id("roster").get_by_text(name)).to_be_visible()
        assert director.console_errors == []
    finally:
        director.context.close()

    page.goto("/cohorts")
    card = page.get_by_test_id("cohort-offer").filter(has_text=offer.cohort_name)
    expect(card.get_by_test_id("my-status")).to_have_text("Enrolled")
    expect(card).to_contain_text("4 of 5 seats left")
    # Giving the seat up asks first; cancelling keeps it.
    card.get_by_role("button", name=f"Withdraw from {offer.cohort_name}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("You give up your seat")
    dialog.get_by_role("button", name="Cancel").click()
    expect(card.get_by_test_id("my-status")).to_have_text("Enrolled")
    card.get_by_role("button", name=f"Withdraw from {offer.cohort_name}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Withdraw").click()
    expect(page.get_by_role("status")).to_contain_text(f"You withdrew from {offer.cohort_name}")
    expect(card.get_by_test_id("my-status")).to_have_text("Withdrawn")
    expect(card).to_contain_text("5 of 5 seats left")
    expect(card.get_by_role("button", name=f"Apply {offer.cohort_name}")).to_be_visible()
    assert web.console_errors == []
