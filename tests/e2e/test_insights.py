"""/insights in a real browser: a learner writes a reflection, edits and deletes it, and sees the
state of their work-style analysis."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in


def test_student_adds_edits_and_deletes_a_reflection_and_sees_the_analysis(
    web: BrowserPage,
) -> None:
    page = web.page
    page.goto("/insights")
    sign_in(page, "student@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/insights"))
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    nav = page.locator("nav[aria-label=Main]")
    expect(nav.get_by_role("link", name="Insights")).to_be_visible()

    # The demo student took the profiler and grants AI profiling: the analysis is there or on
    # its way (the worker computes it), never an error.
    analysis = page.get_by_test_id("analysis")
    expect(analysis.get_by_role("heading", name="Your work style")).to_be_visible()
    expect(analysis).to_contain_text(re.compile(r"being prepared|Balanced|Leans|Strongly"))

    # An empty note is refused with a message.
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("alert")).to_contain_text("the note is empty")

    text = f"I enjoyed building the lab firewall on my own ({uuid.uuid4().hex[:6]})."
    page.get_by_label("Your note").fill(text)
    page.get_by_role("button", name="Save note").click()
    note = page.get_by_test_id("note").filter(has_text=text)
    expect(note).to_be_visible()
    expect(note).to_contain_text("Reflection")
    # When it was written, in the one date format of the app and the learner's time zone.
    expect(note).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} [A-Z]"))
    expect(page.get_by_label("Your note")).to_have_value("")
    # The change queued a fresh analysis: the card says so (or already shows the update).
    expect(analysis).to_contain_text(re.compile(r"being prepared|Balanced|Leans|Strongly"))

    note.get_by_role("button", name="Edit this reflection").click()
    edited = text.replace("enjoyed", "loved")
    page.get_by_label("Edit your note").fill(edited)
    page.get_by_role("button", name="Save changes").click()
    note = page.get_by_test_id("note").filter(has_text=edited)
    expect(note).to_contain_text("edited")

    note.get_by_role("button", name="Delete this reflection").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete this note?")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("note").filter(has_text=edited)).to_have_count(0)
    assert web.console_errors == []
