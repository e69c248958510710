"""Issue 15 — a director finds an at-risk learner on the programme analytics and nudges them;
the learner signs in and sees the nudge in the bell (the message, XSS payloads included, shown
as text). Also: the page on a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Dialog, expect
from sqlmodel import Session, select

from cyberhub.models import CohortMentor, Enrollment, MentorAssignment
from cyberhub.models.base import utcnow
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import assign, enroll, make_user, serve
from tests.xss_corpus import XSS_PAYLOADS

pytestmark = [pytest.mark.e2e]

WORDS = "We miss you: the network scan mission is a good next step."


@dataclass
class Made:
    program_id: int
    cohort_id: int
    cohort: str
    director_email: str
    learner_email: str
    learner_name: str
    program: str


@pytest.fixture
def made(app_url: str, pg_admin_url: str) -> Iterator[Made]:
    """A programme with a director, a mentor and a learner who enrolled 30 days ago and has done
    nothing since (at risk: no activity)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, _ = make_course(session, "Risk", tag, "Scan a network")
            director = make_user(
                session, f"risk-director-{tag}@example.org", "director", organization_id=org.id
            )
            learner = make_user(
                session, f"risk-learner-{tag}@example.org", "student", organization_id=org.id
            )
            mentor = make_user(
                session, f"risk-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            enroll(session, cohort, learner)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, learner)
            row = session.exec(select(Enrollment).where(Enrollment.student_id == learner.id)).one()
            row.enrolled_at = utcnow() - timedelta(days=30)
            # Its cohort began before: inactivity counts from the later of the two.
            cohort.starts_on = (utcnow() - timedelta(days=40)).date()
            session.add_all([row, cohort])
            session.commit()
            data = Made(
                program_id=program.id or 0,
                cohort_id=cohort.id or 0,
                cohort=cohort.name,
                director_email=director.email,
                learner_email=learner.email,
                learner_name=learner.full_name,
                program=program.name,
            )
            ids = [director.id, learner.id, mentor.id]
            org_id, program_id = org.id, program.id
        yield data
        remove_made(engine, org_id, program_id, ids)


def test_director_nudges_an_at_risk_learner_who_sees_it_in_the_bell(
    web: BrowserPage, browser: Browser, app_url: str, made: Made
) -> None:
    page = web.page
    sign_in_to(page, "/dashboard/director", made.director_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.get_by_role("link", name="Analytics").first.click()
    expect(page).to_have_url(
        re.compile(f"/dashboard/director/analytics/?\\?program={made.program_id}")
    )

    risk = page.get_by_test_id("at-risk-table")
    row = risk.get_by_role("row").filter(has_text=made.learner_email)
    expect(row).to_contain_text("No activity for 30 days")
    expect(row).to_contain_text(made.cohort)
    expect(page.get_by_test_id("funnel-table")).to_contain_text("Enrolled")

    row.get_by_role("button", name=f"Nudge {made.learner_name}").click()
    dialog = page.get_by_role("alertdialog")
    message = dialog.get_by_label("Message")
    expect(message).to_be_focused()
    # The message is the director's own text: the learner's bell shows it, never runs it.
    message.fill(f"{WORDS} {XSS_PAYLOADS['img onerror']} {XSS_PAYLOADS['script tag']}")
    dialog.get_by_role("button", name="Send nudge").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"{made.learner_name} was nudged.")).to_be_visible()
    expect(row).to_contain_text("Nudged today")
    assert web.console_errors == []

    learner = BrowserPage(browser, app_url)
    try:
        dialogs: list[str] = []

        def on_dialog(d: Dialog) -> None:
            dialogs.append(d.message)
            d.dismiss()

        learner.page.on("dialog", on_dialog)
        sign_in_to(learner.page, "/dashboard/student", made.learner_email)
        expect(learner.page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))
        expect(learner.page.get_by_test_id("unread-count")).to_have_text("1")
        learner.page.get_by_test_id("notification-bell").click()
        item = learner.page.get_by_test_id("notification-item").filter(
            has_text=f"A note from your {made.program} team"
        )
        expect(item).to_be_visible()
        expect(item).to_contain_text(WORDS)
        assert learner.page.evaluate("window.__xss === undefined")
        assert dialogs == []
        assert learner.console_errors == []
    finally:
        learner.context.close()


def test_the_analytics_page_on_a_phone_stacks_its_tables(
    mobile_web: BrowserPage, made: Made
) -> None:
    page = mobile_web.page
    sign_in_to(
        page, f"/dashboard/director/analytics?program={made.program_id}", made.director_email
    )
    risk = page.get_by_test_id("at-risk-table")
    expect(risk.get_by_text(made.learner_email)).to_be_visible()
    expect(risk.get_by_role("button", name=f"Nudge {made.learner_name}")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width} px)"


def test_a_nudge_left_open_is_closed_on_the_next_visit(web: BrowserPage, made: Made) -> None:
    page = web.page
    path = f"/dashboard/director/analytics?program={made.program_id}"
    sign_in_to(page, quote(path, safe="/"), made.director_email)
    risk = page.get_by_test_id("at-risk-table")
    risk.get_by_role("button", name=f"Nudge {made.learner_name}").click()
    expect(page.get_by_role("alertdialog").get_by_label("Message")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"/dashboard/director/analytics"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/dashboard/director/analytics"))
    # The page is there (a CSS locator: an open dialog hides the rest from the accessibility tree).
    expect(page.locator("[data-testid=at-risk-table]", has_text=made.learner_email)).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(risk.get_by_role("button", name=f"Nudge {made.learner_name}")).to_be_visible()


def test_an_empty_roster_search_and_a_cohort_without_mentors_say_so(
    web: BrowserPage, made: Made, pg_admin_url: str
) -> None:
    page = web.page
    path = f"/dashboard/director/analytics?program={made.program_id}&cohort={made.cohort_id}"
    sign_in_to(page, quote(path, safe="/"), made.director_email)
    expect(page.get_by_test_id("roster-table")).to_contain_text(made.learner_email)
    page.get_by_label("Search").fill("nobody-by-this-name")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("roster-empty")).to_have_text(
        "No learner of this cohort matches the search and status."
    )
    expect(page.get_by_test_id("roster-table")).to_have_count(0)

    # The cohort's only mentor stops serving it: the Mentor dialog says so, offering no Assign.
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        for model in (MentorAssignment, CohortMentor):
            for row in session.exec(select(model).where(model.cohort_id == made.cohort_id)):
                session.delete(row)
        session.commit()
    page.reload()
    risk = page.get_by_test_id("at-risk-table")
    risk.get_by_role("button", name=f"Assign or change the mentor of {made.learner_name}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_test_id("no-cohort-mentor")).to_contain_text(
        "No mentor serves this cohort yet"
    )
    expect(dialog.get_by_role("link", name="the cohort's page")).to_have_attribute(
        "href", f"/director/cohorts/{made.cohort_id}"
    )
    expect(dialog.get_by_role("button", name="Assign")).to_have_count(0)
    assert web.console_errors == []
