"""A dialog left open on the programme page (edit a track) is closed when the director comes back
to the page: it is a fresh visit, not the form they walked away from."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

DIRECTOR = "director@cyberhub.example"


def test_an_edit_dialog_left_open_is_closed_on_the_next_visit(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    expect(page.get_by_role("heading", name="Cybersecurity Career Accelerator")).to_be_visible()
    edit = page.get_by_role("button", name="Edit the Builders track").first
    expect(edit).to_be_visible()
    edit.click()
    expect(page.get_by_role("alertdialog")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"))
    # The page is there (a CSS locator: an open dialog hides the rest from the accessibility tree).
    expect(page.locator("h1", has_text="Programme")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("heading", name="Programme", level=1)).to_be_visible()
