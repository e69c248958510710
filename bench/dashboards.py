"""p50 / p95 / mean of the data loads behind the dashboards, at scale (after bench/seed_scale.py).

    source scripts/env.sh && python bench/dashboards.py [--n 200] [--explain]

Uses the embedded PostgreSQL seed_scale.py left in /tmp/cyberhub-scale (started for the run and
stopped after), or DATABASE_URL. Each sample is one random user and the service calls one page
load makes, in its own transaction (rolled back: the mentor queue may return expired claims):

- student dashboard: services.dashboards.student_dashboard;
- mentor dashboard: services.mentoring.mentor_dashboard + services.reviews.queue (page 1 of
  "pending", what the queue tab shows first);
- director roster (/director/cohorts/[id]): programs.cohort_detail + programs.roster +
  enrollment.list_mentors, for a random cohort of a director.

Loading the principal (the session's user and roles) is not timed. Prints a markdown table.
`--explain` prints EXPLAIN ANALYZE of every statement one sample of each load runs.
`--memory default|sized` restarts the embedded server with PostgreSQL's default memory or with
what `make run` gives it on this machine and times the first (cold) loads too (issue 18 item 5).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CYBERHUB_BROKER", "stub")

# Where bench/seed_scale.py puts its data (the same defaults).
DEFAULT_DIR = Path("/tmp/cyberhub-scale")
DB_NAME = "cyberhub_scale"
TARGET_P95_MS = 100.0
# PostgreSQL's own defaults, what the embedded server ran with before issue 18 item 5.
PG_DEFAULT_MEMORY = {"shared_buffers": "128MB", "effective_cache_size": "4GB", "work_mem": "4MB"}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ids_with_role(session: Any, role: str) -> list[int]:
    from sqlalchemy import text

    return [
        r[0]
        for r in session.execute(
            text("SELECT user_id FROM role_assignments WHERE role = :r"), {"r": role}
        ).all()
    ]


def loads(session_factory: Callable[[], Any], rng: random.Random) -> dict[str, Callable[[], Any]]:
    """One callable per dashboard: pick a random user, load the principal, time the services."""
    from sqlalchemy import text

    from cyberhub.services.identity.permissions import load_principal
    from cyberhub.services.learning import dashboards, enrollment, mentoring, programs, reviews

    with session_factory() as s:
        students = ids_with_role(s, "student")
        mentors = ids_with_role(s, "mentor")
        cohorts = [
            (r[0], r[1])
            for r in s.execute(
                text("SELECT id, director_id FROM cohorts WHERE director_id IS NOT NULL")
            ).all()
        ]

    def timed(pick: Callable[[Any], tuple[Any, Callable[[Any, Any], Any]]]) -> Callable[[], float]:
        def run() -> float:
            with session_factory() as session:
                principal, call = pick(session)
                started = time.perf_counter()
                call(session, principal)
                elapsed = (time.perf_counter() - started) * 1000
                session.rollback()
                return elapsed

        return run

    def student(session: Any) -> tuple[Any, Callable[[Any, Any], Any]]:
        return load_principal(session, rng.choice(students)), dashboards.student_dashboard

    def mentor(session: Any) -> tuple[Any, Callable[[Any, Any], Any]]:
        def call(s: Any, p: Any) -> None:
            # As /dashboard/mentor loads it (pages/mentor_home._home): no preview, counts reused.
            mentoring.mentor_dashboard(s, p, preview=False)
            reviews.queue(s, p, bucket="pending", page=1, page_size=10)

        return load_principal(session, rng.choice(mentors)), call

    def director(session: Any) -> tuple[Any, Callable[[Any, Any], Any]]:
        cohort_id, director_id = rng.choice(cohorts)

        def call(s: Any, p: Any) -> None:
            # As /director/cohorts/<id> loads it (pages/director_cohort/data._load): page 1.
            programs.cohort_detail(s, p, cohort_id)
            programs.roster_page(s, p, cohort_id, page=1)
            enrollment.list_mentors(s, p, cohort_id)

        return load_principal(session, director_id), call

    return {
        "Student dashboard (`student_dashboard`)": timed(student),
        "Mentor dashboard (`mentor_dashboard` + `reviews.queue` page 1)": timed(mentor),
        "Director cohort roster (`cohort_detail` + `roster_page` + `list_mentors`)": timed(
            director
        ),
    }


def explain(engine: Any, name: str, run: Callable[[], float]) -> None:
    """EXPLAIN ANALYZE every SELECT one sample of `run` executes (slowest first)."""
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def grab(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for statement, params in statements:
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                lines = [r[0] for r in cur.fetchall()]
            total = float(lines[-1].split(":")[1].split()[0]) if "Execution" in lines[-1] else 0
            plans.append((total, statement, lines))
        raw.rollback()
    print(f"\n### {name}: {len(plans)} statements")
    for total, statement, lines in sorted(plans, key=lambda p: -p[0])[:4]:
        print(f"\n-- {total:.1f} ms\n{statement[:600]}\n" + "\n".join(lines[:40]))


def _blocks(engine: Any) -> tuple[int, int]:
    """This database's blocks read from outside the shared buffers, and buffer hits, so far."""
    from sqlalchemy import text

    time.sleep(1.5)  # the pooled connections that ran the loads report their counts when idle
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()"
            )
        ).one()
    return int(row[0]), int(row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="samples per dashboard")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--memory",
        choices=["sized", "default"],
        default="",
        help="embedded server only: restart it with PostgreSQL's default memory settings or with "
        "what `make run` sizes from this machine's RAM (infra.pg_memory_settings), and time the "
        "first --cold loads of each dashboard on its empty buffers before the warm ones",
    )
    parser.add_argument("--cold", type=int, default=20, help="first loads timed as cold")
    args = parser.parse_args()

    from cyberhub import infra

    external = os.environ.get("DATABASE_URL")
    if not external and not (args.dir / "pg" / "PG_VERSION").exists():
        sys.exit(f"No data in {args.dir}: run bench/seed_scale.py first.")
    url = external or infra.start_postgres(args.dir / "pg", DB_NAME)
    if args.memory and not external:
        import psutil

        memory = (
            infra.pg_memory_settings(psutil.virtual_memory().total)
            if args.memory == "sized"
            else dict(PG_DEFAULT_MEMORY)
        )
        infra.configure_postgres(args.dir / "pg", url, **memory)
        # A restart empties the shared buffers (the OS page cache stays as it is).
        infra.restart_postgres(args.dir / "pg")
        print("memory: " + ", ".join(f"{k} {v}" for k, v in memory.items()))
    try:
        from cyberhub.migrate import upgrade

        upgrade(url)  # data seeded by an older checkout gets the newer indexes
        from sqlalchemy import create_engine, text
        from sqlmodel import Session

        from cyberhub.db import normalize_url

        engine = create_engine(normalize_url(url), pool_size=2)
        with Session(engine) as s:
            counts = {
                t: s.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("users", "missions", "submissions", "reviews", "cohorts")
            }
        print("data: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        rng = random.Random(args.seed)
        cases = loads(lambda: Session(engine, expire_on_commit=False), rng)
        rows = []
        cold_rows = []
        blocks: list[tuple[str, int, int]] = []
        if args.memory:  # the first loads after the start, each dashboard in turn
            before = _blocks(engine)
            cold: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.cold):
                for name, run in cases.items():
                    cold[name].append(run())
            cold_rows = [(n, pct(t, 0.5), pct(t, 0.95), max(t)) for n, t in cold.items()]
            after = _blocks(engine)
            blocks.append((f"first {args.cold} loads", after[0] - before[0], after[1] - before[1]))
            before = after
        for name, run in cases.items():
            for _ in range(10):  # warm the caches and the connection pool
                run()
            times = [run() for _ in range(args.n)]
            rows.append(
                (name, pct(times, 0.5), pct(times, 0.95), statistics.fmean(times), max(times))
            )
            if args.explain:
                explain(engine, name, run)
        if args.memory:
            after = _blocks(engine)
            blocks.append(("the warm loads", after[0] - before[0], after[1] - before[1]))
            # Blocks PostgreSQL had to ask the OS for (its page cache or the disk) vs found in
            # its shared buffers: a measure of the buffers' size that the machine's load can't blur.
            for phase, read, hit in blocks:
                print(
                    f"{phase}: {read:,} blocks read outside shared buffers, {hit:,} hits "
                    f"({100 * hit / max(1, read + hit):.1f} % hit)"
                )
        if cold_rows:
            print(f"\n| Cold: first {args.cold} loads after the start | p50 ms | p95 ms | max ms |")
            print("|---|---|---|---|")
            for name, p50, p95, worst in cold_rows:
                print(f"| {name} | {p50:.1f} | {p95:.1f} | {worst:.1f} |")
        print(f"\n| Data load (n = {args.n}, random users) | p50 ms | p95 ms | mean ms | max ms |")
        print("|---|---|---|---|---|")
        for name, p50, p95, mean, worst in rows:
            flag = "" if p95 <= TARGET_P95_MS else " ⚠"
            print(f"| {name} | {p50:.1f} | {p95:.1f}{flag} | {mean:.1f} | {worst:.1f} |")
        engine.dispose()
    finally:
        if not external:
            infra.stop_postgres(args.dir / "pg")


if __name__ == "__main__":
    main()
