"""Dramatiq's Redis broker, plus getting back the delayed jobs a lost connection drops.

A worker holds each delayed message in memory (its consumer thread's delay queue) until the
message is due: retries waiting out their backoff, jobs sent with a delay. The message also sits
in Redis, in this worker's set of fetched-but-unacknowledged ids for the queue's ".DQ" queue.
When the connection to Redis breaks, Dramatiq's consumer thread empties its delay queue and
reconnects (dramatiq#527). The messages stay in the worker's set, and while the worker keeps
beating no other worker takes them (only an outage longer than the heartbeat timeout lets
another worker's maintenance move them): they would wait for this worker's restart.

Here, each time a consumer thread (re)connects to a ".DQ" queue, the ids in its set that its
delay queue no longer holds go back to that queue, where a worker fetches them again and waits
out what is left of their delay. A fresh worker's set is empty, so its first connection moves
nothing; a message its delay queue still holds is never moved, so none runs twice.

Two of the broker's calls raise Redis's own errors where Dramatiq's consumer thread expects its
ConnectionClosed: moving a due message to its queue (`enqueue`) and handing back what a consumer
holds (`requeue`). Raised while Redis is away, the first took the thread down its "unexpected
error" path, whose `close()` then met the second and let it escape: the ".DQ" consumer thread
died, and that worker ran no delayed job again. They are ConnectionClosed here, in the
consumer threads, so the thread reconnects and the messages come back as above.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from queue import PriorityQueue
from typing import Any, TypeVar, cast

import redis.exceptions
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import dq_name
from dramatiq.errors import ConnectionClosed
from dramatiq.message import Message
from dramatiq.worker import ConsumerThread

log = logging.getLogger(__name__)

T = TypeVar("T")
REDIS_AWAY = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _connection_closed(call: Callable[[], T]) -> T:
    """`call()`, with Redis being away raised as Dramatiq's ConnectionClosed."""
    try:
        return call()
    except REDIS_AWAY as error:
        raise ConnectionClosed(error) from None


class _Consumer(_RedisConsumer):
    def requeue(self, messages: Iterable[Any]) -> None:
        _connection_closed(lambda: super(_Consumer, self).requeue(messages))


class RecoveringRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type[_RedisConsumer]:
        return _Consumer

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Any:
        thread = threading.current_thread()
        if isinstance(thread, ConsumerThread) and queue_name == dq_name(queue_name):
            self._requeue_dropped(queue_name, thread.delay_queue)
        return super().consume(queue_name, prefetch, timeout)

    def enqueue(self, message: Message[Any], *, delay: int | None = None) -> Message[Any]:
        if isinstance(threading.current_thread(), ConsumerThread):  # a due delayed message
            return _connection_closed(
                lambda: super(RecoveringRedisBroker, self).enqueue(message, delay=delay)
            )
        # An actor's or the app's send: they handle Redis's own errors.
        return super().enqueue(message, delay=delay)

    def _requeue_dropped(self, queue_name: str, delay_queue: PriorityQueue[Any]) -> None:
        """Put back on `queue_name` what this worker fetched from it and no longer holds."""
        with delay_queue.mutex:
            held = {item.message.options.get("redis_message_id") for item in delay_queue.queue}
        fetched_key = f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}"

        def requeue() -> int:
            members = cast(set[bytes], self.client.smembers(fetched_key))  # a sync client
            dropped = sorted({raw.decode() for raw in members} - held)
            if dropped:
                # Dramatiq's own requeue: only ids still in this worker's set move, so a message
                # another worker's maintenance already moved is not queued twice.
                self.do_requeue(queue_name, *dropped)
            return len(dropped)

        # Still no Redis: ConnectionClosed, the consumer thread retries, and this runs again.
        moved = _connection_closed(requeue)
        if moved:
            log.warning(
                "put back on %s %d delayed message(s) this worker no longer held (a lost "
                "connection or a consumer restart)",
                queue_name,
                moved,
            )
