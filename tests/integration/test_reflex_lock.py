"""Reflex's Redis state lock with cyberhub.reflex_fixes: an event cancelled while its lock request
is in flight (the tab navigated away) does not leave the tab locked for the lock's 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis

from cyberhub import reflex_fixes
from tests.processes import run_in_own_loop

LOCK = b"tab-token_lock"


async def _cancelled_then_next(redis_url: str) -> tuple[Any, float]:
    """One event asks for the lock and is cancelled before Redis's reply is read; then the
    tab's next event asks. Returns the lock's holder after the cancel and the next one's wait."""
    redis = Redis.from_url(redis_url)
    # (mypy sees abstract methods that Reflex defines through a decorator)
    manager = StateManagerRedis(redis=redis)  # type: ignore[abstract]
    real_set = redis.set

    async def late_reply(*args: Any, **kwargs: Any) -> Any:
        answer = await real_set(*args, **kwargs)
        await asyncio.sleep(0.3)  # a busy event loop reads the reply late
        return answer

    redis.set = late_reply  # type: ignore[method-assign]
    first = asyncio.create_task(manager._wait_lock(LOCK, b"first"))
    await asyncio.sleep(0.1)
    first.cancel()  # the tab navigated: Reflex cancels the previous page's events
    with contextlib.suppress(asyncio.CancelledError):
        await first
    redis.set = real_set  # type: ignore[method-assign]
    await asyncio.sleep(0.4)  # the late reply arrives
    holder = await redis.get(LOCK)
    started = time.monotonic()
    await asyncio.wait_for(manager._wait_lock(LOCK, b"next"), timeout=15)
    waited = time.monotonic() - started
    await redis.delete(LOCK)
    await redis.aclose()
    return holder, waited


def test_a_cancelled_lock_request_does_not_lock_the_tab(redis_url: str) -> None:
    reflex_fixes.apply()
    holder, waited = run_in_own_loop(_cancelled_then_next(redis_url))
    assert holder is None  # the lock the cancelled event got was given back
    assert waited < 2  # not the 10 s of the lock's expiry


def test_the_fix_is_installed_once_and_checks_what_it_wraps() -> None:
    reflex_fixes.apply()
    reflex_fixes.apply()
    wrapped = StateManagerRedis._try_get_lock
    assert hasattr(wrapped, "__wrapped__")
    assert not hasattr(wrapped.__wrapped__, "__wrapped__")
