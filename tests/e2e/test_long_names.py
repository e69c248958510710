"""A name without spaces longer than the screen is wide (a pasted URL, an address, a run of
letters) wraps inside its heading or badge on a 360 px phone: the page never scrolls sideways.
Radix's headings break a long word only where their box has a width of its own, and its badges
do not wrap at all, so one long cohort or learner name made the whole page wider than the
screen."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    assign,
    enroll,
    make_user,
    principal,
    serve,
)

pytestmark = [pytest.mark.e2e]

LONG = "Ndefu" * 24  # 120 letters, no space
LONG_200 = ("Mentor" + LONG * 2)[:200]  # the longest name an account may have, one word


@pytest.fixture
def narrow(browser: Browser, app_url: str) -> Iterator[BrowserPage]:
    bp = BrowserPage(browser, app_url, width=360, height=780)
    yield bp
    bp.context.close()


@pytest.fixture
def long_named(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, str, int]]:
    """A learner and a director whose names, cohort and programme are one long word each:
    (learner's e-mail, director's e-mail, cohort id)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, _ = make_course(session, "Long", tag, "Long mission")
            program.name, cohort.name = f"Programme{LONG}", f"Cohort{LONG}{tag}"
            session.add_all([program, cohort])
            session.commit()
            learner = make_user(
                session, f"long-{tag}@example.org", "student", organization_id=org.id
            )
            learner.full_name = f"Learner{LONG}"
            session.add(learner)
            session.commit()
            director = make_user(
                session, f"long-director-{tag}@example.org", "director", organization_id=org.id
            )
            enroll(session, cohort, learner)
            made = (learner.email, director.email, cohort.id or 0)
            org_id, program_id, ids = org.id, program.id, [learner.id, director.id]
        yield made
        remove_made(engine, org_id, program_id, ids)


@pytest.fixture
def long_reviewed(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, str, str, int]]:
    """An organisation, its programme and its mentor named in one long word each; the mentor
    reviewed the organisation's learner's attempt: (learner's, mentor's, director's e-mail, the
    mission's id)."""
    from cyberhub.services.learning import reviews, submissions

    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Wide", tag, "Wide mission")
            org.name, program.name = f"Academy{LONG}{tag}", f"Programme{LONG}{tag}"
            session.add_all([org, program])
            session.commit()
            learner = make_user(
                session, f"wide-{tag}@example.org", "student", organization_id=org.id
            )
            mentor = make_user(
                session, f"wide-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            mentor.full_name = f"Mentor{LONG}"
            session.add(mentor)
            director = make_user(
                session, f"wide-director-{tag}@example.org", "director", organization_id=org.id
            )
            enroll(session, cohort, learner)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, learner)
            sub = submissions.submit(
                session, principal(session, learner), mission.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            reviews.claim(session, principal(session, mentor), sub.id or 0)
            session.commit()
            reviews.review(
                session,
                principal(session, mentor),
                sub.id or 0,
                decision="approved",
                scores=FULL_SCORES,
                feedback="Good work.",
            )
            session.commit()
            made = (learner.email, mentor.email, director.email, mission.id or 0)
            org_id, program_id, ids = org.id, program.id, [learner.id, mentor.id, director.id]
        yield made
        remove_made(engine, org_id, program_id, ids)


def _fits(page: Page, text: str) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)
    expect(page.locator("main").get_by_text(re.compile(text)).first).to_be_visible()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{page.url}: the page is {width} px wide on a 360 px screen"


def test_long_names_wrap_on_a_narrow_phone(
    narrow: BrowserPage, long_named: tuple[str, str, int]
) -> None:
    learner, director, cohort_id = long_named
    page = narrow.page
    sign_in_to(page, "/dashboard/student", learner)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"), timeout=15_000)
    _fits(page, "Hello, Learner")  # the heading
    _fits(page, f"Cohort{LONG[:20]}")  # the cohort's badge

    page.context.clear_cookies()
    sign_in_to(page, f"/director/cohorts/{cohort_id}", director)
    expect(page).to_have_url(re.compile(rf"/director/cohorts/{cohort_id}/?$"), timeout=15_000)
    _fits(page, f"Cohort{LONG[:20]}")  # the cohort page's heading
    assert narrow.console_errors == []


def test_the_bell_count_stays_on_one_line(narrow: BrowserPage) -> None:
    """Badges wrap inside their box, but the bell's count sits over the bell, which is narrower
    than "99+" (the count past 99 unread): it stays one line high."""
    page = narrow.page
    sign_in_to(page, "/dashboard/mentor", "mentor@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/mentor/?$"), timeout=15_000)
    count = page.get_by_test_id("unread-count")
    expect(count).to_be_visible()  # the demo mentor has unread notifications
    one_line = count.evaluate("b => b.getBoundingClientRect().height")
    # Written in place: the demo has no 100 notifications to count.
    height = count.evaluate(
        "b => { b.textContent = '99+'; return b.getBoundingClientRect().height }"
    )
    assert height == one_line, f"'99+' is {height} px high, one line is {one_line} px"


def test_long_names_in_body_text_and_in_a_select_fit_a_narrow_phone(
    narrow: BrowserPage, long_reviewed: tuple[str, str, str, int]
) -> None:
    """A select holding a long programme name (the director's analytics) is cut with an
    ellipsis within the screen: it made the page 1192 px wide. The texts naming the reviewer
    ("by <mentor>") and the mentor's organisations ("You mentor in …") already fit: kept here
    so they go on fitting."""
    learner, mentor, director, _ = long_reviewed
    page = narrow.page
    sign_in_to(page, "/dashboard/student", learner)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"), timeout=15_000)
    _fits(page, f"by Mentor{LONG[:20]}")  # the latest feedback's reviewer

    page.context.clear_cookies()
    sign_in_to(page, "/dashboard/mentor", mentor)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/mentor/?$"), timeout=15_000)
    _fits(page, f"You mentor in Academy{LONG[:20]}")

    page.context.clear_cookies()
    sign_in_to(page, "/dashboard/director/analytics", director)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/analytics/?$"), timeout=15_000)
    _fits(page, f"Programme{LONG[:20]}")  # the programme select
    assert narrow.console_errors == []


def test_the_reviewers_long_name_wraps_on_the_mission_page(
    narrow: BrowserPage, long_reviewed: tuple[str, str, str, int]
) -> None:
    """The mission page's review ('Approved · Score 15 / 15 · by <mentor> · <date>')."""
    learner, _, _, mission_id = long_reviewed
    page = narrow.page
    sign_in_to(page, f"/missions/{mission_id}", learner)
    expect(page).to_have_url(re.compile(rf"^[^?]*/missions/{mission_id}/?$"), timeout=15_000)
    _fits(page, f"by Mentor{LONG[:20]}")
    assert narrow.console_errors == []


@pytest.fixture
def long_snippet_author(app_url: str, pg_admin_url: str) -> Iterator[tuple[str, int]]:
    """A mentor named in one 200-letter word who saved a feedback snippet for the mission of the
    learner's submission waiting for them: (mentor's e-mail, the submission's id)."""
    from cyberhub.services.learning import snippets, submissions

    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Snip", tag, "Snip mission")
            learner = make_user(
                session, f"snip-{tag}@example.org", "student", organization_id=org.id
            )
            mentor = make_user(
                session, f"snip-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            mentor.full_name = LONG_200
            session.add(mentor)
            enroll(session, cohort, learner)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, learner)
            sub = submissions.submit(
                session, principal(session, learner), mission.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            snippets.create_snippet(
                session, principal(session, mentor), sub.id or 0, f"Well argued ({tag})."
            )
            session.commit()
            made = (mentor.email, sub.id or 0)
            org_id, program_id, ids = org.id, program.id, [learner.id, mentor.id]
        yield made
        remove_made(engine, org_id, program_id, ids)


def test_a_snippets_long_author_name_wraps_inside_the_snippet(
    web: BrowserPage, long_snippet_author: tuple[str, int]
) -> None:
    """The review page's snippet line 'by <author> · <date>' ran out of the snippet's box (and
    the review form's) with a long one-word name; it wraps inside it."""
    mentor, submission_id = long_snippet_author
    page = web.page
    sign_in_to(page, f"/review/{submission_id}", mentor)
    expect(page).to_have_url(re.compile(rf"^[^?]*/review/{submission_id}/?$"), timeout=15_000)
    page.get_by_test_id("claim-button").click()
    snippet = page.get_by_test_id("snippets").get_by_test_id("snippet")
    expect(snippet).to_have_count(1)
    byline = snippet.get_by_text(f"by {LONG_200[:30]}")
    expect(byline).to_be_visible()
    overflow = snippet.evaluate("li => li.scrollWidth - li.clientWidth")
    assert overflow <= 0, f"the snippet's content is {overflow} px wider than the snippet"
    right, box = byline.evaluate(
        "b => [b.getBoundingClientRect().right, b.closest('li').getBoundingClientRect().right]"
    )
    assert right <= box + 0.5, f"the 'by' line ends at {right} px, the snippet at {box} px"
    assert web.console_errors == []
