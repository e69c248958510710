"""A student in a real browser works on a mission: reveals a hint (still there after a reload),
saves a draft (kept after a reload), gets a bad link refused without losing what was typed,
submits, and finds the mission in progress on their dashboard. A student outside every cohort
is told why they can't submit and sees the empty dashboard."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

DIRECTOR = "director@cyberhub.example"
pytestmark = [pytest.mark.student]

PASSWORD = "amber-lantern-harbour-58"
ANSWER = "I hardened SSH, closed the unused ports and kept the before/after scan reports."


def _signup(app_url: str, name: str) -> tuple[str, dict[str, str]]:
    """A fresh learner created through the API: (email, auth headers)."""
    email = f"learner-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": name,
            "consents": ["terms", "privacy"],
        },
        timeout=20,
    )
    assert r.status_code == 201, r.text
    return email, {"Authorization": f"Bearer {r.json()['access_token']}"}


def join_demo_organization(app_url: str, learner: dict[str, str]) -> dict[str, str]:
    """A self sign-up belongs to no organisation: the demo director invites the learner, who
    accepts from the in-app notice's link. Returns the director's auth headers."""
    api = f"{app_url}/api/v1"
    r = httpx.post(
        f"{api}/auth/login", json={"email": DIRECTOR, "password": DEMO_PASSWORD}, timeout=20
    )
    assert r.status_code == 200, r.text
    director = {"Authorization": f"Bearer {r.json()['access_token']}"}
    email = httpx.get(f"{api}/auth/me", headers=learner, timeout=20).json()["email"]
    orgs = httpx.get(f"{api}/organizations", headers=director, timeout=20).json()["items"]
    org_id = orgs[0]["id"]
    r = httpx.post(
        f"{api}/organizations/{org_id}/invitations",
        json={"email": email},
        headers=director,
        timeout=20,
    )
    assert r.status_code == 201, r.text
    notices = httpx.get(f"{api}/notifications", headers=learner, timeout=20).json()["items"]
    link = next(n["link"] for n in notices if "/invitations/" in (n.get("link") or ""))
    token = link.rsplit("/", 1)[-1]
    r = httpx.post(f"{api}/invitations/{token}/accept", headers=learner, timeout=20)
    assert r.status_code == 200, r.text
    return director


def _enrol(app_url: str, email: str, learner: dict[str, str]) -> None:
    """The learner joins the demo organisation by invitation; its director enrols them in the
    first cohort of their programme."""
    headers = join_demo_organization(app_url, learner)
    cohorts = httpx.get(f"{app_url}/api/v1/cohorts", headers=headers, timeout=20).json()
    cohort_id = cohorts[0]["id"]
    r = httpx.post(
        f"{app_url}/api/v1/cohorts/{cohort_id}/enrollments",
        json={"email": email, "full_name": ""},
        headers=headers,
        timeout=20,
    )
    assert r.status_code == 201, r.text


def _open_mission(app_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """A published mission this learner may submit now (no prerequisite) that has hints."""
    api = f"{app_url}/api/v1"
    items = httpx.get(f"{api}/missions?page_size=100", headers=headers, timeout=20).json()["items"]
    for m in items:
        work = httpx.get(f"{api}/missions/{m['id']}/work", headers=headers, timeout=20).json()
        if not work["can_submit"]:
            continue
        full = httpx.get(f"{api}/missions/{m['id']}", headers=headers, timeout=20).json()
        if full.get("hint_count", 0) >= 2:
            return dict(full)
    raise AssertionError("the demo data has no open mission with hints")


def _go_to_mission(page: Page, mission_id: int, email: str) -> None:
    page.goto(f"/signin?next=/missions/{mission_id}")
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(f"/missions/{mission_id}/?$"))
    expect(page.get_by_role("heading", name="Your work", level=2)).to_be_visible()


def test_student_reveals_hints_drafts_and_submits(web: BrowserPage, app_url: str) -> None:
    page = web.page
    email, headers = _signup(app_url, "Wanjiru Learner")
    _enrol(app_url, email, headers)
    mission = _open_mission(app_url, headers)
    mid, hints = mission["id"], mission["hint_count"]
    _go_to_mission(page, mid, email)
    status = page.get_by_test_id("work-status")
    expect(status).to_have_text("Not started")
    expect(page.get_by_test_id("attempt-history")).to_contain_text("not submitted")

    # A hint, revealed on demand and recorded: still there after a reload.
    page.get_by_role("button", name="Reveal a hint").click()
    expect(page.get_by_text(f"{hints - 1} of {hints} left")).to_be_visible()
    revealed = httpx.get(f"{app_url}/api/v1/missions/{mid}/hints", headers=headers, timeout=20)
    first_hint = revealed.json()[0]["hint"]
    expect(page.get_by_text(first_hint)).to_be_visible()
    page.reload()
    expect(page.get_by_text(first_hint)).to_be_visible()
    expect(page.get_by_text(f"{hints - 1} of {hints} left")).to_be_visible()

    # A draft (may be short) survives a reload.
    page.get_by_label("Your answer").fill("First notes")
    page.get_by_label("Links (one per line)").fill("https://github.com/wanjiru/hardening")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible()
    expect(status).to_have_text("Draft")
    page.reload()
    expect(page.get_by_label("Your answer")).to_have_value("First notes")
    expect(page.get_by_label("Links (one per line)")).to_have_value(
        "https://github.com/wanjiru/hardening"
    )
    expect(status).to_have_text("Draft")

    # A bad link is refused with a message; what was typed stays.
    bad_links = "https://github.com/wanjiru/hardening\nnot a link"
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_label("Links (one per line)").fill(bad_links)
    page.get_by_role("button", name="Submit for review").click()
    expect(
        page.get_by_role("alert").filter(has_text="Link 2 must be a full http(s) URL")
    ).to_be_visible()
    expect(page.get_by_label("Your answer")).to_have_value(ANSWER)
    expect(page.get_by_label("Links (one per line)")).to_have_value(bad_links)
    expect(status).to_have_text("Draft")

    # Fixed: submitted, the form gives way to the history and the timeline.
    page.get_by_label("Links (one per line)").fill("https://github.com/wanjiru/hardening")
    page.get_by_role("button", name="Submit for review").click()
    expect(status).to_have_text("Submitted")
    expect(page.get_by_label("Your answer")).to_have_count(0)
    attempts = page.get_by_test_id("attempt-history").get_by_test_id("attempt")
    expect(attempts).to_have_count(1)
    expect(attempts.first).to_contain_text("Attempt 1")
    expect(attempts.first).to_contain_text("Submitted")
    expect(attempts.first).to_contain_text("kept the before/after scan reports")
    expect(page.get_by_test_id("status-timeline")).to_contain_text("Attempt 1 · Submitted")

    # The dashboard shows it in progress; the next action is to wait for the review.
    page.locator("nav[aria-label=Main]").get_by_role("link", name="My learning").click()
    expect(page).to_have_url(re.compile("/dashboard/student$"))
    in_progress = page.get_by_test_id("in-progress")
    expect(in_progress.get_by_role("link", name=mission["title"])).to_be_visible()
    expect(in_progress).to_contain_text("Submitted")
    expect(page.get_by_test_id("next-action")).to_be_visible()
    expect(page.get_by_test_id("track-progress").first).to_contain_text("0%")
    expect(page.get_by_test_id("latest-feedback")).to_contain_text("No reviews yet")
    assert web.console_errors == []


def test_student_outside_every_cohort_is_told_why(web: BrowserPage, app_url: str) -> None:
    page = web.page
    email, headers = _signup(app_url, "Baraka Newcomer")
    items = httpx.get(f"{app_url}/api/v1/missions?page_size=1", headers=headers, timeout=20).json()[
        "items"
    ]
    _go_to_mission(page, items[0]["id"], email)
    expect(page.get_by_test_id("not-enrolled-callout")).to_contain_text("not enrolled")
    expect(page.get_by_label("Your answer")).to_have_count(0)

    page.goto("/dashboard/student")
    # In no organisation or cohort: the profiler first, then a cohort (the library meanwhile).
    expect(page.get_by_test_id("next-action")).to_contain_text("Take the career profiler")
    expect(page.get_by_test_id("in-progress")).to_contain_text("Nothing in progress")
    expect(page.get_by_test_id("latest-feedback")).to_contain_text("No reviews yet")
    cohorts = page.get_by_test_id("cohorts")
    expect(cohorts).to_contain_text("not in a cohort yet")
    expect(cohorts.get_by_role("link", name="Apply to a cohort")).to_have_attribute(
        "href", "/cohorts"
    )
    expect(cohorts.get_by_role("link", name="Browse the mission library")).to_be_visible()
    assert web.console_errors == []
