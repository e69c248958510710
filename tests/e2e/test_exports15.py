"""Issue 15, item 5 — a learner downloads their own data: "Download my data" on the privacy page
queues the export, the exports page follows it until it is ready (the real worker writes it), and
the zip they download holds their submission."""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session

from cyberhub.services.learning import submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import enroll, make_user, principal

pytestmark = [pytest.mark.e2e]


@dataclass
class Learner:
    email: str
    answer: str
    user_id: int


@pytest.fixture
def learner(app_url: str, pg_admin_url: str) -> Iterator[Learner]:
    tag = uuid.uuid4().hex[:6]
    answer = f"Exported answer {tag}: SSH keys only, firewall default-deny."
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Export", tag, "Harden SSH")
            student = make_user(
                session, f"export-student-{tag}@example.org", "student", organization_id=org.id
            )
            enroll(session, cohort, student)
            submissions.submit(session, principal(session, student), mission.id or 0, answer=answer)
            session.commit()
            made = Learner(student.email, answer, student.id or 0)
            org_id, program_id, user_ids = org.id, program.id, [student.id]
        yield made
        remove_made(engine, org_id, program_id, user_ids)


def test_a_learner_downloads_their_own_data(
    web: BrowserPage, learner: Learner, pg_admin_url: str
) -> None:
    page = web.page
    sign_in_to(page, "/settings/privacy", learner.email)
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    page.get_by_role("button", name="Download my data").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/exports/?$"))
    item = page.get_by_test_id("export-item").first
    expect(item).to_contain_text("My data")
    expect(item).to_contain_text("Ready", timeout=60_000)  # the worker writes it
    expect(item).to_contain_text("Expires in")
    with page.expect_download() as info:
        item.get_by_role("button", name=re.compile("^Download")).click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as z:
        assert {"submissions.csv", "submissions.json", "profile.json"} <= set(z.namelist())
        assert learner.answer in z.read("submissions.csv").decode()
        assert learner.email in z.read("profile.json").decode()

    # Its file is gone (removed from the disk) while the page is open: Download says so instead
    # of saving the route's 410 answer as the zip, and the list no longer offers it.
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            text("UPDATE exports SET file_path = 'exports/gone.zip' WHERE requested_by_id = :u"),
            {"u": learner.user_id},
        )
        session.commit()
    item.get_by_role("button", name=re.compile("^Download")).click()
    expect(page.get_by_role("alert").filter(has_text="no longer available")).to_be_visible()
    expect(item.get_by_test_id("export-unavailable")).to_contain_text("no longer available")
    expect(item.get_by_role("button", name=re.compile("^Download"))).to_have_count(0)
    page.reload()
    item = page.get_by_test_id("export-item").first
    expect(item.get_by_test_id("export-unavailable")).to_contain_text("no longer available")
    expect(item.get_by_role("button", name=re.compile("^Download"))).to_have_count(0)

    # An export that failed before the page was opened says why in plain text: an alert here
    # would be announced again on every visit. One that fails while the page follows it is
    # announced (an alert), and looks the same.
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            text(
                "UPDATE exports SET status = 'failed', error = 'The export stopped: e2e failure.' "
                "WHERE requested_by_id = :u"
            ),
            {"u": learner.user_id},
        )
        session.commit()
    page.reload()
    item = page.get_by_test_id("export-item").first
    earlier = item.get_by_test_id("export-error")
    expect(earlier).to_have_text("The export stopped: e2e failure.")
    expect(item.get_by_role("alert")).to_have_count(0)
    expect(item.get_by_role("status")).to_have_count(0)
    earlier_look = earlier.get_attribute("class")

    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            text(
                "UPDATE exports SET status = 'running', error = '', heartbeat_at = now() "
                "WHERE requested_by_id = :u"
            ),
            {"u": learner.user_id},
        )
        session.commit()
    page.reload()
    item = page.get_by_test_id("export-item").first
    expect(item).to_contain_text("Being prepared")
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            text(
                "UPDATE exports SET status = 'failed', error = 'The export stopped: e2e failure "
                "while watched.' WHERE requested_by_id = :u"
            ),
            {"u": learner.user_id},
        )
        session.commit()
    alert = item.get_by_role("alert")  # the page polls every 2 s while one is being prepared
    expect(alert).to_have_text("The export stopped: e2e failure while watched.")
    expect(alert).to_have_attribute("data-testid", "export-error")
    assert alert.get_attribute("class") == earlier_look
