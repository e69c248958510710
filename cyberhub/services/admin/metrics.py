"""Prometheus metrics, kept in Redis so every web worker and job worker adds to one count."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from cyberhub.redis_client import HEARTBEAT_KEY, JOBS_KEY, REQUESTS_KEY, get_redis
from cyberhub.services.messaging import live

QUEUES = ("default", "ai", "coach")


def count_request(method: str, route: str, status: int) -> None:
    get_redis().hincrby(REQUESTS_KEY, f"{method} {route} {status}", 1)


class _RedisCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        r = get_redis()
        requests = CounterMetricFamily(
            "cyberhub_http_requests",
            "API requests by method, route and status",
            labels=["method", "route", "status"],
        )
        for key, value in r.hgetall(REQUESTS_KEY).items():
            method, route, status = key.split(" ", 2)
            requests.add_metric([method, route, status], float(value))
        yield requests

        jobs = CounterMetricFamily(
            "cyberhub_jobs", "Background jobs by actor and outcome", labels=["actor", "outcome"]
        )
        failures = CounterMetricFamily(
            "cyberhub_job_failures", "Background jobs that raised", labels=["actor"]
        )
        for key, value in r.hgetall(JOBS_KEY).items():
            actor, outcome = key.split("|", 1)
            jobs.add_metric([actor, outcome], float(value))
            if outcome == "failed":
                failures.add_metric([actor], float(value))
        yield jobs
        yield failures

        depth = GaugeMetricFamily(
            "cyberhub_queue_depth", "Messages enqueued and not yet acknowledged", labels=["queue"]
        )
        dead = GaugeMetricFamily(
            "cyberhub_queue_dead_letters", "Messages that failed for good", labels=["queue"]
        )
        for q in QUEUES:
            depth.add_metric([q], float(r.hlen(f"dramatiq:{q}.msgs")))
            dead.add_metric([q], float(r.hlen(f"dramatiq:{q}.XQ.msgs")))
        yield depth
        yield dead

        workers = GaugeMetricFamily("cyberhub_workers", "Worker processes with a heartbeat")
        workers.add_metric([], float(r.zcount(HEARTBEAT_KEY, time.time() - 15, "+inf")))
        yield workers

        connections = GaugeMetricFamily(
            "cyberhub_live_connections",
            "Live-update pub/sub connections (one per web process with a page open)",
        )
        connections.add_metric([], float(live.connection_count()))
        yield connections
        listeners = GaugeMetricFamily(
            "cyberhub_live_listeners",
            "Open live-update listeners (signed-in tabs) of the web process that answered",
        )
        listeners.add_metric([], float(live.listeners_in_process()))
        yield listeners


def render() -> bytes:
    registry = CollectorRegistry()
    registry.register(_RedisCollector())
    return generate_latest(registry)
