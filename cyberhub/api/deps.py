"""FastAPI dependencies: the database session, request metadata and access rules."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import Field
from sqlmodel import Session

from cyberhub import db
from cyberhub.models.base import MAX_ID
from cyberhub.services import network, rate_limit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Forbidden, Unauthenticated
from cyberhub.services.identity import accounts, api_keys, browser_sessions
from cyberhub.services.identity.permissions import (
    API_KEY_REFUSED,
    PUBLIC,
    SIGNED_IN,
    Access,
    Principal,
    roles,
)
from cyberhub.services.paging import PAGE_SIZE_MAX
from cyberhub.settings import get_settings

# A path id outside 1..MAX_ID (the range of the integer id columns) can name no row, so it is
# refused (422) before any query. Every `{..._id}` path parameter uses this type.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
# The same for an id in the query string (`?program_id=`) or in a JSON body (`"cohort_id": 5`).
QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def get_session() -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with db.session_scope() as session:
        yield session


# scope="function": the commit runs when the route returns, *before* the response is sent. With
# FastAPI's default ("request") it ran after the response had gone: a client could be told 201
# for a write whose commit then failed (a database restart at that moment), and lose it. Now a
# failed commit is the response (503 "try again", api/errors.py); a 2xx means it is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def request_meta(request: Request) -> RequestMeta:
    """Where the request comes from (X-Forwarded-For only from TRUSTED_PROXIES)."""
    return network.request_meta(request.client.host if request.client else None, request.headers)


MetaDep = Annotated[RequestMeta, Depends(request_meta)]


def authenticate_request(request: Request, session: Session) -> Principal | None:
    """The principal behind the request's credentials, or None when none are sent.

    Accepted: `Authorization: Bearer <jwt>`, `Authorization: Bearer chk_...` (an API key),
    `X-API-Key: chk_...`, or else the browser's HttpOnly session cookie. An API key's principal
    carries its scopes (see services/identity/api_keys.py). A state-changing request authenticated by the
    cookie must come from CyberHub's own pages (its Origin), so other sites can't ride on it.
    """
    api_key = request.headers.get("x-api-key", "").strip()
    if api_key:
        return api_keys.authenticate(session, api_key)
    header = request.headers.get("authorization", "")
    if not header:
        cookie = request.cookies.get(browser_sessions.SESSION_COOKIE, "").strip()
        if not cookie:
            return None
        check_cookie_origin(request)
        return browser_sessions.principal_for(session, cookie)
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <token>' or 'X-API-Key: <key>'.")
    if api_keys.looks_like_key(credentials.strip()):
        return api_keys.authenticate(session, credentials.strip())
    return accounts.principal_from_access_token(session, credentials.strip())


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FOREIGN_ORIGIN = (
    "This request changes something but was not sent by CyberHub's own pages (Origin), "
    "so the session cookie is not accepted for it. API clients use 'Authorization: Bearer'."
)


def check_cookie_origin(request: Request) -> None:
    """A cookie-authenticated POST/PUT/PATCH/DELETE must carry CyberHub's own Origin (403)."""
    if request.method in SAFE_METHODS:
        return
    if not browser_sessions.origin_matches(
        request.headers.get("origin"), request.headers.get("host")
    ):
        raise Forbidden(FOREIGN_ORIGIN)


def sends_api_key(request: Request) -> bool:
    """Whether the request presents an API key (either header)."""
    if request.headers.get("x-api-key", "").strip():
        return True
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and api_keys.looks_like_key(credentials.strip())


class Require:
    """A route's declared access rule, as a dependency returning the principal (or None).

    `api_keys=False`: account-security routes (two-step sign-in, consents, passwords, sessions,
    API keys) refuse API keys with 403, even where the route is public.
    """

    def __init__(self, access: Access, *, api_keys: bool = True) -> None:
        self.access = access
        self.api_keys = api_keys

    def __call__(self, request: Request, session: SessionDep) -> Principal | None:
        if not self.api_keys and sends_api_key(request):
            raise Forbidden(API_KEY_REFUSED)
        principal = authenticate_request(request, session) if self.access.kind != "public" else None
        self.access.check(principal)
        api_keys.check_scope(principal, request.method)  # a read-only key may only GET
        return principal

    def __repr__(self) -> str:
        return f"Require({self.access.describe()})"


public = Require(PUBLIC)
signed_in = Require(SIGNED_IN)


def require_roles(*names: str) -> Require:
    return Require(roles(*names))


class MetricsReader(Require):
    """Who may read the Prometheus metrics (request counts per route, queues, failures): a
    request made on this machine (loopback, not through a proxy: a local scraper), one bearing
    METRICS_TOKEN (`Authorization: Bearer <token>`: a scraper elsewhere), or an admin. Anyone
    else: 401, or 403 when signed in."""

    def __init__(self) -> None:
        super().__init__(roles("admin"))

    def __call__(self, request: Request, session: SessionDep) -> Principal | None:
        if request_meta(request).local or _bears_metrics_token(request):
            return None
        return super().__call__(request, session)


def _bears_metrics_token(request: Request) -> bool:
    token = get_settings().metrics_token
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(credentials.strip().encode(), token.encode())
    )


metrics_reader = MetricsReader()


# For routes that need the principal: `principal: CurrentUser`.
CurrentUser = Annotated[Principal, Depends(signed_in)]
# The same, for account-security routes: signed in with a session, never with an API key.
SessionUser = Annotated[Principal, Depends(Require(SIGNED_IN, api_keys=False))]
# Public account-security routes (password reset) that an API key must not reach either.
public_no_api_key = Require(PUBLIC, api_keys=False)
# Kept for the downloads pages link to: every route now accepts the browser's session cookie.
BrowserUser = CurrentUser
# For routes of one role: `principal: StudentUser` (403 for anyone without the role).
StudentUser = Annotated[Principal, Depends(require_roles("student"))]
MentorUser = Annotated[Principal, Depends(require_roles("mentor"))]
AdminUser = Annotated[Principal, Depends(require_roles("admin"))]

# A paged list's query parameters: `page: Page = 1, page_size: PageSize = service.PAGE_SIZE`.
Page = Annotated[int, Query(ge=1, le=MAX_ID)]  # beyond, the offset leaves PostgreSQL's range
PageSize = Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX)]  # the services' own limit


def auth_rate_limit(request: Request) -> None:
    """Per-IP limit on the auth endpoints: 429 with Retry-After beyond it (see rate_limit).

    The address is the client's as services/network.py decides: X-Forwarded-For counts only
    from TRUSTED_PROXIES, so a client can't rotate it to escape.
    """
    from cyberhub.api import PREFIX  # noqa: PLC0415  (why: the cyberhub.api package imports this module)

    route = getattr(request.scope.get("route"), "path", None) or request.url.path
    # "/auth/login": the same allowance as the page doing the same thing.
    endpoint = route.removeprefix(PREFIX)
    rate_limit.hit_auth(endpoint, request_meta(request).ip)
