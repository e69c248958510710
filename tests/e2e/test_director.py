"""A director in a real browser: opens a cohort, imports a CSV with a bad row (the row is shown and
nobody is imported), fixes it (the students join the roster), adds a mentor to another cohort and
removes her again (confirmed), then writes a mission with the markdown preview beside it and
publishes it. The new-cohort form refuses a last day in the past and keeps what was typed."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect

from cyberhub.models.base import utcnow
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import director_with_own_mission, sign_in_to

DIRECTOR = "director@cyberhub.example"


def test_director_imports_a_cohort_and_publishes_a_mission(web: BrowserPage) -> None:
    page = web.page
    tag = uuid.uuid4().hex[:6]
    page.goto("/signin?next=/dashboard")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile("/dashboard"))

    # The programme page, from the main navigation.
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Programme").click()
    expect(page).to_have_url(
        re.compile(r"^[^?]*/dashboard/director/?$")
    )  # the router may add a "/"
    expect(page.get_by_role("heading", name="Programme", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Cybersecurity Career Accelerator")).to_be_visible()
    # .first: other browser tests may add programmes (sorted by name, after the demo one).
    expect(page.get_by_role("button", name="Edit the Builders track").first).to_be_visible()
    page.get_by_role("link", name="Nairobi Spring Cohort").click()
    expect(page).to_have_url(re.compile(r"/director/cohorts/\d+$"))
    expect(page.get_by_role("heading", name="Nairobi Spring Cohort", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Roster")).to_be_visible()

    # A CSV with one bad row: the row is reported and nobody is imported.
    first, second = f"ada-{tag}@example.org", f"grace-{tag}@example.org"
    bad = (
        "email,full_name\n"
        f"{first},Ada Lovelace {tag}\n"
        "not-an-email,Broken Row\n"
        f"{second},Grace Hopper {tag}\n"
    )
    page.get_by_label("CSV text").fill(bad)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Nothing was imported")).to_be_visible()
    errors = page.get_by_test_id("import-errors")
    row = errors.get_by_role("row").filter(has_text="not-an-email")
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("doesn't look right")
    expect(errors.get_by_role("row")).to_have_count(2)  # the header and the one bad row
    expect(page.get_by_role("cell", name=re.compile(f"Ada Lovelace {tag}"))).to_have_count(0)
    # What was typed is still there, to fix.
    expect(page.get_by_label("CSV text")).to_have_value(bad)

    page.get_by_label("CSV text").fill(bad.replace("not-an-email", f"broken-{tag}@example.org"))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Imported 3 students")).to_be_visible()
    roster = page.get_by_test_id("roster")
    expect(roster.get_by_text(f"Ada Lovelace {tag}")).to_be_visible()
    expect(roster.get_by_text(f"Grace Hopper {tag}")).to_be_visible()
    expect(roster.get_by_text(f"broken-{tag}@example.org")).to_be_visible()
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    expect(page.get_by_role("progressbar", name=f"Progress of Ada Lovelace {tag}")).to_be_visible()

    # Mentors of the evening cohort: add the second mentor, match the waiting learner with her,
    # then remove her again (after a confirmation): the learner is left without a mentor.
    page.goto("/dashboard/director")
    page.get_by_role("link", name="Remote Evening Cohort").click()
    expect(page.get_by_role("heading", name="Remote Evening Cohort", level=1)).to_be_visible()
    page.get_by_label("Mentor's email").fill("halima.yusuf@cyberhub.example")
    page.get_by_label("Capacity (learners)").fill("2")
    page.get_by_role("button", name="Add mentor").click()
    expect(page.get_by_role("status").filter(has_text="Halima Yusuf mentors here")).to_be_visible()
    page.get_by_role("combobox", name="Mentor of Zainabu Ali").click()
    page.get_by_role("option", name="Halima Yusuf").click()
    expect(page.get_by_role("status").filter(has_text="Matched with Halima Yusuf")).to_be_visible()
    page.get_by_role("button", name="Remove Halima Yusuf").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Remove Halima Yusuf from this cohort?")
    expect(dialog).to_contain_text("Their 1 mentee becomes unassigned")
    dialog.get_by_role("button", name="Remove", exact=True).click()
    expect(
        page.get_by_role("status").filter(
            has_text="Halima Yusuf no longer mentors here; 1 student needs a mentor."
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Remove Halima Yusuf")).to_have_count(0)
    expect(page.get_by_test_id("mentors")).not_to_contain_text("Halima Yusuf")
    expect(page.get_by_text("1 student without a mentor.")).to_be_visible()

    # Write a mission: the preview renders the markdown beside the brief.
    page.goto("/director/missions")
    expect(page.get_by_role("heading", name="Missions", level=1)).to_be_visible()
    expect(page.get_by_test_id("missions-table")).to_be_visible()
    page.get_by_role("button", name="New mission").first.click()
    title = f"Audit a cloud bucket {tag}"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary", exact=True).fill("Find what the bucket leaks and fix it.")
    page.get_by_label("Brief (markdown)").fill(
        "## Scope\n\nReview **one** storage bucket.\n\n- list the objects\n- fix the policy"
    )
    preview = page.get_by_test_id("brief-preview")
    expect(preview.get_by_role("heading", name="Scope")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("one")
    expect(preview.get_by_role("listitem")).to_have_count(2)
    page.get_by_label("Criterion 1 title", exact=True).fill("Findings")
    page.get_by_label("Criterion 1 points", exact=True).fill("20")
    page.get_by_role("button", name="Add hint").click()
    page.get_by_label("Hint 1", exact=True).fill("Start with the bucket policy.")
    page.get_by_role("button", name="Save mission").click()
    expect(page.get_by_role("status").filter(has_text=f"Created “{title}” (draft)")).to_be_visible()

    # Publish, after a confirmation.
    page.get_by_role("button", name=f"Publish {title}").first.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Publish “{title}”?")
    dialog.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").filter(has_text="is now published")).to_be_visible()
    page.get_by_label("Status", exact=True).click()
    page.get_by_role("option", name="Published").click()
    row = page.get_by_test_id("missions-table").get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("published")
    assert web.console_errors == []


def test_a_new_cohort_ending_in_the_past_is_refused_and_the_form_keeps_it(
    web: BrowserPage, pg_admin_url: str, app_url: str
) -> None:
    page = web.page
    today = utcnow().date()
    past_start, past_end = today - timedelta(days=30), today - timedelta(days=2)
    with director_with_own_mission(pg_admin_url, "Past mission") as (director, _):
        sign_in_to(page, "/dashboard/director", director)
        expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"), timeout=15_000)
        expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
        page.locator("#cohort-program").click()
        page.get_by_role("option").first.click()
        page.get_by_label("Name", exact=True).first.fill("Already Over Cohort")
        page.get_by_label("Starts on").fill(past_start.isoformat())
        page.get_by_label("Ends on").fill(past_end.isoformat())
        page.get_by_label("Capacity (seats)").fill("12")
        page.get_by_role("button", name="Create cohort").click()
        main = page.locator("main")
        refusal = main.get_by_text(
            "The cohort's last day can't be in the past: choose today or a later end date."
        )
        expect(refusal).to_be_visible()
        expect(page.get_by_label("Name", exact=True).first).to_have_value("Already Over Cohort")
        expect(page.get_by_label("Ends on")).to_have_value(past_end.isoformat())
        expect(main.get_by_role("cell", name="Already Over Cohort")).to_have_count(0)

        # A later end date: the cohort is made and the refusal goes.
        page.get_by_label("Ends on").fill((today + timedelta(days=60)).isoformat())
        page.get_by_role("button", name="Create cohort").click()
        expect(main.get_by_text("Created the cohort Already Over Cohort.")).to_be_visible()
        expect(refusal).to_have_count(0)
        expect(main.get_by_role("cell", name="Already Over Cohort")).to_have_count(1)
    assert web.console_errors == []
