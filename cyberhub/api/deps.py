"""FastAPI dependencies: the database session, request metadata and access rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session

from cyberhub import db
from cyberhub.models.base import MAX_ID
from cyberhub.services import accounts, api_keys
from cyberhub.services.audit import RequestMeta
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.permissions import PUBLIC, SIGNED_IN, Access, Principal, roles

# A path id outside 1..MAX_ID (the range of the integer id columns) can name no row, so it is
# refused (422) before any query. Every `{..._id}` path parameter uses this type.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def get_session() -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back if it raises."""
    with db.session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def request_meta(request: Request) -> RequestMeta:
    ip = request.headers.get("x-forwarded-for", "").split(",")[0].strip() or (
        request.client.host if request.client else None
    )
    return RequestMeta(ip=ip, user_agent=request.headers.get("user-agent", ""))


MetaDep = Annotated[RequestMeta, Depends(request_meta)]


def authenticate_request(request: Request, session: Session) -> Principal | None:
    """The principal behind the request's credentials, or None when none are sent.

    Accepted: `Authorization: Bearer <jwt>`, `Authorization: Bearer chk_...` (an API key) or
    `X-API-Key: chk_...`. An API key's principal carries its scopes (see services/api_keys.py).
    """
    api_key = request.headers.get("x-api-key", "").strip()
    if api_key:
        return api_keys.authenticate(session, api_key)
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <token>' or 'X-API-Key: <key>'.")
    if api_keys.looks_like_key(credentials.strip()):
        return api_keys.authenticate(session, credentials.strip())
    return accounts.principal_from_access_token(session, credentials.strip())


# The browser's access-token cookie (state/session.py). Only routes declared with
# `Require(..., cookie=True)` accept it: read-only downloads a page links to (a plain <a href>
# can't send a bearer header). The cookie is SameSite=strict, so other sites can't ride on it.
ACCESS_COOKIE = "ch_access"


class Require:
    """A route's declared access rule, as a dependency returning the principal (or None)."""

    def __init__(self, access: Access, *, cookie: bool = False) -> None:
        self.access = access
        self.cookie = cookie

    def __call__(self, request: Request, session: SessionDep) -> Principal | None:
        principal = authenticate_request(request, session) if self.access.kind != "public" else None
        if principal is None and self.cookie and request.method == "GET":
            token = request.cookies.get(ACCESS_COOKIE, "").strip()
            if token:
                principal = accounts.principal_from_access_token(session, token)
        self.access.check(principal)
        api_keys.check_scope(principal, request.method)  # a read-only key may only GET
        return principal

    def __repr__(self) -> str:
        return f"Require({self.access.describe()})"


public = Require(PUBLIC)
signed_in = Require(SIGNED_IN)


def require_roles(*names: str) -> Require:
    return Require(roles(*names))


# For routes that need the principal: `principal: CurrentUser`.
CurrentUser = Annotated[Principal, Depends(signed_in)]
# The same, also accepting the browser's access cookie (GET downloads linked from pages).
BrowserUser = Annotated[Principal, Depends(Require(SIGNED_IN, cookie=True))]


def auth_rate_limit(request: Request) -> None:
    """Per-IP limit on the auth endpoints: 429 with Retry-After beyond it (see rate_limit).

    The address is the TCP peer, not X-Forwarded-For, which a client could rotate to escape.
    """
    from cyberhub.api import PREFIX
    from cyberhub.services import rate_limit

    route = getattr(request.scope.get("route"), "path", None) or request.url.path
    # "/auth/login": the same allowance as the page doing the same thing.
    endpoint = route.removeprefix(PREFIX)
    rate_limit.hit_auth(endpoint, request.client.host if request.client else None)
