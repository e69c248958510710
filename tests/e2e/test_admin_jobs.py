"""The background jobs console in a real browser, with the real worker and model: the admin
starts "rebuild everything" and watches the progress bar fill. (Anonymous -> sign-in and wrong
role -> 403 are checked for every page, this one included, by test_page_guards.py.)"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import col

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

ADMIN = "admin@cyberhub.example"


def test_admin_starts_a_rebuild_and_sees_it_progress_to_done(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/admin/jobs")
    sign_in(page, ADMIN, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"^[^?]*/admin/jobs/?$"))
    expect(page.get_by_role("heading", name="Background jobs", level=1)).to_be_visible()
    admin_nav = page.locator("nav[aria-label=Admin]")
    expect(admin_nav.get_by_role("link", name="Jobs")).to_have_attribute("aria-current", "page")

    # The queues of the running worker, and the empty states.
    queues = page.get_by_test_id("queue-table")
    expect(queues.get_by_role("rowheader", name="ai", exact=True)).to_be_visible()
    expect(queues.get_by_role("rowheader", name="default", exact=True)).to_be_visible()
    # Counted in words: "1 worker process alive", "2 worker processes alive".
    expect(page.get_by_test_id("workers-alive")).to_contain_text(
        re.compile(r"(^|\D)(1 worker process|(0|[2-9]|\d\d+) worker processes) alive")
    )
    expect(page.get_by_text("No rebuild has run yet.")).to_be_visible()

    # Start a rebuild (after confirming); the bar refreshes by itself until it is done.
    page.get_by_role("button", name="Rebuild everything").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Rebuild every embedding?")
    dialog.get_by_role("button", name="Start rebuild").click()
    expect(dialog).to_have_count(0)
    status = page.get_by_test_id("rebuild-status")
    expect(status).to_have_text(re.compile("queued|running|done"))
    expect(page.get_by_role("button", name="Rebuild everything")).to_be_disabled()
    expect(page.get_by_role("progressbar", name="Rebuild progress")).to_be_visible()
    # The worker loads the real model first (a few seconds), then embeds the demo catalog.
    expect(status).to_have_text("done", timeout=180_000)
    text = page.get_by_test_id("rebuild-progress-text")
    expect(text).to_contain_text("(100%)")
    done, total = re.search(r"(\d+) of (\d+) done", text.inner_text()).groups()  # type: ignore[union-attr]
    assert done == total and int(total) > 30  # every demo mission, plus the learners
    expect(page.get_by_role("button", name="Rebuild everything")).to_be_enabled()
    # Its last run is listed (the worker records it just after its final commit: refresh).
    page.get_by_role("button", name="Refresh").click()
    last_runs = page.get_by_test_id("last-runs-table")
    expect(last_runs.get_by_role("row").filter(has_text="rebuild_all")).to_contain_text("succeeded")
    assert web.console_errors == []


LONG_ERROR = (
    "IntegrityError: (psycopg.errors.UniqueViolation) duplicate key value violates unique "
    'constraint "uq_recommendation"\n'
    "DETAIL:  Key (user_id, mission_id)=(4, 17) already exists.\n"
    "[SQL: INSERT INTO recommendations (user_id, mission_id, rank, score, reason, source, "
    "computed_at) VALUES (%(user_id)s, %(mission_id)s, %(rank)s, %(score)s, %(reason)s, "
    "%(source)s, %(computed_at)s)]" + " -- padding" * 120
)


def test_a_failed_jobs_error_is_one_line_with_the_full_text_behind_a_toggle(
    web: BrowserPage, pg_admin_url: str
) -> None:
    """Also: a failed rebuild's error is an alert and the page's "Dismissed ..." a status, so a
    screen reader announces both."""
    from sqlalchemy import delete
    from sqlmodel import Session, create_engine

    from cyberhub.models import JobFailure
    from cyberhub.models.ai import RebuildRun, RebuildStatus
    from cyberhub.models.base import utcnow
    from tests.factories import with_db

    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    with Session(engine) as s:
        s.add(
            JobFailure(
                message_id="e2e-toggle-1",
                actor="recompute_recommendations",
                queue="ai",
                args=[4],
                error=LONG_ERROR,
            )
        )
        s.add(
            JobFailure(
                message_id="e2e-toggle-2",
                actor="deliver_mail",
                queue="default",
                args=[987654],
                error="SMTPServerDisconnected: Connection unexpectedly closed",
                retried_at=utcnow(),
            )
        )
        failed_rebuild = RebuildRun(
            status=RebuildStatus.failed,
            total=40,
            done=3,
            error="RuntimeError: e2e rebuild failure",
            finished_at=utcnow(),
        )
        s.add(failed_rebuild)
        s.commit()
        rebuild_id = failed_rebuild.id
    try:
        page = web.page
        page.goto("/signin?next=/admin/jobs")
        sign_in(page, ADMIN, DEMO_PASSWORD)
        expect(page.get_by_test_id("rebuild-status")).to_have_text("failed")
        expect(
            page.get_by_role("alert").filter(has_text="RuntimeError: e2e rebuild failure")
        ).to_be_visible()
        row = (
            page.get_by_test_id("failures-table")
            .get_by_role("row")
            .filter(has_text="recompute_recommendations")
        )
        summary = row.get_by_test_id("job-error-summary")
        # One line: the class and the driver's first line, nothing of the SQL dump.
        expect(summary).to_have_text(
            re.compile(r"^IntegrityError: \(psycopg.errors.UniqueViolation\)")
        )
        assert "\n" not in summary.inner_text() and len(summary.inner_text()) <= 160
        expect(summary).not_to_contain_text("INSERT INTO")
        full = row.get_by_test_id("job-error-full")
        expect(full).to_be_hidden()

        toggle = row.get_by_role("button", name="Show full error")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(full).to_be_visible()
        expect(full).to_contain_text("DETAIL:  Key (user_id, mission_id)=(4, 17) already exists.")
        expect(full).to_contain_text("INSERT INTO recommendations")
        hide = row.get_by_role("button", name="Hide full error")
        expect(hide).to_have_attribute("aria-expanded", "true")
        expect(hide).to_have_attribute("aria-controls", full.get_attribute("id") or "?")
        hide.press("Enter")  # a keyboard user closes it again
        expect(full).to_be_hidden()
        # A job retried already is not offered again, but can leave the list.
        retried = page.get_by_test_id("failures-table").get_by_role("row").filter(has_text="987654")
        expect(retried).to_contain_text("Retried")
        expect(retried.get_by_role("button", name=re.compile("^Retry"))).to_have_count(0)
        retried.get_by_role("button", name=re.compile("^Dismiss")).click()
        dialog = page.get_by_role("alertdialog")
        dialog.get_by_role("button", name="Dismiss job").click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_test_id("failures-table")).not_to_contain_text("987654")
        expect(
            page.get_by_role("status").filter(has_text="Dismissed deliver_mail([987654]).")
        ).to_be_visible()
        assert web.console_errors == []
    finally:
        with Session(engine) as s:
            s.execute(
                delete(JobFailure).where(
                    col(JobFailure.message_id).in_(["e2e-toggle-1", "e2e-toggle-2"])
                )
            )
            s.execute(delete(RebuildRun).where(col(RebuildRun.id) == rebuild_id))
            s.commit()
        engine.dispose()
