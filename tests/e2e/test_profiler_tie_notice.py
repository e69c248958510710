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

from cyberhub.models import ConsentRecord, ProfilerResult, User
from cyberhub.models.identity import ConsentKind
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


def _ai_consent(pg_admin_url: str, email: str, granted: bool) -> None:
    """The learner's AI-profiling consent given or withdrawn (as in another tab)."""
    from cyberhub.services.identity import consents

    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        doc = consents.latest_document(session, consents.AI_PROFILING)
        session.add(
            ConsentRecord(
                user_id=user.id or 0,
                document_id=doc.id or 0,
                kind=ConsentKind.ai_profiling,
                version=doc.version,
                granted=granted,
            )
        )
        session.commit()


def test_a_refusal_goes_once_the_track_is_chosen(
    web: BrowserPage, tied: str, pg_admin_url: str
) -> None:
    """A click refused (AI consent withdrawn in another tab) says why; once consent is given
    again and the track chosen, the page says 'You now follow …' without the old refusal."""
    page = web.page
    sign_in_to(page, ROUTE, tied)
    expect(page).to_have_url(re.compile(ROUTE))
    follow = page.get_by_role("button", name="Follow Leaders")
    expect(follow).to_be_visible()

    _ai_consent(pg_admin_url, tied, granted=False)
    follow.click()
    expect(page.get_by_role("alert")).to_contain_text("AI profiling consent")

    _ai_consent(pg_admin_url, tied, granted=True)
    follow.click()
    expect(page.get_by_role("status").filter(has_text="You now follow")).to_contain_text(
        "You now follow Leaders"
    )
    expect(page.get_by_role("alert").filter(has_text="consent")).to_have_count(0)
