"""Reflex's Redis state lock with cyberhub.reflex_fixes: an event cancelled while its lock request
is in flight (the tab navigated away) does not leave the tab locked for the lock's 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import SimpleNamespace
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
    for name in ("_try_get_lock", "_wait_lock", "_lock"):
        wrapped = getattr(StateManagerRedis, name)
        assert getattr(wrapped, "_cyberhub_fix", False), name
        assert not getattr(wrapped.__wrapped__, "_cyberhub_fix", False), name


async def _cancelled_after_getting_it(redis_url: str) -> tuple[Any, float]:
    """The tab's event waits for the lock behind another; it gets it, and is cancelled while
    Reflex is still tidying its list of waiters (that needs the manager's own asyncio lock,
    held here by someone else for a moment). Returns the lock's holder and the next one's wait."""
    redis = Redis.from_url(redis_url)
    manager = StateManagerRedis(redis=redis)  # type: ignore[abstract]
    await manager._wait_lock(LOCK, b"first")
    second = asyncio.create_task(manager._wait_lock(LOCK, b"second"))
    await asyncio.sleep(0.2)  # the second waits in line
    async with manager._state_manager_lock:
        await redis.delete(LOCK)
        manager._notify_next_waiter(LOCK)  # the first event's release
        for _ in range(100):
            if await redis.get(LOCK) == b"second":
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)
        second.cancel()  # the tab navigated while the second tidied up
    with contextlib.suppress(asyncio.CancelledError):
        await second
    await asyncio.sleep(0.4)
    holder = await redis.get(LOCK)
    started = time.monotonic()
    await asyncio.wait_for(manager._wait_lock(LOCK, b"next"), timeout=15)
    waited = time.monotonic() - started
    await redis.delete(LOCK)
    await redis.aclose()
    return holder, waited


def test_a_lock_got_just_before_a_cancel_does_not_lock_the_tab(redis_url: str) -> None:
    reflex_fixes.apply()
    holder, waited = run_in_own_loop(_cancelled_after_getting_it(redis_url))
    assert holder is None
    assert waited < 2


async def _cancelled_again_while_releasing(redis_url: str) -> tuple[Any, float]:
    """An event holding the lock is cancelled (the tab reloaded); while its release is on the
    wire a second cancel arrives (the disconnect cancels what the chain's cancel already did).
    Then the tab's next event asks. Returns the lock's holder and the next one's wait."""
    redis = Redis.from_url(redis_url)
    manager = StateManagerRedis(redis=redis)  # type: ignore[abstract]
    real_getdel = redis.getdel
    releasing = asyncio.Event()

    async def slow_release(*args: Any, **kwargs: Any) -> Any:
        releasing.set()
        await asyncio.sleep(0.3)  # a busy event loop: the release has not gone out yet
        return await real_getdel(*args, **kwargs)

    redis.getdel = slow_release  # type: ignore[method-assign]
    holding = asyncio.Event()

    async def event() -> None:
        async with manager._lock(SimpleNamespace(lock_key="tab-token")):  # type: ignore[arg-type]
            holding.set()
            await asyncio.sleep(30)  # the handler's work

    task = asyncio.create_task(event())
    await holding.wait()
    task.cancel()
    await releasing.wait()
    task.cancel()  # the second cancel lands in the release
    with contextlib.suppress(asyncio.CancelledError):
        await task
    redis.getdel = real_getdel  # type: ignore[method-assign]
    await asyncio.sleep(0.4)
    holder = await redis.get(LOCK)
    started = time.monotonic()
    await asyncio.wait_for(manager._wait_lock(LOCK, b"next"), timeout=15)
    waited = time.monotonic() - started
    await redis.delete(LOCK)
    await redis.aclose()
    return holder, waited


def test_a_release_cut_by_a_second_cancel_does_not_lock_the_tab(redis_url: str) -> None:
    reflex_fixes.apply()
    holder, waited = run_in_own_loop(_cancelled_again_while_releasing(redis_url))
    assert holder is None  # the lock was given back although its release was cut
    assert waited < 2  # not the 10 s of the lock's expiry
