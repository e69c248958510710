"""Dramatiq's Redis broker, plus getting back the delayed jobs a lost connection drops.

A worker holds each delayed message in memory (its consumer thread's delay queue) until the
message is due: retries waiting out their backoff, jobs sent with a delay. The message also sits
in Redis, in this worker's set of fetched-but-unacknowledged ids for the queue's ".DQ" queue.
When the connection to Redis breaks, Dramatiq's consumer thread empties its delay queue and
reconnects (dramatiq#527). The messages stay in the worker's set, and since the worker is still
alive (it keeps beating), no other worker takes them either: they would wait for this worker's
restart.

Here, each time a consumer thread (re)connects to a ".DQ" queue, the ids in its set that its
delay queue no longer holds go back to that queue, where a worker fetches them again and waits
out what is left of their delay. A fresh worker's set is empty, so its first connection moves
nothing; a message its delay queue still holds is never moved, so none runs twice.
"""

from __future__ import annotations

import logging
import threading
from queue import PriorityQueue
from typing import Any, cast

import redis.exceptions
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import dq_name
from dramatiq.errors import ConnectionClosed
from dramatiq.worker import ConsumerThread

log = logging.getLogger(__name__)


class RecoveringRedisBroker(RedisBroker):
    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Any:
        thread = threading.current_thread()
        if isinstance(thread, ConsumerThread) and queue_name == dq_name(queue_name):
            self._requeue_dropped(queue_name, thread.delay_queue)
        return super().consume(queue_name, prefetch, timeout)

    def _requeue_dropped(self, queue_name: str, delay_queue: PriorityQueue[Any]) -> None:
        """Put back on `queue_name` what this worker fetched from it and no longer holds."""
        with delay_queue.mutex:
            held = {item.message.options.get("redis_message_id") for item in delay_queue.queue}
        fetched_key = f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}"
        try:
            members = cast(set[bytes], self.client.smembers(fetched_key))  # a sync client
            fetched = {raw.decode() for raw in members}
            dropped = sorted(fetched - held)
            if dropped:
                # Dramatiq's own requeue: only ids still in this worker's set move, so a message
                # another worker's maintenance already moved is not queued twice.
                self.do_requeue(queue_name, *dropped)
                log.warning(
                    "put %d delayed message(s) dropped by a lost connection back on %s",
                    len(dropped),
                    queue_name,
                )
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            # Still no Redis: the consumer thread retries, and this runs again then.
            raise ConnectionClosed(error) from None
