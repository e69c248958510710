"""cyberhub/jobs.py: every job the app sends by name is an actor the worker declares, on the
same queue and with the same arguments; and the web side sends jobs without loading the worker's
modules or torch."""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import worker.actors  # noqa: F401  (declares every actor on the process's broker)
from cyberhub import jobs

ROOT = Path(__file__).resolve().parents[2]


def jobs_in_source() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every `Job(name, queue, params)` written in cyberhub/jobs.py, read from its source (so a
    job defined there but left out of the JOBS catalogue is noticed)."""
    tree = ast.parse((ROOT / "cyberhub" / "jobs.py").read_text())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Job":
            name, queue, params = (ast.literal_eval(arg) for arg in node.args[:3])
            found[name] = (queue, tuple(params))
    return found


def worker_actors() -> dict[str, object]:
    """The actors the worker's own modules declare (tests declare a few more on the stub
    broker; those are not the worker's)."""
    broker = jobs.broker()
    actors = {name: broker.get_actor(name) for name in broker.get_declared_actors()}
    return {
        name: actor
        for name, actor in actors.items()
        if actor.fn.__module__.split(".")[0] == "worker"
    }


def test_every_job_in_the_source_is_in_the_catalogue() -> None:
    source = jobs_in_source()
    assert len(source) >= 8
    assert {name: (j.queue, j.params) for name, j in jobs.JOBS.items()} == source
    assert all(name == job.name for name, job in jobs.JOBS.items())


def test_every_job_is_declared_by_a_worker_actor_with_the_same_queue_and_arguments() -> None:
    actors = worker_actors()
    missing = sorted(set(jobs.JOBS) - set(actors))
    assert missing == [], f"jobs no worker actor declares: {missing}"
    for name, job in jobs.JOBS.items():
        actor = actors[name]
        assert actor.queue_name == job.queue, name  # type: ignore[attr-defined]
        params = list(inspect.signature(actor.fn).parameters)  # type: ignore[attr-defined]
        assert params == list(job.params), f"{name}: the actor takes {params}"
        if job.time_limit_ms is not None:
            assert actor.options.get("time_limit") == job.time_limit_ms, name  # type: ignore[attr-defined]


def test_every_worker_actor_is_in_the_catalogue() -> None:
    """The admin console lists and retries jobs from the catalogue: an actor missing from it
    could not be retried after a failure."""
    unlisted = sorted(set(worker_actors()) - set(jobs.JOBS))
    assert unlisted == [], f"add these actors to cyberhub/jobs.py JOBS: {unlisted}"


def test_a_job_sent_with_the_wrong_arguments_is_refused_before_anything_is_queued() -> None:
    with pytest.raises(TypeError, match="embed_mission takes 1 argument"):
        jobs.enqueue(None, jobs.EMBED_MISSION, 1, 2)  # type: ignore[arg-type]
    with pytest.raises(jobs.UnknownJob, match="no longer exists"):
        jobs.retry(None, "removed_actor", [1])  # type: ignore[arg-type]
    with pytest.raises(jobs.UnknownJob, match="no longer takes these arguments"):
        jobs.retry(None, "embed_learner", [1, 2])  # type: ignore[arg-type]


WEB_SIDE = """
import importlib, json, pkgutil, sys

import dramatiq
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import cyberhub.api
import cyberhub.services
for info in pkgutil.walk_packages(cyberhub.services.__path__, "cyberhub.services."):
    importlib.import_module(info.name)
from cyberhub import jobs

with Session(create_engine("sqlite://")) as session:
    jobs.learner_changed(session, 7)
    jobs.mission_changed(session, 3)
    session.rollback()  # dropped
    jobs.learner_changed(session, 8)
    jobs.mail_queued(session, 5)
    session.commit()  # sent
broker = jobs.broker()
sent = [
    [q, dramatiq.Message.decode(raw).actor_name, list(dramatiq.Message.decode(raw).args)]
    for q in ("ai", "default")
    for raw in list(broker.queues[q].queue)
]
loaded = sorted(
    m for m in sys.modules if m.split(".")[0] in ("worker", "torch", "sentence_transformers")
)
print(json.dumps({"sent": sent, "loaded": loaded}))
"""


def test_the_web_side_sends_by_name_without_the_worker_or_torch(redis_url: str) -> None:
    """Every service and the API imported, jobs sent after a commit: the messages are on the
    broker's queues, and no module of the worker, torch or sentence-transformers was loaded.
    The child uses the tests' Redis (the learner fan-out's debounce keys): without REDIS_URL it
    would start an embedded Redis under .data/ that outlived the run."""
    env = {**os.environ, "CYBERHUB_BROKER": "stub", "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, "-c", WEB_SIDE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []
    assert out["sent"] == [
        ["ai", "embed_learner", [8]],
        ["ai", "analyze_personality", [8]],
        ["default", "deliver_mail", [5]],
    ]
