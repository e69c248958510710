"""Rate limits shared by every web worker, kept in Redis (a sliding window per key).

A key names who is limited for what, e.g. `auth:/auth/login:203.0.113.7`. Each allowed attempt
is one member of a sorted set scored by its time; attempts older than the window drop out, so a
client gets `limit` attempts in any `window_seconds` (no burst of twice the limit at a boundary,
as a fixed window would allow). Refused attempts are not counted: Retry-After stays truthful.
"""

from __future__ import annotations

import logging
import math
import secrets
import time

import redis

from cyberhub.redis_client import get_redis
from cyberhub.services.errors import RateLimited
from cyberhub.settings import get_settings

log = logging.getLogger(__name__)

PREFIX = "cyberhub:ratelimit:"

# Atomic check-and-count, so concurrent requests on several workers can't all slip through.
# Returns {1, 0} when allowed, else {0, "<seconds until the oldest attempt leaves the window>"}.
_SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


def check(key: str, limit: int, window_seconds: int, now: float | None = None) -> int:
    """Count one attempt for `key`; 0 when allowed, else the seconds to wait before retrying.

    If Redis is unreachable the attempt is allowed (and logged): the limit is a second line of
    defence behind the account lockout, and an outage of it must not lock everyone out.
    """
    if limit <= 0:
        return max(1, window_seconds)
    now = time.time() if now is None else now
    member = f"{now:.6f}:{secrets.token_hex(4)}"
    try:
        allowed, wait = get_redis().eval(
            _SLIDING_WINDOW, 1, PREFIX + key, now, window_seconds, limit, member
        )
    except redis.RedisError as exc:
        log.warning("rate limit not applied to %s: Redis error %s", key, exc)
        return 0
    if int(allowed):
        return 0
    return max(1, math.ceil(float(wait)))


def hit(key: str, limit: int, window_seconds: int, now: float | None = None) -> None:
    """Count one attempt for `key`; raise RateLimited (with retry_after) beyond `limit`."""
    retry_after = check(key, limit, window_seconds, now)
    if retry_after:
        raise RateLimited(
            f"Too many attempts. Please wait {_duration(retry_after)} and try again.",
            retry_after=retry_after,
        )


def hit_auth(endpoint: str, ip: str | None) -> None:
    """The per-IP limit of the auth endpoints (settings.auth_rate_limit_per_minute per minute).

    Counted per (address, endpoint), so signing in does not use up the allowance of password
    resets. Pages doing the same thing as an endpoint count in that endpoint's allowance.
    """
    hit(f"auth:{endpoint}:{ip or 'unknown'}", get_settings().auth_rate_limit_per_minute, 60)


def allow(key: str, limit: int, window_seconds: int) -> bool:
    """Like `hit`, but answers False instead of raising (for limits the caller must not reveal)."""
    return check(key, limit, window_seconds) == 0


def reset(key: str) -> None:
    get_redis().delete(PREFIX + key)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
