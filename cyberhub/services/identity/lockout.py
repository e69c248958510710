"""Sign-in lockout that an attacker can't turn against the account's owner.

Failed sign-ins (a wrong password, or a wrong code after a right password or a valid e-mail link)
are counted per account AND source address. LOCKOUT_THRESHOLD failures from one address within
LOCKOUT_WINDOW_MINUTES lock the account for that address only, for LOCKOUT_MINUTES: the attacker
is stopped while the owner still signs in from another network, or by e-mailed link from anywhere.

A spread-out attack (many addresses) is caught by a second, higher count per account over all
addresses (LOCKOUT_ACCOUNT_THRESHOLD, kept on the user row): it pauses password sign-in for
everyone, but the e-mailed link still works, so the owner is never shut out.

The per-address counts live in Redis (shared by every web worker). If Redis is down they are not
kept (and that is logged); the per-account count in the database still applies.

Each account's addresses are indexed, so the admin console finds and lifts an account's address
locks without walking Redis' keyspace (which holds Reflex's state and the job queues too): two
sorted sets per account, address -> when its key expires, written in the same transaction as the
keys they index. A member whose time has passed, or whose key is gone, is ignored when read and
pruned at the index's next write (reads write nothing); an index expires with its latest member.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.models.base import utcnow
from cyberhub.redis_client import SyncRedis, get_redis
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Locked
from cyberhub.settings import get_settings

log = logging.getLogger(__name__)

PREFIX = "cyberhub:lockout:"


@dataclass(frozen=True)
class LockStatus:
    """What an admin sees: when the last lock ends, and the addresses locked out now."""

    locked_until: datetime | None
    sources: list[str]

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def _source(meta: RequestMeta) -> str:
    return meta.ip or "unknown"


def _failures_key(user_id: int, source: str) -> str:
    return f"{PREFIX}failures:{user_id}:{source}"


def _lock_key(user_id: int, source: str) -> str:
    return f"{PREFIX}lock:{user_id}:{source}"


def _locked_index(user_id: int) -> str:
    """The account's locked addresses: source -> when its lock key expires (unix time)."""
    return f"{PREFIX}locked:{user_id}"


def _counted_index(user_id: int) -> str:
    """The account's addresses with a failure count: source -> when that count expires."""
    return f"{PREFIX}counted:{user_id}"


# Index `source` until unix time ARGV[2], drop the members whose time has passed (ARGV[3]: now) or
# whose key (ARGV[4] .. member: lifted, or evicted early) is gone, and keep the index as long as
# its latest member (no EXPIRE GT before Redis 7; a shorter lock after a settings change must not
# cut a longer one's entry short).
_INDEX_ADD = """
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if member ~= ARGV[1] and redis.call('EXISTS', ARGV[4] .. member) == 0 then
    redis.call('ZREM', KEYS[1], member)
  end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('EXPIREAT', KEYS[1], math.ceil(tonumber(last[2])))
return 1
"""


def _index_add(
    pipe: SyncRedis, index: str, source: str, until: float, now: float, key_prefix: str
) -> None:
    """Index `source` (its key: `key_prefix` + source) until `until`, pruning the index."""
    pipe.eval(_INDEX_ADD, 1, index, source, f"{until:.3f}", f"{now:.3f}", key_prefix)


def _seconds_left(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def account_locked_for(user: User, now: datetime | None = None) -> int:
    """Seconds until password sign-in reopens for everyone (0: not paused)."""
    now = now or utcnow()
    if user.locked_until and user.locked_until > now:
        return _seconds_left(user.locked_until, now)
    return 0


def source_locked_for(user: User, meta: RequestMeta) -> int:
    """Seconds until this address may try this account again (0: not locked)."""
    if user.id is None:
        return 0
    try:
        ttl = int(get_redis().pttl(_lock_key(user.id, _source(meta))))
    except redis.RedisError as exc:
        log.warning("lockout of user %s not checked: Redis error %s", user.id, exc)
        return 0
    return max(1, math.ceil(ttl / 1000)) if ttl > 0 else 0


def locked_message(retry_after: int, *, everyone: bool) -> str:
    minutes = max(1, (retry_after + 59) // 60)
    wait = f"{minutes} more minute{'s' if minutes != 1 else ''}"
    if everyone:
        return (
            "Too many failed sign-in attempts on this account: password sign-in is paused for "
            f"{wait}. You can still sign in with an e-mailed link, or ask an admin to unlock it."
        )
    return (
        "Too many failed sign-in attempts from your network: this account is locked here for "
        f"{wait}. You can still sign in with an e-mailed link or from another network, or ask "
        "an admin to unlock it."
    )


def _audit(session: Session, action: str, user: User, meta: RequestMeta, **details: object) -> None:
    """An audit entry about the user's account, with no actor (nobody is signed in yet)."""
    audit.record(session, action, user, by=None, meta=meta, **details)


def refuse(
    session: Session,
    user: User,
    meta: RequestMeta,
    retry_after: int,
    *,
    everyone: bool,
    method: str,
) -> Locked:
    """Audit a refused attempt (committed: the request fails) and return the error to raise."""
    _audit(
        session,
        "login.failure",
        user,
        meta,
        reason="locked",
        scope="account" if everyone else "source",
        method=method,
    )
    session.commit()
    return Locked(locked_message(retry_after, everyone=everyone), retry_after=retry_after)


def check_password_sign_in(session: Session, user: User, meta: RequestMeta) -> None:
    """Raise Locked when this address is locked out of the account, or password sign-in is paused."""
    retry = source_locked_for(user, meta)
    if retry:
        raise refuse(session, user, meta, retry, everyone=False, method="password")
    retry = account_locked_for(user)
    if retry:
        raise refuse(session, user, meta, retry, everyone=True, method="password")


def _count_source_failure(user_id: int, source: str, now: float) -> int:
    """One more failure for (account, address) in the sliding window; the count in it."""
    settings = get_settings()
    window = settings.lockout_window_minutes * 60
    key = _failures_key(user_id, source)
    pipe = get_redis().pipeline()
    pipe.zremrangebyscore(key, "-inf", now - window)
    pipe.zadd(key, {f"{now:.6f}": now})
    pipe.zcard(key)
    pipe.expire(key, window)
    _index_add(pipe, _counted_index(user_id), source, now + window, now, _failures_key(user_id, ""))
    return int(pipe.execute()[2])


def _lock_source(user_id: int, source: str, now: float) -> None:
    """Lock the address out of the account for LOCKOUT_MINUTES, indexed in the same transaction."""
    seconds = get_settings().lockout_minutes * 60
    pipe = get_redis().pipeline()
    pipe.set(_lock_key(user_id, source), "1", ex=seconds)
    _index_add(pipe, _locked_index(user_id), source, now + seconds, now, _lock_key(user_id, ""))
    pipe.execute()


def record_failure(
    session: Session, user: User, meta: RequestMeta, reason: str = "bad password"
) -> None:
    """Count a failed sign-in toward both locks; commits (the caller's request fails)."""
    settings = get_settings()
    assert user.id is not None
    now = utcnow()
    source = _source(meta)
    source_failures: int | None = None
    try:
        source_failures = _count_source_failure(user.id, source, time.time())
        if source_failures >= settings.lockout_threshold:
            _lock_source(user.id, source, time.time())
    except redis.RedisError as exc:
        log.warning("failure of user %s from %s not counted: Redis error %s", user.id, source, exc)
    window = timedelta(minutes=settings.lockout_window_minutes)
    if user.first_failed_login_at is None or now - user.first_failed_login_at > window:
        user.failed_login_count = 1
        user.first_failed_login_at = now
    else:
        user.failed_login_count += 1
    _audit(
        session,
        "login.failure",
        user,
        meta,
        reason=reason,
        failures=user.failed_login_count,
        failures_from_source=source_failures,
    )
    until = now + timedelta(minutes=settings.lockout_minutes)
    if source_failures is not None and source_failures == settings.lockout_threshold:
        _audit(
            session,
            "account.locked",
            user,
            meta,
            scope="source",
            source=source,
            until=until.isoformat(),
        )
    if user.failed_login_count >= settings.lockout_account_threshold:
        if not account_locked_for(user, now):
            _audit(session, "account.locked", user, meta, scope="account", until=until.isoformat())
        user.locked_until = until
    session.add(user)
    session.commit()


def _reset_account(user: User) -> None:
    """The account-wide count (kept on the user row) starts over and any pause is lifted."""
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None


def record_success(user: User, meta: RequestMeta) -> None:
    """A successful sign-in: earlier failures stop counting (this address, and the account)."""
    _reset_account(user)
    if user.id is None:
        return
    source = _source(meta)
    try:
        pipe = get_redis().pipeline()
        pipe.delete(_failures_key(user.id, source))
        pipe.zrem(_counted_index(user.id), source)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("failures of user %s not cleared: Redis error %s", user.id, exc)


def _address_locks(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each account's live address locks: source -> milliseconds left (accounts with none are
    left out). Two round trips for the lot, writing nothing: the indexes' members whose time has
    not passed, then their lock keys, which decide (a member whose key is gone is no lock)."""
    redis_ = get_redis()
    pipe = redis_.pipeline(transaction=False)
    now = f"{time.time():.3f}"
    for user_id in user_ids:
        pipe.zrangebyscore(_locked_index(user_id), f"({now}", "+inf")
    candidates = [
        (user_id, str(source))
        for user_id, members in zip(user_ids, pipe.execute(), strict=True)
        for source in members
    ]
    if not candidates:
        return {}
    pipe = redis_.pipeline(transaction=False)
    for user_id, source in candidates:
        pipe.pttl(_lock_key(user_id, source))
    locks: dict[int, dict[str, int]] = {}
    for (user_id, source), ttl in zip(candidates, pipe.execute(), strict=True):
        if int(ttl) > 0:  # else lifted or expired early (evicted): not a lock any more
            locks.setdefault(user_id, {})[source] = int(ttl)
    return locks


def status(user: User) -> LockStatus:
    """The account's locks now (account-wide and per address), for the admin console."""
    now = utcnow()
    until = user.locked_until if account_locked_for(user, now) else None
    sources: list[str] = []
    if user.id is not None:
        try:
            for source, ttl in _address_locks([user.id]).get(user.id, {}).items():
                sources.append(source)
                ends = now + timedelta(milliseconds=ttl)
                until = max(until, ends) if until else ends
        except redis.RedisError as exc:
            log.warning("lockout status of user %s unknown: Redis error %s", user.id, exc)
    return LockStatus(locked_until=until, sources=sorted(sources))


def locked_by_address(user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` are locked out of at least one address now (status's `sources`, for
    a list of accounts: read from their indexes together, not one account at a time)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    try:
        return set(_address_locks(wanted))
    except redis.RedisError as exc:
        log.warning("address locks of %d users unknown: Redis error %s", len(wanted), exc)
        return set()


def _clear_sources(user_id: int) -> None:
    """Delete every address lock and failure count of the account, and their indexes, at once
    (a failure counted meanwhile makes the transaction start over, so none is left unindexed)."""
    locked, counted = _locked_index(user_id), _counted_index(user_id)

    def lift(pipe: SyncRedis) -> None:
        keys = [_lock_key(user_id, str(s)) for s in pipe.zrange(locked, 0, -1)]
        keys += [_failures_key(user_id, str(s)) for s in pipe.zrange(counted, 0, -1)]
        pipe.multi()
        pipe.delete(locked, counted, *keys)

    get_redis().transaction(lift, locked, counted)


def clear(user: User) -> None:
    """Lift every lock of the account (an admin's unlock): the row and every address."""
    _reset_account(user)
    if user.id is None:
        return
    try:
        _clear_sources(user.id)
    except redis.RedisError as exc:  # then no address lock applies either (see above)
        log.warning("address locks of user %s not cleared: Redis error %s", user.id, exc)
