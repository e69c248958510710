"""Restarts under load lose nothing and recover unaided (issue 18, item 4).

    source scripts/env.sh && nice -n 10 python bench/restarts.py [--tabs 20] [--phase 20]
        [--kill-worker]

A cluster as several machines run it (bench/cluster.py: 2 web, 2 workers, 1 scheduler on one
TCP PostgreSQL and one TCP Redis with an append-only file). Under load — simulated learner tabs
over the real websocket (bench/ws_load.py `run_tabs`, on both web processes) and a writer that,
through the JSON API on both web processes, submits learners' work, has a mentor claim and review
it, and asks for data exports (a worker job each) — it restarts, `--phase` seconds apart:

    PostgreSQL (pg_ctl restart -m fast) → Redis (SIGTERM, same port, AOF) → web 0 (SIGTERM, start
    again) → worker 0 (SIGTERM: Dramatiq requeues what it holds; --kill-worker: SIGKILL, its
    messages come back after the broker's 15 s heartbeat timeout)

and prints, per restart, the recovery time: from the restart's start to the first write
acknowledged after it (and to the first export job done after it, for the worker). Nobody
touches anything in between. At the end, once the queues are drained:

- acknowledged writes missing from the database (submissions, reviews, export requests): goal 0;
- acknowledged export requests whose job never ran (lost jobs): goal 0;
- jobs that ran more than once *in effect*: a review stored twice for one attempt, an export
  done twice (its `run_export` claim is a conditional UPDATE, so a redelivered message is a
  no-op; the number of extra runs is shown separately): goal 0.

Refused writes during a restart (the API's 503 "try again", or no connection) are counted, not
lost: the writer was told and did not count them as done. Bounded: ≈ 5 phases x --phase
seconds plus the cluster's start (≈ 1 min) and the drain (≤ 90 s).
tests/integration/test_restarts_bench.py runs a short version.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402
from bench.cluster import Cluster  # noqa: E402
from bench.ws_load import LoadReport, run_tabs, seed_learners  # noqa: E402

MENTOR_EMAIL = "restart-mentor@load.cyberhub.example"
MENTOR_PASSWORD = "Restart-Mentor-2026!"
RESTARTS = ("PostgreSQL", "Redis", "web 0", "worker 0")
DRAIN_TIMEOUT_S = 90
REQUEST_TIMEOUT_S = 10


# --- the writer -------------------------------------------------------------------------------


class Refused(Exception):
    """The write was not acknowledged (an error status or no connection): not counted as done."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status; 0 when there was no answer


def _call(base: str, method: str, path: str, token: str = "", body: Any = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}/api/v1{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:200].decode(errors="replace")
        raise Refused(f"{method} {path}: {exc.code} {detail}", exc.code) from exc
    except (OSError, ValueError) as exc:
        raise Refused(f"{method} {path}: {type(exc).__name__}: {exc}") from exc


@dataclass
class Writes:
    """What the API acknowledged, and when (monotonic seconds)."""

    submissions: dict[int, float] = field(default_factory=dict)  # attempt id -> acked at
    reviews: dict[int, str] = field(default_factory=dict)  # attempt id -> decision
    exports: dict[int, float] = field(default_factory=dict)  # export id -> acked at
    acked_at: list[float] = field(default_factory=list)
    refused: list[tuple[float, str]] = field(default_factory=list)
    review_errors: list[str] = field(default_factory=list)


class Writer:
    """Learners submit (each its next mission), the mentor claims and reviews each acknowledged
    attempt, and every few rounds a learner asks for their data export; both web processes in
    turn. Runs in a thread until stopped."""

    def __init__(self, web_urls: list[str], learners: list[tuple[str, str]], missions: list[int]):
        self.web_urls, self.learners, self.missions = web_urls, learners, missions
        self.writes = Writes()
        self.stop = threading.Event()
        self.tokens: dict[str, str] = {}
        self.next_mission: dict[str, int] = {email: 0 for email, _ in learners}
        self.to_review: list[int] = []
        self._n = 0

    def _base(self) -> str:
        self._n += 1
        return self.web_urls[self._n % len(self.web_urls)]

    def _token(self, email: str, password: str) -> str:
        if email not in self.tokens:
            got = _call(
                self._base(), "POST", "/auth/login", body={"email": email, "password": password}
            )
            self.tokens[email] = str(got["access_token"])
        return self.tokens[email]

    def _ack(self) -> None:
        self.writes.acked_at.append(time.monotonic())

    def _refused(self, exc: Refused) -> None:
        self.writes.refused.append((time.monotonic(), str(exc)))
        time.sleep(0.2)

    def _submit(self, email: str, password: str) -> None:
        i = self.next_mission[email]
        if i >= len(self.missions):
            return
        token = self._token(email, password)
        answer = f"Round {i}: baseline scan, one change at a time, scan again. Evidence linked."
        got = _call(self._base(), "POST", f"/missions/{self.missions[i]}/submit", token,
                    {"answer": answer, "links": [f"https://example.org/{i}"]})  # fmt: skip
        self.writes.submissions[int(got["id"])] = time.monotonic()
        self.next_mission[email] = i + 1
        self.to_review.append(int(got["id"]))
        self._ack()

    def _review(self, mentor_token: str) -> None:
        if not self.to_review:
            return
        attempt = self.to_review[0]
        base = self._base()
        with contextlib.suppress(Refused):  # already claimed by us (a retried claim)
            _call(base, "POST", f"/submissions/{attempt}/claim", mentor_token)
        body = {"decision": "approved", "scores": SCORES,
                "feedback": "Clear evidence before and after; well done."}  # fmt: skip
        try:
            got = _call(base, "POST", f"/submissions/{attempt}/review", mentor_token, body)
        except Refused as exc:
            if 400 <= exc.status < 500:
                # 409: already decided (a review whose answer a restart cut off): not counted as
                # acknowledged, nothing to retry. Any other refusal is unexpected.
                if exc.status != 409:
                    self.writes.review_errors.append(str(exc))
                self.to_review.pop(0)
            raise
        self.writes.reviews[attempt] = str(got["status"])
        self.to_review.pop(0)
        self._ack()

    def _export(self, email: str, password: str) -> None:
        got = _call(self._base(), "POST", "/exports", self._token(email, password),
                    {"kind": "own_data"})  # fmt: skip
        self.writes.exports[int(got["id"])] = time.monotonic()
        self._ack()

    def run(self) -> None:
        mentor = ""
        round_ = 0
        while not self.stop.is_set():
            round_ += 1
            for email, password in self.learners:
                if self.stop.is_set():
                    return
                steps = [lambda e=email, p=password: self._submit(e, p)]
                if round_ % 3 == 0:
                    steps.append(lambda e=email, p=password: self._export(e, p))
                for step in steps:
                    try:
                        step()
                    except Refused as exc:
                        self._refused(exc)
                try:
                    mentor = mentor or self._token(MENTOR_EMAIL, MENTOR_PASSWORD)
                    self._review(mentor)
                except Refused as exc:
                    self._refused(exc)
                time.sleep(0.1)


# --- set-up and checks (straight SQL: the bench is outside the app) ------------------------------


def add_mentor(pg_url: str, cohort_name: str) -> None:
    """A mentor serving the load cohort (bench/ws_load.seed_learners made it)."""
    from sqlmodel import Session, create_engine, select

    from cyberhub.models import Cohort, Program, RoleAssignment, User
    from cyberhub.models.identity import Role
    from cyberhub.models.progress import CohortMentor
    from cyberhub.services.identity.passwords import hash_password

    engine = create_engine(pg_url)
    try:
        with Session(engine) as session:
            cohort = session.exec(select(Cohort).where(Cohort.name == cohort_name)).one()
            user = session.exec(select(User).where(User.email == MENTOR_EMAIL)).first()
            if user is None:
                user = User(email=MENTOR_EMAIL, full_name="Restart Mentor",
                            password_hash=hash_password(MENTOR_PASSWORD))  # fmt: skip
                session.add(user)
                session.flush()
                program = session.get(Program, cohort.program_id)
                session.add(
                    RoleAssignment(
                        user_id=user.id or 0,
                        role=Role.mentor,
                        organization_id=program.organization_id if program else None,
                        reason="restarts bench",
                    )
                )
                session.add(CohortMentor(cohort_id=cohort.id or 0, mentor_id=user.id or 0))
            session.commit()
    finally:
        engine.dispose()


# The rubric the mentor scores (key, title, points: what services/learning/reviews reads).
RUBRIC = [
    {"key": "evidence", "title": "Evidence", "points": 10},
    {"key": "clarity", "title": "Clarity", "points": 5},
]
SCORES = {"evidence": 8, "clarity": 4}


def load_missions(pg_url: str) -> list[int]:
    """The load programme's missions, given RUBRIC (ws_load's seed writes name/max criteria,
    which a review cannot score)."""
    import psycopg

    from bench._common import libpq

    with psycopg.connect(libpq(pg_url)) as conn:
        rows = conn.execute(
            "UPDATE missions SET rubric = %s::jsonb WHERE slug LIKE 'load-mission-%%' "
            "RETURNING id, slug",
            (json.dumps(RUBRIC),),
        ).fetchall()
    return [int(r[0]) for r in sorted(rows, key=lambda r: str(r[1]))]


@dataclass
class Verdict:
    lost_submissions: list[int]
    lost_reviews: list[int]
    lost_export_requests: list[int]
    lost_jobs: list[int]  # acknowledged exports not done
    lost_job_states: dict[int, str]  # their status (and error)
    duplicated_effects: int
    export_runs: int  # successful run_export executions counted by the workers (>= exports)
    left_in_queues: int
    dead_letters: int

    @property
    def lost_writes(self) -> int:
        return len(self.lost_submissions) + len(self.lost_reviews) + len(self.lost_export_requests)


def _export_states(pg_url: str, ids: list[int], with_error: bool = False) -> dict[int, str]:
    import psycopg

    from bench._common import libpq

    with psycopg.connect(libpq(pg_url)) as conn:
        rows = conn.execute(
            "SELECT id, status, error FROM exports WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    return {int(r[0]): f"{r[1]}: {r[2]}" if with_error and r[2] else str(r[1]) for r in rows}


def _queued(redis_url: str) -> int:
    import redis

    r: Any = redis.Redis.from_url(redis_url)
    try:
        return sum(int(r.hlen(f"dramatiq:{q}.msgs")) + int(r.hlen(f"dramatiq:{q}.DQ.msgs"))
                   for q in ("default", "ai"))  # fmt: skip
    finally:
        r.close()


def drain(cluster: Cluster, writes: Writes, timeout: float = DRAIN_TIMEOUT_S) -> None:
    """Wait until every acknowledged export is done or failed and the queues are empty."""
    deadline = time.monotonic() + timeout
    ids = list(writes.exports)
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            states = _export_states(cluster.pg_url, ids)
            pending = [i for i in ids if states.get(i) in (None, "queued", "running")]
            if not pending and _queued(cluster.redis_url) == 0:
                return
        time.sleep(1)


def verify(cluster: Cluster, writes: Writes) -> Verdict:
    import psycopg
    import redis

    from bench._common import libpq
    from cyberhub.redis_client import JOBS_KEY

    subs, revs, exps = list(writes.submissions), list(writes.reviews), list(writes.exports)
    with psycopg.connect(libpq(cluster.pg_url)) as conn:
        have_subs = {r[0] for r in conn.execute(
            "SELECT id FROM submissions WHERE id = ANY(%s)", (subs,)).fetchall()}  # fmt: skip
        review_rows = conn.execute(
            "SELECT submission_id, count(*) FROM reviews WHERE submission_id = ANY(%s) "
            "GROUP BY submission_id", (revs,)).fetchall()  # fmt: skip
    states = _export_states(cluster.pg_url, exps)
    lost_jobs = [i for i in exps if i in states and states[i] != "done"]
    have_revs = {r[0] for r in review_rows}
    r: Any = redis.Redis.from_url(cluster.redis_url, decode_responses=True)
    try:
        runs = int(r.hget(JOBS_KEY, "run_export|succeeded") or 0)
        left = _queued(cluster.redis_url)
        dead = sum(int(r.zcard(f"dramatiq:{q}.XQ")) for q in ("default", "ai"))
    finally:
        r.close()
    return Verdict(
        lost_submissions=[i for i in subs if i not in have_subs],
        lost_reviews=[i for i in revs if i not in have_revs],
        lost_export_requests=[i for i in exps if i not in states],
        lost_jobs=lost_jobs,
        lost_job_states=_export_states(cluster.pg_url, lost_jobs, with_error=True),
        # reviews.submission_id is unique and run_export claims with a conditional UPDATE: a
        # second effect would show as a second row here, or as an export done twice (which the
        # claim makes impossible, so only the review rows can show one).
        duplicated_effects=sum(int(n) - 1 for _, n in review_rows if int(n) > 1),
        export_runs=runs,
        left_in_queues=left,
        dead_letters=dead,
    )


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Recovery:
    what: str
    took_s: float  # the restart call itself (pg_ctl restart, a web's start...)
    first_write_s: float  # restart start -> first acknowledged write after it
    refused: int  # writes refused during the phase (told to try again, or no connection)
    extra: str = ""


@dataclass
class RestartsReport:
    recoveries: list[Recovery]
    verdict: Verdict
    load: list[LoadReport]  # one per start of the tabs (they start again after a crash)
    writes: Writes
    tab_crashes: list[str]
    unhealthy: str  # why the cluster was not healthy at the end ("" when it was)
    health_wait_s: float


def _first_after(times: list[float], t0: float, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        later = [t for t in list(times) if t >= t0]
        if later:
            return min(later) - t0
        time.sleep(0.05)
    return float("inf")


def run_restarts(
    workdir: Path,
    *,
    tabs: int = 20,
    writers: int = 6,
    phase_s: float = 20,
    kill_worker: bool = False,
    recovery_timeout: float = 60,
) -> RestartsReport:
    cohort = "Restart cohort"
    with Cluster(workdir, web=2, workers=2, scheduler=1) as cluster:
        cluster.wait_healthy(timeout=180)
        accounts = seed_learners(cluster.pg_url, tabs + writers, cohort_name=cohort)
        add_mentor(cluster.pg_url, cohort)
        missions = load_missions(cluster.pg_url)
        writer = Writer(cluster.web_urls, accounts[tabs:], missions)
        total_s = phase_s * (len(RESTARTS) + 1) + 30
        reports: list[LoadReport] = []
        crashes: list[str] = []

        def tabs_thread() -> None:
            # run_tabs gives up when a restart breaks a tab in a way it does not expect (an emit
            # on a socket that just closed): like a person reloading, start the tabs again.
            end = time.monotonic() + total_s
            while time.monotonic() < end - 2:
                try:
                    reports.append(
                        asyncio.run(
                            run_tabs(
                                cluster.web_urls, accounts[:tabs], tabs, end - time.monotonic()
                            )
                        )
                    )
                except Exception as exc:  # reported, not raised: the writes are the verdict
                    crashes.append(f"{type(exc).__name__}: {exc}")
                    time.sleep(1)

        threads = [threading.Thread(target=tabs_thread, daemon=True),
                   threading.Thread(target=writer.run, daemon=True)]  # fmt: skip
        for t in threads:
            t.start()
        recoveries: list[Recovery] = []
        try:
            time.sleep(phase_s)
            actions = {
                "PostgreSQL": cluster.restart_postgres,
                "Redis": cluster.restart_redis,
                "web 0": lambda: cluster.restart_web(0),
                "worker 0": lambda: _restart_worker(cluster, 0, kill_worker),
            }
            for what in RESTARTS:
                t0 = time.monotonic()
                refused_before = len(writer.writes.refused)
                actions[what]()
                took = time.monotonic() - t0
                first = _first_after(writer.writes.acked_at, t0, recovery_timeout)
                extra = ""
                if what == "worker 0":
                    done = _first_export_done_after(cluster, writer.writes, t0, recovery_timeout)
                    extra = f"first export job done {done:.1f} s after"
                time.sleep(max(0.0, phase_s - (time.monotonic() - t0)))
                recoveries.append(Recovery(what, took, first,
                                           len(writer.writes.refused) - refused_before, extra))  # fmt: skip
        finally:
            writer.stop.set()
            threads[1].join(timeout=30)
        threads[0].join(timeout=total_s + 60)
        drain(cluster, writer.writes)
        verdict = verify(cluster, writer.writes)
        # Every role healthy again on every web (workers beating, a scheduler holding the
        # lease), nobody having touched anything: how long after the last restart.
        t_health = time.monotonic()
        healthy = ""
        try:
            cluster.wait_healthy(timeout=recovery_timeout)
        except TimeoutError as exc:
            healthy = str(exc)
        return RestartsReport(
            recoveries, verdict, reports, writer.writes, crashes, healthy,
            time.monotonic() - t_health,
        )  # fmt: skip


def _restart_worker(cluster: Cluster, i: int, kill: bool) -> None:
    if not kill:
        cluster.restart_worker(i)
        return
    proc = cluster.workers[i]
    if proc is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    cluster._start_worker(i)  # noqa: SLF001  (why: Cluster's restart_worker is SIGTERM only)


def _first_export_done_after(cluster: Cluster, writes: Writes, t0: float, timeout: float) -> float:
    """Seconds from t0 until an export requested after t0 is done (jobs flow again)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        later = [i for i, at in list(writes.exports.items()) if at >= t0]
        with contextlib.suppress(Exception):
            if later and "done" in _export_states(cluster.pg_url, later).values():
                return time.monotonic() - t0
        time.sleep(0.25)
    return float("inf")


def print_report(rep: RestartsReport, *, tabs: int, kill_worker: bool) -> None:
    w, v = rep.writes, rep.verdict
    how = "SIGKILL" if kill_worker else "SIGTERM"
    print()
    print(f"Restarts under load: 2 web + 2 workers + 1 scheduler, {tabs} simulated tabs + the API "
          f"writer; worker restart by {how}; {machine()}")  # fmt: skip
    print()
    print(
        "| restart | restart took | first acknowledged write after it | writes refused meanwhile |"
    )
    print("|---|---|---|---|")
    for r in rep.recoveries:
        extra = f" ({r.extra})" if r.extra else ""
        print(f"| {r.what} | {r.took_s:.1f} s | {r.first_write_s:.1f} s{extra} | {r.refused} |")
    print()
    print(f"acknowledged: {len(w.submissions)} submissions, {len(w.reviews)} reviews, "
          f"{len(w.exports)} export requests; refused (told, not counted): {len(w.refused)}")  # fmt: skip
    print(f"lost acknowledged writes: {v.lost_writes} (goal 0)")
    print(f"export jobs acknowledged but never done: {len(v.lost_jobs)} (goal 0)")
    for i, state in list(v.lost_job_states.items())[:5]:
        print(f"  export {i}: {state}")
    print(f"effects applied twice: {v.duplicated_effects} (goal 0); run_export executions "
          f"{v.export_runs} for {len(w.exports)} exports (a redelivered one is a no-op)")  # fmt: skip
    print(f"left in the queues: {v.left_in_queues}, dead letters: {v.dead_letters}")
    print("every role healthy on every web at the end: "
          + (f"yes (waited {rep.health_wait_s:.1f} s)" if not rep.unhealthy else rep.unhealthy))  # fmt: skip
    if rep.load:
        events = sum(r.events for r in rep.load)
        errors = sum(r.errors for r in rep.load)
        p95 = max((r.p95_ms for r in rep.load if r.p95_ms == r.p95_ms), default=float("nan"))
        print(f"tabs: {events} events, p95 {p95:.0f} ms, {errors} errors (actions cut by a "
              f"restart; the tab reloads and carries on), {len(rep.tab_crashes)} restarts of "
              f"the tabs")  # fmt: skip
        samples = [s for r in rep.load for s in r.error_samples]
        for sample in [*samples[:5], *rep.tab_crashes[:3]]:
            print("  -", sample[:160])
    for _, msg in w.refused[:5]:
        print("  refused:", msg[:160])
    for msg in w.review_errors[:5]:
        print("  review error:", msg[:160])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tabs", type=int, default=20)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--phase", type=float, default=20, help="seconds between restarts")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL the worker")
    args = parser.parse_args()
    if not 1 <= args.tabs <= 200 or not 1 <= args.writers <= 50 or not 5 <= args.phase <= 60:
        raise SystemExit("bounded: --tabs 1..200, --writers 1..50, --phase 5..60")
    with tempfile.TemporaryDirectory(prefix="cyberhub-restarts-", dir="/tmp") as tmp:
        rep = run_restarts(
            Path(tmp), tabs=args.tabs, writers=args.writers, phase_s=args.phase,
            kill_worker=args.kill_worker,
        )  # fmt: skip
    print_report(rep, tabs=args.tabs, kill_worker=args.kill_worker)
    v = rep.verdict
    if (
        v.lost_writes
        or v.lost_jobs
        or v.duplicated_effects
        or any(r.first_write_s == float("inf") for r in rep.recoveries)
    ):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
