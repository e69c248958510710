"""A fix to Reflex 0.10's Redis state lock: a cancelled event must not leave a tab locked.

Reflex keeps each tab's state behind a Redis lock (`SET key id NX PX lock_expiration`, 10 s by
default). `StateManagerRedis._try_get_lock` sends that SET and awaits the reply. When the event
waiting for the lock is cancelled in between — Reflex cancels a page's on_load chain when the tab
navigates again, rehydrates or disconnects — Redis has set the key but nobody owns it: nothing
deletes it, so the tab's next events (the next page's access check) wait the whole 10 s for it to
expire. On a busy machine the reply sits unread for a while, and the window is wide. That is the
"Checking access…" for 10 s that browser journeys met now and then under load;
`tests/integration/test_reflex_lock.py` shows it with a late reply.

`apply()` wraps that one method: the SET runs shielded from the cancellation, and when the waiter
is gone by the time it answers, a lock it did get is given back at once (deleted only if it still
holds this id) and the next waiter in this process is woken, as Reflex's own release does.
Nothing else changes. The wrapper checks the method it replaces, so a Reflex upgrade that renames
or reshapes it fails at start-up and in the test, not silently.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
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


def _after_cancel(
    manager: StateManagerRedis, lock_key: bytes, lock_id: bytes
) -> Callable[..., None]:
    def done(attempt: asyncio.Future[bool | None]) -> None:
        if attempt.cancelled() or attempt.exception() is not None or not attempt.result():
            return
        task = asyncio.get_running_loop().create_task(_give_back(manager, lock_key, lock_id))
        _give_backs.add(task)
        task.add_done_callback(_give_backs.discard)

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

    _try_get_lock.__wrapped__ = original  # type: ignore[attr-defined]
    return _try_get_lock


def apply() -> None:
    """Install the fix (idempotent)."""
    current: Any = StateManagerRedis._try_get_lock
    if hasattr(current, "__wrapped__"):
        return
    params = list(inspect.signature(current).parameters)
    if params != ["self", "lock_key", "lock_id"] or not hasattr(
        StateManagerRedis, "_notify_next_waiter"
    ):
        raise RuntimeError(
            "Reflex's StateManagerRedis changed: review cyberhub/reflex_fixes.py for this version"
        )
    patched: Any = _cancel_safe(current)
    StateManagerRedis._try_get_lock = patched  # type: ignore[method-assign]
