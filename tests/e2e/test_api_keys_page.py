"""/settings/api-keys: a refused "Create key" (wrong password) says why, and the message is of
that visit only: coming back to the page shows the form without it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import fill_new_api_key, throwaway_user

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def learner(app_url: str, pg_admin_url: str) -> Iterator[str]:
    with throwaway_user(pg_admin_url, "keys", "student") as email:
        yield email


def test_a_refused_create_is_not_shown_again_on_the_next_visit(
    web: BrowserPage, learner: str
) -> None:
    page = web.page
    fill_new_api_key(page, learner, "Reporting script", "not-my-password")
    main = page.locator("main")
    page.get_by_role("button", name="Create key").click()
    expect(main.get_by_role("alert")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"/settings/api-keys"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/api-keys/?$"))
    expect(page.get_by_role("button", name="Create key")).to_be_visible()
    expect(main.locator(".rt-Spinner")).to_have_count(0, timeout=15_000)
    expect(main.get_by_role("alert")).to_have_count(0)
