"""Issue 17, item 10: the admin pages read like a person wrote them — audit targets named and
details as "key: value" lines, a chart legend of the top actions plus "Other", "Last sign-in" set
by every way of signing in, and counts with the right plural."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine

from cyberhub.models import AuditLog
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_admin_console import ADMIN, sign_up_by_api, signed_in
from tests.factories import with_db

MARK = "e2e-clarity"
# More distinct actions than the chart's legend shows: the rarest are summed as "Other".
EXTRA_ACTIONS = [f"clarity.check{i}" for i in range(8)]


@pytest.fixture
def app_db(pg_admin_url: str) -> Iterator[Session]:
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    with Session(engine) as s:
        yield s
        s.execute(delete(AuditLog).where(col(AuditLog.user_agent) == MARK))
        s.commit()
    engine.dispose()


def test_audit_targets_are_named_and_details_readable(
    web: BrowserPage, app_url: str, app_db: Session
) -> None:
    email, user_id = sign_up_by_api(web, app_url, "Juma Mwangi")
    # An entry about Juma whose details nest: no Python syntax may reach the page.
    app_db.add(
        AuditLog(
            action="clarity.profile_changed",
            target_type="user",
            target_id=str(user_id),
            user_agent=MARK,
            details={"changes": {"full_name": ["Juma M.", "Juma Mwangi"]}, "roles": ["student"]},
        )
    )
    for i, action in enumerate(EXTRA_ACTIONS):
        app_db.add_all(AuditLog(action=action, user_agent=MARK) for _ in range(i + 1))
    app_db.commit()

    page = web.page
    signed_in(page, ADMIN, DEMO_PASSWORD, "/admin/audit")
    page.get_by_role("combobox", name="Action").click()
    page.get_by_role("option", name="clarity.profile_changed").click()
    entries = page.get_by_test_id("audit-entries")
    row = entries.get_by_role("row").filter(has_text="clarity.profile_changed")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell", name="Juma Mwangi", exact=True)).to_be_visible()
    expect(row).not_to_contain_text(f"user {user_id}")
    details = row.get_by_test_id("audit-details")
    expect(details).to_contain_text("changes.full name: Juma M., Juma Mwangi")
    expect(details).to_contain_text("roles: student")
    assert not re.search(r"[{}\[\]']", details.inner_text())
    expect(page.get_by_text(re.compile(r"^1 entry, newest first"))).to_be_visible()

    # The chart's legend: the most frequent actions and one "Other", not a wall of names.
    legend = page.get_by_test_id("audit-chart").locator(".recharts-legend-item")
    expect(legend.filter(has_text=re.compile(r"^Other \(\d+ actions\)$"))).to_have_count(1)
    assert legend.count() <= 6
    # The table under it still lists every action.
    stats = page.get_by_test_id("audit-stats-table")
    for action in EXTRA_ACTIONS:
        expect(stats.get_by_role("row").filter(has_text=action).first).to_be_attached()

    # The user's page: the same entry, named and readable.
    page.goto(f"/admin/users/{user_id}")
    expect(page.get_by_role("heading", name="Juma Mwangi", level=1)).to_be_visible()
    own = page.get_by_role("row").filter(has_text="clarity.profile_changed")
    expect(own.get_by_role("cell", name="Juma Mwangi", exact=True)).to_be_visible()
    expect(own.get_by_test_id("audit-details")).to_contain_text("roles: student")
    assert not re.search(r"[{}\[\]']", own.get_by_test_id("audit-details").inner_text())
    assert web.console_errors == []


def test_last_sign_in_is_set_by_sign_up_and_counts_read_right(
    web: BrowserPage, app_url: str
) -> None:
    # Signing up signs the person in: that is their last sign-in, not "never".
    email, user_id = sign_up_by_api(web, app_url, f"Amani {uuid.uuid4().hex[:4]}")
    page = web.page
    signed_in(page, ADMIN, DEMO_PASSWORD, "/admin/users")
    page.get_by_label("Search users").fill(email)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 user", exact=True)).to_be_visible()
    expect(page.get_by_text("1 users")).to_have_count(0)

    page.goto(f"/admin/users/{user_id}")
    fact = page.locator("[role=listitem], .rt-DataListItem").filter(has_text="Last sign-in")
    expect(fact).to_be_visible()
    expect(fact).not_to_contain_text("never")
    expect(fact).to_contain_text(re.compile(r"\d{4}"))
    assert web.console_errors == []
