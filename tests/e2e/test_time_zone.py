"""A learner whose browser is in Nairobi signs in for the first time: CyberHub stores the
browser's zone and shows times in East Africa Time, without the learner choosing anything."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import BrowserPage, sign_in

PASSWORD = "orange-river-canoe-77"


@pytest.fixture
def nairobi_web(browser: Browser, app_url: str) -> Iterator[BrowserPage]:
    bp = BrowserPage(browser, app_url, timezone_id="Africa/Nairobi")
    yield bp
    bp.context.close()


def test_a_fresh_sign_in_reads_times_in_the_browsers_zone(
    nairobi_web: BrowserPage, app_url: str
) -> None:
    email = f"tz-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "consents": ["terms", "privacy"]},
        timeout=20,
    )
    assert r.status_code == 201, r.text
    page = nairobi_web.page
    page.goto("/signin")
    sign_in(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)"))
    page.wait_for_load_state("networkidle")

    # The first signed-in page stored the zone; a later page shows times in it.
    current = page.get_by_test_id("time-zone-current")
    for _ in range(10):
        page.goto("/settings/security")
        page.wait_for_load_state("networkidle")
        expect(current).not_to_have_text("")
        if current.inner_text() == "Africa/Nairobi":
            break
        time.sleep(0.5)
    expect(current).to_have_text("Africa/Nairobi")
    expect(page.get_by_test_id("time-zone-example")).to_have_text(re.compile(r"\d{2}:\d{2} EAT$"))

    # The API says the same.
    me = httpx.get(
        f"{app_url}/api/v1/auth/me",
        headers={
            "Authorization": "Bearer "
            + httpx.post(
                f"{app_url}/api/v1/auth/login",
                json={"email": email, "password": PASSWORD},
                timeout=20,
            ).json()["access_token"]
        },
        timeout=20,
    )
    assert me.json()["time_zone"] == "Africa/Nairobi"

    # Choosing another zone on the page changes what is shown.
    zone_input = page.get_by_label("Time zone")
    zone_input.fill("Asia/Tokyo")
    page.get_by_role("button", name="Save time zone").click()
    expect(current).to_have_text("Asia/Tokyo")
    expect(
        page.get_by_role("status").filter(has_text="Times are now shown in Asia/Tokyo.")
    ).to_be_visible()
    expect(page.get_by_test_id("time-zone-example")).to_have_text(re.compile(r"JST$"))
