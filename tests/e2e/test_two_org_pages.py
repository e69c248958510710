"""Two organisations in the browser (issue 12). A second organisation with a learner's full trail
(tests/two_orgs.py) sits beside the demo academy: the demo director finds its cohort's and its
organisation's pages not found (as ids nobody has), the demo mentor gets the 403 page on its
learner's submission, and their browser sessions get 403 from the learner's ?user= data.
Someone invited by the second organisation signs up through the link and is a member at once.
Everything made here is deleted afterwards."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine, select

from cyberhub.models import Mission, Organization, OrganizationMembership, RoleAssignment, User
from cyberhub.services.admin.demo import DEMO_PASSWORD
from cyberhub.services.identity import memberships
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import principal, with_db
from tests.two_orgs import Tenant, build_tenant

LEARNER_DATA = (
    "/api/v1/progress?user={id}",
    "/api/v1/recommendations?user={id}",
    "/api/v1/personality?user={id}",
)


@pytest.fixture
def engine(pg_admin_url: str, app_url: str) -> Iterator[object]:
    eng = create_engine(with_db(pg_admin_url, "e2e_app"))
    yield eng
    eng.dispose()


@pytest.fixture
def tenant(engine: object) -> Iterator[Tenant]:
    tag = f"qtenant{uuid.uuid4().hex[:6]}"
    with Session(engine, expire_on_commit=False) as session:  # type: ignore[arg-type]
        t = build_tenant(session, tag)
    yield t
    with Session(engine) as session:  # type: ignore[arg-type]
        users = list(
            session.exec(select(User.id).where(col(User.email).contains(f".{tag}@"))).all()
        )
        session.execute(delete(Mission).where(col(Mission.organization_id) == t.org.id))
        session.execute(delete(Organization).where(col(Organization.id) == t.org.id))
        session.execute(delete(User).where(col(User.id).in_(users)))
        session.commit()


def signed_in(bp: BrowserPage, app_url: str, email: str) -> None:
    bp.page.goto("/signin")
    sign_in(bp.page, email, DEMO_PASSWORD)
    expect(bp.page).to_have_url(re.compile(r"/dashboard"), timeout=15_000)
    bp.page.wait_for_load_state("networkidle")
    for _ in range(50):  # until the API accepts the browser's session cookie
        if bp.context.request.get(f"{app_url}/api/v1/auth/me").ok:
            return
        bp.page.wait_for_timeout(200)
    pytest.fail(f"The API never accepted {email}'s browser session.")


def test_the_demo_director_finds_nothing_on_the_other_organisations_pages(
    web: BrowserPage, app_url: str, tenant: Tenant
) -> None:
    page = web.page
    signed_in(web, app_url, "director@cyberhub.example")
    # Its cohort is not found, as a cohort nobody has (a 403 page told them it existed).
    for cohort_id in (tenant.cohort.id, 2**31 - 1):
        page.goto(f"/director/cohorts/{cohort_id}")
        expect(page.get_by_text("That cohort does not exist.")).to_be_visible()
        expect(page.get_by_text("Cohort not available")).to_be_visible()
        expect(page.get_by_test_id("forbidden")).to_have_count(0)
        expect(page.get_by_text(tenant.cohort.name)).to_have_count(0)
    # So is the organisation itself (a 403 page told them it existed).
    for org_id in (tenant.org.id, 2**31 - 1):
        page.goto(f"/admin/organizations/{org_id}")
        expect(page.get_by_text("That organization does not exist.")).to_be_visible()
        expect(page.get_by_text("Organization not available")).to_be_visible()
        expect(page.get_by_test_id("forbidden")).to_have_count(0)
        expect(page.get_by_text(tenant.org.name)).to_have_count(0)
    statuses = [
        web.context.request.get(app_url + p.format(id=tenant.learner.id)).status
        for p in LEARNER_DATA
    ]
    assert statuses == [403, 403, 403]
    # Their own organisation's pages still open.
    page.goto("/dashboard/director")
    expect(page.get_by_test_id("forbidden")).to_have_count(0)
    assert web.console_errors == []


def test_the_demo_mentor_gets_403_on_the_other_organisations_submission(
    web: BrowserPage, app_url: str, tenant: Tenant
) -> None:
    page = web.page
    signed_in(web, app_url, "mentor@cyberhub.example")
    page.goto(f"/review/{tenant.submission.id}")
    expect(page.get_by_test_id("forbidden")).to_be_visible()
    expect(page.get_by_text(tenant.tag)).to_have_count(0)
    statuses = [
        web.context.request.get(app_url + p.format(id=tenant.learner.id)).status
        for p in LEARNER_DATA
    ]
    assert statuses == [403, 403, 403]


def test_signing_up_through_an_invitation_link_joins_at_once(
    web: BrowserPage, engine: object, tenant: Tenant
) -> None:
    email = f"recruit.{tenant.tag}@example.org"
    with Session(engine, expire_on_commit=False) as session:  # type: ignore[arg-type]
        sent = memberships.invite(
            session, principal(session, tenant.director), tenant.org.id or 0, email=email
        )
        session.commit()
    page = web.page
    # The invitation link, opened signed out, leads to sign-in, whose "Create an account" keeps it.
    page.goto(f"/invitations/{sent.token}")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_role("link", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/signup/?\?invite=" + re.escape(sent.token) + "$"))
    invitation = page.get_by_test_id("signup-invitation")
    expect(invitation).to_contain_text(f"{tenant.org.name} invited you as student")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill("Rehema Recruit")
    page.get_by_label("Password").fill("violet-harbour-lamp-31")
    page.get_by_label("I accept the terms of use").check()
    page.get_by_label("I accept the privacy notice").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/onboarding/ai-profiler"), timeout=15_000)
    with Session(engine) as session:  # type: ignore[arg-type]
        user = session.exec(select(User).where(User.email == email)).one()
        grants = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
        assert {(g.role, g.organization_id) for g in grants} == {
            ("student", None),
            ("student", tenant.org.id),
        }
        joined = session.exec(
            select(OrganizationMembership).where(OrganizationMembership.user_id == user.id)
        ).one()
        assert (joined.organization_id, joined.status) == (tenant.org.id, "active")
    assert web.console_errors == []
