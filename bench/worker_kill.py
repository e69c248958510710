"""Exactly-once under SIGKILL (issue 6, acceptance 2).

    source scripts/env.sh && nice -n 10 python bench/worker_kill.py [--jobs 300] [--fake-model]

A real Dramatiq worker process (`dramatiq worker.actors`, 1 process x 2 threads, Redis broker,
the real model; --fake-model: the same actors with a hash embedder) gets `--jobs`
embed_learner messages (each embeds a learner, then recomputes their 10 recommendations). When
about a third are done the worker's process group gets SIGKILL; a new worker is started at once.
When everything is done, every job's effect must exist exactly once:

- one vector per learner, with the model's name and the hash of the learner's current text;
- each learner's recommendations: 5 to 10, ranks 1..n, no mission twice, computed after the
  job was sent;
- nothing left in the queues, nothing dead-lettered.

The messages the killed worker held (prefetched, unacked) come back only after the broker's
heartbeat timeout (worker/broker.py: 15 s) on a maintenance run; the time from the kill to the
last effect is the recovery time. tests/integration/test_worker_kill.py runs this in fast mode.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REAL_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
FAKE_MODEL = "bench-hash-embedder"
sys.path.insert(0, str(ROOT))
from cyberhub.services.ai.ranking import MIN_LIST, TOP_K  # noqa: E402  (after the path is set)


@dataclass
class KillResult:
    jobs: int
    done_at_kill: int
    in_flight_at_kill: int
    kill_to_new_worker_s: float
    kill_to_all_done_s: float
    total_s: float
    executions: int  # successful embed_learner runs counted by the workers (>= jobs)
    problems: list[str] = field(default_factory=list)
    tail_done_s: list[float] = field(default_factory=list)
    held: int = 0  # messages the killed worker had taken but not acknowledged
    held_done_before_kill: int = 0  # ... of which the effect was already committed
    held_back_s: float = 0.0  # when the last of them was done again, after the kill


def start_worker(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`dramatiq <module>` as command 1 runs it (1 process, 2 threads), in its own group."""
    return subprocess.Popen(
        [str(BIN / "dramatiq"), module, "--processes", "1", "--threads", "2",
         "--queues", "default", "ai"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)


def prepare(db_url: str, n: int, missions: int = 120) -> list[int]:
    """n learners with AI-profiling consent and a goal (so they have a text to embed), and a
    catalog of published missions with (hash) vectors. Returns the learner ids."""
    import psycopg
    from _common import (
        copy_mission_vectors,
        copy_missions,
        hash_vector,
        libpq,
        make_catalog,
        synthetic_missions,
        text_of,
    )

    from cyberhub import db
    from cyberhub.models import Goal, User
    from cyberhub.services.identity import consents

    with db.session_scope() as session:
        program_id, tracks = make_catalog(session, slug=f"kill{os.getpid()}")
        users = []
        for i in range(n):
            u = User(email=f"kill-{i}@bench.example", full_name=f"Learner {i}")
            session.add(u)
            session.flush()
            assert u.id is not None
            consents.record_signup_consents(
                session, u.id, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
            )
            session.add(Goal(user_id=u.id, title=f"Learner {i} wants to work in SOC."))
            users.append(u.id)
    ms = synthetic_missions(missions, seed=7)
    texts = [text_of(m) for m in ms]
    with psycopg.connect(libpq(db_url)) as conn:
        ids = copy_missions(conn, ms, program_id, tracks)
        import numpy as np

        copy_mission_vectors(conn, ids, texts, np.stack([hash_vector(t) for t in texts]))
    return users


def _done(session: Any, users: list[int], since: Any) -> set[int]:
    """Learners whose job has had its full effect (vector + a list computed after `since`)."""
    from sqlalchemy import text

    rows = session.execute(
        text(
            "SELECT e.user_id FROM learner_embeddings e WHERE e.user_id = ANY(:u) AND EXISTS "
            "(SELECT 1 FROM recommendations r WHERE r.user_id = e.user_id "
            "AND r.computed_at >= :since)"
        ),
        {"u": users, "since": since},
    ).all()
    return {r[0] for r in rows}


def run_kill_check(
    db_url: str,
    redis_url: str,
    logs: Path,
    *,
    jobs: int = 300,
    fake_model: bool = False,
    kill_fraction: float = 0.33,
    timeout: float = 900,
) -> KillResult:
    """Prepare, run a worker, SIGKILL it mid-batch, restart, wait, check. DATABASE_URL must
    point at db_url in this process (the session helpers read it)."""
    from dramatiq import Message
    from dramatiq.brokers.redis import RedisBroker
    from sqlalchemy import text
    from sqlmodel import Session

    from cyberhub import db
    from cyberhub.models.base import utcnow
    from cyberhub.redis_client import JOBS_KEY, get_redis
    from cyberhub.services.ai.embeddings import learner_text, text_hash

    warm, *users = prepare(db_url, jobs + 1)  # one extra learner for the warm-up job
    module = "bench._fake_model_worker" if fake_model else "worker.actors"
    model_name = FAKE_MODEL if fake_model else REAL_MODEL
    env = {k: v for k, v in os.environ.items() if k != "CYBERHUB_BROKER"}
    env.update(DATABASE_URL=db_url, REDIS_URL=redis_url, PYTHONPATH=str(ROOT))
    logs.mkdir(parents=True, exist_ok=True)
    broker = RedisBroker(url=redis_url)  # the web side's role: it only enqueues

    def send(uid: int) -> None:
        broker.enqueue(
            Message(queue_name="ai", actor_name="embed_learner", args=(uid,), kwargs={},
                    options={})
        )  # fmt: skip

    first = start_worker(module, env, logs / "worker-1.log")
    second: subprocess.Popen[bytes] | None = None
    engine = db.get_engine()
    try:
        # Warm up (imports, the model's load on the first encode) with one extra learner, so
        # the kill lands in the middle of the batch and not during start-up.
        t_warm = utcnow()
        send(warm)
        deadline = time.monotonic() + timeout
        with Session(engine) as s:
            while warm not in _done(s, [warm], t_warm):
                s.rollback()
                if first.poll() is not None:
                    raise RuntimeError((logs / "worker-1.log").read_text()[-3000:])
                if time.monotonic() > deadline:
                    raise TimeoutError("the worker did not finish its warm-up job")
                time.sleep(0.2)
        get_redis().hdel(JOBS_KEY, "embed_learner|succeeded")

        since = utcnow()
        t0 = time.monotonic()
        for uid in users:
            send(uid)
        kill_at = max(1, int(jobs * kill_fraction))
        done: set[int] = set()
        with Session(engine) as s:
            while len(done) < kill_at:
                done = _done(s, users, since)
                s.rollback()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {len(done)} jobs done before the kill")
                time.sleep(0.05)
        kill_group(first)  # SIGKILL: no shutdown hooks, no acks, no heartbeat removal
        t_kill = time.monotonic()
        with Session(engine) as s:
            done_set = _done(s, users, since)
            done_at_kill = len(done_set)
        # What the dead worker held: its unacknowledged message ids (the broker's ack sets).
        r = get_redis()
        held: set[int] = set()
        for key in r.scan_iter("dramatiq:__acks__.*"):
            for mid in r.smembers(key):
                raw = r.hget("dramatiq:ai.msgs", mid)
                if raw:
                    held.add(int(Message.decode(raw.encode()).args[0]))
        second = start_worker(module, env, logs / "worker-2.log")
        t_new = time.monotonic()

        finished: dict[int, float] = {}
        with Session(engine) as s:
            while len(finished) < jobs:
                for uid in _done(s, users, since) - set(finished):
                    finished[uid] = time.monotonic() - t_kill
                s.rollback()
                if second.poll() is not None:
                    raise RuntimeError((logs / "worker-2.log").read_text()[-3000:])
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{jobs - len(finished)} jobs never finished")
                time.sleep(0.1)
        t_all = time.monotonic()
        # Let redelivered duplicates (if any) run too before counting.
        settle = time.monotonic() + 60
        while time.monotonic() < settle and r.hlen("dramatiq:ai.msgs"):
            time.sleep(0.2)
        time.sleep(1)

        problems: list[str] = []
        with Session(engine) as s:
            vecs = {
                uid: (model, h)
                for uid, model, h in s.execute(
                    text(
                        "SELECT user_id, model, text_hash FROM learner_embeddings "
                        "WHERE user_id = ANY(:u)"
                    ),
                    {"u": users},
                ).all()
            }
            for uid in users:
                if uid not in vecs:
                    problems.append(f"learner {uid}: no vector")
                    continue
                model, h = vecs[uid]
                if model != model_name or h != text_hash(learner_text(s, uid)):
                    problems.append(f"learner {uid}: stale vector ({model}, {h[:8]})")
            recs = s.execute(
                text(
                    "SELECT user_id, array_agg(rank ORDER BY rank), count(DISTINCT mission_id), "
                    "count(*), min(computed_at) FROM recommendations WHERE user_id = ANY(:u) "
                    "AND rank <= :top GROUP BY user_id"
                ),
                {"u": users, "top": TOP_K},
            ).all()
            by_user = {row[0]: row[1:] for row in recs}
            for uid in users:
                ranks, distinct, count, oldest = by_user.get(uid, ([], 0, 0, None))
                # A list holds MIN_LIST..TOP_K missions (a learner with goals sees only missions
                # matching one, topped up to MIN_LIST); "unlocks after" rows rank above TOP_K.
                whole = list(ranks) == list(range(1, count + 1)) and distinct == count
                if not whole or not MIN_LIST <= count <= TOP_K:
                    problems.append(f"learner {uid}: ranks {list(ranks)}, {distinct}/{count}")
                elif oldest < since:
                    problems.append(f"learner {uid}: list not recomputed")
            failures = s.execute(text("SELECT count(*) FROM job_failures")).scalar_one()
            if failures:
                problems.append(f"{failures} job failures recorded")
        for q in ("ai", "default"):
            left = r.hlen(f"dramatiq:{q}.msgs") + r.hlen(f"dramatiq:{q}.DQ.msgs")
            dead = r.zcard(f"dramatiq:{q}.XQ")
            if left or dead:
                problems.append(f"queue {q}: {left} left, {dead} dead-lettered")
        executions = int(r.hget(JOBS_KEY, "embed_learner|succeeded") or 0)
        tail = sorted(finished.values())[-5:]
        return KillResult(
            jobs=jobs,
            done_at_kill=done_at_kill,
            in_flight_at_kill=jobs - done_at_kill,
            kill_to_new_worker_s=t_new - t_kill,
            kill_to_all_done_s=t_all - t_kill,
            total_s=t_all - t0,
            executions=executions,
            problems=problems,
            tail_done_s=tail,
            held=len(held),
            held_done_before_kill=len(held & done_set),
            held_back_s=max((finished.get(u, 0.0) for u in held), default=0.0),
        )
    finally:
        kill_group(first)
        if second is not None:
            kill_group(second, signal.SIGTERM)
            kill_group(second)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--fake-model", action="store_true", help="hash embedder, no torch")
    args = parser.parse_args()
    for var in ("DATABASE_URL", "REDIS_URL", "CYBERHUB_BROKER"):
        os.environ.pop(var, None)

    from _common import machine, throwaway_env

    with throwaway_env("kill") as env:
        res = run_kill_check(
            env.db_url, env.redis_url, env.root / "logs", jobs=args.jobs, fake_model=args.fake_model
        )
    print()
    model = "hash embedder (--fake-model)" if args.fake_model else REAL_MODEL
    print(
        f"SIGKILL mid-batch: {res.jobs} embed_learner jobs (embed + recompute 10 "
        f"recommendations), 1 worker process x 2 threads, {model}; {machine()}"
    )
    print()
    print("| | |")
    print("|---|---|")
    print(f"| jobs done when the worker got SIGKILL | {res.done_at_kill} of {res.jobs} |")
    print(
        f"| messages the killed worker held unacknowledged | {res.held} "
        f"({res.held_done_before_kill} already committed before the kill: run again, no change) |"
    )
    print(f"| new worker started | {res.kill_to_new_worker_s:.1f} s after the kill |")
    print(
        f"| the held messages redelivered and done | {res.held_back_s:.1f} s after the kill "
        f"(broker heartbeat timeout 15 s + maintenance) |"
    )
    print(f"| all {res.jobs} effects present | {res.kill_to_all_done_s:.1f} s after the kill |")
    print(
        "| the last five learners done (s after the kill) | "
        + ", ".join(f"{x:.1f}" for x in res.tail_done_s)
        + " |"
    )
    print(f"| successful runs in the workers' job statistics | {res.executions} |")
    print(
        f"| vectors (one per learner, current text hash) and lists (ranks 1..n, 5 <= n <= 10, no duplicates) "
        f"| {'all correct' if not res.problems else f'{len(res.problems)} PROBLEMS'} |"
    )
    for p in res.problems[:20]:
        print("  -", p)
    if res.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
