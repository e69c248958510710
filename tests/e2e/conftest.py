"""Browser journeys: the production build started once per session, driven by Debian chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fasteners
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, WebError, expect, sync_playwright
from sqlmodel import Session, create_engine

from tests.factories import create_database
from tests.processes import ROOT, child_env, free_port, start_web, start_worker, stop, wait_for_http

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# expect() waits up to 10 s (Playwright's default is 5 s): on a shared 2-core CI machine a page's
# first data load can take longer than 5 s without anything being wrong; a real failure still fails.
expect.set_options(timeout=10_000)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# The web process's log (set by app_url) and where it stood when the current test began: a failed
# journey's report shows what the server logged during it (a stall such as "Checking access…"
# for 10 s is otherwise invisible once the run's temporary folder is gone).
_web_log: list[Path] = []
_LOG_AT = pytest.StashKey[int]()
WEB_LOG_LINES = 150


# What the web process logs when an event failed on the server (Reflex's handler, which ours
# calls: state/backend_errors.py): the page then shows "Something went wrong" (ServerErrorState).
SERVER_ERROR_MARKS = ("[Reflex Backend Exception]", "outage during an event")


@pytest.fixture(autouse=True)
def _web_log_start(request: pytest.FixtureRequest) -> Iterator[None]:
    """Note where the web log stood; after the test, fail it if an event of it failed on the
    server (nothing should answer with an error a person would see)."""
    if _web_log and _web_log[0].exists():
        request.node.stash[_LOG_AT] = _web_log[0].stat().st_size
    yield
    if _LOG_AT not in request.node.stash or not _web_log or not _web_log[0].exists():
        return
    with _web_log[0].open("rb") as log:
        log.seek(request.node.stash[_LOG_AT])
        logged = log.read().decode("utf-8", "replace")
    if any(mark in logged for mark in SERVER_ERROR_MARKS):
        pytest.fail("An event failed on the server:\n" + logged[-6000:])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed or _LOG_AT not in item.stash or not _web_log:
        return
    with _web_log[0].open("rb") as log:
        log.seek(item.stash[_LOG_AT])
        lines = log.read().decode("utf-8", "replace").splitlines()[-WEB_LOG_LINES:]
    report.sections.append(("e2e web log during this test", "\n".join(lines) or "(nothing)"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def app_url(pg_admin_url: str, redis_url: str, tmp_root: Path) -> Iterator[str]:
    """CyberHub's production build with demo data, a real worker and Redis; its base URL.

    The app gets its own database and its own Redis: its worker must not take jobs meant for
    other tests' workers (they share nothing but the PostgreSQL server). Loading the demo data
    here runs in the test process, against the tests' Redis (`redis_url`, stopped at the end):
    without it the demo's debounce keys started an embedded Redis under .data/ that outlived
    the run.
    """
    from cyberhub import infra
    from cyberhub.services.admin import demo

    # One production build at a time per checkout: .web/ is shared by every `reflex run` here.
    lock = fasteners.InterProcessLock(str(ROOT / ".web.e2e.lock"))
    lock.acquire()
    db_url = create_database(pg_admin_url, "e2e_app")
    engine = create_engine(db_url)
    with Session(engine) as session:
        demo.load_demo_data(session)
        session.commit()
    engine.dispose()

    redis = infra.EmbeddedRedis(tmp_root / "e2e-redis")
    # The journeys sign the same demo accounts in from one address dozens of times within minutes;
    # the per-account ceiling (10 a minute, tested in tests/integration/test_lockout.py) would
    # throttle the suite rather than an attacker.
    # The coach's plan follows a change after 1 s, not 30: a journey waits for it.
    env = child_env(
        DATABASE_URL=db_url,
        REDIS_URL=redis.url,
        AUTH_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE="1000",
        COACH_DEBOUNCE_SECONDS="1",
        # As `make run` starts it: the web process loads its search model at start (under
        # "test" it would load on the first search, stalling whichever journey searched first).
        CYBERHUB_ENV="development",
    )
    port = free_port()
    worker_log, web_log = tmp_root / "e2e-worker.log", tmp_root / "e2e-web.log"
    worker = start_worker(env, worker_log)
    web = start_web(env, port, web_log)
    _web_log[:] = [web_log]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/api/v1/health", web, web_log)
        settle(base, redis.url)
        yield base
    finally:
        stop(web)
        stop(worker)
        redis.stop()
        lock.release()


SETTLE_SECONDS = 240


def settle(base: str, redis_url: str) -> None:
    """Wait (at most SETTLE_SECONDS, then carry on) until the web process holds its search model
    and the worker has done what the start queued (the demo's vectors, lists and analyses).

    Both load the two cores for the first minute or two: importing torch in the web process
    stalls its pages for seconds, and the first journeys failed now and then on a page still
    "Checking access…" after 10 s. A person starting the app meets the same minute; the tests
    should measure the app, not its warm-up."""
    import json
    import time
    import urllib.request

    import redis as redis_lib

    client: Any = redis_lib.Redis.from_url(redis_url)
    deadline = time.monotonic() + SETTLE_SECONDS
    try:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/health", timeout=10) as resp:
                    model = json.loads(resp.read()).get("search_model", "ready")
            except (OSError, ValueError):  # a 503 while a part starts: ask again
                model = "loading"
            queued = sum(
                int(client.hlen(k))
                for k in client.scan_iter("dramatiq:*.msgs")
                if b".XQ." not in k  # dead letters are not work to wait for
            )
            if model not in ("loading", "not loaded") and queued == 0:
                return
            time.sleep(1)
        print(f"e2e app not settled after {SETTLE_SECONDS} s: search model {model}, {queued} jobs")
    finally:
        client.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Runs in every page before its own scripts (Playwright's init scripts are not subject to the
# page's CSP): each Content-Security-Policy violation becomes a console error naming it.
CSP_PROBE = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || document.location.href}:${e.lineNumber})`);
});
"""
CSP_PREFIX = "CSP violation:"
# The BrowserPages opened during the current test; no_csp_violations_or_uncaught_errors
# checks them after it.
_pages_of_this_test: list[BrowserPage] = []


class BrowserPage:
    """A fresh browser context; records console errors so tests can assert there are none.

    CSP violations (console errors too) and errors no script of the page caught fail the test
    that caused them even when it does not look (no_csp_violations_or_uncaught_errors).
    """

    def __init__(
        self,
        browser: Browser,
        base_url: str,
        width: int = 1280,
        height: int = 900,
        timezone_id: str | None = None,
    ) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": width, "height": height}, timezone_id=timezone_id
        )
        self.context.set_default_timeout(20_000)
        self.context.add_init_script(CSP_PROBE)
        self.page: Page = self.context.new_page()
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []
        self.page_errors: list[str] = []  # uncaught exceptions in the page's scripts
        self.context.on("console", self._on_console)
        self.context.on("weberror", self._on_web_error)
        _pages_of_this_test.append(self)

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)
            if msg.text.startswith(CSP_PREFIX) or "Content Security Policy" in msg.text:
                self.csp_violations.append(msg.text)

    def _on_web_error(self, error: WebError) -> None:
        thrown = error.error  # its stack starts with "TypeError: ..." where the browser gives one
        self.page_errors.append(thrown.stack or f"{thrown.name}: {thrown.message}")

    def take_page_errors(self) -> list[str]:
        """The page's uncaught errors so far, which the test expected (they no longer fail it)."""
        taken, self.page_errors[:] = list(self.page_errors), []
        return taken


@pytest.fixture(autouse=True)
def no_csp_violations_or_uncaught_errors() -> Iterator[None]:
    """Fail the test during which any of its pages broke the Content-Security-Policy or threw an
    error no script caught (a broken page a user would see freeze or go blank); a test that
    provokes one on purpose takes it with `BrowserPage.take_page_errors`."""
    _pages_of_this_test.clear()
    yield
    found = [v for bp in _pages_of_this_test for v in bp.csp_violations]
    # The other console errors say why (e.g. the frontend error a script of Reflex's answered).
    errors = [e for bp in _pages_of_this_test for e in bp.console_errors if e not in found]
    uncaught = [e for bp in _pages_of_this_test for e in bp.page_errors]
    _pages_of_this_test.clear()
    if found:
        pytest.fail(
            "Content-Security-Policy violations:\n"
            + "\n".join(found)
            + ("\nOther console errors of this test:\n" + "\n".join(errors) if errors else "")
        )
    if uncaught:
        pytest.fail("Errors no script of the page caught:\n" + "\n".join(uncaught))


@pytest.fixture
def web(browser: Browser, app_url: str) -> Iterator[BrowserPage]:
    bp = BrowserPage(browser, app_url)
    yield bp
    bp.context.close()


@pytest.fixture
def mobile_web(browser: Browser, app_url: str) -> Iterator[BrowserPage]:
    bp = BrowserPage(browser, app_url, width=375, height=800)
    yield bp
    bp.context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    # Let the page's own loading (state, on_load events) settle before typing into it.
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Sign in").click()
