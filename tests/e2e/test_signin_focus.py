"""A refused sign-in keeps the keyboard where the person was: the button's loading state took
the focus away (to the page's body), so a keyboard or screen-reader user had to find the form
again. After a refusal the field to retype has the focus and the reason is announced."""

from __future__ import annotations

import pyotp
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage
from tests.e2e.test_mfa import PASSWORD, api_enrol, api_signup
from tests.totp import wait_clear_of_step_boundary


def test_a_wrong_password_leaves_the_focus_on_the_password(web: BrowserPage, app_url: str) -> None:
    email, _ = api_signup(app_url)
    page = web.page
    page.goto("/signin")
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    password = main.get_by_label("Password")
    password.fill("not-the-password-1")
    button = main.get_by_role("button", name="Sign in")
    button.focus()
    button.press("Enter")  # a keyboard user on the button, which goes loading (disabled)
    expect(page.get_by_role("alert")).to_be_visible()
    expect(button).to_be_enabled()
    expect(password).to_be_focused()

    # Enter in the password field: refused again, the password is selected (typing replaces it).
    password.fill("not-the-password-2")
    password.press("Enter")
    expect(password).to_have_value("not-the-password-2")
    expect(button).to_be_enabled()
    expect(password).to_be_focused()
    expect(password).to_have_js_property("selectionStart", 0)
    expect(password).to_have_js_property("selectionEnd", len("not-the-password-2"))
    password.press_sequentially(PASSWORD)
    expect(password).to_have_value(PASSWORD)
    assert web.console_errors == []


def test_a_wrong_code_leaves_the_focus_on_the_code(web: BrowserPage, app_url: str) -> None:
    email, token = api_signup(app_url)
    secret = api_enrol(app_url, token)
    page = web.page
    page.goto("/signin")
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    field = page.get_by_label("Authentication code")
    expect(field).to_be_focused()
    wait_clear_of_step_boundary()
    field.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    field.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    expect(field).to_be_focused()
    assert web.console_errors == []
