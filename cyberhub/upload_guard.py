"""An ASGI middleware in front of Reflex's upload endpoint (`POST /_upload`).

Reflex reads and spools the whole multipart body before it runs the upload handler, which is
where the page would check who is signed in. This middleware answers first, reading nothing:
- a declared Content-Length above the cap: 413;
- an upload handler nobody declared (`declare`), or a client whose session (the state of the
  `reflex-client-token`, through SessionState.principal) may not use it: 401 / 403;
then it passes the request on, counting the body: past the cap it stops reading and answers 413
(the handler never runs). Every answer is JSON {"detail": ...}, like the API's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from reflex.istate.manager.token import BaseStateToken
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cyberhub.api.input_guard import BodyTooLarge, capped_receive, declared_length
from cyberhub.services.errors import DomainError, Unauthenticated
from cyberhub.services.identity.permissions import Access, Principal
from cyberhub.services.learning.submissions import MAX_UPLOAD_REQUEST_BYTES, TOO_LARGE_MESSAGE

UPLOAD_PATH = "/_upload"
# Upload handler name (as Reflex sends it in `reflex-event-handler`) -> who may upload to it.
_RULES: dict[str, Access] = {}

PrincipalLookup = Callable[[str], Awaitable[Principal | None]]


def declare(handler: Any, access: Access) -> None:
    """Declare an `rx.upload` handler (an event handler) and who may send files to it."""
    _RULES[f"{handler.state_full_name}.{handler.fn.__name__}"] = access


def rules() -> dict[str, Access]:
    return dict(_RULES)


async def session_principal(app: Any, client_token: str) -> Principal | None:
    """Who is signed in on the browser tab with this client token (its SessionState)."""
    from cyberhub.state.session import SessionState  # noqa: PLC0415  (why: pages/mission.py imports this module and the session state reaches the pages through the registry)

    # modify_state (not a read-only copy): a silently refreshed token is kept for the handler.
    async with app.modify_state(BaseStateToken(ident=client_token, cls=SessionState)) as root:
        session_state = await root.get_state(SessionState)
        return await session_state.principal()


def upload_guard(
    principal_for: PrincipalLookup, limit: int = MAX_UPLOAD_REQUEST_BYTES
) -> Callable[[ASGIApp], ASGIApp]:
    """The middleware, as an `api_transformer` entry of rx.App; `principal_for(client_token)`
    says who is signed in (the app uses `session_principal`)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def guard(scope: Scope, receive: Receive, send: Send) -> None:
            if not (
                scope["type"] == "http"
                and scope.get("method") == "POST"
                and scope.get("path", "").rstrip("/").endswith(UPLOAD_PATH)
            ):
                await app(scope, receive, send)
                return
            length = declared_length(scope)
            if length is not None and length > limit:
                await _answer(send, 413, TOO_LARGE_MESSAGE)
                return
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            token = headers.get("reflex-client-token", "")
            access = _RULES.get(headers.get("reflex-event-handler", ""))
            if not token or access is None:
                await _answer(send, 403, "Files can't be uploaded here.")
                return
            try:
                access.check(await principal_for(token))
            except Unauthenticated:
                await _answer(send, 401, "Sign in to upload files.")
                return
            except DomainError:
                await _answer(send, 403, "Your account can't upload files here.")
                return
            await _pass_capped(app, scope, receive, send, limit)

        return guard

    return wrap


async def _pass_capped(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int
) -> None:
    """Run the upload endpoint; past `limit` bytes it sees a disconnect and the client a 413."""
    counted = capped_receive(receive, limit)
    too_large = False
    started = False

    async def receive_until_cap() -> Message:
        nonlocal too_large
        try:
            return await counted()
        except BodyTooLarge:
            too_large = True
            return {"type": "http.disconnect"}

    async def send_unless_refused(message: Message) -> None:
        nonlocal started
        if too_large:
            return  # the endpoint's answer to the "disconnect" is replaced by the 413
        started = True
        await send(message)

    await app(scope, receive_until_cap, send_unless_refused)
    if too_large and not started:
        await _answer(send, 413, TOO_LARGE_MESSAGE)


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
