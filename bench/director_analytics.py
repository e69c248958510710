"""p50 / p95 of the director's analytics at scale (after bench/seed_scale.py; issue 15 goals).

    source scripts/env.sh && python bench/seed_scale.py      # 400 cohorts of 250, 1M submissions
    source scripts/env.sh && python bench/director_analytics.py [--n 50] [--explain]

Uses the embedded PostgreSQL seed_scale.py left in /tmp/cyberhub-scale (started for the run and
stopped after), or DATABASE_URL. Each sample is one call in its own transaction (rolled back),
warm (10 calls first); loading the principal is not timed:

- programme analytics: services.learning.analytics.program_analytics for the flagship programme
  (every cohort), unfiltered, as a director of its organisation — goal p95 <= 150 ms. With 400
  cohorts (>= ANALYTICS_SNAPSHOT_MIN_COHORTS) it reads the worker's snapshot: the bench runs
  analytics.refresh_snapshots once first (its time is the worker's cost, printed) and also
  times the live computation a few times (`--live-n`) for comparison;
- the same for one random cohort of it (the page's cohort filter);
- at-risk list: analytics.cohort_at_risk for a random cohort of 250 — goal p95 <= 50 ms.

A smaller seed works the same way (the programme then has learners / 250 cohorts), e.g.
`seed_scale.py --learners 25000 --submissions 250000 --dir /tmp/cyberhub-scale-analytics` and
`director_analytics.py --dir /tmp/cyberhub-scale-analytics`.

seed_scale.py writes no profiler results, so the track mix is empty and the low-confidence
reason finds nobody (the at-risk queries still run in full). Prints a markdown table.
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

from bench.dashboards import DB_NAME, DEFAULT_DIR, explain, pct  # noqa: E402

GOALS_MS = {"programme": 150.0, "live": 150.0, "cohort": 150.0, "at_risk": 50.0}


def cases(session_factory: Callable[[], Any], rng: random.Random) -> dict[str, Callable[[], float]]:
    from sqlalchemy import text

    from cyberhub.schemas.analytics import AnalyticsFilters
    from cyberhub.services.identity.permissions import load_principal
    from cyberhub.services.learning import analytics

    with session_factory() as s:
        program_id, org_id = s.execute(
            text(
                "SELECT p.id, p.organization_id FROM programs p JOIN cohorts c "
                "ON c.program_id = p.id GROUP BY p.id ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
        director_id = s.execute(
            text(
                "SELECT user_id FROM role_assignments WHERE role = 'director' "
                "AND organization_id = :o LIMIT 1"
            ),
            {"o": org_id},
        ).scalar_one()
        cohort_ids = [
            r[0]
            for r in s.execute(
                text("SELECT id FROM cohorts WHERE program_id = :p"), {"p": program_id}
            ).all()
        ]
        print(f"programme {program_id}: {len(cohort_ids)} cohorts")

    def timed(call: Callable[[Any, Any], Any]) -> Callable[[], float]:
        def run() -> float:
            with session_factory() as session:
                principal = load_principal(session, director_id)
                started = time.perf_counter()
                call(session, principal)
                elapsed = (time.perf_counter() - started) * 1000
                session.rollback()
                return elapsed

        return run

    with session_factory() as s:
        started = time.perf_counter()
        done = analytics.refresh_snapshots(s)
        s.commit()
        print(
            f"refresh_snapshots: {(time.perf_counter() - started) * 1000:.0f} ms "
            f"(per programme: {done.refreshed})"
        )

    def programme(s: Any, p: Any) -> None:
        found = analytics.program_analytics(s, p, program_id, AnalyticsFilters())
        assert found.as_of is not None, "expected the snapshot (fewer cohorts than the threshold?)"

    def live(s: Any, p: Any) -> None:
        # What the snapshot holds, computed for the request (the worker's job, and this page's
        # cost before snapshots).
        program = analytics.get_program(s, p, program_id)
        analytics.compute_live(s, program, AnalyticsFilters())

    def cohort(s: Any, p: Any) -> None:
        filters = AnalyticsFilters(cohort_id=rng.choice(cohort_ids))
        analytics.program_analytics(s, p, program_id, filters)

    def at_risk(s: Any, p: Any) -> None:
        analytics.cohort_at_risk(s, p, rng.choice(cohort_ids))

    return {
        "programme": timed(programme),
        "live": timed(live),
        "cohort": timed(cohort),
        "at_risk": timed(at_risk),
    }


def schedule(engine: Any, per_cohort: int) -> None:
    """Every cohort of the flagship programme gets `per_cohort` due dates, all passed (one a day
    back from yesterday), on the programme's first published missions: the at-risk list then
    counts each learner's overdue missions (schedule.behind_schedule)."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(
            text(
                """
WITH flagship AS (
  SELECT p.id FROM programs p JOIN cohorts c ON c.program_id = p.id
  GROUP BY p.id ORDER BY count(*) DESC LIMIT 1
), picked AS (
  SELECT pm.mission_id, row_number() OVER (ORDER BY pm.mission_id) AS k
  FROM program_missions pm JOIN missions m ON m.id = pm.mission_id
  WHERE pm.program_id = (SELECT id FROM flagship) AND m.status = 'published'
)
INSERT INTO cohort_due_dates (cohort_id, mission_id, due_at, updated_at)
SELECT c.id, picked.mission_id, now() - make_interval(days => picked.k::int), now()
FROM cohorts c, picked
WHERE c.program_id = (SELECT id FROM flagship) AND picked.k <= :n
ON CONFLICT (cohort_id, mission_id) DO NOTHING
"""
            ),
            {"n": per_cohort},
        )
        conn.execute(text("ANALYZE cohort_due_dates"))


NAMES = {
    "programme": "Programme analytics, every block, all cohorts (`program_analytics`, snapshot)",
    "live": "The same computed live (what refresh_snapshots does per programme)",
    "cohort": "Programme analytics filtered to one cohort",
    "at_risk": "At-risk list of one cohort of 250 (`cohort_at_risk`)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="samples per case")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--live-n", type=int, default=5, help="samples of the live computation")
    parser.add_argument(
        "--due-dates",
        type=int,
        default=0,
        help="give every cohort of the programme this many past due dates first (seed_scale.py "
        "writes none; 0 leaves the schedule as it is)",
    )
    args = parser.parse_args()

    from cyberhub import infra

    external = os.environ.get("DATABASE_URL")
    if not external and not (args.dir / "pg" / "PG_VERSION").exists():
        sys.exit(f"No data in {args.dir}: run bench/seed_scale.py first.")
    url = external or infra.start_postgres(args.dir / "pg", DB_NAME)
    try:
        from cyberhub.migrate import upgrade

        upgrade(url)
        from sqlalchemy import create_engine
        from sqlmodel import Session

        from cyberhub.db import normalize_url

        engine = create_engine(normalize_url(url), pool_size=2)
        if args.due_dates:
            schedule(engine, args.due_dates)
        runs = cases(lambda: Session(engine, expire_on_commit=False), random.Random(args.seed))
        rows = []
        for key, run in runs.items():
            n, warm = (args.live_n, 1) if key == "live" else (args.n, 10)
            for _ in range(warm):
                run()
            times = [run() for _ in range(n)]
            rows.append((key, pct(times, 0.5), pct(times, 0.95), statistics.fmean(times)))
            if args.explain:
                explain(engine, NAMES[key], run)
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nload average (1 / 5 / 15 min) at the end: {load}; live: n = {args.live_n}")
        print(f"\n| Analytics (n = {args.n}, warm) | p50 ms | p95 ms | mean ms | goal p95 |")
        print("|---|---|---|---|---|")
        for key, p50, p95, mean in rows:
            flag = "" if p95 <= GOALS_MS[key] else " ⚠"
            print(
                f"| {NAMES[key]} | {p50:.1f} | {p95:.1f}{flag} | {mean:.1f} | {GOALS_MS[key]:.0f} |"
            )
        engine.dispose()
    finally:
        if not external:
            infra.stop_postgres(args.dir / "pg")


if __name__ == "__main__":
    main()
