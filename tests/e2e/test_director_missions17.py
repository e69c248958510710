"""Issue 17 item 8: the director's missions list has search (title or skill), filters (status,
track, difficulty) and pages, all in the URL (shareable, Back works); the mission form stays
collapsed behind "New mission" (Cancel closes it and keeps nothing; opening one keeps the
search), and a validation message goes away as soon as its field is fixed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import Mission
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import (
    app_engine,
    director_with_own_mission,
    make_course,
    remove_made,
    sign_in_to,
)
from tests.factories import make_user

pytestmark = [pytest.mark.missions]

DIRECTOR = "director@cyberhub.example"
SHOWING = re.compile(r"Showing (\d+)–(\d+) of (\d+)")


def _signed_in(page: Page) -> None:
    page.goto("/signin?next=/director/missions")
    sign_in(page, DIRECTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/director/missions/?$"))


def _showing(page: Page) -> tuple[int, int, int]:
    """The list's "Showing 1–20 of 37", once it is there."""
    text = page.get_by_test_id("missions-count")
    expect(text).to_have_text(SHOWING)
    m = SHOWING.search(text.inner_text())
    assert m is not None
    return int(m[1]), int(m[2]), int(m[3])


def _expect_showing(page: Page, text: str) -> None:
    expect(page.get_by_test_id("missions-count")).to_have_text(text)


def test_search_filters_and_pages_live_in_the_url(web: BrowserPage) -> None:
    page = web.page
    _signed_in(page)
    table = page.get_by_test_id("missions-table")
    expect(table).to_be_visible(timeout=15_000)  # the first load of a busy shared test app
    total = _showing(page)[2]
    assert total >= 35  # the 35 library missions and more
    _expect_showing(page, f"Showing 1–20 of {total}")
    expect(table.get_by_role("row")).to_have_count(21)  # the header and 20 missions

    # The second page is in the address, and Back returns to the first.
    page.get_by_role("button", name="Next →").click()
    expect(page).to_have_url(re.compile(r"/director/missions/?\?page=2$"))
    _expect_showing(page, f"Showing 21–{min(40, total)} of {total}")
    page.go_back()
    expect(page).to_have_url(re.compile(r"^[^?]*/director/missions/?$"))
    _expect_showing(page, f"Showing 1–20 of {total}")

    # A track and a difficulty narrow the list (filters start again at page 1).
    page.locator("#track-filter").click()
    page.get_by_role("option", name="Researchers").click()
    expect(page).to_have_url(re.compile(r"\?track=researchers$"))
    page.locator("#difficulty-filter").click()
    page.get_by_role("option", name="Intermediate · 3/5").click()
    expect(page).to_have_url(re.compile(r"\?track=researchers&difficulty=3$"))
    expect(table).to_contain_text("Write and test Sigma rules for credential dumping")
    expect(table).to_contain_text("Statically triage a malware sample and write a YARA rule")
    expect(table).not_to_contain_text("Volatility")  # memory forensics: another difficulty

    # Search by a skill: only the mission that lists it (within the same filters).
    page.get_by_label("Search missions").fill("yara")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?track=researchers&difficulty=3&q=yara$"))
    expect(page.get_by_test_id("missions-count")).to_have_text("Showing 1–1 of 1")
    expect(table).not_to_contain_text("Sigma rules")

    # A reload shows the same; Back steps through the earlier filters.
    page.reload()
    expect(page.get_by_label("Search missions")).to_have_value("yara")
    expect(page.locator("#track-filter")).to_contain_text("Researchers")
    expect(page.get_by_test_id("missions-count")).to_have_text("Showing 1–1 of 1")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?track=researchers&difficulty=3$"))
    expect(page.get_by_label("Search missions")).to_have_value("")
    expect(table).to_contain_text("Sigma rules")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?track=researchers$"))
    expect(page.locator("#difficulty-filter")).to_contain_text("Any difficulty")

    # Search by title; nothing found says so and offers to clear.
    page.goto("/director/missions?q=no-such-mission-anywhere")
    expect(page.get_by_text("No mission matches")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/director/missions/?$"))
    _expect_showing(page, f"Showing 1–20 of {total}")
    assert web.console_errors == []


def test_the_form_opens_on_demand_and_errors_clear_when_fixed(web: BrowserPage) -> None:
    page = web.page
    _signed_in(page)
    expect(page.get_by_test_id("missions-table")).to_be_visible()
    editor = page.get_by_role("heading", name="New mission", level=2)
    expect(editor).to_have_count(0)  # collapsed until asked for

    page.get_by_role("button", name="New mission").first.click()
    expect(editor).to_be_visible()
    title = page.get_by_label("Title", exact=True)
    minutes = page.get_by_label("Estimated minutes", exact=True)
    title.fill("ab")
    minutes.fill("")
    page.get_by_role("button", name="Save mission").click()
    title_error = page.get_by_text("Give the mission a title (at least 3 characters).")
    minutes_error = page.get_by_text("Enter the estimated minutes as a whole number.")
    expect(title_error).to_be_visible()
    expect(minutes_error).to_be_visible()
    expect(title).to_have_attribute("aria-invalid", "true")

    # Fixing a field clears its own message at once, without saving again.
    title.press_sequentially("c")
    expect(title_error).to_have_count(0)
    expect(title).not_to_have_attribute("aria-invalid", "true")
    expect(minutes_error).to_be_visible()
    minutes.fill("45")
    expect(minutes_error).to_have_count(0)

    # Cancel closes the form; opening it again starts empty, with no old message.
    page.get_by_role("button", name="Cancel").click()
    expect(editor).to_have_count(0)
    page.get_by_role("button", name="New mission").first.click()
    expect(editor).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("")
    expect(page.get_by_label("Estimated minutes", exact=True)).to_have_value("60")
    expect(title_error).to_have_count(0)
    assert web.console_errors == []


def test_a_library_mission_is_read_not_offered_for_editing(web: BrowserPage) -> None:
    """The demo's programmes run CyberHub library missions: their director reads them, with no
    Publish, Archive or Save (each was shown, and refused when clicked)."""
    page = web.page
    _signed_in(page)
    page.goto("/director/missions?q=yara")
    table = page.get_by_test_id("missions-table")
    row = table.get_by_role("row").filter(has_text="Statically triage a malware sample")
    expect(row).to_contain_text("Library · read-only", timeout=15_000)  # a busy shared app
    expect(row.get_by_role("button")).to_have_count(0)  # no Publish / Unpublish / Archive

    row.get_by_role("link", name=re.compile(r"^Read Statically triage")).click()
    expect(page.get_by_role("heading", name="Library mission", level=2)).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_test_id("library-read-only")).to_contain_text("only an admin can edit")
    expect(page.get_by_label("Title", exact=True)).to_have_value(
        re.compile(r"^Statically triage a malware sample")
    )
    expect(page.get_by_label("Title", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Add criterion")).to_be_disabled()
    expect(page.get_by_role("button", name="Save mission")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)  # nothing refused, no error shown
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name="Library mission")).to_have_count(0)
    assert web.console_errors == []


@pytest.fixture
def own_mission(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, str]]:
    with director_with_own_mission(pg_admin_url, "Audit the VPN") as made:
        yield made


def test_a_confirmation_left_open_is_closed_on_the_next_visit(
    web: BrowserPage, own_mission: tuple[str, str]
) -> None:
    email, title = own_mission
    page = web.page
    path = "/director/missions?q=" + quote(title)
    sign_in_to(page, quote(path, safe="/"), email)
    expect(page).to_have_url(re.compile(r"/director/missions/?\?q="))
    # Only asked, never confirmed.
    page.get_by_role("button", name=f"Archive {title}").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"/director/missions"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/director/missions/?\?q="))
    # The page is there (a CSS locator: an open dialog hides the rest from the accessibility tree).
    expect(page.locator("[data-testid=missions-count]")).to_have_text(SHOWING)
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Archive {title}")).to_be_visible()


@pytest.fixture
def two_own(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, str, list[str]]]:
    """A director whose organisation has two missions of its own (the tag in both titles):
    (their e-mail, the tag, the titles)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, _, missions = make_course(session, "Two", tag, "Audit a VPN", "Map a LAN")
            for m in missions:
                m.organization_id = org.id
                session.add(m)
            session.commit()
            director = make_user(
                session, f"two-director-{tag}@example.org", "director", organization_id=org.id
            )
            made = (director.email, tag, [m.title for m in missions])
            org_id, program_id, ids = org.id, program.id, [director.id]
        yield made
        remove_made(engine, org_id, program_id, ids)


def test_opening_a_mission_keeps_the_search(
    web: BrowserPage, two_own: tuple[str, str, list[str]]
) -> None:
    """Opening a mission of a searched list shows its form: the address keeps the search, and
    the list below stays the searched one (not the whole list again)."""
    email, tag, (first, second) = two_own
    page = web.page
    sign_in_to(page, quote(f"/director/missions?q={tag}", safe="/"), email)
    expect(page).to_have_url(re.compile(rf"/director/missions/?\?q={tag}$"))
    table = page.get_by_test_id("missions-table")
    expect(table.get_by_role("row")).to_have_count(3, timeout=15_000)  # the header and two
    _expect_showing(page, "Showing 1–2 of 2")

    table.get_by_role("link", name=f"Edit {second}").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value(second)
    expect(page.get_by_label("Title", exact=True)).to_be_in_viewport()  # brought into view
    expect(page).to_have_url(re.compile(rf"/director/missions/?\?q={tag}$"))
    page.wait_for_timeout(1_000)  # a reload of the list would come within a moment
    _expect_showing(page, "Showing 1–2 of 2")
    expect(page.get_by_label("Search missions")).to_have_value(tag)
    expect(page.get_by_label("Title", exact=True)).to_have_value(second)  # still open


def test_a_refused_edit_s_message_goes_when_another_mission_opens(
    web: BrowserPage, two_own: tuple[str, str, list[str]], pg_admin_url: str
) -> None:
    """A mission deleted meanwhile can't be opened, and the page says so; opening another one
    then shows its form without that message above it."""
    email, tag, (gone, kept) = two_own
    page = web.page
    sign_in_to(page, quote(f"/director/missions?q={tag}", safe="/"), email)
    table = page.get_by_test_id("missions-table")
    expect(table.get_by_role("row")).to_have_count(3, timeout=15_000)  # the header and two
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(delete(Mission).where(col(Mission.title) == gone))
        session.commit()

    table.get_by_role("link", name=f"Edit {gone}").click()
    refusal = page.get_by_role("alert").filter(has_text="does not exist")
    expect(refusal).to_be_visible()

    table.get_by_role("link", name=f"Edit {kept}").click()
    expect(page.get_by_label("Title", exact=True)).to_have_value(kept)
    expect(refusal).to_have_count(0)
