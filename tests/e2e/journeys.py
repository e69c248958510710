"""Steps the browser journeys share: the review loop's data (a cohort with one builders mission,
a student and their assigned mentor, removed afterwards), signing in where a page is wanted,
submitting a mission and reviewing it from the mentor's queue."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, create_engine, select

from cyberhub.models import Cohort, Mission, Organization, Program, ProgramMission, User
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import (
    PASSWORD,
    assign,
    enroll,
    make_cohort,
    make_mission,
    make_org,
    make_program,
    make_track,
    make_user,
    serve,
    with_db,
)

# What the review page says once a decision is sent.
RESULTS = {"Request changes": "Changes requested", "Approve": "Approved"}


class Course(NamedTuple):
    org: Organization
    program: Program
    cohort: Cohort
    missions: list[Mission]


def make_course(
    session: Session, name: str, tag: str, *titles: str, hints: Sequence[str] | None = None
) -> Course:
    """An organization "<name> Academy <tag>" with a programme, its builders track, a cohort
    "<name> cohort <tag>" and one published mission per title ("<title> <tag>", with `hints`)."""
    org = make_org(session, f"{name} Academy {tag}")
    program = make_program(session, org)
    track = make_track(session, program, "builders")
    cohort = make_cohort(session, program, name=f"{name} cohort {tag}")
    missions = [
        make_mission(session, program, track, title=f"{t} {tag}", hints=list(hints or []) or None)
        for t in titles
    ]
    return Course(org, program, cohort, missions)


@dataclass
class Loop:
    student_email: str
    mentor_email: str
    mission_id: int
    title: str


@contextmanager
def make_loop(
    pg_admin_url: str,
    *,
    name: str,
    email_prefix: str,
    title: str,
    hints: Sequence[str] | None = None,
) -> Iterator[Loop]:
    """A cohort with one builders mission, a student and their assigned mentor, made in the
    e2e app's database (`name` labels the org and cohort, `title` the mission; each gets a tag)
    and removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, name, tag, title, hints=hints)
            student = make_user(
                session,
                f"{email_prefix}-student-{tag}@example.org",
                "student",
                organization_id=org.id,
            )
            mentor = make_user(
                session,
                f"{email_prefix}-mentor-{tag}@example.org",
                "mentor",
                organization_id=org.id,
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, student)
            data = Loop(student.email, mentor.email, mission.id or 0, mission.title)
            org_id, program_id, user_ids = org.id, program.id, [student.id, mentor.id]
        yield data
        remove_made(engine, org_id, program_id, user_ids)


@contextmanager
def app_engine(pg_admin_url: str) -> Iterator[Engine]:
    """An engine on the e2e app's own database (what a fixture makes there, the browser sees)."""
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        yield engine
    finally:
        engine.dispose()


def remove_made(
    engine: Engine, org_id: int | None, program_id: int | None, user_ids: Sequence[int | None]
) -> None:
    """Remove what a fixture made in the app's database: the whole browser session shares it
    (other tests count the tracks on the landing page). The program's missions go first
    (RESTRICT), then the organization (with its programs and cohorts), then the users."""
    with Session(engine) as session:
        if program_id is not None:
            session.execute(
                delete(Mission).where(
                    col(Mission.id).in_(
                        select(ProgramMission.mission_id).where(
                            ProgramMission.program_id == program_id
                        )
                    )
                )
            )
        session.execute(delete(Organization).where(col(Organization.id) == org_id))
        session.execute(delete(User).where(col(User.id).in_(user_ids)))
        session.commit()


@contextmanager
def director_with_own_mission(pg_admin_url: str, title: str) -> Iterator[tuple[str, str]]:
    """A director of a new organisation whose programme runs one mission of the organisation's
    own (editable, unlike the library's): (their e-mail, the mission's title); removed after."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, _, (mission,) = make_course(session, "Own", tag, title)
            mission.organization_id = org.id  # the organisation's own, not the library's
            session.add(mission)
            session.commit()
            director = make_user(
                session, f"own-director-{tag}@example.org", "director", organization_id=org.id
            )
            made = (director.email, mission.title)
            org_id, program_id, ids = org.id, program.id, [director.id]
        try:
            yield made
        finally:
            remove_made(engine, org_id, program_id, ids)


@contextmanager
def throwaway_user(pg_admin_url: str, prefix: str, *roles: str) -> Iterator[str]:
    """A user made for one test, with `roles` (none: a user with no role yet): their e-mail
    (`<prefix>-<random>@example.org`); removed after."""
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            user = make_user(session, f"{prefix}-{uuid.uuid4().hex[:6]}@example.org", *roles)
            email, user_id = user.email, user.id
        try:
            yield email
        finally:
            remove_made(engine, None, None, [user_id])


def fill_new_api_key(page: Page, email: str, name: str, password: str) -> None:
    """Signed in as `email` on /settings/api-keys, once loaded, with the new key's form filled
    (not sent)."""
    sign_in_to(page, "/settings/api-keys", email)
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/api-keys/?$"), timeout=15_000)
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Current password (or authenticator code)").fill(password)


def sign_in_to(page: Page, path: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the sign-in page that leads to `path`."""
    page.goto(f"/signin?next={path}")
    sign_in(page, email, password)


@contextmanager
def signed_in_mentor(browser: Browser, app_url: str, email: str) -> Iterator[BrowserPage]:
    """A second browser, signed in as the mentor on their dashboard; closed afterwards."""
    other = BrowserPage(browser, app_url)
    try:
        sign_in_to(other.page, "/dashboard/mentor", email)
        expect(other.page).to_have_url(re.compile(r"^[^?]*/dashboard/mentor/?$"))
        yield other
    finally:
        other.context.close()


def submit_mission(page: Page, answer: str) -> None:
    """On the mission page: type the answer, submit it and see the status turn "Submitted"."""
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("work-status")).to_have_text("Submitted")


def open_from_queue(page: Page, title: str, attempt: int) -> None:
    """From the mentor's queue: open the attempt of `title` and claim it."""
    if not page.url.endswith("/dashboard/mentor"):
        page.goto("/dashboard/mentor")
    row = page.get_by_test_id("queue-row").filter(has_text=title)
    expect(row).to_contain_text(f"Attempt {attempt}")
    row.get_by_role("link", name="Open", exact=True).click()
    expect(page).to_have_url(re.compile(r"/review/\d+$"))
    page.get_by_test_id("claim-button").click()
    expect(page.get_by_role("button", name="Release")).to_be_visible()


def send_review(page: Page, decision: str, evidence: str, clarity: str, feedback: str) -> None:
    """On a claimed review: score every criterion, write feedback and send `decision`."""
    page.get_by_label("Evidence (max 10)").fill(evidence)
    page.get_by_label("Clarity (max 5)").fill(clarity)
    page.get_by_label("Feedback").fill(feedback)
    page.get_by_role("button", name=decision).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send review").click()


def review_from_queue(
    page: Page,
    title: str,
    attempt: int,
    decision: str,
    *,
    evidence: str,
    clarity: str,
    feedback: str,
) -> None:
    """Open `title`'s attempt from the queue, send `decision` and see the review page say so."""
    open_from_queue(page, title, attempt)
    send_review(page, decision, evidence, clarity, feedback)
    expect(page.get_by_test_id("review-result")).to_contain_text(RESULTS[decision])
