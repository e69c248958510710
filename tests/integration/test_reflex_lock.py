"""Reflex's Redis state lock with cyberhub.reflex_fixes: an event cancelled at any of the awaits
around its lock (the tab navigated away, reloaded or disconnected) does not leave the tab locked
for the lock's 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from redis.asyncio import Redis
from reflex.istate.manager.redis import StateManagerRedis

from cyberhub import reflex_fixes
from tests.processes import run_in_own_loop

LOCK = b"tab-token_lock"
Scenario = Callable[[StateManagerRedis, Redis], Awaitable[None]]


async def _cancelled(task: asyncio.Task[Any]) -> None:
    task.cancel()  # the tab navigated: Reflex cancels the previous page's events
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _request_in_flight(manager: StateManagerRedis, redis: Redis) -> None:
    """An event asks for the lock and is cancelled before Redis's reply is read."""
    real_set = redis.set

    async def late_reply(*args: Any, **kwargs: Any) -> Any:
        answer = await real_set(*args, **kwargs)
        await asyncio.sleep(0.3)  # a busy event loop reads the reply late
        return answer

    redis.set = late_reply  # type: ignore[method-assign]
    first = asyncio.create_task(manager._wait_lock(LOCK, b"first"))
    await asyncio.sleep(0.1)
    await _cancelled(first)
    redis.set = real_set  # type: ignore[method-assign]


async def _got_it_while_tidying(manager: StateManagerRedis, redis: Redis) -> None:
    """An event waits for the lock behind another; it gets it, and is cancelled while Reflex is
    still tidying its list of waiters (that needs the manager's own asyncio lock, held here by
    someone else for a moment)."""
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
        second.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await second


async def _release_cut(manager: StateManagerRedis, redis: Redis) -> None:
    """An event holding the lock is cancelled (the tab reloaded); while its release is on the
    wire a second cancel arrives (the disconnect cancels what the chain's cancel already did)."""
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
    await _cancelled(task)  # the second cancel lands in the release
    redis.getdel = real_getdel  # type: ignore[method-assign]


async def _then_next(redis_url: str, scenario: Scenario) -> tuple[Any, float]:
    """Run `scenario`, then the tab's next event asks for the lock. Returns the lock's holder
    once the scenario's replies are in, and how long the next event waited."""
    redis = Redis.from_url(redis_url)
    # (mypy sees abstract methods that Reflex defines through a decorator)
    manager = StateManagerRedis(redis=redis)  # type: ignore[abstract]
    await scenario(manager, redis)
    await asyncio.sleep(0.4)  # late replies arrive
    holder = await redis.get(LOCK)
    started = time.monotonic()
    await asyncio.wait_for(manager._wait_lock(LOCK, b"next"), timeout=15)
    waited = time.monotonic() - started
    await redis.delete(LOCK)
    await redis.aclose()
    return holder, waited


@pytest.mark.parametrize(
    "scenario",
    [_request_in_flight, _got_it_while_tidying, _release_cut],
    ids=["request-in-flight", "got-it-while-tidying", "release-cut-by-a-second-cancel"],
)
def test_a_cancelled_event_does_not_lock_the_tab(redis_url: str, scenario: Scenario) -> None:
    reflex_fixes.apply()
    holder, waited = run_in_own_loop(_then_next(redis_url, scenario))
    assert holder is None  # the lock the cancelled event had (or was getting) was given back
    assert waited < 2  # not the 10 s of the lock's expiry


def test_the_fix_is_installed_once_and_checks_what_it_wraps() -> None:
    reflex_fixes.apply()
    reflex_fixes.apply()
    for name in ("_try_get_lock", "_wait_lock", "_lock"):
        wrapped = getattr(StateManagerRedis, name)
        assert getattr(wrapped, "_cyberhub_fix", False), name
        assert not getattr(wrapped.__wrapped__, "_cyberhub_fix", False), name
