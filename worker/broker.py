"""The worker's broker: the connection from cyberhub/jobs.py plus every middleware, in order.
Importing this module installs the broker for the process (jobs sent by name use it too).

CYBERHUB_BROKER=stub (tests) gives a StubBroker with the same middleware.
"""

from __future__ import annotations

import smtplib

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
from cyberhub.settings import get_settings
from worker.middleware import FailedJobs, Heartbeat, JobStats, ModelWarmup

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
)


class TransientError(Exception):
    """Raise from an actor to ask for a retry with backoff."""


def is_transient(retries: int, exc: BaseException) -> bool:
    return retries < MAX_RETRIES and isinstance(exc, (*TRANSIENT_ERRORS, TransientError))


def build_middleware() -> list[Middleware]:
    settings = get_settings()
    return [
        # 1. Drops a message older than its actor's max_age before doing any work.
        AgeLimit(),
        # 2. Interrupts an actor that runs past the time limit (TimeLimitExceeded; not retried).
        TimeLimit(time_limit=settings.job_time_limit_ms),
        # 3. Lets long actors notice a worker shutdown (raises Shutdown) and stop cleanly.
        ShutdownNotifications(),
        # 4. Runs on_success / on_failure callbacks named in message options.
        Callbacks(),
        # 5. Chains pipelined messages.
        Pipelines(),
        # 6. Counts outcomes per actor for /api/v1/metrics and keeps each actor's last run:
        #    succeeded, retried (a transient error, tried again later) or failed (for good).
        #    Listed before Retries for the same reason as FailedJobs below.
        JobStats(),
        # 7. Records jobs that failed for good (JobFailure rows: the admin console's retry).
        #    Listed before Retries because after-hooks run in reverse order: it then sees the
        #    verdict Retries just gave (message.failed).
        FailedJobs(),
        # 8. Retries transient errors only, with exponential backoff from 1 s up to 60 s.
        Retries(
            max_retries=MAX_RETRIES, min_backoff=1_000, max_backoff=60_000, retry_when=is_transient
        ),
        # 9. Writes the heartbeat /api/v1/health reads (worker boot -> every 5 s).
        Heartbeat(),
        # 10. Loads the embedding model in the background as a worker process boots, so the
        #     first AI job after a (re)start does not wait for it.
        ModelWarmup(),
    ]


def create_broker() -> dramatiq.Broker:
    return jobs.connect(build_middleware())


broker = create_broker()
jobs.install(broker)  # what services send by name (cyberhub/jobs.py) goes through this broker
