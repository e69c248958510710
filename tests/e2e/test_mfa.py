"""Browser journeys for two-factor authentication and consents."""

from __future__ import annotations

import re
import uuid

import httpx
import pyotp
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, sign_in
from tests.totp import code, wait_clear_of_step_boundary

PASSWORD = "orange-river-canoe-77"


def api_signup(app_url: str, consents: list[str] | None = None) -> tuple[str, str]:
    """A fresh learner created through the API; returns (email, access token)."""
    email = f"mfa-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Otieno Mfa",
            "consents": consents or ["terms", "privacy"],
        },
        timeout=20,
    )
    assert r.status_code == 201, r.text
    return email, r.json()["access_token"]


def api_enrol(app_url: str, token: str) -> str:
    """Turn MFA on through the API; returns the secret."""
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{app_url}/api/v1/auth/mfa/enroll", headers=headers, timeout=20)
    assert r.status_code == 200, r.text
    secret = r.json()["secret"]
    wait_clear_of_step_boundary()
    # The previous step's code: the current one stays unused for the browser sign-in.
    r = httpx.post(
        f"{app_url}/api/v1/auth/mfa/verify",
        json={"code": code(secret, -1), "password": PASSWORD},
        headers=headers,
        timeout=20,
    )
    assert r.status_code == 200, r.text
    return str(secret)


def test_log_in_with_totp(web: BrowserPage, app_url: str) -> None:
    email, token = api_signup(app_url)
    secret = api_enrol(app_url, token)
    page = web.page
    page.goto("/signin?next=/missions")
    sign_in(page, email, PASSWORD)
    field = page.get_by_label("Authentication code")
    expect(field).to_be_visible()
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    expect(field).to_have_attribute("inputmode", "numeric")
    # The password is not kept anywhere in the page.
    assert PASSWORD not in page.content()
    field.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    wait_clear_of_step_boundary()
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify and sign in").click()
    expect(page).to_have_url(re.compile(r"/missions"))
    expect(page.get_by_role("heading", name="Missions")).to_be_visible()
    assert web.console_errors == []


def test_enrol_on_the_security_page(web: BrowserPage, app_url: str) -> None:
    email, _ = api_signup(app_url)
    page = web.page
    page.goto("/signin?next=/settings/security")
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Security")).to_be_visible()
    expect(page.get_by_text("Off", exact=True)).to_be_visible()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    assert len(secret) >= 16
    # The enrolment form's own password field (the "Change password" card has one too).
    turn_on = page.get_by_role("button", name="Turn on two-factor authentication")
    enrol_password = page.locator("form", has=turn_on).get_by_label("Current password")
    wait_clear_of_step_boundary()
    enrol_password.fill("Not-My-Password-1")
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    # Turning it on is a fresh re-authentication: a wrong password leaves it off.
    expect(page.get_by_role("alert")).to_contain_text("didn't confirm it's you")
    wait_clear_of_step_boundary()
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    enrol_password.fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    codes = page.get_by_test_id("recovery-code")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", c) for c in codes.all_inner_texts())
    page.get_by_role("button", name="I saved them").click()
    expect(page.get_by_text("On", exact=True)).to_be_visible()
    expect(page.get_by_text("10 of 10 recovery codes left.")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Two-factor authentication is on.")
    ).to_be_visible()
    assert web.console_errors == []


def test_sign_out_everywhere(web: BrowserPage, app_url: str) -> None:
    email, token = api_signup(app_url)
    other_device = {"Authorization": f"Bearer {token}"}
    made = httpx.post(f"{app_url}/api/v1/me/calendar-feed", headers=other_device, timeout=20)
    assert made.status_code == 200, made.text
    feed = made.json()["url"]
    feed = app_url + feed[feed.index("/api/v1/") :]
    page = web.page
    page.goto("/signin?next=/settings/security")
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Sessions and API keys")).to_be_visible()
    page.get_by_role("button", name="Sign out everywhere").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("all your API keys and your calendar feed's address are revoked")
    dialog.get_by_role("button", name="Cancel").click()
    assert httpx.get(f"{app_url}/api/v1/auth/me", headers=other_device, timeout=20).is_success
    page.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(re.compile(r"/signin"))
    r = httpx.get(f"{app_url}/api/v1/auth/me", headers=other_device, timeout=20)
    assert r.status_code == 401
    page.goto("/settings/security")
    expect(page).to_have_url(re.compile(r"/signin"))
    # The calendar feed's address ended with the sessions; signed in again, the page says so.
    assert httpx.get(feed, timeout=20).status_code == 404
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/security/?$"))
    card = page.get_by_test_id("calendar-feed")
    expect(card.get_by_test_id("calendar-feed-off")).to_contain_text(
        "its old address no longer works", timeout=15_000
    )
    expect(card.get_by_text("Off", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Make my calendar address")).to_be_visible()
    assert web.console_errors == []


def test_withdrawing_ai_profiling_on_the_privacy_page(web: BrowserPage, app_url: str) -> None:
    email, _ = api_signup(app_url, ["terms", "privacy", "ai_profiling"])
    page = web.page
    page.goto("/signin")
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard"))
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Privacy & consents").click()
    expect(page.get_by_role("heading", name="Privacy & consents")).to_be_visible()
    expect(page.get_by_role("switch", name="Terms of use")).to_be_disabled()
    ai = page.get_by_role("switch", name="AI profiling")
    expect(ai).to_be_checked()
    ai.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Every AI feature stops for you")
    dialog.get_by_role("button", name="Withdraw").click()
    expect(ai).not_to_be_checked()
    expect(page.get_by_role("status").filter(has_text="AI profiling: withdrawn")).to_be_visible()
    history = page.get_by_role("table")
    expect(history).to_contain_text("Withdrawn")
    expect(history).to_contain_text("Granted")
    assert web.console_errors == []
