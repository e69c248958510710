"""Live updates: "user U: topic T changed", pushed to the pages that user has open.

Writers (services, worker actors) call `changed(session, user_id, topic, ...)`: once the
session's transaction commits, one message per user goes out on a single Redis pub/sub channel
(dropped on rollback, like jobs.py's jobs). Publishing never breaks the write: with Redis down
the change is logged and the page catches up on its next load.

Readers (the web process) share ONE pub/sub connection per process, `hub()`, which fans each
message out to per-user asyncio queues: `async with hub().listen(user_id) as listener:
topics = await listener.next()`. The connection opens with the first listener and closes with
the last, and a lost connection is re-made (with every listener told "everything may have
changed" once it is back). The message carries ids and topic names only, never content: a page
reloads what changed through its own service call, so permissions are checked as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import redis.asyncio as aioredis
from sqlalchemy.orm import Session as SASession

from cyberhub.after_commit import AfterCommit
from cyberhub.redis_client import get_redis, redis_url

log = logging.getLogger(__name__)

CHANNEL = "cyberhub:live"

# The topics pages listen for.
SUBMISSION = "submission"  # a learner's attempt changed status (claimed, reviewed)
NOTIFICATIONS = "notifications"  # a notification was added (the bell's count)
INSIGHTS = "insights"  # the learner's work-style analysis was (re)written
QUEUE = "queue"  # a mentor's review queue changed (a submission waits for them)
RECOMMENDATIONS = "recommendations"  # the learner's stored list was recomputed
COACH = "coach"  # the learner's AI coach plan was (re)written
EVERYTHING = "*"  # after a lost connection: anything may have changed

# A listener that falls this far behind loses nothing that matters: it reloads on what it has.
QUEUE_SIZE = 32
RECONNECT_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0)
HEALTH_CHECK_S = 30.0


# --- writing: after commit ----------------------------------------------------------------------


def changed(session: SASession, user_id: int, *topics: str) -> None:
    """Tell `user_id`'s open pages that `topics` changed, once `session` commits."""
    if topics and user_id:
        _PENDING.add(session, (int(user_id), tuple(topics)))


def publish(changes: Iterable[tuple[int, Iterable[str]]]) -> int:
    """Publish `(user_id, topics)` now, one message per user; the number sent. Never raises."""
    merged: dict[int, set[str]] = {}
    for user_id, topics in changes:
        merged.setdefault(user_id, set()).update(topics)
    sent = 0
    try:
        client = get_redis()
        for user_id, topics in merged.items():
            client.publish(CHANNEL, json.dumps({"u": user_id, "t": sorted(topics)}))
            sent += 1
    except Exception:
        # The write has committed; a page that misses this catches up on its next load.
        log.warning("live: could not publish %s", merged, exc_info=True)
    return sent


_PENDING: AfterCommit[tuple[int, tuple[str, ...]]] = AfterCommit("cyberhub_live_changes", publish)


def connection_count() -> int:
    """How many pub/sub connections listen (one per web process with a live page open)."""
    counts = get_redis().pubsub_numsub(CHANNEL)
    return int(counts[0][1]) if counts else 0


# --- reading: one connection per process, fanned out per user ---------------------------------


# Listeners open in this process, over all hubs (the metrics' cyberhub_live_listeners).
_open_listeners = 0


def listeners_in_process() -> int:
    """How many listeners (open signed-in tabs) this process holds right now."""
    return _open_listeners


class Listener:
    """One open page's subscription to its user's changes."""

    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self._queue: asyncio.Queue[frozenset[str]] = asyncio.Queue(QUEUE_SIZE)

    def _offer(self, topics: frozenset[str]) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(topics)

    def wake(self) -> None:
        """Wake `next()` with no change (its owner then checks whether it should go on)."""
        self._offer(frozenset())

    async def next(self) -> frozenset[str]:
        """Wait for the next change; every change already waiting is merged into one set."""
        topics = set(await self._queue.get())
        while not self._queue.empty():
            topics |= self._queue.get_nowait()
        return frozenset(topics)


class LiveHub:
    """Fans the channel out to this process's listeners over one pub/sub connection."""

    def __init__(self, url: Callable[[], str] = redis_url) -> None:
        self._url = url
        self._listeners: dict[int, set[Listener]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @property
    def listener_count(self) -> int:
        return sum(len(group) for group in self._listeners.values())

    @property
    def connected(self) -> bool:
        """Whether the pub/sub connection is open and subscribed."""
        return self._reader is not None and self._subscribed.is_set()

    @contextlib.asynccontextmanager
    async def listen(self, user_id: int, ready_timeout: float = 2.0) -> AsyncIterator[Listener]:
        """Receive `user_id`'s changes until the block exits (also by cancellation)."""
        global _open_listeners
        listener = Listener(user_id)
        self._listeners.setdefault(user_id, set()).add(listener)
        _open_listeners += 1
        if self._reader is None or self._reader.done():
            self._subscribed.clear()
            self._reader = asyncio.create_task(self._read(), name="cyberhub-live-reader")
        try:
            # Usually instant; with Redis down the page still works, it just is not live yet.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._subscribed.wait(), ready_timeout)
            yield listener
        finally:
            _open_listeners -= 1
            await self._forget(listener)

    async def _forget(self, listener: Listener) -> None:
        group = self._listeners.get(listener.user_id)
        if group is not None:
            group.discard(listener)
            if not group:
                del self._listeners[listener.user_id]
        if not self._listeners and self._reader is not None:
            reader, self._reader = self._reader, None
            self._subscribed.clear()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    def _deliver(self, raw: Any) -> None:
        try:
            data = json.loads(raw)
            user_id, topics = int(data["u"]), frozenset(str(t) for t in data["t"])
        except (ValueError, KeyError, TypeError):
            log.warning("live: ignoring a malformed message %r", raw)
            return
        for listener in self._listeners.get(user_id, ()):
            listener._offer(topics)

    def _deliver_everything(self) -> None:
        for group in self._listeners.values():
            for listener in group:
                listener._offer(frozenset({EVERYTHING}))

    async def _read(self) -> None:
        attempt = 0
        while True:
            # The PING every HEALTH_CHECK_S finds a connection that died silently (no FIN).
            client = aioredis.Redis.from_url(
                self._url(), decode_responses=True, health_check_interval=HEALTH_CHECK_S
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                self._subscribed.set()
                if attempt:
                    log.info("live: reconnected to Redis")
                    self._deliver_everything()
                attempt = 0
                while True:
                    message = await pubsub.get_message(timeout=HEALTH_CHECK_S)
                    if message is not None and message.get("type") == "message":
                        self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                self._subscribed.clear()
                delay = RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)]
                attempt += 1
                log.warning("live: Redis pub/sub lost; retrying in %.1f s", delay, exc_info=True)
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()


_hubs: dict[asyncio.AbstractEventLoop, LiveHub] = {}


def hub() -> LiveHub:
    """This process's hub (one per event loop: the web server runs one)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        for old in [other for other in _hubs if other.is_closed()]:
            del _hubs[old]
        found = _hubs[loop] = LiveHub()
    return found
