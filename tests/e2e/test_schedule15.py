"""Issue 15, item 3 — the cohort schedule in the browser: a director (in Nairobi) sets a due date
on the cohort page and sees the roster's overdue flag; the learner (in London) sees it under
"Due this week" and on the mission page in their own time zone, with the overdue one marked;
they make their calendar address on Settings → Security and the feed it names parses with
icalendar and lists the due dates."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from playwright.sync_api import Browser, expect
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.services.learning import schedule
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import complete_profiler, enroll, make_user, principal

NAIROBI, LONDON = "Africa/Nairobi", "Europe/London"


@dataclass
class Course:
    director_email: str
    student_email: str
    cohort_id: int
    cohort: str
    upcoming_id: int
    upcoming: str  # no due date yet: the director sets one
    late: str  # due yesterday, nothing handed in


@pytest.fixture
def course(app_url: str, pg_admin_url: str) -> Iterator[Course]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (upcoming, late) = make_course(
                session, "Schedule", tag, "Harden SSH", "Scan the pipeline"
            )
            director = make_user(
                session, f"sched-director-{tag}@example.org", "director", organization_id=org.id
            )
            student = make_user(
                session, f"sched-student-{tag}@example.org", "student", organization_id=org.id
            )
            director.time_zone, student.time_zone = NAIROBI, LONDON
            session.add_all([director, student])
            session.commit()
            enroll(session, cohort, student)
            complete_profiler(session, student.id or 0, "builders")
            schedule.set_due_date(
                session,
                principal(session, director),
                cohort.id or 0,
                late.id or 0,
                utcnow() - timedelta(days=1, hours=2),
            )
            session.commit()
            data = Course(
                director.email,
                student.email,
                cohort.id or 0,
                cohort.name,
                upcoming.id or 0,
                upcoming.title,
                late.title,
            )
            org_id, program_id, user_ids = org.id, program.id, [director.id, student.id]
        yield data
        remove_made(engine, org_id, program_id, user_ids)


def test_director_sets_a_due_date_the_learner_sees_it_and_subscribes(
    web: BrowserPage, browser: Browser, app_url: str, course: Course
) -> None:
    # The director types 17:00 in two days, in their own zone (Nairobi, UTC+3).
    day = datetime.now(ZoneInfo(NAIROBI)).date() + timedelta(days=2)
    due_at = datetime(day.year, day.month, day.day, 14, 0, tzinfo=UTC)
    page = web.page
    sign_in_to(page, f"/director/cohorts/{course.cohort_id}", course.director_email)
    expect(page).to_have_url(re.compile(rf"/director/cohorts/{course.cohort_id}/?$"))
    panel = page.get_by_test_id("schedule-panel")
    expect(panel).to_contain_text(course.upcoming, timeout=15_000)
    page.wait_for_load_state("networkidle")
    # The learner is behind with the mission due yesterday: the roster says so.
    expect(page.get_by_test_id("roster-overdue")).to_have_text("1 overdue")
    panel.get_by_label(f"Due date of {course.upcoming}", exact=True).fill(
        f"{day.isoformat()}T17:00"
    )
    panel.get_by_role("button", name=f"Save the due date of {course.upcoming}").click()
    expect(panel.get_by_role("status")).to_contain_text(f"Saved the due date of {course.upcoming}")
    expect(panel.get_by_label(f"Due date of {course.upcoming}", exact=True)).to_have_value(
        f"{day.isoformat()}T17:00"
    )
    assert web.console_errors == []

    learner = BrowserPage(browser, app_url)
    try:
        lp = learner.page
        sign_in_to(lp, "/dashboard/student", course.student_email)
        expect(lp).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))
        due = lp.get_by_test_id("due-this-week")
        # In the learner's zone: London is on GMT in winter, BST in summer.
        shown = when(due_at, LONDON)
        expect(due).to_contain_text(course.upcoming, timeout=15_000)
        expect(due).to_contain_text(shown)
        expect(due).to_contain_text(course.late)
        expect(due).to_contain_text("Overdue by 1 day")
        expect(due).to_contain_text("A submission waiting for review counts as handed in")

        due.get_by_role("link", name=course.upcoming).click()
        expect(lp).to_have_url(re.compile(rf"/missions/{course.upcoming_id}/?$"))
        expect(lp.get_by_test_id("mission-due")).to_have_text(f"Due {shown}")

        lp.goto("/settings/security")
        card = lp.get_by_test_id("calendar-feed")
        card.get_by_role("button", name="Make my calendar address").click()
        address = card.get_by_label("Your calendar address")
        expect(address).to_have_value(re.compile(r"/api/v1/calendar/[A-Za-z0-9_-]{20,}\.ics$"))
        url = address.input_value()
        assert learner.console_errors == []
    finally:
        learner.context.close()

    # A calendar app fetches it without signing in.
    path = url[url.index("/api/v1/") :]
    r = httpx.get(f"{app_url}{path}", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {course.upcoming, course.late}
    assert events[course.upcoming].decoded("DTSTART") == due_at
    assert str(events[course.upcoming]["URL"]).endswith(f"/missions/{course.upcoming_id}")
