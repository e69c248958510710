"""FastAPI dependencies: the database session, request metadata and access rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from cyberhub import db
from cyberhub.services import accounts
from cyberhub.services.audit import RequestMeta
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.permissions import PUBLIC, SIGNED_IN, Access, Principal, roles


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
    """The principal behind `Authorization: Bearer <jwt>`, or None when no credentials are sent."""
    header = request.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthenticated("Use 'Authorization: Bearer <token>'.")
    return accounts.principal_from_access_token(session, credentials.strip())


class Require:
    """A route's declared access rule, as a dependency returning the principal (or None)."""

    def __init__(self, access: Access) -> None:
        self.access = access

    def __call__(self, request: Request, session: SessionDep) -> Principal | None:
        principal = authenticate_request(request, session) if self.access.kind != "public" else None
        self.access.check(principal)
        return principal

    def __repr__(self) -> str:
        return f"Require({self.access.describe()})"


public = Require(PUBLIC)
signed_in = Require(SIGNED_IN)


def require_roles(*names: str) -> Require:
    return Require(roles(*names))


# For routes that need the principal: `principal: CurrentUser`.
CurrentUser = Annotated[Principal, Depends(signed_in)]
