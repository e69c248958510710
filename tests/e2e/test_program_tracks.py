"""A director chooses which tracks a programme runs, in a real browser: removing a track the demo
programme still runs missions of is refused inside the confirmation (nothing changes); on a new
programme a track is removed after confirming, stays gone after a reload, and is added back."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

DIRECTOR = "director@cyberhub.example"
DEMO_PROGRAMME = "Cybersecurity Career Accelerator"


def test_director_removes_a_track_and_adds_it_back(web: BrowserPage) -> None:
    page = web.page
    tag = uuid.uuid4().hex[:6]
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(
        re.compile(r"^[^?]*/dashboard/director/?$")
    )  # the router may add a "/"
    expect(page.get_by_role("heading", name=DEMO_PROGRAMME)).to_be_visible()

    # The demo programme runs Builders missions: the confirmation says so and nothing changes.
    page.get_by_role("button", name=f"Remove the Builders track from {DEMO_PROGRAMME}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Stop running the Builders track?")
    dialog.get_by_role("button", name="Remove track").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        re.compile(r"still runs \d+ missions? of the Builders track")
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(
        page.get_by_role("button", name=f"Remove the Builders track from {DEMO_PROGRAMME}")
    ).to_be_visible()

    # A new programme (named to sort after the demo one) runs all five tracks.
    programme = f"Zz Pilot {tag}"
    page.locator("#program-name").fill(programme)
    page.get_by_role("button", name="Create programme").click()
    expect(
        page.get_by_role("status").filter(has_text=f"Created the programme {programme}")
    ).to_be_visible()
    remove = page.get_by_role("button", name=f"Remove the Educators track from {programme}")
    add = page.get_by_role("button", name=f"Add the Educators track to {programme}")
    expect(remove).to_be_visible()
    expect(add).to_have_count(0)

    # Remove Educators after confirming: it is gone, also after a reload.
    remove.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Stop running the Educators track?")
    dialog.get_by_role("button", name="Remove track").click()
    expect(
        page.get_by_role("status").filter(
            has_text=f"{programme} no longer runs the Educators track."
        )
    ).to_be_visible()
    expect(remove).to_have_count(0)
    expect(add).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name=programme)).to_be_visible()
    expect(remove).to_have_count(0)
    expect(add).to_be_visible()
    # The demo programme is untouched.
    expect(
        page.get_by_role("button", name=f"Remove the Educators track from {DEMO_PROGRAMME}")
    ).to_be_visible()

    # Add it back.
    add.click()
    expect(
        page.get_by_role("status").filter(has_text=f"{programme} now runs the Educators track.")
    ).to_be_visible()
    expect(remove).to_be_visible()
    expect(add).to_have_count(0)
    assert web.console_errors == []
