"""CyberHub's own Dramatiq middleware: the heartbeat health reads, and job statistics."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import q_name
from dramatiq.middleware import Middleware

from cyberhub import jobs
from cyberhub.db import session_scope
from cyberhub.redis_client import (
    HEARTBEAT_KEY,
    JOBS_KEY,
    LAST_RUN_KEY,
    PERIODIC_PENDING_KEY,
    get_redis,
)
from cyberhub.services.ai import ai_jobs
from cyberhub.services.ai.ai_jobs import describe_error, summarize_error
from worker.model import warm_up

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0


class Heartbeat(Middleware):
    """Every few seconds each worker process writes `now` into a sorted set in Redis.

    /api/v1/health reports the worker ok while some beat is fresher than 30 s.
    """

    def __init__(self, interval: float = HEARTBEAT_SECONDS) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self._stop.clear()
        threading.Thread(target=self._beat, name="cyberhub-heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: Any) -> None:
        self._stop.set()
        try:
            get_redis().zrem(HEARTBEAT_KEY, self.worker_id)
        except Exception:
            log.debug("could not remove heartbeat", exc_info=True)

    def _beat(self) -> None:
        while not self._stop.is_set():
            try:
                r = get_redis()
                now = time.time()
                r.zadd(HEARTBEAT_KEY, {self.worker_id: now})
                r.zremrangebyscore(HEARTBEAT_KEY, "-inf", now - 3600)
            except Exception:
                log.warning("heartbeat write failed", exc_info=True)
            self._stop.wait(self.interval)


_this_job = threading.local()  # of the worker thread running the job


def job_stopped() -> None:
    """Called by an actor whose job the worker's shutdown stopped, its work handed on to another
    worker (run_export): JobStats counts the job "stopped", not "succeeded". (Not a return
    value: Dramatiq warns of one when no Results middleware keeps it.)"""
    _this_job.stopped = True


class JobStats(Middleware):
    """Counts outcomes per actor (succeeded, retried, failed, skipped, stopped) and remembers
    each actor's last run (for metrics and the admin). A transient error that Retries will try
    again counts as "retried", not "failed": only a job that failed for good is a failure."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        _this_job.stopped = False

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        outcome = "stopped" if getattr(_this_job, "stopped", False) else "succeeded"
        if exception is not None:  # Retries has decided (worker/broker.py orders it so)
            outcome = "failed" if message.failed else "retried"
        self._record(message, outcome, exception)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._record(message, "skipped", None)

    def _record(self, message: MessageProxy, outcome: str, exception: BaseException | None) -> None:
        try:
            error = summarize_error(describe_error(exception)) if exception else None
            r = get_redis()
            pipe = r.pipeline()
            pipe.hincrby(JOBS_KEY, f"{message.actor_name}|{outcome}", 1)
            pipe.hset(
                LAST_RUN_KEY,
                message.actor_name,
                json.dumps(
                    {
                        "at": time.time(),
                        "outcome": outcome,
                        "message_id": message.message_id,
                        "error": error,
                    }
                ),
            )
            pipe.execute()
        except Exception:
            log.debug("could not record job stats", exc_info=True)


class FailedJobs(Middleware):
    """Records each job that failed for good (Retries gave up, or the error is not transient) as
    a JobFailure row: the admin console lists them with their error and can retry them.

    Retries decides in its after_process_message by calling `message.fail()`. Dramatiq runs
    after-hooks in reverse order of the middleware list, so worker/broker.py lists this one
    just before Retries: its hook then runs right after Retries' and sees the verdict.
    """

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed:
            return  # succeeded, or will be retried
        try:
            attempts = int(message.options.get("retries") or 1)
            with session_scope() as session:
                jobs.record_failure(
                    session,
                    message_id=message.message_id,
                    actor=message.actor_name,
                    queue=q_name(message.queue_name),
                    args=list(message.args),
                    error=ai_jobs.describe_error(exception, attempts),
                )
        except Exception:
            # The database may be what failed; the message is still in Redis' dead letters.
            log.warning("could not record failed job %s", message.message_id, exc_info=True)


class PeriodicTaken(Middleware):
    """A worker took a periodic job the scheduler sent (message option `periodic`): clears its
    pending mark, so the scheduler sends the next period's (worker/scheduler.py sends none while
    one still waits in the queue)."""

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if not message.options.get("periodic"):
            return
        try:
            get_redis().delete(PERIODIC_PENDING_KEY.format(actor=message.actor_name))
        except Exception:  # the mark lapses by itself
            log.warning("could not clear the pending mark of %s", message.actor_name)


class ModelWarmup(Middleware):
    """Loads the embedding model in a background thread when a worker process boots (StubBroker
    workers in tests skip it: they use a fake embedder)."""

    def after_worker_boot(self, broker: dramatiq.Broker, worker: Any) -> None:
        if isinstance(broker, StubBroker):
            return

        def load() -> None:
            try:
                warm_up()
                log.info("embedding model loaded")
            except Exception:  # the first AI job will try again and report the error
                log.warning("could not preload the embedding model", exc_info=True)

        threading.Thread(target=load, name="cyberhub-model-warmup", daemon=True).start()
