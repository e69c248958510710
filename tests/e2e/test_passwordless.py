"""Magic-link sign-in and password reset in a real browser, through the dev mailbox."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine
from tests.factories import make_user

pytestmark = [pytest.mark.auth]

STUDENT = "student@cyberhub.example"


def open_newest_link(page: Page, to: str, path: str) -> None:
    """Open the dev mailbox filtered by recipient and click the newest link to `path`."""
    # The filter comes from the address bar: typing while the page is still loading could race
    # with the state arriving from the server.
    page.goto(f"/dev/mailbox?to={quote(to)}")
    expect(page.get_by_role("heading", name="Dev mailbox")).to_be_visible()
    messages = page.locator("[data-testid=mail-message]")
    # A full page load right after the dashboard: the new tab's first event can wait for the
    # previous page's load events of the same session to finish (one state lock per tab), which
    # took over 10 s once under CI load.
    expect(messages.first).to_contain_text(to, timeout=25_000)
    expect(messages.filter(has_not_text=to)).to_have_count(0)
    link = messages.first.locator(f"a[href*='{path}/']")
    expect(link).to_have_count(1)
    link.click()


def test_magic_link_sign_in_through_the_dev_mailbox(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin")
    page.locator("main").get_by_role("link", name="Email me a sign-in link").click()
    expect(page).to_have_url(re.compile(r"/signin/email-link$"))
    expect(page.get_by_role("heading", name="Sign in with an e-mail link")).to_be_visible()
    page.get_by_label("Email").fill(STUDENT)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.get_by_text("If that address can sign in, a link is on its way.")).to_be_visible()

    open_newest_link(page, STUDENT, "/auth/magic")
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))  # the student's home
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amina Njoroge")

    # The link worked once: opening it again explains and offers a new one.
    open_newest_link(page, STUDENT, "/auth/magic")
    expect(page.get_by_role("heading", name="This link can't be used")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("already used")
    page.get_by_role("link", name="Request a new link").click()
    expect(page).to_have_url(re.compile(r"/signin/email-link$"))
    assert web.console_errors == []


def test_magic_link_sign_up_asks_for_consent(web: BrowserPage) -> None:
    page = web.page
    email = f"linker-{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/signin/email-link")
    expect(page.get_by_role("heading", name="Sign in with an e-mail link")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    open_newest_link(page, email, "/auth/magic")
    expect(page.get_by_role("heading", name="Create your CyberHub account")).to_be_visible()
    page.get_by_label("Full name (optional)").fill("Zawadi Link")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Accept the terms")
    page.get_by_label("I accept the terms of use (required)").check()
    page.get_by_label("I accept the privacy notice (required)").check()
    page.get_by_role("button", name="Create account").click()
    # As after a password sign-up: the career profiler, asking first for the AI consent.
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler"))
    expect(page.get_by_text("Your AI profiling consent is needed")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Zawadi Link")


def test_password_reset_through_the_dev_mailbox(web: BrowserPage) -> None:
    page = web.page
    email = f"resetter-{uuid.uuid4().hex[:8]}@example.org"
    old_password, new_password = "amber-canyon-falcon-31", "silver-meadow-otter-64"
    r = page.request.post(
        "/api/v1/auth/signup",
        data={
            "email": email,
            "password": old_password,
            "full_name": "Reset Tester",
            "consents": ["terms", "privacy"],
        },
    )
    assert r.status == 201, r.text()

    page.goto("/signin")
    page.locator("main").get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/password-reset$"))
    # The address bar changes before the new page is drawn: wait for it, not the old form.
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    open_newest_link(page, email, "/password-reset")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(page.get_by_text("At least 10 characters")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("at least 10 characters")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat new password").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()

    page.locator("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/signin"))
    sign_in(page, email, old_password)
    expect(page.get_by_role("alert")).to_contain_text("Incorrect email or password")
    page.get_by_label("Password").fill(new_password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reset Tester")

    # The security notice arrived too; the mailbox's filter form narrows the list to one address.
    other = f"someone-else-{uuid.uuid4().hex[:8]}@example.org"
    assert page.request.post("/api/v1/auth/magic-link", data={"email": other}).status == 202
    page.goto("/dev/mailbox")
    messages = page.locator("[data-testid=mail-message]")
    expect(messages.filter(has_text=other).first).to_be_visible()  # the unfiltered list
    page.get_by_label("Recipient").fill(email)
    page.get_by_role("button", name="Filter").click()
    expect(messages.filter(has_not_text=email)).to_have_count(0)
    expect(messages).to_have_count(2)
    expect(messages.first.get_by_role("heading")).to_have_text("Your CyberHub password was changed")
    expect(messages.last.get_by_role("heading")).to_have_text("Reset your CyberHub password")


def test_the_pages_load_never_takes_back_the_answer(web: BrowserPage) -> None:
    """The page's load events used to reset the card, so a submit answered before them (a quick
    user, a busy server: a CI run saw it) went back to the empty form and the user never knew a
    link was on its way. A reload runs those load events again: the answer stays. Leaving the
    page and coming back asks afresh."""
    page = web.page
    page.goto("/signin/email-link")
    expect(page.get_by_role("heading", name="Sign in with an e-mail link")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.get_by_label("Email").fill(STUDENT)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.get_by_text(STUDENT)).to_be_visible()

    # Away and back: the card asks again.
    page.get_by_role("link", name="Sign in with a password").click()
    expect(page.get_by_role("heading", name="Sign in to CyberHub")).to_be_visible()
    page.locator("main").get_by_role("link", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Sign in with an e-mail link")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(STUDENT)


def _made_for_them(pg_admin_url: str) -> str:
    """A passwordless account with no consents, as a director's enrolment of an address makes."""
    email = f"made-{uuid.uuid4().hex[:8]}@example.org"
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        user = make_user(session, email, "student")
        user.password_hash = None
        session.add(user)
        session.commit()
    return email


def test_an_account_made_for_them_asks_for_the_terms_on_first_use(
    web: BrowserPage, pg_admin_url: str
) -> None:
    """A director enrolled this address, which made a passwordless account: its first way in
    asks for what sign-up asks, the terms and the privacy notice, then signs in."""
    email = _made_for_them(pg_admin_url)
    page = web.page
    page.goto("/signin/email-link")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    open_newest_link(page, email, "/auth/magic")
    expect(page.get_by_role("heading", name="Welcome to CyberHub")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("start using your account")
    page.get_by_label("I accept the terms of use (required)").check()
    page.get_by_label("I accept the privacy notice (required)").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/dashboard/student"))
    assert web.console_errors == []


def test_an_account_made_for_them_first_opened_by_a_reset_asks_for_the_terms_there(
    web: BrowserPage, pg_admin_url: str
) -> None:
    email, password = _made_for_them(pg_admin_url), "amber-canyon-falcon-31"
    page = web.page
    page.goto("/password-reset")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    open_newest_link(page, email, "/password-reset")
    expect(page.get_by_text("Your programme made this account for you")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Repeat new password").fill(password)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("start using your account")
    page.get_by_label("I accept the terms of use (required)").check()
    page.get_by_label("I accept the privacy notice (required)").check()
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    assert web.console_errors == []
