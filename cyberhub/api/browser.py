"""auth/browser: the two whole-page loads that set and clear the browser's HttpOnly session cookie.

Pages can't set an HttpOnly cookie, so a sign-in page sends the tab here with a single-use code
(services/identity/browser_sessions.py); sign-out revokes the session over the websocket, then comes here
to have the cookie removed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from cyberhub.api.deps import MetaDep, SessionDep, public
from cyberhub.services.errors import Unauthenticated
from cyberhub.services.identity import browser_sessions
from cyberhub.settings import get_settings

router = APIRouter(prefix="/auth/browser", tags=["auth"])
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def _secure(request: Request) -> bool:
    """Secure cookies when CyberHub is served over https (directly or per PUBLIC_URL)."""
    public_url = get_settings().public_url or ""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https" or public_url.startswith("https:")


def redirect_route(path: str, description: str) -> Callable[[Endpoint], Endpoint]:
    """A public GET route of this router that answers 303 (`description` says where to)."""
    return router.get(
        path,
        status_code=303,
        response_class=RedirectResponse,
        responses={303: {"description": description}},
        dependencies=[Depends(public)],
    )


def _see_other(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _clear_cookies(response: RedirectResponse, secure: bool) -> None:
    for name in (browser_sessions.SESSION_COOKIE, *browser_sessions.LEGACY_COOKIES):
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="strict")


# No per-IP limit: the code is 256 random bits, and behind a proxy every user shares one address.
@redirect_route("/complete", "The cookie is set (or not); on to `next` or to sign-in.")
def complete(
    request: Request,
    session: SessionDep,
    meta: MetaDep,
    code: str = Query(default="", max_length=browser_sessions.MAX_CODE_LENGTH),
    next: str = Query(default=browser_sessions.DEFAULT_NEXT, max_length=2000),  # noqa: A002
) -> RedirectResponse:
    """Spend a sign-in page's single-use code: set the session cookie, then 303 to `next`.

    `next` must be a path on this site. An expired or used code goes back to sign-in.
    """
    target = browser_sessions.safe_next(next)
    # Only CyberHub's own pages send a tab here: a link from another site must not sign the
    # visitor in to someone else's account (login CSRF). Browsers without the header pass.
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return _see_other("/signin?" + urlencode({"next": target}))
    try:
        started = browser_sessions.complete_sign_in(session, code, meta)
    except Unauthenticated:
        return _see_other("/signin?" + urlencode({"expired": "1", "next": target}))
    secure = _secure(request)
    response = _see_other(browser_sessions.landing(target, started.principal.roles))
    _clear_cookies(response, secure)
    response.set_cookie(
        browser_sessions.SESSION_COOKIE,
        started.token,
        max_age=started.max_age_seconds,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    return response


@redirect_route("/signout", "The cookie is removed; on to the sign-in page.")
def signout(request: Request, session: SessionDep) -> RedirectResponse:
    """Remove the session cookie once the session is revoked (the sign-out button does that).

    A live session is left alone, so a link from another site can't sign anyone out.
    """
    token = request.cookies.get(browser_sessions.SESSION_COOKIE, "")
    if token and browser_sessions.is_live(session, token):
        return _see_other(browser_sessions.DEFAULT_NEXT)
    response = _see_other(browser_sessions.SIGNED_OUT_URL)
    _clear_cookies(response, _secure(request))
    return response
