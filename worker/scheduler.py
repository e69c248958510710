"""Periodic jobs: `python -m worker.scheduler` enqueues each periodic actor once per period.

A small loop, started by scripts/run.py beside the worker (or `python -m cyberhub.serve
scheduler`). It does no work itself: it only sends messages, which the Dramatiq workers run.
Any number of schedulers may run (several machines, a restart overlapping the old process): one
holds a lease in Redis (SCHEDULER_LEADER_KEY, LEASE_SECONDS, renewed every tick) and only it
enqueues; the others stand by and take over within LEASE_SECONDS of it stopping. Each period is
also claimed with SET NX EX, so even during a lease handover a job is never sent twice for the same
period. Every scheduler, active or standing by, beats into SCHEDULER_HEARTBEAT_KEY for
/api/v1/health.
A missed period (every scheduler down) is not caught up: the jobs are idempotent sweeps and the
next period does the same work. For the same reason a period whose job's last message still
waits for a worker (PERIODIC_PENDING_KEY, cleared by worker/middleware.PeriodicTaken as a worker
takes it) sends none: an hour without workers leaves one expire_review_claims in the queue, not
sixty. The mark lapses after PENDING_MIN_SECONDS (or one period, if longer), in case its message
was lost.

SIGINT / SIGTERM stop the loop between ticks (at most one tick interval later), exit code 0.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from cyberhub.redis_client import (
    PERIODIC_PENDING_KEY,
    SCHEDULER_HEARTBEAT_KEY,
    SCHEDULER_LEADER_KEY,
    get_redis,
)

log = logging.getLogger("worker.scheduler")

LOCK_PREFIX = "cyberhub:scheduler"
TICK_SECONDS = 1.0
# The active scheduler's lease: renewed every tick, so a standby takes over at most this long after
# the active one stops (or loses Redis).
LEASE_SECONDS = 10
# How long a periodic job sent counts as waiting for a worker (at least one period).
PENDING_MIN_SECONDS = 15 * 60

# Extend the lease if we hold it, else take it if nobody does: 1 when we hold it afterwards.
_LEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return 1
end
return 0
"""


@dataclass(frozen=True)
class Periodic:
    """An actor (by name, declared in worker/actors.py) to enqueue every `every` seconds."""

    actor: str
    every: int


# expire_review_claims: a claim lasts 24 h; returning it within a minute of expiry is plenty.
# sweep_orphan_uploads: files left by a crash only take disk space; hourly is enough.
# sweep_exports: an export whose job was lost (Redis away at the request) runs within ~4 min; an
#   expired export's download already answers 410, its file goes within 2 min.
# send_habit_reminders: a reminder goes out within 5 minutes of the habit's reminder time.
# send_due_reminders: reminders go out days before a due date; hourly is on time enough.
# sweep_coach_plans: a learner's AI coach plan is renewed within the hour their day begins
#   (00:00 in their zone, a new week on Monday; changes recompute it meanwhile): it counts days
#   ("due in 2 days"). A weekly period would start on Thursdays (periods count from the Unix
#   epoch, a Thursday), in one zone only.
# refresh_program_analytics: a big programme's unfiltered analytics are at most ~5 minutes old.
# expire_ended_applications: a learner hears within the hour after a cohort's last day (a day
#   in the cohort's zone, services/learning/cohort_days) that their undecided application closed.
SCHEDULE: tuple[Periodic, ...] = (
    Periodic("expire_review_claims", 60),
    Periodic("sweep_orphan_uploads", 3600),
    Periodic("sweep_exports", 120),
    Periodic("send_habit_reminders", 300),
    Periodic("send_due_reminders", 3600),
    Periodic("sweep_coach_plans", 3600),
    Periodic("refresh_program_analytics", 300),
    Periodic("expire_ended_applications", 3600),
)


def period_of(job: Periodic, now: float) -> int:
    """The number of the period `now` falls in (periods start at multiples of `every`)."""
    return int(now // job.every)


def lock_key(job: Periodic, period: int) -> str:
    return f"{LOCK_PREFIX}:{job.actor}:{period}"


def tick(
    redis: Any,
    broker: Any,
    now: float | None = None,
    *,
    schedule: tuple[Periodic, ...] = SCHEDULE,
    owner: str = "",
) -> list[str]:
    """Enqueue every job whose current period nobody has claimed yet; the names sent.

    The claim is SET key owner NX EX: atomic in Redis, so of several schedulers ticking in the same
    period exactly one gets it. The key lives two periods (long enough that a late tick of the
    same period still finds it, short enough that keys don't pile up).
    """
    now = time.time() if now is None else now
    sent: list[str] = []
    for job in schedule:
        key = lock_key(job, period_of(job, now))
        if not redis.set(key, owner or _owner(), nx=True, ex=2 * job.every):
            continue
        pending = PERIODIC_PENDING_KEY.format(actor=job.actor)
        waits = max(job.every, PENDING_MIN_SECONDS)
        if not redis.set(pending, owner or _owner(), nx=True, ex=waits):
            continue  # its last message still waits for a worker: that one does this period's work
        try:
            # `periodic`: the worker clears the pending mark as it takes the message.
            broker.get_actor(job.actor).send_with_options(periodic=True)
        except Exception:
            # Not sent: give the period back so the next tick (or another scheduler) retries.
            redis.delete(key, pending)
            raise
        sent.append(job.actor)
    return sent


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def hold_lease(redis: Any, owner: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take or extend the active scheduler's lease; True when `owner` holds it afterwards."""
    return bool(redis.eval(_LEASE_SCRIPT, 1, SCHEDULER_LEADER_KEY, owner, seconds))


def release_lease(redis: Any, owner: str) -> None:
    """Give the lease up (on a clean stop) so a standby takes over at its next tick."""
    if redis.get(SCHEDULER_LEADER_KEY) == owner:
        redis.delete(SCHEDULER_LEADER_KEY)
    redis.zrem(SCHEDULER_HEARTBEAT_KEY, owner)


def beat(redis: Any, owner: str, now: float | None = None) -> None:
    """This scheduler is alive (active or standing by); old beats are dropped."""
    now = time.time() if now is None else now
    redis.zadd(SCHEDULER_HEARTBEAT_KEY, {owner: now})
    redis.zremrangebyscore(SCHEDULER_HEARTBEAT_KEY, "-inf", now - 3600)


def run(stop: threading.Event, *, tick_seconds: float = TICK_SECONDS) -> None:
    """Tick until `stop` is set. Redis or broker hiccups are logged and retried next tick."""
    import worker.actors  # noqa: F401, PLC0415  (why: declares the actors on the broker the scheduler runs with)
    from worker.broker import broker  # noqa: PLC0415  (why: the broker is built when the scheduler runs, not when it is imported)

    redis = get_redis()
    owner = _owner()
    log.info(
        "scheduler %s started: %s",
        owner,
        ", ".join(f"{j.actor} every {j.every} s" for j in SCHEDULE),
    )
    active: bool | None = None  # unknown until the first tick
    while not stop.is_set():
        try:
            beat(redis, owner)
            holds = hold_lease(redis, owner)
            if holds != active:
                active = holds
                log.info("scheduler %s %s", owner, "is active" if active else "stands by")
            if active:
                for name in tick(redis, broker, owner=owner):
                    log.info("enqueued %s", name)
        except Exception:
            log.warning("scheduler tick failed; retrying", exc_info=True)
        stop.wait(tick_seconds)
    try:
        release_lease(redis, owner)
    except Exception:
        log.debug("could not release the scheduler lease", exc_info=True)
    log.info("scheduler %s stopped", owner)


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] [%(name)s] %(levelname)s %(message)s"
    )
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    run(stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
