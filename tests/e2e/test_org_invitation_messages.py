"""An organisation's page: a refused 'Add member' is not left standing once the admin acts on
what it said — revoking the pending invitation it named says so, without the refusal beside it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import Organization
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, sign_in_to
from tests.factories import make_org

pytestmark = [pytest.mark.e2e]

ADMIN = "admin@cyberhub.example"


@pytest.fixture
def org_id(app_url: str, pg_admin_url: str) -> Iterator[int]:
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            made = make_org(session, f"Delta Campus {uuid.uuid4().hex[:6]}").id or 0
        yield made
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id) == made))
            session.commit()


def test_revoking_the_invitation_a_refusal_named_clears_the_refusal(
    web: BrowserPage, org_id: int
) -> None:
    page = web.page
    sign_in_to(page, f"/admin/organizations/{org_id}", ADMIN, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(rf"/admin/organizations/{org_id}/?$"))
    expect(page.get_by_role("heading", name="Add a member")).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")
    address = f"invitee-{uuid.uuid4().hex[:6]}@example.org"
    page.get_by_label("Email").fill(address)
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invited {address}")

    page.get_by_label("Email").fill(address)
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("alert")).to_contain_text("already has a pending invitation")

    page.get_by_role("button", name=f"Revoke the invitation to {address}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Revoke the invitation to {address}?")
    dialog.get_by_role("button", name="Revoke invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Revoked the invitation to {address}")
    expect(page.get_by_role("alert")).to_have_count(0)
