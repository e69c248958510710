"""axe-core on states test_axe.py's page loads never reach: a dialog open on top of its page, in
light and dark mode. (test_axe.py checks each page as loaded.)"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import sign_in_to
from tests.e2e.test_axe import AXE_JS, _violations

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def axe_web(web: BrowserPage) -> BrowserPage:
    assert AXE_JS.exists(), f"{AXE_JS} missing: run `make setup` (scripts/setup.sh)"
    web.context.add_init_script(path=AXE_JS)
    return web


OPENING = """() => document.getAnimations()
  .filter((a) => a.effect?.target?.closest?.('[role=dialog], [role=alertdialog], [role=menu]'))
  .every((a) => a.playState !== "running")"""


def _check_both_schemes(
    page: Page, what: str, ignore: frozenset[str] | set[str] = frozenset()
) -> None:
    # A dialog or menu fades in: its colours are measured once it is opaque. (Polled from here:
    # wait_for_function evaluates a string, which the page's Content-Security-Policy refuses.)
    for _ in range(50):
        if page.evaluate(OPENING):
            break
        time.sleep(0.1)
    failures: list[str] = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{scheme}\b"))
        failures.extend(
            f"{what} ({scheme}): {json.dumps(v, indent=1)}"
            for v in _violations(page)
            if v["id"] not in ignore
        )
    assert not failures, "\n".join(failures)


def test_the_choose_a_mentor_dialog(axe_web: BrowserPage) -> None:
    """A select still showing its placeholder ("Choose a mentor") was grey at 3.8:1."""
    page = axe_web.page
    sign_in_to(page, "/dashboard/director/analytics", "director@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/analytics/?$"), timeout=15_000)
    page.wait_for_load_state("networkidle")
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    page.locator("main").get_by_role(
        "button", name=re.compile("^Assign or change the mentor of")
    ).first.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_text("Choose a mentor")).to_be_visible()
    _check_both_schemes(page, "the mentor dialog")
    assert axe_web.console_errors == []


# Radix opens a menu modal: it hides the page behind it from screen readers (aria-hidden) and
# keeps focus in the menu, so the page's controls, though still in the DOM, are out of reach.
MODAL_BEHIND = "aria-hidden-focus"


def test_the_header_menus(axe_web: BrowserPage) -> None:
    """The account menu's "Sign out" was CSS red, 4.0:1 on white; the bell's popover was a
    dialog without a name."""
    page = axe_web.page
    sign_in_to(page, "/dashboard/student", "student@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"), timeout=15_000)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name=re.compile("^Account menu")).click()
    expect(page.get_by_role("menuitem", name="Sign out")).to_be_visible()
    _check_both_schemes(page, "the account menu", ignore={MODAL_BEHIND})
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)

    page.get_by_test_id("notification-bell").click()
    popover = page.get_by_role("dialog", name="Notifications")
    expect(popover).to_be_visible()
    _check_both_schemes(page, "the notifications popover")
    assert axe_web.console_errors == []
