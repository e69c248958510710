"""The worker's broker: the connection from cyberhub/jobs.py plus every middleware, in order.
Importing this module installs the broker for the process (jobs sent by name use it too).

CYBERHUB_BROKER=stub (tests) gives a StubBroker with the same middleware.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable
from typing import Any

import dramatiq
import psycopg
import redis.exceptions
import sqlalchemy.exc
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from cyberhub import jobs
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings
from worker.middleware import FailedJobs, Heartbeat, JobStats, ModelWarmup, PeriodicTaken
from worker.redis_broker import RecoveringRedisBroker

MAX_RETRIES = 5

# Errors worth another try: the database or Redis went away for a moment, a lock timed out.
# Anything else (a bug, bad data, a missing row) fails at once and lands in the dead letters.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    mail.SendLater,  # the relay's 4xx, or the network, on the way to it
)


class TransientError(Exception):
    """Raise from an actor to ask for a retry with backoff."""


def is_transient(retries: int, exc: BaseException) -> bool:
    return retries < MAX_RETRIES and isinstance(exc, (*TRANSIENT_ERRORS, TransientError))


class ActorRetries(Retries):
    """Dramatiq's Retries, where `retry_when` says *which* errors are worth another try and each
    actor's own `max_retries` *how many* tries it gets. (Dramatiq's retry_when, once set, takes
    precedence over max_retries: every actor got MAX_RETRIES retries, run_export's 0 and
    refresh_program_analytics' 1 included.)"""

    def __init__(self, *, retry_when: Callable[[int, BaseException], bool], **kw: Any) -> None:
        super().__init__(retry_when=self._retry_when, **kw)
        self._worth_it = retry_when
        self._limit = threading.local()  # the message being decided's max_retries

    def max_retries_for(self, broker: dramatiq.Broker, message: Any) -> int:
        """The message's max_retries option, else its actor's, else the broker's MAX_RETRIES."""
        actor = broker.get_actor(message.actor_name)
        limit = message.options.get("max_retries", actor.options.get("max_retries"))
        return self.max_retries if limit is None else int(limit)

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None:
            return
        # Dramatiq calls retry_when in this thread, within this call.
        self._limit.value = self.max_retries_for(broker, message)
        try:
            super().after_process_message(broker, message, result=result, exception=exception)
        finally:
            self._limit.value = None

    def _retry_when(self, retries: int, exc: BaseException) -> bool:
        limit = getattr(self._limit, "value", None)
        return (limit is None or retries < limit) and self._worth_it(retries, exc)


def build_middleware() -> list[Middleware]:
    settings = get_settings()
    return [
        # 1. Drops a message older than its actor's max_age before doing any work.
        AgeLimit(),
        # 2. Interrupts an actor that runs past the time limit (TimeLimitExceeded; not retried).
        TimeLimit(time_limit=settings.job_time_limit_ms),
        # 3. Runs on_success / on_failure callbacks named in message options.
        Callbacks(),
        # 4. Chains pipelined messages.
        Pipelines(),
        # 5. Counts outcomes per actor for /api/v1/metrics and keeps each actor's last run:
        #    succeeded, retried (a transient error, tried again later), failed (for good),
        #    skipped (too old) or stopped (by the worker's shutdown, its work handed on).
        #    Listed before Retries for the same reason as FailedJobs below.
        JobStats(),
        # 6. Records jobs that failed for good (JobFailure rows: the admin console's retry).
        #    Listed before Retries because after-hooks run in reverse order: it then sees the
        #    verdict Retries just gave (message.failed).
        FailedJobs(),
        # 7. Retries transient errors only, up to the actor's own max_retries (MAX_RETRIES when
        #    it declares none), with exponential backoff from 1 s up to 60 s.
        ActorRetries(
            max_retries=MAX_RETRIES, min_backoff=1_000, max_backoff=60_000, retry_when=is_transient
        ),
        # 8. Writes the heartbeat /api/v1/health reads (worker boot -> every 5 s).
        Heartbeat(),
        # 9. Clears a periodic job's pending mark as a worker takes it (the scheduler sends the
        #    next period's only then: an outage leaves one message per periodic job).
        PeriodicTaken(),
        # 10. Loads the embedding model in the background as a worker process boots, so the
        #     first AI job after a (re)start does not wait for it.
        ModelWarmup(),
        # 11. Lets long actors (run_export) notice a worker shutdown and stop cleanly: it raises
        #     Shutdown in their thread. Last, so its before-hook runs just before the actor and
        #     its after-hook just after: a Shutdown can't land in another middleware's hook (a
        #     finished job's statistics, say) and make a done job a dead letter.
        ShutdownNotifications(),
    ]


def create_broker() -> dramatiq.Broker:
    return jobs.connect(build_middleware(), RecoveringRedisBroker)


broker = create_broker()
jobs.install(broker)  # what services send by name (cyberhub/jobs.py) goes through this broker
