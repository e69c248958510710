"""Issue 17 item 7, second half: a type-ahead for the catalog's ~80 skills, the learner's own
status on every card (library missions too), and "Start here" never offering a mission the
learner has already completed or cannot start yet."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

pytestmark = [pytest.mark.student]

STUDENT = "student@cyberhub.example"


def _signed_in(page: Page, email: str = STUDENT, password: str = DEMO_PASSWORD) -> None:
    page.goto("/signin")
    sign_in(page, email, password)
    expect(page).not_to_have_url(re.compile(r"/signin"))


def test_typing_narrows_the_skills_and_the_keyboard_picks_one(web: BrowserPage) -> None:
    page = web.page
    _signed_in(page)
    page.goto("/missions")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=2).first).to_be_visible()

    skill = page.get_by_role("combobox", name="Skill")
    expect(skill).to_have_attribute("aria-expanded", "false")
    skill.click()
    skill.press_sequentially("netw")
    options = page.get_by_role("listbox", name="Skills").get_by_role("option")
    expect(options).to_have_text(
        ["Network forensics", "Network scanning", "Network segmentation", "Networking"]
    )
    expect(skill).to_have_attribute("aria-expanded", "true")

    # Arrow keys move the active option (announced through aria-activedescendant); Enter picks it.
    skill.press("ArrowDown")
    skill.press("ArrowDown")
    scanning = page.get_by_role("option", name="Network scanning")
    expect(scanning).to_have_attribute("aria-selected", "true")
    expect(skill).to_have_attribute("aria-activedescendant", scanning.get_attribute("id") or "-")
    expect(page.get_by_role("option", selected=True)).to_have_count(1)
    skill.press("Enter")
    expect(page).to_have_url(re.compile(r"/missions/?\?skill=Network\+scanning$"))
    expect(skill).to_have_value("Network scanning")
    expect(skill).to_have_attribute("aria-expanded", "false")
    expect(main.get_by_text(re.compile(r"^\d+ missions?$"))).to_be_visible()
    cards = main.locator(".rt-Card")
    expect(cards.first).to_be_visible()
    # every card listed has that skill
    expect(cards.filter(has_not=page.get_by_text("Network scanning", exact=True))).to_have_count(0)

    # Nothing matches: the list says so; Escape closes it and keeps the chosen skill.
    skill.fill("zzz")
    expect(page.get_by_text("No skill matches “zzz”")).to_be_visible()
    skill.press("Escape")
    expect(skill).to_have_attribute("aria-expanded", "false")
    expect(skill).to_have_value("Network scanning")
    expect(page).to_have_url(re.compile(r"\?skill=Network\+scanning$"))

    # A click picks too, and Back returns to the previous skill.
    skill.fill("yar")
    page.get_by_role("option", name="YARA").click()
    expect(page).to_have_url(re.compile(r"\?skill=YARA$"))
    expect(skill).to_have_value("YARA")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?skill=Network\+scanning$"))
    expect(skill).to_have_value("Network scanning")

    # Clearing the box and pressing Enter means any skill.
    skill.fill("")
    skill.press("Enter")
    expect(page).to_have_url(re.compile(r"^[^?]*/missions/?$"))
    expect(skill).to_have_value("")
    assert web.console_errors == []


def test_a_learner_in_no_programme_sees_their_status_on_every_library_card(
    web: BrowserPage, app_url: str
) -> None:
    page = web.page
    email = f"cat17b-{uuid.uuid4().hex[:8]}@example.org"
    r = web.context.request.post(
        f"{app_url}/api/v1/auth/signup",
        data={
            "email": email,
            "password": "amber-river-kite-47",
            "full_name": "Achieng Otieno",
            "consents": ["terms", "privacy"],
        },
    )
    assert r.status == 201, r.text()
    _signed_in(page, email, "amber-river-kite-47")
    page.goto("/missions?track=builders")
    main = page.locator("main")
    expect(
        main.get_by_text("Harden an Ubuntu web server against the CIS benchmark")
    ).to_be_visible()
    # every card has one (the library's 7 builders missions, and any another test published)
    cards = main.locator(".rt-Card")
    expect(cards.filter(has_not=page.get_by_test_id("mission-status"))).to_have_count(0)
    expect(main.get_by_test_id("mission-status")).to_have_count(cards.count())

    def status_of(title: str) -> str:
        card = main.locator(".rt-Card").filter(has=page.get_by_role("heading", name=title))
        return card.get_by_test_id("mission-status").inner_text()

    assert status_of("Harden an Ubuntu web server against the CIS benchmark") == "Not started"
    # Its prerequisite (the Ubuntu server) is not approved yet.
    assert status_of("Shrink and harden a Docker image, then prove it with Trivy") == "Locked"


def test_start_here_offers_nothing_completed_or_locked(web: BrowserPage) -> None:
    page = web.page
    _signed_in(page)
    # Where the demo student stands on each mission of their track, as the catalog says it.
    page.goto("/missions?track=builders")
    main = page.locator("main")
    expect(
        main.get_by_text("Harden an Ubuntu web server against the CIS benchmark")
    ).to_be_visible()
    expect(
        main.locator(".rt-Card").filter(has_not=page.get_by_test_id("mission-status"))
    ).to_have_count(0)
    status: dict[str, str] = {}
    for card in main.locator(".rt-Card").all():
        title = card.get_by_role("heading", level=2).inner_text()
        status[title] = card.get_by_test_id("mission-status").inner_text()
    assert "Approved" in status.values() and "Locked" in status.values()

    page.goto("/dashboard/student")
    start_here = page.get_by_role("heading", name="Start here", level=2).locator("xpath=..")
    starters = start_here.locator("a[href^='/missions/']")
    expect(starters.first).to_be_visible()
    offered = [t for text in starters.all_inner_texts() for t in status if t in text]
    assert offered, "Start here offers a mission of the track while one is left to start"
    for title in offered:
        assert status[title] not in ("Approved", "Locked"), (title, status[title])
