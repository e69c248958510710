"""A form sent twice in a row makes one thing.

A double click on a form's button, or Enter pressed twice, queues the second submit before the
first one's answer empties the form, so it arrives with the same text right after the first
was done. The page answers it with nothing (the first's notice stands, not "already exists").
The same text sent again later is a new request (typed again, after a withdrawal or an archive):
what a page has made is remembered for `AGAIN_SECONDS` only, far less than retyping takes. A
page keeps `made: dict[str, float]` (what it made -> when) in a private state var.
"""

from __future__ import annotations

import time

AGAIN_SECONDS = 5.0


def sent_again(made: dict[str, float], key: str) -> bool:
    """Whether `key` (the form's kind and what it sent) is what this page made just now."""
    return time.time() - made.get(key, 0.0) < AGAIN_SECONDS


def made_now(made: dict[str, float], key: str) -> dict[str, float]:
    """`made` with `key` made now (entries too old to matter dropped)."""
    now = time.time()
    return {k: at for k, at in made.items() if now - at < AGAIN_SECONDS} | {key: now}
