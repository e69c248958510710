"""Every page's declared access rule, enforced in the browser: anonymous -> sign-in and back,
wrong role -> 403, right role -> the page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub.routes import all_pages
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in


def _url(route: str) -> str:
    return re.sub(r"\[[^\]]+\]", "1", route)


PROTECTED = sorted(p.route for p in all_pages() if p.access.kind != "public" and p.route != "404")
ROLE_PAGES = sorted(p.route for p in all_pages() if p.access.kind == "roles")


@pytest.mark.parametrize("route", PROTECTED)
def test_anonymous_visitor_is_sent_to_sign_in(web: BrowserPage, route: str) -> None:
    page = web.page
    page.goto(_url(route))
    expect(page).to_have_url(
        re.compile(r"/signin/?\?next=" + re.escape(quote(_url(route), safe="")) + "(%2F)?$")
    )
    expect(page.get_by_text("Please sign in to continue")).to_be_visible()


def test_wrong_role_sees_403_on_every_role_page(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin")
    sign_in(page, "sponsor@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard"))
    checked = 0
    for route in ROLE_PAGES:
        rule = next(p.access for p in all_pages() if p.route == route)
        if "sponsor" in rule.roles:
            continue
        page.goto(_url(route))
        # Each is a full page load (new socket, hydration, then the guard's round trip): allow a
        # busy machine more than the default 10 s.
        expect(page.get_by_test_id("forbidden")).to_be_visible(timeout=25_000)
        checked += 1
    assert checked >= 5
