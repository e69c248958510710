"""Settings → Privacy & consents when a newer version of a document is published: the learner
accepts it with one click, without switching anything off (the terms switch is disabled, and
switching AI profiling off would delete what the AI derived)."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect
from sqlalchemy import delete
from sqlmodel import Session, col

from cyberhub.models import ConsentDocument, User
from cyberhub.models.identity import ConsentKind
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine

PASSWORD = "orange-river-canoe-77"
NEWER = "1.1"


def test_accepting_a_newer_version_of_the_terms_and_ai_profiling(
    web: BrowserPage, app_url: str, pg_admin_url: str
) -> None:
    email = f"versions-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "consents": ["terms", "privacy", "ai_profiling"],
        },
        timeout=20,
    )
    assert r.status_code == 201, r.text
    with app_engine(pg_admin_url) as engine:
        with Session(engine) as session:
            for kind in (ConsentKind.terms, ConsentKind.ai_profiling):
                session.add(
                    ConsentDocument(
                        kind=kind, version=NEWER, title=f"{kind} {NEWER}", body="Newer text."
                    )
                )
            session.commit()
        try:
            page = web.page
            page.goto("/signin?next=/settings/privacy")
            sign_in(page, email, PASSWORD)
            expect(page).to_have_url(re.compile(r"^[^?]*/settings/privacy/?$"))
            expect(page.get_by_role("heading", name="Privacy & consents")).to_be_visible()
            notice = f"Version {NEWER} has been published since you agreed."
            expect(page.get_by_text(notice)).to_have_count(2)
            expect(page.get_by_text("turn it off and on")).to_have_count(0)

            accept_terms = page.get_by_role(
                "button", name=f"Accept version {NEWER} of Terms of use"
            )
            expect(accept_terms).to_have_text(f"Accept version {NEWER}")
            accept_terms.click()
            expect(
                page.get_by_role("status").filter(
                    has_text=f"Terms of use: version {NEWER} accepted."
                )
            ).to_be_visible()
            expect(accept_terms).to_have_count(0)
            expect(page.get_by_text(notice)).to_have_count(1)  # AI profiling's still waits
            expect(page.get_by_role("switch", name="Terms of use")).to_be_checked()

            ai = page.get_by_role("switch", name="AI profiling")
            page.get_by_role("button", name=f"Accept version {NEWER} of AI profiling").click()
            expect(page.get_by_text(notice)).to_have_count(0)
            expect(page.get_by_role("alertdialog")).to_have_count(0)  # nothing withdrawn
            expect(ai).to_be_checked()
            history = page.get_by_role("table")
            expect(history).not_to_contain_text("Withdrawn")
            expect(history.get_by_role("row").filter(has_text=NEWER)).to_have_count(2)

            # After a reload, too: the page reads the stored state.
            page.reload()
            expect(page.get_by_role("heading", name="Privacy & consents")).to_be_visible()
            expect(page.get_by_role("switch", name="AI profiling")).to_be_checked()
            expect(page.get_by_text(notice)).to_have_count(0)
            assert web.console_errors == []
        finally:
            # The whole browser session shares the app's database: version 1.0 is current again.
            with Session(engine) as session:
                session.execute(delete(User).where(col(User.email) == email))
                session.execute(
                    delete(ConsentDocument).where(col(ConsentDocument.version) == NEWER)
                )
                session.commit()
