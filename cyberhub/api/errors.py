"""Every error leaves the API as {"detail": ...}; nothing answers with a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from cyberhub.outages import OUTAGE_ERRORS, RETRY_AFTER_S, UNAVAILABLE
from cyberhub.services.errors import (
    CHANGED_AT_ONCE,
    DomainError,
    Locked,
    MfaRequired,
    RateLimited,
    is_changed_at_once,
)

log = logging.getLogger(__name__)


def _field(loc: tuple[object, ...] | list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def install(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        headers = {}
        if isinstance(exc, Locked | RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        body: dict[str, object] = {"detail": exc.message}
        if isinstance(exc, MfaRequired):
            body["mfa_required"] = True  # the client asks for the code and retries with it
        return JSONResponse(body, status_code=exc.status_code, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid request."
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @api.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSONResponse:
        # A value PostgreSQL refuses (a number beyond its column's range...) that got past the
        # request's types: the input is wrong, not the server. Logged so the type gets fixed.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"detail": "A value in the request is out of range or not allowed."}, status_code=422
        )

    async def changed_at_once(request: Request, exc: Exception) -> JSONResponse:
        if not is_changed_at_once(exc):
            return await unexpected(request, exc)
        # Two requests changed one row at once and no lock made them take turns: the second is
        # told, not failed. Logged so the rule gets its lock.
        log.warning("changed at once on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": CHANGED_AT_ONCE}, status_code=409)

    api.add_exception_handler(IntegrityError, changed_at_once)
    api.add_exception_handler(StaleDataError, changed_at_once)

    async def outage(request: Request, exc: Exception) -> JSONResponse:
        # PostgreSQL or Redis is restarting: the client should retry, nothing is wrong with its
        # request (see cyberhub/outages.py). The next request after the restart reconnects.
        log.warning("outage on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"detail": UNAVAILABLE},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    for error in OUTAGE_ERRORS:
        api.add_exception_handler(error, outage)

    @api.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": "Something went wrong on our side. Please try again."}, status_code=500
        )


# The body every 422 has (see `validation_error` above), as the OpenAPI document describes it
# in place of FastAPI's default (a list of pydantic errors under "detail").
VALIDATION_ERROR_SCHEMA = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def document(api: FastAPI) -> None:
    """Make the OpenAPI document describe the error bodies the API really sends."""
    generate = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema:
            return api.openapi_schema
        schema = generate()
        components = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in components:
            components["HTTPValidationError"] = VALIDATION_ERROR_SCHEMA
            components.pop("ValidationError", None)
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]
