"""A double-click on a button does what one click does. Reflex queues each click's event and runs
them in turn, so the second click of a double-click repeated the action once the first was done:
"Create key" made two API keys (the user saw one secret), "Create cohort" made the cohort and
then said the programme already had a cohort of that name."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import (
    director_with_own_mission,
    fill_new_api_key,
    sign_in_to,
    throwaway_user,
)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def learner(app_url: str, pg_admin_url: str) -> Iterator[str]:
    with throwaway_user(pg_admin_url, "dbl", "student") as email:
        yield email


def test_a_double_click_on_create_key_makes_one_key(web: BrowserPage, learner: str) -> None:
    page = web.page
    fill_new_api_key(page, learner, "Nightly report", PASSWORD)
    page.get_by_role("button", name="Create key").dblclick()
    secret = page.get_by_role("dialog", name="Your new API key")
    expect(secret).to_be_visible()
    secret.get_by_role("button", name=re.compile("stored it")).click()
    # Give a second create the time to land before counting.
    page.wait_for_load_state("networkidle")
    page.reload()
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    expect(page.get_by_role("button", name="Revoke Nightly report")).to_have_count(1)
    assert web.console_errors == []


def test_a_double_click_on_create_cohort_says_created(
    web: BrowserPage, pg_admin_url: str, app_url: str
) -> None:
    page = web.page
    with director_with_own_mission(pg_admin_url, "Double mission") as (director, _):
        sign_in_to(page, "/dashboard/director", director)
        expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"), timeout=15_000)
        expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
        page.locator("#cohort-program").click()
        page.get_by_role("option").first.click()
        page.get_by_label("Name", exact=True).first.fill("Twice Clicked Cohort")
        page.get_by_label("Starts on").fill("2027-01-11")
        page.get_by_label("Ends on").fill("2027-03-12")
        page.get_by_label("Capacity (seats)").fill("12")
        page.get_by_role("button", name="Create cohort").dblclick()
        main = page.locator("main")
        expect(main.get_by_text("Created the cohort Twice Clicked Cohort.")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(main.get_by_text("Created the cohort Twice Clicked Cohort.")).to_be_visible()
        expect(main.get_by_text(re.compile("already has a cohort named"))).to_have_count(0)
        expect(main.get_by_role("cell", name="Twice Clicked Cohort")).to_have_count(1)
    assert web.console_errors == []
