"""axe-core on states test_axe.py's page loads never reach: a dialog open on top of its page, in
light and dark mode. (test_axe.py checks each page as loaded.)"""

from __future__ import annotations

import json
import re

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


def _check_both_schemes(page: Page, what: str) -> None:
    # A dialog fades in: its colours are measured once it is opaque.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    failures: list[str] = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        expect(page.locator("html")).to_have_class(re.compile(rf"\b{scheme}\b"))
        failures.extend(f"{what} ({scheme}): {json.dumps(v, indent=1)}" for v in _violations(page))
    assert not failures, "\n".join(failures)


def test_the_choose_a_mentor_dialog(axe_web: BrowserPage) -> None:
    """A select still showing its placeholder ("Choose a mentor") was grey at 3.8:1."""
    page = axe_web.page
    sign_in_to(page, "/dashboard/director/analytics", "director@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/director/analytics/?$"), timeout=15_000)
    page.wait_for_load_state("networkidle")
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    page.locator("main").get_by_role(
        "button", name=re.compile("^Assign or change the mentor of")
    ).first.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_text("Choose a mentor")).to_be_visible()
    _check_both_schemes(page, "the mentor dialog")
    assert axe_web.console_errors == []
