"""The profiler results after a tie: 'You now follow …' answers the click that chose the track,
in that visit; coming back to the page later does not say it again."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cyberhub.models import ProfilerResult, User
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, sign_in_to
from tests.factories import complete_profiler, grant_ai, make_user

pytestmark = [pytest.mark.e2e]

ROUTE = "/onboarding/ai-profiler/results"


@pytest.fixture
def tied(app_url: str, pg_admin_url: str) -> Iterator[str]:
    """A learner whose profiler result is a tie between Builders and Leaders."""
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            user = make_user(session, f"tie-{uuid.uuid4().hex[:6]}@example.org", "student")
            grant_ai(session, user)
            complete_profiler(session, user.id or 0, "builders", "leaders")
            result = session.exec(
                select(ProfilerResult).where(ProfilerResult.user_id == user.id)
            ).one()
            result.tie = ["builders", "leaders"]
            session.add(result)
            session.commit()
            email, user_id = user.email, user.id
        yield email
        with Session(engine) as session:
            session.execute(delete(User).where(col(User.id) == user_id))
            session.commit()


def test_the_chosen_track_notice_is_of_its_visit(web: BrowserPage, tied: str) -> None:
    page = web.page
    sign_in_to(page, ROUTE, tied)
    expect(page).to_have_url(re.compile(ROUTE))
    page.get_by_role("button", name="Follow Leaders").click()
    notice = page.get_by_role("status").filter(has_text="You now follow")
    expect(notice).to_contain_text("You now follow Leaders")

    page.go_back()
    expect(page).not_to_have_url(re.compile(ROUTE))
    page.go_forward()
    expect(page).to_have_url(re.compile(ROUTE))
    expect(page.get_by_role("button", name="Follow Leaders")).to_be_visible()
    expect(page.get_by_text("You now follow")).to_have_count(0)
