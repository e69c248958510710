"""Issue 17, item 12: "Not interested" can be undone, and markdown is rendered (safely) in
notification bodies (bell and /notifications) and in the dashboard's feedback quotes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete
from sqlmodel import Session, col, create_engine, select

from cyberhub.models import Notification, User
from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_admin_console import signed_in
from tests.factories import with_db

STUDENT = "student@cyberhub.example"
BODY = (
    "Great work on **the firewall rules**. Next, run `nmap -sV` against the host.\n\n"
    '<img src="x" onerror="window.__pwned = 1">'
)


@pytest.fixture
def app_db(pg_admin_url: str) -> Iterator[Session]:
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    with Session(engine) as s:
        yield s
        s.execute(delete(Notification).where(col(Notification.kind) == "e2e_markdown"))
        s.commit()
    engine.dispose()


def _recommended(page: Page) -> list[str]:
    items = page.get_by_test_id("recommendation")
    expect(items.first).to_be_visible(timeout=120_000)  # the worker may still load the model
    return [t.strip() for t in items.locator("a").all_inner_texts()]


def test_not_interested_can_be_undone(web: BrowserPage) -> None:
    page = web.page
    signed_in(page, STUDENT, DEMO_PASSWORD, "/dashboard/student")
    titles = _recommended(page)
    title = titles[0]
    page.get_by_role("button", name=f"Not interested in {title}").click()
    items = page.get_by_test_id("recommendation")
    expect(items.filter(has_text=title)).to_have_count(0)
    undo_box = page.get_by_test_id("recommendation-dismissed")
    expect(undo_box).to_contain_text(title)
    undo = undo_box.get_by_role("button", name=f"Undo: show “{title}” again")
    undo.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    expect(items.filter(has_text=title)).to_have_count(1)
    expect(undo_box).to_have_count(0)
    # Restored on the server too: it is still there after a reload.
    deadline = time.monotonic() + 60
    while True:
        page.reload()
        if title in _recommended(page) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert title in _recommended(page)
    assert web.console_errors == []


def test_markdown_is_rendered_in_notifications_and_feedback_quotes(
    web: BrowserPage, app_db: Session
) -> None:
    student = app_db.exec(select(User).where(User.email == STUDENT)).one()
    app_db.add(
        Notification(
            user_id=student.id or 0,
            kind="e2e_markdown",
            title="Markdown check",
            body=BODY,
        )
    )
    app_db.commit()
    page = web.page
    signed_in(page, STUDENT, DEMO_PASSWORD, "/dashboard/student")

    # Feedback quotes: the mentor's bold words are bold, no "**" shows.
    quotes = page.get_by_test_id("latest-feedback").get_by_test_id("feedback-quote")
    expect(quotes.first).to_be_visible()
    expect(quotes.first.locator("strong").first).to_be_visible()
    assert "**" not in quotes.first.inner_text()

    # The bell.
    page.get_by_test_id("notification-bell").click()
    item = page.get_by_test_id("notification-item").filter(has_text="Markdown check")
    expect(item.locator("strong")).to_have_text("the firewall rules")
    expect(item.locator("code")).to_have_text("nmap -sV")
    assert "**" not in item.inner_text() and "`" not in item.inner_text()
    page.keyboard.press("Escape")

    # /notifications: the same body, and the raw HTML stays text.
    page.goto("/notifications")
    row = page.get_by_test_id("notification-row").filter(has_text="Markdown check")
    expect(row.locator("strong")).to_have_text("the firewall rules")
    expect(row.locator("code")).to_have_text("nmap -sV")
    expect(row.locator("img")).to_have_count(0)
    expect(row).to_contain_text(re.compile(r"<img"))
    assert page.evaluate("window.__pwned") is None
    assert web.console_errors == []
