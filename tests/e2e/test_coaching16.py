"""Issue 16 — the Coaching OS in the browser: a learner starts a habit, checks in for today and
back-fills the two days before (streak 3), sets a goal linked to a mission they submitted, sees
its progress bar rise once their mentor approves it, writes a reflection shared with the mentor,
and finds it all summed up on their home."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session, select

from cyberhub.models import User
from cyberhub.models.coaching import Reflection, Visibility
from cyberhub.services.learning import submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import Loop, app_engine, make_loop, sign_in_to, signed_in_mentor
from tests.factories import FULL_SCORES, GOOD_ANSWER, PASSWORD, principal

pytestmark = [pytest.mark.e2e, pytest.mark.coaching]


@dataclass
class Learner:
    loop: Loop
    submission_id: int
    tag: str
    user_id: int


@pytest.fixture
def learner(pg_admin_url: str) -> Iterator[Learner]:
    with make_loop(pg_admin_url, name="Coach", email_prefix="coach16", title="Harden SSH") as loop:
        with app_engine(pg_admin_url) as engine, Session(engine) as session:
            student = session.exec(select(User).where(User.email == loop.student_email)).one()
            sub = submissions.submit(
                session, principal(session, student), loop.mission_id, answer=GOOD_ANSWER
            )
            session.commit()
            sub_id = sub.id or 0
            user_id = student.id or 0
        yield Learner(loop, sub_id, uuid.uuid4().hex[:6], user_id)


def _mentor_approves(app_url: str, lr: Learner) -> None:
    with httpx.Client(base_url=f"{app_url}/api/v1", timeout=30) as api:
        r = api.post("/auth/login", json={"email": lr.loop.mentor_email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        assert api.post(f"/submissions/{lr.submission_id}/claim").status_code == 200
        r = api.post(
            f"/submissions/{lr.submission_id}/review",
            json={"decision": "approved", "scores": FULL_SCORES, "feedback": "Well done."},
        )
        assert r.status_code == 200, r.text


def test_habit_streak_goal_progress_and_a_shared_reflection(
    web: BrowserPage, app_url: str, learner: Learner
) -> None:
    page = web.page
    sign_in_to(page, "/coaching", learner.loop.student_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/coaching/?$"))
    main = page.locator("main")
    expect(main.get_by_text("No habits yet")).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")

    # A habit, checked in for today, yesterday and the day before: a streak of 3.
    title = f"Lab time {learner.tag}"
    main.get_by_label("What will you do?").fill(title)
    main.get_by_label("Track (optional)").select_option("builders")
    main.get_by_label("Skill (optional)").fill("Network scanning")
    main.get_by_role("button", name="Start habit").click()
    habit = main.get_by_test_id("habit").filter(has_text=title)
    expect(habit.get_by_test_id("habit-link")).to_have_text("Builders track · Network scanning")
    expect(habit.get_by_test_id("streak")).to_have_text("0 days in a row · best 0 days")
    habit.get_by_label(f"Note for “{title}”").fill("Port scanning drills")
    habit.get_by_role("button", name=f"Check in for today: {title}").click()
    expect(habit.get_by_test_id("streak")).to_have_text("1 day in a row · best 1 day")
    expect(habit).to_contain_text("Done")
    habit.get_by_role("button", name=f"Check in for yesterday: {title}").click()
    expect(habit.get_by_test_id("streak")).to_have_text("2 days in a row · best 2 days")
    habit.get_by_role("button", name=re.compile(f"Check in for .*: {title}")).click()
    expect(habit.get_by_test_id("streak")).to_have_text("3 days in a row · best 3 days")
    expect(habit.get_by_role("button", name=re.compile("Check in"))).to_have_count(0)
    # Today's note is in the habit's recent history and among the week's notes.
    expect(habit.get_by_test_id("habit-checkin").first).to_contain_text("Port scanning drills")
    expect(main.get_by_test_id("week-note").filter(has_text=title)).to_contain_text(
        "Port scanning drills"
    )

    # A goal linked to the submitted mission: 0 % until the mentor approves it.
    goal_title = f"Get SSH approved {learner.tag}"
    main.get_by_label("Goal", exact=True).fill(goal_title)
    main.get_by_label("Progress from").select_option("missions")
    main.get_by_label("Mission", exact=True).select_option(label=learner.loop.title)
    main.get_by_label("Target date (optional)").fill("2100-06-01")
    main.get_by_role("button", name="Set goal").click()
    goal = main.get_by_test_id("goal").filter(has_text=goal_title)
    expect(goal.get_by_test_id("goal-progress-label")).to_have_text("0 of 1 mission approved · 0%")
    # Its target date, once set, can be cleared (it could not be, on the page or by the API).
    expect(goal.get_by_test_id("goal-target-date")).to_have_text("Target 1 Jun 2100")
    goal.get_by_role("button", name=f"Clear the target date of “{goal_title}”").click()
    expect(main.get_by_text("Target date cleared.")).to_be_visible()
    expect(goal.get_by_test_id("goal-target-date")).to_have_count(0)
    _mentor_approves(app_url, learner)
    page.reload()
    goal = page.locator("main").get_by_test_id("goal").filter(has_text=goal_title)
    expect(goal.get_by_test_id("goal-progress-label")).to_have_text(
        "1 of 1 mission approved · 100%"
    )
    expect(goal.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(goal.get_by_test_id("goal-target-date")).to_have_count(0)

    # A reflection on a prompt, shared with the mentor.
    main = page.locator("main")
    main.get_by_role("button", name="What was hard this week?").click()
    main.get_by_label("What was hard this week?").fill(f"Writing evidence {learner.tag}")
    main.get_by_label("Mood").select_option("4")
    main.get_by_role("switch", name="Share with my mentor").click()
    main.get_by_role("button", name="Save reflection").click()
    reflection = main.get_by_test_id("reflection").filter(has_text=learner.tag)
    expect(reflection).to_contain_text("Shared with mentor")
    expect(reflection).to_contain_text("Mood 4/5")
    # The form starts afresh for the next one: private, no mood (sharing is chosen each time).
    expect(main.get_by_role("switch", name="Share with my mentor")).not_to_be_checked()
    expect(main.get_by_label("Mood")).to_have_value("")
    expect(main.get_by_test_id("week-figure").first).to_contain_text("Check-ins")

    # The home sums it up.
    page.goto("/dashboard/student")
    block = page.get_by_test_id("coaching-block")
    expect(block).to_contain_text("1 of 1 habit done today · best streak 3 days")
    expect(block).to_contain_text(goal_title)


def test_the_coach_plan_follows_the_mentors_approval_of_a_goal_linked_mission(
    web: BrowserPage, browser: Browser, app_url: str, learner: Learner
) -> None:
    goal_title = f"Get SSH approved {learner.tag}"
    with httpx.Client(base_url=f"{app_url}/api/v1", timeout=30) as api:
        r = api.post(
            "/auth/login", json={"email": learner.loop.student_email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        before = api.get("/student/coaching/ai-coach").json()
        assert before["state"] == "off" and "Settings" in before["message"]
        r = api.post("/auth/consents", json={"kind": "ai_profiling", "granted": True})
        assert r.status_code == 200, r.text
        r = api.post(
            "/coaching/goals",
            json={
                "title": goal_title,
                "progress_source": "missions",
                "mission_ids": [learner.loop.mission_id],
            },
        )
        assert r.status_code == 201, r.text
        goal_id = r.json()["id"]

    page = web.page
    sign_in_to(page, "/coaching", learner.loop.student_email)
    plan = page.get_by_test_id("coach-plan")
    focus = plan.get_by_test_id("coach-focus")
    # The worker prepares it (debounced) and the open page shows it when it is stored.
    expect(focus).to_contain_text(goal_title, timeout=60_000)
    expect(focus).to_contain_text("0 of 1 mission approved")
    evidence = focus.get_by_role("link", name=f"Evidence: goal “{goal_title}”")
    expect(evidence).to_have_attribute("href", f"/coaching#goal-{goal_id}")
    evidence.click()  # the goal's card, on this page
    expect(page.locator(f"#goal-{goal_id}")).to_contain_text(goal_title)
    expect(page.locator(f"#goal-{goal_id}")).to_be_in_viewport()

    # Their mentor reads the plan on the mentee page: its evidence is the goal shown there, not
    # the mentor's own /coaching.
    with signed_in_mentor(browser, app_url, learner.loop.mentor_email) as mentor:
        staff = mentor.page
        staff.goto(f"/mentees/{learner.user_id}")
        staff_focus = staff.get_by_test_id("coach-focus")
        expect(staff_focus).to_contain_text(goal_title, timeout=30_000)
        evidence = staff_focus.get_by_role("link", name=f"Evidence: goal “{goal_title}”")
        mentee_goal = f"/mentees/{learner.user_id}#goal-{goal_id}"
        expect(evidence).to_have_attribute("href", mentee_goal)
        evidence.click()
        expect(staff.locator(f"#goal-{goal_id}")).to_contain_text(goal_title)
        expect(staff.locator(f"#goal-{goal_id}")).to_be_in_viewport()
    _mentor_approves(app_url, learner)
    expect(focus).to_contain_text("1 of 1 mission approved", timeout=60_000)
    expect(plan.get_by_test_id("coach-changes")).to_contain_text("1 mission approved this week")


def test_older_reflections_are_a_page_away_and_can_be_made_private(
    web: BrowserPage, pg_admin_url: str, learner: Learner
) -> None:
    """/coaching showed only the 10 newest reflections: an older one shared with the mentor
    could no longer be read there, nor made private again. A pager now reaches every one."""
    start = datetime.now(UTC) - timedelta(days=30)
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        for n in range(11):  # the oldest, shared, first
            at = start + timedelta(days=n)
            session.add(
                Reflection(
                    user_id=learner.user_id,
                    body=f"Week {n} {learner.tag}",
                    visibility=Visibility.mentor if n == 0 else Visibility.private,
                    created_at=at,
                    updated_at=at,
                )
            )
        session.commit()
    page = web.page
    sign_in_to(page, "/coaching", learner.loop.student_email)
    main = page.locator("main")
    expect(main.get_by_test_id("reflection")).to_have_count(10, timeout=15_000)
    expect(main.get_by_text("Page 1 of 2")).to_be_visible()
    page.wait_for_load_state("networkidle")
    main.get_by_role("button", name="Next →").click()
    oldest = main.get_by_test_id("reflection").filter(has_text=f"Week 0 {learner.tag}")
    expect(main.get_by_test_id("reflection")).to_have_count(1)
    expect(oldest).to_contain_text("Shared with mentor")
    oldest.get_by_role("button", name="Make private").click()
    expect(main.get_by_text("Now private.")).to_be_visible()
    expect(oldest).to_contain_text("Private")
    expect(main.get_by_text("Page 2 of 2")).to_be_visible()
    # A new reflection is the newest: the first page shows it.
    main.get_by_label("Your reflection").fill(f"Fresh thoughts {learner.tag}")
    main.get_by_role("button", name="Save reflection").click()
    expect(main.get_by_test_id("reflection").first).to_contain_text("Fresh thoughts")
    expect(main.get_by_text("Page 1 of 2")).to_be_visible()
