"""A fix to Reflex 0.10's Redis state lock: a cancelled event must not leave a tab locked.

Reflex keeps each tab's state behind a Redis lock (`SET key id NX PX lock_expiration`, 10 s by
default). Reflex cancels a page's on_load chain when the tab navigates again, rehydrates,
reloads or disconnects; a cancellation that lands at the wrong await leaves the key set with
nobody to delete it, and the tab's next events (the next page's access check) wait the whole
10 s for it to expire. That is the "Checking access…" for 10 s that browser journeys met now and
then under load. Three places, each shown by `tests/integration/test_reflex_lock.py`:

- `_try_get_lock` sends the SET and awaits the reply. Cancelled in between, Redis has set the key
  but the waiter is gone. The SET now runs shielded from the cancellation, and when the waiter is
  gone by the time it answers, a lock it did get is given back.
- `_wait_lock` has more awaits after the lock is got (its waiter bookkeeping); a cancellation
  there leaves a lock that `_lock` never learnt it held. It is given back too.
- `_lock` releases in a `finally` with one more await (GETDEL). A second cancellation while that
  is on the wire (the chain's cancel, then the disconnect's) cuts the release: the reload of
  test_director_missions17 waited out the lock in CI. The lock is given back after it.

Giving back deletes the key only if it still holds this event's id (another event may own it by
then) and wakes the next waiter in this process, as Reflex's own release does. It runs in a task
of its own, which no tab's cancellation reaches. Nothing else changes. `apply()` checks the
methods it wraps, so a Reflex upgrade that renames or reshapes them fails at start-up and in the
test, not silently.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from reflex.istate.manager.redis import StateManagerRedis

log = logging.getLogger(__name__)

# KEYS[1] the lock, ARGV[1] the id that took it: delete it only if that id still holds it.
_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

_TryGetLock = Callable[[StateManagerRedis, bytes, bytes], Coroutine[Any, Any, bool | None]]
_give_backs: set[asyncio.Task[None]] = set()  # running give-backs (kept from the collector)


async def _give_back(manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> None:
    try:
        await manager.redis.eval(_GIVE_BACK, 1, lock_key, lock_id)  # type: ignore[misc]
    except Exception:  # Redis away: the lock's own expiry ends it, as before this fix
        log.warning("could not give back the state lock %r", lock_key, exc_info=True)
        return
    manager._notify_next_waiter(lock_key)


def _give_back_later(manager: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> None:
    """Give the lock back from a task of its own, out of reach of the cancelled event's tab."""
    task = asyncio.get_running_loop().create_task(_give_back(manager, lock_key, lock_id))
    _give_backs.add(task)
    task.add_done_callback(_give_backs.discard)


def _after_cancel(
    manager: StateManagerRedis, lock_key: bytes, lock_id: bytes
) -> Callable[..., None]:
    def done(attempt: asyncio.Future[bool | None]) -> None:
        if attempt.cancelled() or attempt.exception() is not None or not attempt.result():
            return
        _give_back_later(manager, lock_key, lock_id)

    return done


def _cancel_safe(original: _TryGetLock) -> _TryGetLock:
    async def _try_get_lock(
        self: StateManagerRedis, lock_key: bytes, lock_id: bytes
    ) -> bool | None:
        attempt = asyncio.ensure_future(original(self, lock_key, lock_id))
        try:
            return await asyncio.shield(attempt)
        except asyncio.CancelledError:
            attempt.add_done_callback(_after_cancel(self, lock_key, lock_id))
            raise

    return _try_get_lock


_WaitLock = Callable[[StateManagerRedis, bytes, bytes], Coroutine[Any, Any, None]]


def _wait_cancel_safe(original: _WaitLock) -> _WaitLock:
    async def _wait_lock(self: StateManagerRedis, lock_key: bytes, lock_id: bytes) -> None:
        try:
            await original(self, lock_key, lock_id)
        except asyncio.CancelledError:
            _give_back_later(self, lock_key, lock_id)  # a no-op unless it had got the lock
            raise

    return _wait_lock


_Lock = Callable[..., AbstractAsyncContextManager[bytes]]


def _release_cancel_safe(original: _Lock) -> _Lock:
    @asynccontextmanager
    async def _lock(
        self: StateManagerRedis, token: Any, event_name: str | None = None
    ) -> AsyncIterator[bytes]:
        held: bytes | None = None
        try:
            async with original(self, token, event_name=event_name) as lock_id:
                held = lock_id
                yield lock_id
        except asyncio.CancelledError:
            if held is not None:  # its release may have been cut: a no-op if it went out
                _give_back_later(self, self._lock_key(token), held)
            raise

    return _lock


# Set on each wrapper. (`__wrapped__` can't tell: Reflex's `_lock` already has one, set by its
# own asynccontextmanager decorator.)
_MARK = "_cyberhub_fix"

# The methods wrapped, with the parameters each wrapper expects and the wrapper.
_WRAPPERS: dict[str, tuple[list[str], Callable[[Any], Any]]] = {
    "_try_get_lock": (["self", "lock_key", "lock_id"], _cancel_safe),
    "_wait_lock": (["self", "lock_key", "lock_id"], _wait_cancel_safe),
    "_lock": (["self", "token", "event_name"], _release_cancel_safe),
}


def apply() -> None:
    """Install the fix (idempotent)."""
    if not hasattr(StateManagerRedis, "_notify_next_waiter") or not hasattr(
        StateManagerRedis, "_lock_key"
    ):
        raise RuntimeError(
            "Reflex's StateManagerRedis changed: review cyberhub/reflex_fixes.py for this version"
        )
    for name, (params, wrap) in _WRAPPERS.items():
        current: Any = getattr(StateManagerRedis, name)
        if getattr(current, _MARK, False):
            continue
        if list(inspect.signature(current).parameters) != params:
            raise RuntimeError(
                f"Reflex's StateManagerRedis.{name} changed: review cyberhub/reflex_fixes.py"
            )
        patched = wrap(current)
        setattr(patched, _MARK, True)
        patched.__wrapped__ = current
        setattr(StateManagerRedis, name, patched)
