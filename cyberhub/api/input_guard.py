"""Refuse NUL characters and lone surrogates in API input (422), before any route sees them.

PostgreSQL text can't hold NUL (0x00), and no name, note or search term needs one: a NUL in the
query string, a JSON body, a URL-encoded form or a text body (CSV) answers 422 with a
{"detail": ...} naming where it was. File uploads (multipart) are not inspected: files may be
binary, and the file name is cleaned by the service.

A JSON string may also escape one half of a UTF-16 surrogate pair alone ("\\ud800"). That is no
character: it can't be encoded as UTF-8, so a message naming the value (or a column storing it)
would fail with a 500. A JSON body holding one, in any string or key, answers 422 the same way,
as does one nested deeper than MAX_DEPTH (Python's parser gives up on a few thousand levels).
(A query string or form is percent-encoded bytes, decoded with replacement: no surrogate gets
through those.)
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cyberhub.services import text as free_text

NUL_MESSAGE = "The request contains a NUL character (\\u0000), which is not allowed in {where}."
SURROGATE_MESSAGE = (
    "The request contains a lone surrogate (\\ud800 to \\udfff without its other half), which "
    "is not a character, in {where}."
)
_SURROGATE = re.compile("[\ud800-\udfff]")


# No request needs JSON nested deeper than this (a rubric is 3 levels); far deeper would make
# Python's JSON parser, or anything walking the document, run out of stack (a 500).
MAX_DEPTH = 32
DEPTH_MESSAGE = f"The request body is nested too deeply (more than {MAX_DEPTH} levels)."


def _refused(document: Any) -> str | None:
    """The message (with {where}) for a decoded JSON document nested deeper than MAX_DEPTH or
    holding a string (or key) with a NUL or a lone surrogate; None when it is fine. Walked with
    a stack of its own, not by recursion."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return NUL_MESSAGE
            if _SURROGATE.search(value):
                return SURROGATE_MESSAGE
        elif isinstance(value, list | dict):
            if depth >= MAX_DEPTH:
                return DEPTH_MESSAGE
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return None


def _body_refused(content_type: str, body: bytes) -> str | None:
    if "json" in content_type:
        try:
            return _refused(json.loads(body))
        except RecursionError:  # thousands of levels: the parser itself ran out of stack
            return DEPTH_MESSAGE
        except ValueError:  # not JSON: the route answers 422 for that itself
            return None
    if "x-www-form-urlencoded" in content_type:
        return NUL_MESSAGE if b"\x00" in unquote_to_bytes(body.replace(b"+", b" ")) else None
    if content_type.startswith("text/"):
        return NUL_MESSAGE if b"\x00" in body else None
    return None


class RejectBadCharacters:
    """ASGI middleware: 422 for a NUL in the query string or a (non-file) request body, or a
    lone surrogate in a JSON body, of a request under `prefix` (the API; the pages mounted
    beside it are left alone)."""

    def __init__(self, app: ASGIApp, prefix: str = "") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await _refuse(send, NUL_MESSAGE, "the query string")
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if not any(k in content_type for k in ("json", "x-www-form-urlencoded", "text/")):
            await self.app(scope, receive, send)
            return
        # Read the body once (these bodies are small), check it, then replay it to the route.
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        refused = _body_refused(content_type, body)
        if refused:
            await _refuse(send, refused, "the request body")
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _refuse(send: Send, message: str, where: str) -> None:
    body = json.dumps({"detail": message.format(where=where)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# -- request-size caps (uploads) ------------------------------------------------------------------


class BodyTooLarge(Exception):
    """The request body went past its cap; nothing beyond the cap was passed on."""


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, when it sends a valid one."""
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if free_text.digits(text) and len(text) < 20 else None
    return None


def capped_receive(receive: Receive, limit: int) -> Receive:
    """`receive`, raising BodyTooLarge as soon as the body passes `limit` bytes.

    The chunk that crosses the limit is the last one read: the rest of the body stays unread.
    """
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped
