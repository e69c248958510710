"""The background jobs console in a real browser, with the real worker and model: the admin
starts "rebuild everything" and watches the progress bar fill. (Anonymous -> sign-in and wrong
role -> 403 are checked for every page, this one included, by test_page_guards.py.)"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cyberhub.services.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

ADMIN = "admin@cyberhub.example"


def test_admin_starts_a_rebuild_and_sees_it_progress_to_done(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/admin/jobs")
    sign_in(page, ADMIN, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile("/admin/jobs/?$"))
    expect(page.get_by_role("heading", name="Background jobs", level=1)).to_be_visible()
    admin_nav = page.locator("nav[aria-label=Admin]")
    expect(admin_nav.get_by_role("link", name="Jobs")).to_have_attribute("aria-current", "page")

    # The queues of the running worker, and the empty states.
    queues = page.get_by_test_id("queue-table")
    expect(queues.get_by_role("rowheader", name="ai", exact=True)).to_be_visible()
    expect(queues.get_by_role("rowheader", name="default", exact=True)).to_be_visible()
    expect(page.get_by_test_id("workers-alive")).to_contain_text("worker process(es) alive")
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
