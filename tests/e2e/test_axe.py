"""Issue 17, acceptance 2: axe-core finds no serious or critical WCAG 2.2 AA violation on any
registered page, for every demo role that may open it, in light and in dark mode.

One signed-in browser context per role; each page is loaded once and checked twice: as loaded,
then after the system colour scheme flips (the app follows it: Reflex's "system" colour mode puts
`light` / `dark` on <html>). axe.min.js comes from the axe-core npm package that
scripts/setup.sh installs into .tools/axe; it is added as an init script (not subject to the
page's Content-Security-Policy). `target-size` (WCAG 2.2 AA, 24×24 px) and
`label-content-name-mismatch` (the visible words are part of a control's name) are switched on.

A page added to cyberhub/routes.py without a line in PAGES fails `test_every_page_is_covered`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, create_engine, select

import cyberhub.pages  # noqa: F401  (registers every page)
from cyberhub.models import Cohort, Organization, User
from cyberhub.models.certificates import Certificate
from cyberhub.models.progress import Submission, SubmissionStatus
from cyberhub.routes import all_pages
from cyberhub.services.admin.demo import (
    COMPLETER,
    DEMO_ORG_SLUG,
    DEMO_PASSWORD,
    MENTOR,
    SPRING,
    STUDENT,
)
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import with_db
from tests.processes import ROOT

AXE_JS = ROOT / ".tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ROLES = ("student", "mentor", "director", "sponsor", "admin")
ANONYMOUS = "anonymous"

# Every registered route → the address axe opens. "{name}" is filled from DemoRows (a demo row
# each role that may open the page is allowed to see). A new page is one line here.
PAGES: dict[str, str] = {
    "/": "/",
    "/404": "/no-such-page-for-axe",
    "/admin/audit": "/admin/audit",
    "/admin/jobs": "/admin/jobs",
    "/admin/organizations": "/admin/organizations",
    "/admin/organizations/[org_id]": "/admin/organizations/{org_id}",
    "/admin/users": "/admin/users",
    "/admin/users/[user_id]": "/admin/users/{student_id}",
    "/auth/magic/[token]": "/auth/magic/not-a-valid-token",
    "/certificates/[code]": "/certificates/{certificate_code}",
    "/coaching": "/coaching",
    "/cohorts": "/cohorts",
    "/dashboard": "/dashboard",
    "/dashboard/director": "/dashboard/director",
    "/dashboard/director/analytics": "/dashboard/director/analytics",
    "/dashboard/mentor": "/dashboard/mentor",
    "/dashboard/sponsor": "/dashboard/sponsor",
    "/dashboard/sponsor/report": "/dashboard/sponsor/report",
    "/dashboard/student": "/dashboard/student",
    "/dev/mailbox": "/dev/mailbox",
    "/director/cohorts/[cohort_id]": "/director/cohorts/{cohort_id}",
    "/director/missions": "/director/missions",
    "/exports": "/exports",
    "/insights": "/insights",
    "/invitations/[token]": "/invitations/not-a-valid-token",
    "/legal/[kind]": "/legal/terms",
    "/mentees/[user_id]": "/mentees/{student_id}",
    "/missions": "/missions",
    "/missions/[mission_id]": "/missions/{mission_id}",
    "/notifications": "/notifications",
    "/onboarding/ai-profiler": "/onboarding/ai-profiler",
    "/onboarding/ai-profiler/results": "/onboarding/ai-profiler/results",
    "/password-reset": "/password-reset",
    "/password-reset/[token]": "/password-reset/not-a-valid-token",
    "/review/[submission_id]": "/review/{submission_id}",
    "/settings/api-keys": "/settings/api-keys",
    "/settings/privacy": "/settings/privacy",
    "/settings/security": "/settings/security",
    "/signin": "/signin",
    "/signin/email-link": "/signin/email-link",
    "/signup": "/signup",
    "/tracks": "/tracks",
}

# Found on some pages whatever their impact, because issue 17 named them.
ALWAYS_FAIL = {"empty-table-header", "scrollable-region-focusable", "nested-interactive"}
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
    "rules": {
        "target-size": {"enabled": True},
        "label-content-name-mismatch": {"enabled": True},
    },
    "resultTypes": ["violations"],
}
RUN_AXE = """async (options) => {
  const result = await window.axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary
      .split("\\n").slice(1, 3).join(" ")),
    count: v.nodes.length,
  }));
}"""


def _route_key(route: str) -> str:
    return "/404" if route == "404" else route


def roles_for(route: str) -> list[str]:
    """The demo accounts that may open a page: public pages are checked signed out."""
    access = next(p.access for p in all_pages() if _route_key(p.route) == route)
    if access.kind == "public":
        return [ANONYMOUS]
    if access.kind == "signed_in":
        return list(ROLES)
    return [r for r in ROLES if r in access.roles]


@dataclass(frozen=True)
class DemoRows:
    org_id: int
    student_id: int
    cohort_id: int
    mission_id: int
    submission_id: int
    certificate_code: str


@pytest.fixture(scope="module")
def demo_rows(pg_admin_url: str, app_url: str) -> Iterator[DemoRows]:
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    with Session(engine) as s:
        mentor_id = s.exec(select(User.id).where(User.email == MENTOR)).one()
        student_id = s.exec(select(User.id).where(User.email == STUDENT)).one()
        # The demo student's changes-requested mission (its page shows the resubmit form) and
        # a submission the demo mentor holds a claim on (the review page with its form).
        mission_id = s.exec(
            select(Submission.mission_id).where(
                Submission.student_id == student_id,
                Submission.status == SubmissionStatus.changes_requested,
            )
        ).first()
        submission_id = s.exec(
            select(Submission.id)
            .where(Submission.claimed_by_id == mentor_id)
            .where(Submission.status == SubmissionStatus.in_review)
            .order_by(col(Submission.id))
        ).first()
        rows = DemoRows(
            org_id=s.exec(select(Organization.id).where(Organization.slug == DEMO_ORG_SLUG)).one()
            or 0,
            student_id=student_id or 0,
            cohort_id=s.exec(select(Cohort.id).where(Cohort.name == SPRING)).one() or 0,
            mission_id=mission_id or 0,
            submission_id=submission_id or 0,
            # The demo's completed learner's certificate (its public verification page).
            certificate_code=s.exec(
                select(Certificate.code)
                .join(User, col(User.id) == Certificate.user_id)
                .where(User.email == COMPLETER)
            ).first()
            or "",
        )
    engine.dispose()
    assert all(vars(rows).values()), rows
    yield rows


def test_every_page_is_covered() -> None:
    registered = {_route_key(p.route) for p in all_pages()}
    assert registered - PAGES.keys() == set(), "add these pages to PAGES in test_axe.py"
    assert PAGES.keys() - registered == set(), "these PAGES are no longer registered"


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    expect(page.locator("main")).to_be_visible()
    # The guard and the page's loaders have answered: no spinner left in the main area.
    expect(page.locator("main .rt-Spinner")).to_have_count(0, timeout=15_000)


def _violations(page: Page) -> list[dict[str, object]]:
    found: list[dict[str, object]] = page.evaluate(RUN_AXE, AXE_OPTIONS)
    return [v for v in found if v["impact"] in ("serious", "critical") or v["id"] in ALWAYS_FAIL]


def check_pages(bp: BrowserPage, role: str, rows: DemoRows) -> None:
    page = bp.page
    failures: list[str] = []
    for number, (route, address) in enumerate(PAGES.items()):
        if role not in roles_for(route):
            continue
        url = address.format(**vars(rows))
        # Alternate which scheme a page loads in, then flip to the other one in place.
        first = "dark" if number % 2 else "light"
        page.emulate_media(color_scheme=first)  # type: ignore[arg-type]
        page.goto(url)
        _settle(page)
        for scheme in (first, "light" if first == "dark" else "dark"):
            page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
            expect(page.locator("html")).to_have_class(re.compile(rf"\b{scheme}\b"))
            failures.extend(
                f"{route} ({role}, {scheme}): {json.dumps(v, indent=1)}" for v in _violations(page)
            )
    assert not failures, f"{len(failures)} axe violations:\n" + "\n".join(failures)


@pytest.fixture
def axe_web(web: BrowserPage) -> BrowserPage:
    assert AXE_JS.exists(), f"{AXE_JS} missing: run `make setup` (scripts/setup.sh)"
    web.context.add_init_script(path=AXE_JS)
    return web


def test_public_pages_signed_out(axe_web: BrowserPage, demo_rows: DemoRows) -> None:
    check_pages(axe_web, ANONYMOUS, demo_rows)


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_each_role(axe_web: BrowserPage, demo_rows: DemoRows, role: str) -> None:
    page = axe_web.page
    page.goto("/signin")
    sign_in(page, f"{role}@cyberhub.example", DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/(dashboard|admin)"), timeout=15_000)
    check_pages(axe_web, role, demo_rows)


def test_the_axe_run_stays_bounded() -> None:
    """One load per page and role (85 today, each checked in both schemes): a page open to
    everyone signed in costs five. Past the ceiling, check signed-in pages for fewer roles."""
    loads = sum(len(roles_for(route)) for route in PAGES)
    assert 40 <= loads <= 150, loads
