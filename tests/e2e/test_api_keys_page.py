"""/settings/api-keys: a refused "Create key" (wrong password) says why, and the message is of
that visit only: coming back to the page shows the form without it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import User
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, sign_in_to
from tests.factories import make_user

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def learner(app_url: str, pg_admin_url: str) -> Iterator[str]:
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            user = make_user(session, f"keys-{uuid.uuid4().hex[:6]}@example.org", "student")
            email, user_id = user.email, user.id
        yield email
        with Session(engine) as session:
            session.execute(delete(User).where(col(User.id) == user_id))
            session.commit()


def test_a_refused_create_is_not_shown_again_on_the_next_visit(
    web: BrowserPage, learner: str
) -> None:
    page = web.page
    sign_in_to(page, "/settings/api-keys", learner)
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/api-keys/?$"), timeout=15_000)
    main = page.locator("main")
    expect(main.locator(".rt-Spinner")).to_have_count(0, timeout=15_000)
    page.get_by_label("Name", exact=True).fill("Reporting script")
    page.get_by_label("Current password (or authenticator code)").fill("not-my-password")
    page.get_by_role("button", name="Create key").click()
    expect(main.get_by_role("alert")).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"/settings/api-keys"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"^[^?]*/settings/api-keys/?$"))
    expect(page.get_by_role("button", name="Create key")).to_be_visible()
    expect(main.locator(".rt-Spinner")).to_have_count(0, timeout=15_000)
    expect(main.get_by_role("alert")).to_have_count(0)
