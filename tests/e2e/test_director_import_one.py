"""A director imports a CSV of one learner: the notice counts them in the right number."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

DIRECTOR = "director@cyberhub.example"


def test_importing_one_learner_says_one_student(web: BrowserPage) -> None:
    page = web.page
    tag = uuid.uuid4().hex[:6]
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.get_by_role("link", name="Nairobi Spring Cohort").click()
    expect(page.get_by_role("heading", name="Nairobi Spring Cohort", level=1)).to_be_visible()
    page.get_by_label("CSV text").fill(f"email,full_name\none-{tag}@example.org,Una {tag}\n")
    page.get_by_role("button", name="Import", exact=True).click()
    notice = page.get_by_role("status").filter(has_text="Imported")
    expect(notice).to_contain_text("Imported 1 student (1 new account invited by email).")
    expect(page.get_by_test_id("roster").get_by_text(f"Una {tag}")).to_be_visible()


def test_one_learner_without_a_mentor_reads_one_student(web: BrowserPage) -> None:
    """The demo's evening cohort has one learner waiting for a mentor (Zainabu Ali)."""
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.get_by_role("link", name="Remote Evening Cohort").click()
    expect(page.get_by_role("heading", name="Remote Evening Cohort", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"\bstudents? without a mentor\."))).to_have_text(
        "1 student without a mentor."
    )
