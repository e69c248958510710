"""The Coaching OS at scale (issue 16): the weekly summary and the /coaching data load for random
learners among 10,000 learners × 90 days × 2 habits (~1.8M check-ins); goal p95 ≤ 50 ms each.

    source scripts/env.sh && python bench/coaching.py [--learners 10000] [--days 90] [--samples 60]

Runs in a throwaway embedded PostgreSQL + Redis (bench/_common.throwaway_env), seeded with SQL
`generate_series` (the same approach as bench/exports.py): one organisation, programme and
10 missions; cohorts of 250 learners in three time zones; per learner a daily habit and a
three-times-a-week habit checked in on every one of the last `days` days (a note on one in
seven), a goal measured from the first habit, a manual one, a reflection a week, and three
approved missions (so "missions approved" has events to count).

Each sample is a random learner in a fresh session, exactly the calls the page / API make:
`summary.week_summary` (GET /api/v1/coaching/summary) and the /coaching page's read
(`summary.overview` + `goals.mission_choices`, pages/coaching/state.py `_read`). The principal
is loaded before the clock starts (every request does that anyway). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CYBERHUB_BROKER", "stub")

GOAL_MS = 50.0
COHORT_SIZE = 250

SEED = """
INSERT INTO organizations (name, slug, description, created_at)
  VALUES ('Bench Academy', 'bench-academy', '', now());
INSERT INTO tracks (key, name, tagline, description, focus, careers)
  VALUES ('builders', 'Builders', '', '', '[]', '[]') ON CONFLICT (key) DO NOTHING;
INSERT INTO programs (organization_id, name, slug, description, created_at)
  SELECT id, 'Bench Programme', 'bench-programme', '', now() FROM organizations;
INSERT INTO missions (track_id, slug, title, summary, brief, difficulty, skills, estimated_minutes,
                      rubric, hints, nice_work_roles, status, created_at, updated_at)
  SELECT t.id, 'bench-' || g, 'Bench mission ' || g, '', 'Do it.', 1 + g % 5, '{}', 60,
         '[{"key": "evidence", "title": "Evidence", "points": 10}]', '[]', '[]', 'published',
         now(), now()
  FROM generate_series(1, 10) g, tracks t WHERE t.key = 'builders';
INSERT INTO program_missions (program_id, mission_id, added_at, required)
  SELECT p.id, m.id, now(), false FROM programs p, missions m;
INSERT INTO cohorts (program_id, name, starts_on, ends_on, capacity, enrolment_mode, created_at)
  SELECT p.id, 'Cohort ' || lpad(g::text, 3, '0'), current_date - 120, current_date + 90, 250,
         'director', now()
  FROM programs p, generate_series(1, :cohorts) g;
INSERT INTO users (email, full_name, is_active, created_at, failed_login_count, time_zone)
  SELECT 'learner' || g || '@bench.example', 'Learner ' || g, true,
         now() - interval '120 days', 0,
         (ARRAY['Africa/Nairobi', 'Europe/London', 'America/New_York'])[1 + g % 3]
  FROM generate_series(1, :learners) g;
INSERT INTO role_assignments (user_id, role, organization_id, reason, created_at)
  SELECT u.id, 'student', o.id, 'bench', now() FROM users u, organizations o;
INSERT INTO enrollments (cohort_id, student_id, status, enrolled_at)
  SELECT c.id, u.id, 'active', now()
  FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users) u
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM cohorts) c
    ON c.n = u.n / 250;
INSERT INTO habits (user_id, title, cadence, per_week, reminder_time, track_id, skill, created_at)
  SELECT u.id, h.title, h.cadence, h.per_week, h.reminder, NULL, '', now() - interval '100 days'
  FROM users u,
       (VALUES ('Read one write-up', 'daily', 1, time '19:00'),
               ('Lab practice', 'n_per_week', 3, NULL::time)) h(title, cadence, per_week, reminder);
INSERT INTO habit_checkins (habit_id, user_id, period_start, day, note, created_at)
  SELECT h.id, h.user_id, current_date - g, current_date - g,
         CASE WHEN (h.id + g) % 7 = 0 THEN 'Finished the **lab**, took notes.' ELSE '' END,
         now() - make_interval(days => g)
  FROM habits h, generate_series(0, :days - 1) g;
INSERT INTO goals (user_id, title, why, target_date, status, progress_source, manual_percent,
                   created_at, updated_at)
  SELECT u.id, g.title, 'Because it matters to me.', current_date + 60, 'active', g.source, 40,
         now() - interval '60 days', now() - interval '60 days'
  FROM users u,
       (VALUES ('Read 60 write-ups', 'habits'), ('Become a SOC analyst', 'manual')) g(title, source);
INSERT INTO goal_habits (goal_id, habit_id, target_checkins)
  SELECT g.id, h.id, 60 FROM goals g JOIN habits h ON h.user_id = g.user_id
  WHERE g.progress_source = 'habits' AND h.cadence = 'daily';
INSERT INTO reflections (user_id, body, prompt, mood, energy, visibility, created_at, updated_at)
  SELECT u.id, 'Logs were hard this week, asking my mentor helped.', 'What was hard this week?',
         1 + (u.id + w) % 5, 1 + w % 5, CASE WHEN w % 2 = 0 THEN 'mentor' ELSE 'private' END,
         now() - make_interval(days => 7 * w), now() - make_interval(days => 7 * w)
  FROM users u, generate_series(0, :days / 7) w;
INSERT INTO submissions (student_id, mission_id, attempt, status, answer, links, created_at,
                         submitted_at, decided_at)
  SELECT e.student_id, m.id, 1, 'approved', 'Done.', '[]', now() - interval '9 days',
         now() - interval '8 days', now() - interval '2 days'
  FROM enrollments e, (SELECT id FROM missions ORDER BY id LIMIT 3) m;
INSERT INTO submission_events (submission_id, actor_id, kind, created_at)
  SELECT s.id, s.student_id, k.kind, k.at
  FROM submissions s,
       LATERAL (VALUES ('submitted', s.submitted_at), ('approved', s.decided_at)) k(kind, at);
ANALYZE
"""


def _ms(fn: object, *args: object) -> float:
    t0 = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--samples", type=int, default=60, help="random learners timed (n)")
    parser.add_argument("--explain", action="store_true", help="print the plans of the queries")
    args = parser.parse_args()

    from sqlalchemy import text

    from bench._common import machine, p50, pct, throwaway_env
    from cyberhub.db import get_engine, session_scope
    from cyberhub.services.coaching import goals, summary
    from cyberhub.services.identity.permissions import load_principal

    with throwaway_env("coaching", shared_buffers="256MB") as _env:
        t0 = time.perf_counter()
        params = {
            "learners": args.learners,
            "cohorts": -(-args.learners // COHORT_SIZE),
            "days": args.days,
        }
        with get_engine().begin() as conn:
            for statement in filter(str.strip, SEED.split(";")):
                conn.execute(text(statement), params)
        with get_engine().connect() as conn:
            counts = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("users", "habits", "habit_checkins", "goals", "reflections")
            }
            ids = list(conn.execute(text("SELECT id FROM users ORDER BY id")).scalars())
        print(f"seeded in {time.perf_counter() - t0:.1f} s: {counts}", file=sys.stderr)

        def page_read(session: object, p: object) -> None:
            summary.overview(session, p)  # type: ignore[arg-type]
            goals.mission_choices(session, p)  # type: ignore[arg-type]

        rng = random.Random(16)
        timings: dict[str, list[float]] = {"summary": [], "page": []}
        # One warm-up per call (connection pool, imports), not counted.
        for fn in (summary.week_summary, page_read):
            with session_scope() as s:
                fn(s, load_principal(s, ids[0]))
        for _ in range(args.samples):
            uid = rng.choice(ids)
            for name, fn in (("summary", summary.week_summary), ("page", page_read)):
                with session_scope() as s:
                    p = load_principal(s, uid)
                    timings[name].append(_ms(fn, s, p))
        if args.explain:
            with get_engine().connect() as conn:
                for q in (
                    "SELECT habit_id, day FROM habit_checkins WHERE habit_id IN (1, 2)",
                    "SELECT count(*) FROM habit_checkins WHERE user_id = 1 "
                    "AND day >= current_date - 7 AND day < current_date",
                ):
                    plan = conn.execute(text("EXPLAIN ANALYZE " + q)).scalars()
                    print("\n".join(plan), file=sys.stderr)

    print(f"\n{counts['habit_checkins']:,} check-ins, {counts['users']:,} learners")
    print("| call | n | p50 | p95 | goal |")
    print("|---|---|---|---|---|")
    for label, key in (
        ("coaching summary (GET /api/v1/coaching/summary)", "summary"),
        ("/coaching data load (overview + mission choices)", "page"),
    ):
        v = timings[key]
        ok = pct(v, 0.95) <= GOAL_MS
        print(
            f"| {label} | {len(v)} | {p50(v):.1f} ms | {pct(v, 0.95):.1f} ms "
            f"| p95 ≤ {GOAL_MS:.0f} ms: {'met' if ok else 'MISSED'} |"
        )
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
