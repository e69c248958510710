"""A director's confirmation dialog on one cohort is not still open on the next cohort they open
(the dialog asked about a learner of the first cohort)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

DIRECTOR = "director@cyberhub.example"


def test_a_withdraw_dialog_left_open_is_closed_on_the_next_cohort(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile("/dashboard/director/?$"))
    page.get_by_role("link", name="Nairobi Spring Cohort").click()
    expect(page.get_by_role("heading", name="Nairobi Spring Cohort", level=1)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Withdraw ")).first.click()
    expect(page.get_by_role("alertdialog")).to_be_visible()

    # Back to the programme (the dialog not answered), then another cohort.
    page.go_back()
    expect(page).to_have_url(re.compile("/dashboard/director/?$"))
    page.get_by_role("link", name="Remote Evening Cohort").click()
    expect(page).to_have_url(re.compile(r"/director/cohorts/\d+$"))
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Remote Evening Cohort", level=1)).to_be_visible()
