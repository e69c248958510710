"""The Redis the app and the worker share (REDIS_URL, or the embedded one under DATA_DIR)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis

from cyberhub.infra import EmbeddedRedis
from cyberhub.settings import get_settings

_embedded: object | None = None


def redis_url() -> str:
    settings = get_settings()
    if settings.redis_url:
        return settings.redis_url
    global _embedded

    if _embedded is None:
        _embedded = EmbeddedRedis(settings.redis_data_dir)
    return _embedded.url  # type: ignore[attr-defined]


# redis-py types every command as `T | Awaitable[T]`; our client is the synchronous one.
SyncRedis = Any


@lru_cache
def _client_for(url: str) -> SyncRedis:
    return redis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=5, decode_responses=True
    )


def get_redis() -> SyncRedis:
    return _client_for(redis_url())


# Keys shared by the web app and the worker.
HEARTBEAT_KEY = "cyberhub:worker:heartbeats"  # sorted set: worker id -> unix time of last beat
SCHEDULER_HEARTBEAT_KEY = "cyberhub:scheduler:heartbeats"  # sorted set: scheduler id -> last beat
SCHEDULER_LEADER_KEY = "cyberhub:scheduler:leader"  # string with a TTL: the active scheduler's id
# string with a TTL: a periodic job the scheduler sent that no worker has taken yet
PERIODIC_PENDING_KEY = "cyberhub:scheduler:pending:{actor}"
REQUESTS_KEY = "cyberhub:metrics:requests"  # hash: "METHOD route status" -> count
JOBS_KEY = "cyberhub:metrics:jobs"  # hash: "actor|outcome" -> count
LAST_RUN_KEY = "cyberhub:jobs:last_run"  # hash: actor -> json {at, outcome, error}
