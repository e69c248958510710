"""Membership by consent in a real browser (issue 12). A second organisation, made through the
services with its own director, programme and cohort, invites existing accounts from its
organisation page. One invitee accepts from the in-app notice: the director enrols her and can
then read her learning data. Another declines: the director sees "declined", cannot enrol him,
and his data stays closed. Everything made here is deleted afterwards (the app database is
shared by the whole browser session)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine

from cyberhub.models import Organization, User
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import (
    PASSWORD,
    complete_profiler,
    make_cohort,
    make_org,
    make_program,
    make_user,
    with_db,
)

LEARNER_DATA = ("/api/v1/progress?user={id}", "/api/v1/personality?user={id}")


@dataclass
class Tenant:
    org_id: int
    org_name: str
    cohort_id: int
    cohort_name: str
    director_email: str
    # name, e-mail, id of two existing accounts outside the organisation, each with a profiler
    learners: list[tuple[str, str, int]]


@pytest.fixture
def tenant(app_url: str, pg_admin_url: str) -> Iterator[Tenant]:
    tag = uuid.uuid4().hex[:6]
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Lakeside Institute {tag}")
            program = make_program(session, org, f"Lakeside Defenders {tag}")
            director = make_user(
                session, f"director-{tag}@example.org", "director", organization_id=org.id
            )
            cohort = make_cohort(session, program, director=director, name=f"Lakeside Cohort {tag}")
            learners = []
            for first in ("Amani", "Baraka"):
                user = make_user(session, f"{first.lower()}-{tag}@example.org")
                user.full_name = f"{first} Invitee {tag}"
                session.add(user)
                session.commit()
                complete_profiler(session, user.id or 0)
                learners.append((user.full_name, user.email, user.id or 0))
            made = Tenant(
                org_id=org.id or 0,
                org_name=org.name,
                cohort_id=cohort.id or 0,
                cohort_name=cohort.name,
                director_email=director.email,
                learners=learners,
            )
            user_ids = [director.id, *(i for _, _, i in learners)]
        yield made
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id) == made.org_id))
            session.execute(delete(User).where(col(User.id).in_(user_ids)))
            session.commit()
    finally:
        engine.dispose()


def signed_in(page: Page, email: str, next_path: str) -> None:
    page.goto(f"/signin?next={next_path}")
    sign_in(page, email, PASSWORD)
    # A sign-in may take up to 15 s under load; then let its redirect settle before navigating.
    expect(page).to_have_url(re.compile(r"^[^?]*" + re.escape(next_path)), timeout=15_000)
    page.wait_for_load_state("networkidle")


def data_statuses(bp: BrowserPage, app_url: str, user_id: int) -> list[int]:
    """What the browser's signed-in session gets for the learner's data from the JSON API."""
    return [bp.context.request.get(app_url + p.format(id=user_id)).status for p in LEARNER_DATA]


def api_signed_in(bp: BrowserPage, app_url: str, email: str) -> None:
    """Wait until the browser's session cookie is accepted by the JSON API (set by the page)."""
    for _ in range(50):
        me = bp.context.request.get(f"{app_url}/api/v1/auth/me")
        if me.status == 200:
            assert me.json()["email"] == email
            return
        bp.page.wait_for_timeout(200)
    pytest.fail(f"The API never accepted {email}'s browser session (last status {me.status}).")


def invite_from_org_page(page: Page, t: Tenant, email: str) -> None:
    if not page.url.endswith(f"/admin/organizations/{t.org_id}"):
        page.goto(f"/admin/organizations/{t.org_id}")
    expect(page.get_by_role("heading", name=t.org_name, level=1)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invited {email} as student")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=email, exact=True))
    expect(row).to_contain_text("pending")


def open_invitation_from_notice(page: Page, t: Tenant, email: str) -> None:
    """The invitee signs in, finds the in-app notice and follows its link."""
    signed_in(page, email, "/notifications")
    title = f"You are invited to join {t.org_name} on CyberHub"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("link", name="Open").click()
    expect(page).to_have_url(re.compile(r"/invitations/[\w-]+$"))
    expect(page.get_by_role("heading", name="Invitation", level=1)).to_be_visible()
    expect(page.get_by_text(f"{t.org_name} invites you to join as student")).to_be_visible()
    expect(page.get_by_text("Status: pending")).to_be_visible()


def enrol_on_cohort_page(page: Page, t: Tenant, email: str) -> None:
    page.goto(f"/director/cohorts/{t.cohort_id}")
    expect(page.get_by_role("heading", name=t.cohort_name, level=1)).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Enrol", exact=True).click()


def test_an_invitee_who_accepts_becomes_readable_once_enrolled(
    web: BrowserPage, browser: Browser, app_url: str, tenant: Tenant
) -> None:
    t = tenant
    name, email, user_id = t.learners[0]
    director = web.page
    signed_in(director, t.director_email, f"/admin/organizations/{t.org_id}")
    api_signed_in(web, app_url, t.director_email)
    # Before anything: the director of another organisation reads nothing of hers.
    assert all(s in (403, 404) for s in data_statuses(web, app_url, user_id))

    invite_from_org_page(director, t, email)
    # Invited but not yet accepted: still nothing, and no way to enrol her silently.
    assert all(s in (403, 404) for s in data_statuses(web, app_url, user_id))
    enrol_on_cohort_page(director, t, email)
    expect(director.get_by_role("alert")).to_contain_text("not a member of your organisation")
    expect(director.get_by_test_id("roster").get_by_text(name)).to_have_count(0)

    learner = BrowserPage(browser, app_url)
    try:
        lp = learner.page
        open_invitation_from_notice(lp, t, email)
        lp.get_by_role("button", name="Accept").click()
        expect(lp.get_by_role("status")).to_contain_text(f"You joined {t.org_name} as student.")
        expect(lp.get_by_text("Status: accepted")).to_be_visible()
        expect(lp.get_by_role("button", name="Accept")).to_have_count(0)
        # The link cannot be answered twice.
        lp.reload()
        expect(lp.get_by_text("Status: accepted")).to_be_visible()
        expect(lp.get_by_role("button", name="Decline")).to_have_count(0)
        assert learner.console_errors == []
    finally:
        learner.context.close()

    # The director sees her as a member and the invitation as accepted.
    director.goto(f"/admin/organizations/{t.org_id}")
    row = director.get_by_role("row").filter(
        has=director.get_by_role("cell", name=email, exact=True)
    )
    expect(row).to_contain_text("accepted")
    expect(director.get_by_role("cell", name=re.compile(name))).to_be_visible()
    # A member is not yet a learner of the programme: read rights come with enrolment.
    assert all(s in (403, 404) for s in data_statuses(web, app_url, user_id))

    enrol_on_cohort_page(director, t, email)
    expect(director.get_by_role("status")).to_contain_text(f"Enrolled {email}")
    expect(director.get_by_test_id("roster").get_by_text(name)).to_be_visible()
    expect(director.get_by_role("progressbar", name=f"Progress of {name}")).to_be_visible()
    progress = web.context.request.get(f"{app_url}/api/v1/progress?user={user_id}")
    assert progress.status == 200 and progress.json()["user"] == user_id
    # Her work-style analysis now passes the director's read check; her own AI consent still
    # applies (she never gave it), and that is what the answer says.
    work_style = web.context.request.get(f"{app_url}/api/v1/personality?user={user_id}")
    assert work_style.status == 403 and "consent" in work_style.json()["detail"]
    assert web.console_errors == []


def test_an_invitee_who_declines_stays_unreadable(
    web: BrowserPage, browser: Browser, app_url: str, tenant: Tenant
) -> None:
    t = tenant
    name, email, user_id = t.learners[1]
    director = web.page
    signed_in(director, t.director_email, f"/admin/organizations/{t.org_id}")
    api_signed_in(web, app_url, t.director_email)
    invite_from_org_page(director, t, email)

    learner = BrowserPage(browser, app_url)
    try:
        lp = learner.page
        open_invitation_from_notice(lp, t, email)
        lp.get_by_role("button", name="Decline").click()
        expect(lp.get_by_role("status")).to_contain_text(
            f"You declined: nothing is shared with {t.org_name}."
        )
        expect(lp.get_by_text("Status: declined")).to_be_visible()
        expect(lp.get_by_role("button", name="Accept")).to_have_count(0)
        # Declining changed nothing for him: no new navigation, still no organisation page.
        lp.goto(f"/admin/organizations/{t.org_id}")
        expect(lp.get_by_role("heading", name=re.compile("403"))).to_be_visible()
        assert learner.console_errors == []
    finally:
        learner.context.close()

    director.goto(f"/admin/organizations/{t.org_id}")
    row = director.get_by_role("row").filter(
        has=director.get_by_role("cell", name=email, exact=True)
    )
    expect(row).to_contain_text("declined")
    expect(row.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
    expect(director.get_by_role("cell", name=re.compile(name))).to_have_count(0)
    # He cannot be enrolled, and his data stays closed to the director.
    enrol_on_cohort_page(director, t, email)
    expect(director.get_by_role("alert")).to_contain_text("not a member of your organisation")
    expect(director.get_by_test_id("roster").get_by_text(name)).to_have_count(0)
    assert all(s in (403, 404) for s in data_statuses(web, app_url, user_id))
    assert web.console_errors == []
