"""The production server: security headers on every kind of response, CORS and the websocket
for the public origin only, and the API docs working from local files under the CSP.

Every browser test in this folder also fails on any CSP violation
(conftest.no_csp_violations_or_uncaught_errors).
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import FilePayload, Request, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

EVIL = "https://evil.example"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def csp_directives(headers: httpx.Headers) -> dict[str, list[str]]:
    csp = headers.get("content-security-policy", "")
    return {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}


def assert_secured(r: httpx.Response) -> None:
    what = f"{r.request.method} {r.request.url.path} ({r.status_code})"
    h = r.headers
    assert h.get("x-content-type-options") == "nosniff", what
    assert h.get("x-frame-options") == "DENY", what
    assert h.get("referrer-policy") == "strict-origin-when-cross-origin", what
    assert h.get("cross-origin-opener-policy") == "same-origin", what
    assert "microphone=()" in h.get("permissions-policy", ""), what
    d = csp_directives(h)
    assert d.get("frame-ancestors") == ["'none'"], what
    assert d.get("object-src") == ["'none'"], what
    assert d.get("base-uri") == ["'self'"], what
    assert d.get("form-action") == ["'self'"], what
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"]
    # Outside production (these tests run with CYBERHUB_ENV=test): no HSTS.
    assert "strict-transport-security" not in h, what


@pytest.fixture(scope="module")
def http(app_url: str) -> httpx.Client:
    return httpx.Client(base_url=app_url, timeout=30)


def test_every_kind_of_response_carries_the_headers(http: httpx.Client) -> None:
    home = http.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    assert_secured(home)
    js = re.search(r'"(/assets/[^"]+\.js)"', home.text)
    css = re.search(r'"(/assets/[^"]+\.css)"', home.text)
    assert js and css, "the built page links no JS/CSS asset"
    checks = [
        ("GET", "/signin", 307),  # to /signin/
        ("GET", "/signin/", 200),
        ("GET", js.group(1), 200),
        ("GET", css.group(1), 200),
        ("GET", "/favicon.ico", 200),
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/tracks", 200),
        ("GET", "/api/v1/missions", 401),
        ("GET", "/api/v1/docs/assets/nothing.js", 404),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/api/v1/docs", 200),
        ("GET", "/api/v1/docs/assets/swagger-ui-bundle.js", 200),
        ("GET", "/api/v1/docs/assets/swagger-ui.css", 200),
        ("GET", "/api/v1/docs/assets/swagger-init.js", 200),
    ]
    for method, path, status in checks:
        r = http.request(method, path)
        assert r.status_code == status, f"{path}: {r.status_code}"
        assert_secured(r)
    bad = http.post("/api/v1/auth/login", json={"email": 3})
    assert bad.status_code == 422 and "detail" in bad.json()
    assert_secured(bad)


@pytest.mark.parametrize("path", ["/", "/signin", "/dashboard", "/no/such/page"])
def test_every_inline_script_of_a_page_is_allowed_by_its_hash(
    http: httpx.Client, path: str
) -> None:
    r = http.get(path, follow_redirects=True)
    scripts = INLINE_SCRIPT.findall(r.text)
    assert scripts, "the build has inline scripts: the policy must allow exactly those"
    allowed = set(csp_directives(r.headers)["script-src"])
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, body[:80]


class TestCors:
    @pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/tracks", "/_upload", "/"])
    def test_a_foreign_preflight_is_refused(self, http: httpx.Client, path: str) -> None:
        r = http.options(
            path,
            headers={
                "Origin": EVIL,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,authorization",
            },
        )
        assert r.status_code == 400
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers

    @pytest.mark.parametrize("path", ["/api/v1/tracks", "/", "/api/v1/openapi.json"])
    def test_a_foreign_origin_gets_no_cors_headers(self, http: httpx.Client, path: str) -> None:
        r = http.get(path, headers={"Origin": EVIL})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers

    def test_the_public_origin_is_allowed(self, http: httpx.Client, app_url: str) -> None:
        port = urlsplit(app_url).port
        for origin in (app_url, f"http://localhost:{port}"):
            pre = http.options(
                "/api/v1/auth/login",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )
            assert pre.status_code == 200, origin
            assert pre.headers["access-control-allow-origin"] == origin
            r = http.get("/api/v1/tracks", headers={"Origin": origin})
            assert r.headers["access-control-allow-origin"] == origin

    def test_the_websocket_refuses_a_foreign_origin(self, http: httpx.Client) -> None:
        r = http.get(
            "/_event/",
            params={"EIO": "4", "transport": "websocket"},
            headers={"Origin": EVIL},
        )
        assert r.status_code == 400
        assert "not an accepted origin" in r.text


def test_api_docs_work_from_this_server_only(web: BrowserPage, app_url: str) -> None:
    page = web.page
    hosts: set[str] = set()

    def record(request: Request) -> None:
        hosts.add(urlsplit(request.url).netloc)

    page.on("request", record)
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name=re.compile("Ongoza CyberHub API"))).to_be_visible()
    health = page.locator(".opblock").filter(has_text="/api/v1/health").first
    expect(health).to_be_visible()
    # Try it out: the docs call the API of this server.
    health.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        re.compile(r"200|503")
    )
    assert hosts == {urlsplit(app_url).netloc}
    assert web.console_errors == []


def test_the_app_works_at_localhost_too(web: BrowserPage, app_url: str) -> None:
    """`make run` prints 127.0.0.1; a browser pointed at localhost must still get a live app."""
    page = web.page
    local = app_url.replace("127.0.0.1", "localhost")
    page.goto(f"{local}/signin?next=/dashboard")
    sign_in(page, "student@cyberhub.example", DEMO_PASSWORD)  # events travel on the websocket
    expect(page).to_have_url(re.compile(r"localhost:\d+/dashboard"))
    expect(page.get_by_role("button", name="Account menu")).to_be_visible()
    assert web.console_errors == []


def test_a_csv_file_fills_the_import_box_under_the_csp(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, "director@cyberhub.example", DEMO_PASSWORD)
    # Signing in ends with a full page load: the path may gain a trailing slash.
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/director/?$"), timeout=15_000)
    page.get_by_role("link", name="Nairobi Spring Cohort").click()
    expect(page).to_have_url(re.compile(r"/director/cohorts/\d+/?$"))
    csv = "email,full_name\nnew.learner@example.org,New Learner\n"
    upload: FilePayload = {"name": "cohort.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    page.get_by_label("CSV file (optional)").set_input_files(files=[upload])
    expect(page.get_by_label("CSV text")).to_have_value(csv)
    assert web.console_errors == []


def test_an_injected_inline_script_or_event_handler_does_not_run(web: BrowserPage) -> None:
    """What an HTML-injection bug would plant is blocked, and the browser tests would see it."""
    page = web.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.evaluate(
        """() => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = 'script'";
        document.body.appendChild(s);
        const img = document.createElement("img");
        img.setAttribute("onerror", "window.__injected_handler = 'handler'");
        img.src = "/no-such-image.png";
        document.body.appendChild(img);
    }"""
    )

    def reported() -> list[str]:
        # Chromium logs its own "violates the following Content Security Policy" error too.
        return sorted(v.split()[2] for v in web.csp_violations if v.startswith("CSP violation:"))

    for _ in range(50):
        if len(reported()) >= 2:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("() => [window.__injected, window.__injected_handler]") == [None, None]
    assert reported() == ["script-src-attr", "script-src-elem"], web.csp_violations
    web.csp_violations.clear()  # expected here; any other violation fails a test
