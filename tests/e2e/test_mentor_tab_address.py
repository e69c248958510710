"""The mentor home's review-queue tab is in the address, as the other lists' filters are: a
reload, a shared link and Back show the tab that was chosen (a reload showed "Pending" again)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import sign_in_to

HOME = r"^[^?]*/dashboard/mentor/?"


def test_the_queue_tab_is_in_the_address(web: BrowserPage) -> None:
    page = web.page
    sign_in_to(page, "/dashboard/mentor", "mentor@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(HOME + "$"))
    queue = page.get_by_test_id("review-queue")
    pending = queue.get_by_role("tab", name=re.compile("^Pending"))
    reviewed = queue.get_by_role("tab", name=re.compile("^Reviewed"))
    expect(pending).to_have_attribute("aria-selected", "true")

    reviewed.click()
    expect(page).to_have_url(re.compile(HOME + r"\?tab=reviewed$"))
    expect(reviewed).to_have_attribute("aria-selected", "true")

    # A reload keeps the tab.
    page.reload()
    expect(reviewed).to_have_attribute("aria-selected", "true")
    expect(pending).to_have_attribute("aria-selected", "false")

    # Another tab, then Back returns to the previous one; Back again to Pending.
    queue.get_by_role("tab", name=re.compile("^Claimed by me")).click()
    expect(page).to_have_url(re.compile(HOME + r"\?tab=claimed_by_me$"))
    page.go_back()
    expect(page).to_have_url(re.compile(HOME + r"\?tab=reviewed$"))
    expect(reviewed).to_have_attribute("aria-selected", "true")
    page.go_back()
    expect(page).to_have_url(re.compile(HOME + "$"))
    expect(pending).to_have_attribute("aria-selected", "true")

    # A shared link opens on its tab; an unknown tab is Pending.
    page.goto("/dashboard/mentor?tab=waiting_for_student")
    expect(queue.get_by_role("tab", name=re.compile("^Waiting for student"))).to_have_attribute(
        "aria-selected", "true"
    )
    page.goto("/dashboard/mentor?tab=nonsense&page=999")
    expect(pending).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(re.compile(HOME + "$"))  # the address says what is shown
    assert web.console_errors == []
