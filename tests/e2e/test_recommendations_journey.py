"""Issue 6, acceptance 3: a new student finishes the profiler and sees recommendations with
reasons (computed by the real worker with the real model); after a mentor approves one of the
missions, the list changes."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_profiler import BANK, _answer
from tests.e2e.test_student_learning import join_demo_organization

PASSWORD = "violet-harbour-lamp-31"
ANSWER = (
    "I hardened the host step by step: key-only SSH, fail2ban, a default-deny firewall, and "
    "before/after Lynis runs (score 61 -> 82). Every change is in a re-runnable script."
)


def _api(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=f"{base}/api/v1", timeout=30)
    r = client.post("/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def _recommended_titles(page) -> list[str]:
    items = page.get_by_test_id("recommendation")
    expect(items.first).to_be_visible(timeout=90_000)  # the worker may still be loading the model
    return [t.strip() for t in items.locator("a").all_inner_texts()]


def test_profiler_then_recommendations_that_follow_an_approval(
    web: BrowserPage, app_url: str
) -> None:
    page = web.page
    email = f"recs-{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/signup")
    page.get_by_label("Full name").fill("Wanjiru Kamau")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("I accept the privacy notice").check()
    page.get_by_label(re.compile("Use AI to suggest my career track")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler"))
    _answer(page, len(BANK.questions))
    page.get_by_role("button", name="See my results").click()
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler/results"))
    page.get_by_role("link", name="Continue to my dashboard →").click()
    expect(page).to_have_url(re.compile(r"/dashboard/student"))

    # Recommendations with a reason each, computed by the worker after the profiler.
    card = page.get_by_test_id("recommendations")
    expect(card.get_by_role("heading", name="Recommended for you")).to_be_visible()
    before = _recommended_titles(page)
    assert before
    reasons = card.get_by_test_id("recommendation").all_inner_texts()
    assert all(re.search(r"(track|step|level|completed|interests|start)", r) for r in reasons)

    # The director enrols the learner, the learner submits the top mission, a mentor approves.
    director = _api(app_url, "director@cyberhub.example", DEMO_PASSWORD)
    mentor = _api(app_url, "mentor@cyberhub.example", DEMO_PASSWORD)
    student = _api(app_url, email, PASSWORD)
    recs = student.get("/recommendations").json()
    target = next(r for r in recs if "unlocks once" not in r["reason"])
    mission = student.get(f"/missions/{target['mission_id']}").json()
    program_id = director.get(f"/director/missions/{target['mission_id']}").json()["program_ids"][0]
    cohort = next(c for c in director.get("/cohorts").json() if c["program_id"] == program_id)
    # A self sign-up is in no organisation: the learner joins the demo one by invitation first.
    join_demo_organization(app_url, {"Authorization": student.headers["Authorization"]})
    r = director.post(f"/cohorts/{cohort['id']}/enrollments", json={"email": email})
    assert r.status_code in (200, 201), r.text
    director.post(
        f"/cohorts/{cohort['id']}/mentors",
        json={"email": "mentor@cyberhub.example", "capacity": 50},
    )
    me = student.get("/auth/me").json()
    mentors = director.get(f"/cohorts/{cohort['id']}/mentors").json()
    mentor_id = next(m["mentor_id"] for m in mentors if m["email"] == "mentor@cyberhub.example")
    r = director.post(
        f"/cohorts/{cohort['id']}/mentors/assign",
        json={"student_id": me["id"], "mentor_id": mentor_id},
    )
    assert r.status_code == 200, r.text
    r = student.post(
        f"/missions/{target['mission_id']}/submit", json={"answer": ANSWER, "links": []}
    )
    assert r.status_code == 201, r.text
    sub_id = r.json()["id"]
    assert mentor.post(f"/submissions/{sub_id}/claim").status_code == 200
    scores = {c["key"]: c["points"] for c in mission["rubric"]}
    r = mentor.post(
        f"/submissions/{sub_id}/review",
        json={"decision": "approved", "scores": scores, "feedback": "Clean and well evidenced."},
    )
    assert r.status_code == 200, r.text

    # Within seconds the learner's list follows: the approved mission has left it.
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline:
        page.reload()
        after = _recommended_titles(page)
        if target["title"] not in after:
            break
        time.sleep(2)
    assert target["title"] in before and target["title"] not in after
    assert after != before
    assert web.console_errors == []
