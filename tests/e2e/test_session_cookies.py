"""The session in a real browser: no page script can read it, and sign-out really signs out."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import FilePayload, Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.test_passwordless import open_newest_link

pytestmark = [pytest.mark.auth]

STUDENT = "student@cyberhub.example"
MENTOR = "mentor@cyberhub.example"
COOKIE = "ch_session"


def assert_no_script_readable_token(web: BrowserPage) -> None:
    """The session cookie exists, HttpOnly and SameSite=Strict; page script sees no token."""
    cookies = {c["name"]: c for c in web.context.cookies()}
    assert COOKIE in cookies, cookies.keys()
    assert cookies[COOKIE]["httpOnly"] is True
    assert cookies[COOKIE]["sameSite"] == "Strict"
    assert not {"ch_access", "ch_refresh"} & cookies.keys()
    readable = web.page.evaluate(
        "document.cookie + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"
    )
    assert COOKIE not in readable
    assert cookies[COOKIE]["value"] not in readable
    assert "eyJ" not in readable  # no JWT of any kind


def client_token(page: Page) -> str:
    return str(page.evaluate("sessionStorage.getItem('token')"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin/?\?signed_out=1$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_password_sign_in_then_sign_out_leaves_nothing_behind(web: BrowserPage) -> None:
    page = web.page
    page.goto("/insights")
    sign_in(page, STUDENT, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/insights/?$"))
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Amina Njoroge")
    assert_no_script_readable_token(web)

    # Something only this student can see: a private reflection of theirs.
    page.goto("/coaching")
    text = f"Only Amina should ever read this ({uuid.uuid4().hex[:8]})."
    page.get_by_label("Your reflection").fill(text)
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_test_id("reflection").filter(has_text=text)).to_be_visible()
    # A second history entry, so that Back has somewhere to go after signing out.
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Missions").click()
    expect(page).to_have_url(re.compile(r"/missions"))
    before = client_token(page)

    sign_out(page)
    assert COOKIE not in {c["name"] for c in web.context.cookies()}
    # The tab has a new client token: the old page states are not this tab's any more.
    assert client_token(page) not in ("", "None", before)

    for step in (page.reload, page.go_back):
        step()
        page.wait_for_load_state("networkidle")
        expect(page).to_have_url(re.compile(r"/signin"))
        expect(page.get_by_role("button", name="Account menu")).to_have_count(0)
        content = page.content()
        assert "Amina" not in content and text not in content

    # Another user signs in in the same tab and sees only themselves.
    page.goto("/signin")
    sign_in(page, MENTOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard"), timeout=15_000)
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Brian Otieno")
    assert_no_script_readable_token(web)
    page.goto("/coaching")
    page.wait_for_load_state("networkidle")
    content = page.content()
    assert "Amina" not in content and text not in content
    assert web.console_errors == []


def test_a_revoked_session_is_refused_by_the_next_event(web: BrowserPage, app_url: str) -> None:
    """Sign-out in one tab ends the session for the other tabs of the browser too."""
    page = web.page
    page.goto("/signin")
    sign_in(page, STUDENT, DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Amina Njoroge")
    other = web.context.new_page()
    other.goto("/dashboard")
    expect(other).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))  # sent on to her home
    expect(other.get_by_role("button", name="Account menu")).to_contain_text("Amina Njoroge")
    sign_out(other)
    # The first tab's next page load (its websocket still has the old cookie) finds nobody.
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Missions").click()
    expect(page).to_have_url(re.compile(r"/signin/?\?next="))
    expect(page.get_by_role("button", name="Account menu")).to_have_count(0)


def test_magic_link_sign_in_sets_only_an_httponly_cookie(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin/email-link")
    expect(page.get_by_role("heading", name="Sign in with an e-mail link")).to_be_visible()
    page.wait_for_load_state("networkidle")  # typing before the state arrives could be lost
    page.get_by_label("Email").fill(STUDENT)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    open_newest_link(page, STUDENT, "/auth/magic")
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))
    expect(page.get_by_role("button", name="Account menu")).to_contain_text("Amina Njoroge")
    assert_no_script_readable_token(web)


def test_a_file_upload_knows_who_is_signed_in(web: BrowserPage, app_url: str) -> None:
    """Reflex uploads arrive over HTTP, not the websocket: they still act as the signed-in user."""
    from tests.e2e.test_student_learning import _enrol, _go_to_mission, _open_mission, _signup

    page = web.page
    email, headers = _signup(app_url, "Upload Learner")
    _enrol(app_url, email, headers)
    mission = _open_mission(app_url, headers)
    _go_to_mission(page, mission["id"], email)
    upload: FilePayload = {
        "name": "report.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.7 data",
    }
    page.locator("input[type=file]").set_input_files(files=[upload])
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_text("Attached report.pdf to your draft.")).to_be_visible()
    expect(page.get_by_test_id("draft-file")).to_contain_text("report.pdf")
    assert web.console_errors == []
