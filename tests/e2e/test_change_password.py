"""A learner changes their password under Settings → Security: a mismatch and a wrong current
password are refused with what was typed kept; then the change works, this browser stays signed
in, another device is signed out and the new password signs in."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, sign_in

PASSWORD = "orange-river-canoe-77"
NEW_PASSWORD = "silver-meadow-kettle-48"


def _login(app_url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{app_url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=20
    )


def test_a_learner_changes_their_password(web: BrowserPage, app_url: str) -> None:
    email = f"pw-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "consents": ["terms", "privacy"]},
        timeout=20,
    )
    assert r.status_code == 201, r.text
    other_device = _login(app_url, email, PASSWORD).json()["refresh_token"]
    page = web.page
    page.goto("/signin")
    sign_in(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)"))
    page.goto("/settings/security")
    card = page.get_by_test_id("change-password")
    current = card.get_by_label("Current password")
    new = card.get_by_label("New password", exact=True)
    repeat = card.get_by_label("Repeat new password")
    expect(current).to_have_attribute("autocomplete", "current-password")
    expect(new).to_have_attribute("autocomplete", "new-password")
    expect(repeat).to_have_attribute("autocomplete", "new-password")
    submit = card.get_by_role("button", name="Change password")

    # The two new passwords differ: refused, and what was typed stays.
    current.fill(PASSWORD)
    new.fill(NEW_PASSWORD)
    repeat.fill(NEW_PASSWORD + "x")
    submit.click()
    expect(card.get_by_text("The two new passwords don't match.")).to_be_visible()
    expect(new).to_have_value(NEW_PASSWORD)

    # A wrong current password: refused, the fields keep what was typed.
    current.fill("not-my-password-12")
    repeat.fill(NEW_PASSWORD)
    submit.click()
    expect(card.get_by_text(re.compile("current password is not right"))).to_be_visible()
    expect(current).to_have_value("not-my-password-12")
    expect(repeat).to_have_value(NEW_PASSWORD)

    # The right one: changed, the fields are emptied, and this browser stays signed in.
    sign_ins = page.get_by_test_id("sign-ins").get_by_test_id("sign-in-row")
    expect(sign_ins).to_have_count(3)  # this browser, and the sign-up and the other device
    current.fill(PASSWORD)
    submit.click()
    expect(card.get_by_role("status").filter(has_text="Your password was changed")).to_be_visible()
    expect(current).to_have_value("")
    expect(new).to_have_value("")
    expect(sign_ins).to_have_count(1)  # the others left the list at once
    page.reload()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    assert "/signin" not in page.url

    # The other device is signed out; the new password signs in, the old one does not.
    refreshed = httpx.post(
        f"{app_url}/api/v1/auth/token/refresh", json={"refresh_token": other_device}, timeout=20
    )
    assert refreshed.status_code == 401
    assert _login(app_url, email, NEW_PASSWORD).status_code == 200
    assert _login(app_url, email, PASSWORD).status_code == 401
