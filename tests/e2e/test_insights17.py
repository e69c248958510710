"""Issue 17 item 11 in a real browser: the work-style scales read the way their titles do (left
end = the title's first pole, the marker on the side of the lean), and a learner with little
evidence is told so instead of being shown a confident-looking "Balanced"."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import BrowserPage, sign_in

PASSWORD = "amber-kettle-river-93"
PEOPLE_AND_PLANNING = (
    "I prefer working with people and planning things out. I like organising the team's work "
    "and making sure everyone knows the plan. Making a schedule with my team kept us on track. "
    "Explaining phishing to my grandmother was the best part of the week."
)


def _learner(app_url: str) -> tuple[str, str]:
    """A fresh learner who grants AI profiling; returns (email, access token)."""
    email = f"insights-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Wanjiru Insights",
            "consents": ["terms", "privacy", "ai_profiling"],
        },
        timeout=20,
    )
    assert r.status_code == 201, r.text
    return email, r.json()["access_token"]


def _reflect(app_url: str, token: str, body: str) -> None:
    r = httpx.post(
        f"{app_url}/api/v1/coaching/reflections",  # private: still read for their own analysis
        json={"body": body},
        headers={"Authorization": f"Bearer {token}"},
        timeout=20,
    )
    assert r.status_code == 201, r.text


def _analysis_shows(page: Page, text: str) -> Locator:
    """Reload /insights until the worker's analysis shows `text` (it takes a second or two)."""
    analysis = page.get_by_test_id("analysis")
    for _ in range(30):
        try:
            page.reload()
        except PlaywrightError as exc:  # a navigation still under way (sign-in's redirect)
            if "ERR_ABORTED" not in str(exc):
                raise
            page.wait_for_load_state()
            continue
        expect(analysis.get_by_role("heading", name="Your work style")).to_be_visible()
        card = analysis.get_by_test_id("dimension").filter(has_text=text)
        try:
            expect(card.first).to_be_visible(timeout=1_500)
            return analysis
        except AssertionError:
            continue
    raise AssertionError(f"the analysis never showed {text!r}")


def _centre_x(loc: Locator) -> float:
    box = loc.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2


def test_little_evidence_is_said_honestly_and_each_scale_reads_like_its_title(
    web: BrowserPage, app_url: str
) -> None:
    email, token = _learner(app_url)
    _reflect(app_url, token, "I finished the first mission on Tuesday after lunch.")
    page = web.page
    page.goto("/signin?next=/insights")
    sign_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/insights/?$"))  # not /signin?next=/insights

    # One reflection that says nothing about how they work: every dimension says so, with
    # what to write about, and no scale pretends to know (no marker, no "Balanced").
    analysis = _analysis_shows(page, "Not enough evidence yet")
    dims = analysis.get_by_test_id("dimension")
    expect(dims).to_have_count(5)
    for i in range(5):
        expect(dims.nth(i).get_by_test_id("lean")).to_have_text("Not enough evidence yet")
        expect(dims.nth(i)).to_contain_text("Too little of what you answered or wrote")
        expect(dims.nth(i).get_by_test_id("marker")).to_have_count(0)
    expect(analysis).not_to_contain_text("Balanced")

    # A reflection about people and planning moves those two dimensions, towards people and
    # towards a plan; the rest stay honestly unknown.
    _reflect(app_url, token, PEOPLE_AND_PLANNING)
    analysis = _analysis_shows(page, "Leans people-focused")
    people = dims.filter(has=page.get_by_role("heading", name="Systems-focused or people-focused"))
    expect(people.get_by_test_id("lean")).to_have_text("Leans people-focused")
    expect(people.get_by_test_id("confidence")).to_contain_text("confidence")
    plan = dims.filter(has=page.get_by_role("heading", name="Exploratory or structured"))
    expect(plan.get_by_test_id("lean")).to_have_text(re.compile(r"(Leans|Strongly) structured"))
    hands = dims.filter(has=page.get_by_role("heading", name="Conceptual or hands-on"))
    expect(hands.get_by_test_id("lean")).to_have_text("Not enough evidence yet")
    people.get_by_text(re.compile(r"^The strongest evidence")).click()
    expect(people).to_contain_text("towards people-focused")
    expect(people).not_to_contain_text("towards systems-focused")

    # Every scale: the title's first pole is its left end, the second its right end, and a
    # lean's marker sits on the side of the pole the label names.
    for i in range(5):
        card = dims.nth(i)
        title = card.get_by_role("heading").inner_text()
        left, right = card.get_by_test_id("left-end"), card.get_by_test_id("right-end")
        first, second = title.split(" or ")
        expect(left).to_have_text(re.compile(re.escape(first), re.IGNORECASE))
        expect(right).to_have_text(re.compile(re.escape(second), re.IGNORECASE))
        scale = card.get_by_test_id("scale")
        assert _centre_x(left) < _centre_x(scale) < _centre_x(right)
        lean = card.get_by_test_id("lean").inner_text()
        if lean.startswith(("Leans", "Strongly")):
            mid = _centre_x(scale)
            marker = _centre_x(card.get_by_test_id("marker"))
            assert (marker > mid) == lean.endswith(second), (title, lean, marker, mid)
            expect(scale).to_have_attribute("aria-label", re.compile(re.escape(lean)))
    assert web.console_errors == []
