"""The JSON API under /api/v1: routers that only translate HTTP <-> services."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from cyberhub.api import (
    admin,
    admin_jobs,
    analytics,
    applications,
    auth,
    browser,
    catalog,
    certificates,
    coaching,
    consents,
    director,
    docs,
    embeddings,
    errors,
    exports,
    health,
    insights,
    learning,
    memberships,
    mentees,
    mfa,
    notifications,
    passwordless,
    profiling,
    recommendations,
    reviews,
    schedule,
    search,
    sponsorships,
)
from cyberhub.api.input_guard import RejectBadCharacters
from cyberhub.services.admin.metrics import count_request
from cyberhub.settings import VERSION

PREFIX = "/api/v1"
# Every router of the API; tests walk these to check each route declares its access rule.
ROUTERS = [
    health.router,
    auth.router,
    browser.router,
    passwordless.router,
    mfa.router,
    consents.router,
    admin.router,
    admin_jobs.router,
    profiling.router,
    learning.router,
    notifications.router,
    reviews.router,
    director.router,
    analytics.router,
    catalog.router,
    recommendations.router,
    search.router,
    embeddings.router,
    insights.router,
    memberships.router,
    applications.router,
    certificates.router,
    mentees.router,
    exports.router,
    coaching.router,
    sponsorships.router,
    schedule.router,
    docs.router,
]


def create_api() -> FastAPI:
    api = FastAPI(
        title="Ongoza CyberHub API",
        version=VERSION,
        description="Accounts, curriculum, learning and AI services of CyberHub.",
        openapi_url=f"{PREFIX}/openapi.json",
        # Swagger UI is served from this server by the docs router (no CDN); no ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    errors.install(api)
    errors.document(api)
    api.add_middleware(RejectBadCharacters, prefix=PREFIX)
    for router in ROUTERS:
        api.include_router(router, prefix=PREFIX)

    @api.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if request.url.path.startswith(PREFIX):
            path = getattr(request.scope.get("route"), "path", None)
            route = PREFIX + path if path else "unmatched"
            with contextlib.suppress(Exception):  # metrics must never break a request
                await run_in_threadpool(count_request, request.method, route, response.status_code)
        return response

    return api
