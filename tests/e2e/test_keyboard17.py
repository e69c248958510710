"""Issue 17, accessibility: the core journeys with the keyboard alone — sign in, answer the career
profiler, submit a mission — and dialogs that keep focus inside while open and give it back to
the control that opened them when they close. No mouse: only Tab, Space, Enter and Escape (text
is typed with the keyboard)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Locator, Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from cyberhub.services.ai.profiler_bank import load_bank
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_student_learning import PASSWORD, _enrol, _open_mission, _signup

BANK = load_bank()
TOTAL = len(BANK.questions)


def has_focus(locator: Locator) -> bool:
    return bool(locator.evaluate("el => el === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int) -> int:
    """Press Tab until `target` has focus; how many presses it took (at most `limit`)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if has_focus(target):
            return presses
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"{limit} Tabs did not reach {target}; focus is on {str(focused)[:200]}")


def skip_to_content(page: Page) -> None:
    """The first Tab stop of every page is "Skip to content"; Enter moves focus into <main>."""
    page.wait_for_load_state("networkidle")
    # The page has rendered past "Checking access…" (a re-render would drop the focus).
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it shows itself when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_sign_in_with_the_keyboard(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin")
    skip_to_content(page)
    email = page.locator("main").get_by_label("Email")
    # From the skip link the form is the next thing: no trip through the header.
    assert tab_to(page, email, limit=3) <= 3
    page.keyboard.type("student@cyberhub.example")
    tab_to(page, page.locator("main").get_by_label("Password"), limit=2)
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"), timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amina Njoroge")

    # The focus ring is visible on a control reached by Tab (not only on hover).
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring not in ("", "none"), ring
    assert web.console_errors == []


def _sign_up_by_keyboard(page: Page) -> None:
    page.goto("/signup")
    skip_to_content(page)
    main = page.locator("main")
    tab_to(page, main.get_by_label("Full name"), limit=4)
    page.keyboard.type("Kibet Keyboard")
    tab_to(page, main.get_by_label("Email"), limit=2)
    page.keyboard.type(f"keys-{uuid.uuid4().hex[:8]}@example.org")
    tab_to(page, main.get_by_label("Password"), limit=2)
    page.keyboard.type("amber-river-kite-47")
    for consent in ("I accept the terms of use", "I accept the privacy notice"):
        box = main.get_by_label(consent)
        tab_to(page, box, limit=4)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    ai = main.get_by_label(re.compile("Use AI to suggest my career track"))
    tab_to(page, ai, limit=3)
    page.keyboard.press("Space")
    expect(ai).to_be_checked()
    tab_to(page, main.get_by_role("button", name="Create account"), limit=6)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Question 1 of {TOTAL}")).to_be_visible(timeout=15_000)


def test_profiler_answered_with_the_keyboard(web: BrowserPage) -> None:
    page = web.page
    _sign_up_by_keyboard(page)
    heading = page.locator("#question-text")
    skip_to_content(page)
    for qi, question in enumerate(BANK.questions):
        expect(heading).to_have_text(question.text)
        if qi > 0:
            # Focus followed the new question: its answers are the next Tab stop.
            expect(heading).to_be_focused()
        first = page.get_by_role("radio").first
        assert tab_to(page, first, limit=4 if qi == 0 else 1) <= 4
        page.keyboard.press("Space")
        expect(first).to_be_checked()
        last = qi == TOTAL - 1
        go = page.get_by_role("button", name="See my results" if last else "Next →")
        expect(go).to_be_enabled()
        tab_to(page, go, limit=2)
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler/results"), timeout=15_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your track")
    assert web.console_errors == []


def test_submit_a_mission_with_the_keyboard(web: BrowserPage, app_url: str) -> None:
    page = web.page
    email, headers = _signup(app_url, "Kerubo Keyboard")
    _enrol(app_url, email, headers)
    mission_id = _open_mission(app_url, headers)["id"]

    page.goto(f"/signin?next=/missions/{mission_id}")
    skip_to_content(page)
    tab_to(page, page.locator("main").get_by_label("Email"), limit=3)
    page.keyboard.type(email)
    tab_to(page, page.locator("main").get_by_label("Password"), limit=2)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/missions/{mission_id}/?$"), timeout=15_000)
    expect(page.get_by_test_id("work-status")).to_have_text("Not started")

    skip_to_content(page)
    tab_to(page, page.get_by_label("Your answer"), limit=30)
    page.keyboard.type("I closed the unused ports and kept the scan reports as evidence.")
    tab_to(page, page.get_by_label("Links (one per line)"), limit=2)
    page.keyboard.type("https://github.com/kerubo/hardening")
    tab_to(page, page.get_by_role("button", name="Submit for review"), limit=3)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("work-status")).to_have_text("Submitted", timeout=15_000)
    expect(page.get_by_test_id("attempt-history")).to_contain_text("Submitted")
    assert web.console_errors == []


def _focus_is_inside(page: Page, dialog: Locator) -> bool:
    return bool(dialog.evaluate("d => d.contains(document.activeElement)"))


def test_dialogs_trap_focus_and_give_it_back(web: BrowserPage, app_url: str) -> None:
    page = web.page
    email, _ = _signup(app_url, "Dalia Dialog")
    page.goto("/signin?next=/settings/api-keys")
    skip_to_content(page)
    tab_to(page, page.locator("main").get_by_label("Email"), limit=3)
    page.keyboard.type(email)
    tab_to(page, page.locator("main").get_by_label("Password"), limit=2)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/api-keys/?$"), timeout=15_000)

    # A dialog the page opens itself (no trigger): the new key's secret, after "Create key".
    # (The journey starts at the form: what is tested here is the dialogs.)
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Keyboard report")
    tab_to(page, page.get_by_label("Current password (or authenticator code)"), limit=4)
    page.keyboard.type(PASSWORD)
    create = page.get_by_role("button", name="Create key")
    tab_to(page, create, limit=3)
    page.keyboard.press("Enter")
    secret = page.get_by_role("dialog", name="Your new API key")
    expect(secret).to_be_visible()
    expect(secret.get_by_role("button", name="Copy to clipboard")).to_be_visible()
    # Tab and Shift+Tab cycle inside the dialog: the page behind is out of reach.
    for key in ("Tab",) * 5 + ("Shift+Tab",) * 5:
        page.keyboard.press(key)
        assert _focus_is_inside(page, secret), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    expect(secret).to_have_count(0)
    expect(create).to_be_focused()

    # An alert dialog opened from a row's button: focus stays in it and returns to that button.
    revoke = page.get_by_role("button", name="Revoke Keyboard report")
    tab_to(page, revoke, limit=15)
    page.keyboard.press("Enter")
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    for key in ("Tab",) * 3 + ("Shift+Tab",) * 3:
        page.keyboard.press(key)
        assert _focus_is_inside(page, confirm), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(revoke).to_be_focused()

    # Cancel by keyboard gives focus back too.
    page.keyboard.press("Enter")
    expect(confirm).to_be_visible()
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(confirm).to_have_count(0)
    expect(revoke).to_be_focused()
    assert web.console_errors == []
