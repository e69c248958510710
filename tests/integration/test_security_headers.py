"""Every response carries the security headers, and only the public origin gets CORS.

The stack is assembled as Reflex assembles it in production (cyberhub.py's api_transformer list,
Reflex's own CORS middleware from rxconfig on the API and on the outermost app), with a small
stand-in for the compiled frontend. The real production build is checked in
tests/e2e/test_security_headers.py.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reflex.app import App
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from cyberhub.api import create_api
from cyberhub.security_headers import (
    HeaderPolicy,
    SecurityHeadersMiddleware,
    allowed_origins,
    content_security_policy,
    use_strict_cors,
)
from cyberhub.settings import Settings, get_settings

pytestmark = [pytest.mark.integration]

EVIL = "https://evil.example"
INLINE = "window.__boot = 1;"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        f'<html><head><script>{INLINE}</script><script src="/assets/app.js"></script></head>'
        "<body>home</body></html>"
    )
    (tmp_path / "404.html").write_text("<html><body>Not found</body></html>")
    (tmp_path / "assets" / "app.js").write_text("console.log('app');")
    (tmp_path / "assets" / "app.css").write_text("body { color: black; }")
    return tmp_path


@pytest.fixture
def client(db_url: str, build_dir: Path) -> Iterator[TestClient]:
    use_strict_cors()  # as cyberhub.py does before building the app
    api = create_api()
    App._add_cors(api)  # Reflex does this to a Starlette api_transformer, then mounts itself
    api.mount("", Starlette(routes=[Mount("/", StaticFiles(directory=build_dir, html=True))]))
    top = Starlette()
    top.mount("", SecurityHeadersMiddleware(api, build_dir=build_dir))
    App._add_cors(top)  # Reflex's outermost app
    with TestClient(top, raise_server_exceptions=False) as c:
        yield c


def assert_secured(headers: Mapping[str, str], what: str) -> None:
    h = {k.lower(): v for k, v in headers.items()}
    for name, value in SECURITY_HEADERS.items():
        assert h.get(name) == value, f"{what}: {name} = {h.get(name)!r}"
    csp = h.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert directives.get("object-src") == ["'none'"], what
    assert directives.get("base-uri") == ["'self'"], what
    script_src = directives.get("script-src", [])
    assert "'self'" in script_src and "'unsafe-inline'" not in script_src, what
    assert "'unsafe-eval'" not in script_src, what
    assert "camera=()" in h.get("permissions-policy", ""), what
    assert "strict-transport-security" not in h, f"{what}: HSTS outside production"


class TestEveryResponseIsSecured:
    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/", 200),
            ("/assets/app.js", 200),
            ("/assets/app.css", 200),
            ("/no/such/page", 404),
            ("/api/v1/tracks", 200),
            ("/api/v1/missions/1", 401),
            ("/api/v1/missions?page=abc", 401),
            ("/api/v1/openapi.json", 200),
            ("/api/v1/docs", 200),
            ("/api/v1/docs/assets/swagger-ui-bundle.js", 200),
            ("/api/v1/docs/assets/swagger-ui.css", 200),
            ("/api/v1/docs/assets/swagger-init.js", 200),
        ],
    )
    def test_response_carries_the_headers(self, client: TestClient, path: str, status: int) -> None:
        r = client.get(path)
        assert r.status_code == status, r.text[:200]
        assert_secured(r.headers, path)

    def test_validation_error_carries_the_headers(self, client: TestClient) -> None:
        r = client.post("/api/v1/auth/login", json={"email": 3})
        assert r.status_code == 422 and "detail" in r.json()
        assert_secured(r.headers, "422")

    def test_the_builds_inline_scripts_are_allowed_by_hash_and_nothing_else(
        self, client: TestClient
    ) -> None:
        csp = client.get("/").headers["content-security-policy"]
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src ")).split()[1:]
        assert script_src == ["'self'", sha256(INLINE)]

    def test_a_header_the_route_sets_itself_is_kept(self, build_dir: Path) -> None:
        async def app(scope, receive, send):
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-security-policy", b"sandbox")],
                }
            )
            await send({"type": "http.response.body", "body": b""})

        r = TestClient(SecurityHeadersMiddleware(app, build_dir=build_dir)).get("/")
        assert r.headers.get_list("content-security-policy") == ["sandbox"]
        assert r.headers["x-frame-options"] == "DENY"


class TestDocsAreLocal:
    def test_docs_page_loads_only_local_files_and_no_inline_script(
        self, client: TestClient
    ) -> None:
        html = client.get("/api/v1/docs").text
        assert "cdn" not in html.lower() and "https://" not in html
        assert 'src="/api/v1/docs/assets/swagger-ui-bundle.js"' in html
        assert 'src="/api/v1/docs/assets/swagger-init.js"' in html
        assert "<script>" not in html  # every script has a src
        assert 'data-openapi-url="/api/v1/openapi.json"' in html

    def test_docs_assets_have_their_types(self, client: TestClient) -> None:
        js = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
        assert js.headers["content-type"].startswith("text/javascript")
        assert "SwaggerUIBundle" in js.text
        css = client.get("/api/v1/docs/assets/swagger-ui.css")
        assert css.headers["content-type"].startswith("text/css")

    @pytest.mark.parametrize("name", ["index.html", "swagger-ui.js.map", "__init__.py"])
    def test_no_other_file_is_served(self, client: TestClient, name: str) -> None:
        r = client.get(f"/api/v1/docs/assets/{name}")
        assert r.status_code == 404
        assert r.json() == {"detail": "No such docs file."}

    def test_no_path_escapes_the_docs_files(self, client: TestClient) -> None:
        r = client.get("/api/v1/docs/assets/..%2F..%2F..%2Fsettings.py")
        assert r.status_code == 404
        assert "BaseSettings" not in r.text

    def test_redoc_is_off(self, client: TestClient) -> None:
        r = client.get("/api/v1/redoc")
        assert "redoc" not in r.text.lower()


class TestCors:
    @pytest.fixture
    def origin(self) -> str:
        return allowed_origins(get_settings())[0]

    @pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/tracks", "/"])
    def test_a_foreign_preflight_is_refused(self, client: TestClient, path: str) -> None:
        r = client.options(
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

    @pytest.mark.parametrize("path", ["/api/v1/tracks", "/"])
    def test_a_foreign_origin_gets_no_cors_on_a_simple_request(
        self, client: TestClient, path: str
    ) -> None:
        r = client.get(path, headers={"Origin": EVIL})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers

    def test_the_public_origin_is_allowed(self, client: TestClient, origin: str) -> None:
        pre = client.options(
            "/api/v1/auth/login",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == origin
        r = client.get("/api/v1/tracks", headers={"Origin": origin})
        assert r.headers["access-control-allow-origin"] == origin


class TestPolicyFromSettings:
    def test_local_address_allows_both_spellings_of_the_local_machine(self) -> None:
        s = Settings(app_host="127.0.0.1", app_port=3123, public_url=None)
        assert allowed_origins(s) == ["http://127.0.0.1:3123", "http://localhost:3123"]

    def test_a_public_url_is_the_only_origin(self) -> None:
        s = Settings(public_url="https://cyberhub.example/app/")
        assert allowed_origins(s) == ["https://cyberhub.example"]

    def test_websocket_is_allowed_to_the_public_origin_only(self) -> None:
        csp = content_security_policy(["https://cyberhub.example"], [])
        assert "connect-src 'self' wss://cyberhub.example;" in csp

    def test_hsts_only_in_production_over_https(self) -> None:
        def hsts(**kw: object) -> bool:
            policy = HeaderPolicy.from_settings(Settings(**kw), None)  # type: ignore[arg-type]
            return any(name == b"strict-transport-security" for name, _ in policy.headers())

        key = "x" * 40
        assert hsts(cyberhub_env="production", secret_key=key, public_url="https://c.example")
        assert not hsts(cyberhub_env="production", secret_key=key, public_url="http://c.example")
        assert not hsts(cyberhub_env="development", public_url="https://c.example")
