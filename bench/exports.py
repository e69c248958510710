"""Exports at scale (issue 15, item 5): the gradebook of a 250-learner cohort (time, goal ≤ 5 s)
and a 100,000-row roster (the worker process's peak memory growth, goal < 100 MB).

    source scripts/env.sh && python bench/exports.py [--learners 100000] [--runs 3]

Runs in a throwaway embedded PostgreSQL + Redis (bench/_common.throwaway_env), seeded here with
SQL `generate_series` in seconds rather than bench/seed_scale.py's 1M-submission load, with the
same shape where the exports look: one organisation and programme, 10 published builders
missions with a two-criterion rubric, cohorts of 250 learners (400 for 100k), every learner with
approved work on the first three missions (so the roster's progress subquery finds rows), and
the gradebook cohort with seed_scale's density: ~10 attempts per learner (every fifth mission
needed a second attempt), each reviewed with a score per criterion.

Each export runs exactly as the worker runs it (services/admin/exports.run_export with
db.session_scope). The roster runs in a fresh child process, which reads its own resident size
(VmRSS) just before and its peak (VmHWM) just after: the growth is what the export added.
Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CYBERHUB_BROKER", "stub")

GRADEBOOK_GOAL_S = 5.0
MEMORY_GOAL_MB = 100.0
COHORT_SIZE = 250
MISSIONS = 10

SEED = """
INSERT INTO organizations (name, slug, description, created_at)
  VALUES ('Bench Academy', 'bench-academy', '', now());
INSERT INTO tracks (key, name, tagline, description, focus, careers)
  VALUES ('builders', 'Builders', '', '', '[]', '[]') ON CONFLICT (key) DO NOTHING;
INSERT INTO programs (organization_id, name, slug, description, created_at)
  SELECT id, 'Bench Programme', 'bench-programme', '', now() FROM organizations;
INSERT INTO users (email, full_name, is_active, created_at, failed_login_count)
  VALUES ('director@bench.example', 'Bench Director', true, now(), 0),
         ('mentor@bench.example', 'Bench Mentor', true, now(), 0);
INSERT INTO role_assignments (user_id, role, organization_id, reason, created_at)
  SELECT u.id, 'director', o.id, 'bench', now() FROM users u, organizations o
  WHERE u.email = 'director@bench.example';
INSERT INTO missions (track_id, slug, title, summary, brief, difficulty, skills, estimated_minutes,
                      rubric, hints, nice_work_roles, status, created_at, updated_at)
  SELECT t.id, 'bench-' || g, 'Bench mission ' || g, '', 'Do it.', 1 + g % 5, '{}', 60,
         '[{"key": "evidence", "title": "Evidence", "points": 10},
           {"key": "clarity", "title": "Clarity", "points": 5}]', '[]', '[]', 'published',
         now(), now()
  FROM generate_series(1, :missions) g, tracks t WHERE t.key = 'builders';
INSERT INTO program_missions (program_id, mission_id, added_at, required)
  SELECT p.id, m.id, now(), false FROM programs p, missions m;
INSERT INTO cohorts (program_id, name, starts_on, ends_on, capacity, enrolment_mode, created_at)
  SELECT p.id, 'Cohort ' || lpad(g::text, 3, '0'), current_date - 90, current_date + 90, 250,
         'director', now()
  FROM programs p, generate_series(1, :cohorts) g;
INSERT INTO users (email, full_name, is_active, created_at, failed_login_count)
  SELECT 'learner' || g || '@bench.example', 'Learner ' || g, true, now(), 0
  FROM generate_series(1, :learners) g;
INSERT INTO enrollments (cohort_id, student_id, status, enrolled_at)
  SELECT c.id, u.id, 'active', now()
  FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM users
        WHERE email LIKE 'learner%') u
  JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM cohorts) c
    ON c.n = u.n / 250;
-- everyone: the first three missions approved
INSERT INTO submissions (student_id, mission_id, attempt, status, answer, links, created_at,
                         submitted_at, decided_at)
  SELECT e.student_id, m.id, 1, 'approved', 'Done.', '[]', now(), now() - interval '2 days', now()
  FROM enrollments e, (SELECT id FROM missions ORDER BY id LIMIT 3) m;
"""

# The gradebook cohort (the first): every mission attempted, every fifth needed a second try.
GRADEBOOK = """
INSERT INTO submissions (student_id, mission_id, attempt, status, answer, links, created_at,
                         submitted_at, decided_at)
  SELECT e.student_id, m.id, a, CASE WHEN a = 1 AND m.n % 5 = 0 THEN 'changes_requested'
                                      ELSE 'approved' END,
         'Answer.', '[]', now(), now() - interval '3 days', now() - interval '1 day'
  FROM enrollments e
  JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM missions) m ON m.n > 3
  CROSS JOIN generate_series(1, 2) a
  WHERE e.cohort_id = (SELECT min(id) FROM cohorts) AND (a = 1 OR m.n % 5 = 0);
INSERT INTO reviews (submission_id, mentor_id, decision, scores, total, feedback, comments,
                     created_at)
  SELECT s.id, (SELECT id FROM users WHERE email = 'mentor@bench.example'),
         CASE WHEN s.status = 'approved' THEN 'approved' ELSE 'changes_requested' END,
         jsonb_build_object('evidence', 1 + s.id % 10, 'clarity', s.id % 6),
         1 + s.id % 10 + s.id % 6, 'Feedback.', '{}', now()
  FROM submissions s
  WHERE s.student_id IN (SELECT student_id FROM enrollments
                         WHERE cohort_id = (SELECT min(id) FROM cohorts));
ANALYZE;
"""


def _request(kind: str, **scope: int) -> int:
    from sqlmodel import select

    from cyberhub.db import session_scope
    from cyberhub.models import User
    from cyberhub.schemas.exports import ExportRequest
    from cyberhub.services.admin import exports
    from cyberhub.services.identity.permissions import load_principal

    with session_scope() as session:
        director = session.exec(select(User).where(User.email == "director@bench.example")).one()
        principal = load_principal(session, director.id or 0)
        return exports.request_export(
            session, principal, ExportRequest.model_validate({"kind": kind, **scope})
        ).id


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def child(export_id: int) -> None:
    """Run one export the way the worker does; print time, rows and memory as JSON."""
    from cyberhub.db import get_engine, session_scope
    from cyberhub.models import Export
    from cyberhub.services.admin import exports

    with session_scope() as s:  # connect first: the pool is not the export's growth
        s.get(Export, export_id)
    get_engine()
    before = _kb("VmRSS")
    t0 = time.perf_counter()
    status = exports.run_export(session_scope, export_id)
    seconds = time.perf_counter() - t0
    peak = _kb("VmHWM")
    with session_scope() as s:
        export = s.get(Export, export_id)
        assert export is not None
        rows, size = export.rows_done, export.file_size
    print(
        json.dumps(
            {
                "status": str(status),
                "seconds": seconds,
                "rows": rows,
                "bytes": size,
                "rss_before_mb": before / 1024,
                "peak_growth_mb": (peak - before) / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="gradebook exports to time")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    from sqlalchemy import text

    from bench._common import machine, throwaway_env
    from cyberhub.db import get_engine

    with throwaway_env("exports") as env:
        os.environ["DATA_DIR"] = str(env.root / "data")
        from cyberhub.settings import get_settings

        get_settings.cache_clear()
        cohorts = -(-args.learners // COHORT_SIZE)
        t0 = time.perf_counter()
        with get_engine().begin() as conn:
            for sql, params in (
                (SEED, {"missions": MISSIONS, "cohorts": cohorts, "learners": args.learners}),
                (GRADEBOOK, {}),
            ):
                for statement in filter(str.strip, sql.split(";")):
                    if statement.strip().startswith("--") and "\n" not in statement.strip():
                        continue
                    conn.execute(text(statement), params)
        with get_engine().connect() as conn:
            counts = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("enrollments", "submissions", "reviews")
            }
        print(f"seeded in {time.perf_counter() - t0:.1f} s: {counts}", file=sys.stderr)

        def run_child(export_id: int) -> dict[str, float]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(export_id)],
                env=os.environ.copy(),
                check=True,
                capture_output=True,
                text=True,
            )
            result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
            return result

        with get_engine().connect() as conn:
            first_cohort = conn.execute(text("SELECT min(id) FROM cohorts")).scalar_one()
            program = conn.execute(text("SELECT id FROM programs")).scalar_one()
        grade = [run_child(_request("gradebook", cohort_id=first_cohort)) for _ in range(args.runs)]
        roster = run_child(_request("roster", program_id=program))

    times = [g["seconds"] for g in grade]
    print("| export | rows | file | time | peak memory growth | goal |")
    print("|---|---|---|---|---|---|")
    print(
        f"| gradebook, 1 cohort of {COHORT_SIZE} (median of {len(times)}, max) "
        f"| {int(grade[0]['rows']):,} | {grade[0]['bytes'] / 1e6:.1f} MB "
        f"| {statistics.median(times):.2f} s (max {max(times):.2f} s) "
        f"| {max(g['peak_growth_mb'] for g in grade):.1f} MB "
        f"| ≤ {GRADEBOOK_GOAL_S:.0f} s: {'met' if max(times) <= GRADEBOOK_GOAL_S else 'MISSED'} |"
    )
    print(
        f"| roster, programme of {cohorts} cohorts | {int(roster['rows']):,} "
        f"| {roster['bytes'] / 1e6:.1f} MB | {roster['seconds']:.2f} s "
        f"| {roster['peak_growth_mb']:.1f} MB (RSS before {roster['rss_before_mb']:.0f} MB) "
        f"| < {MEMORY_GOAL_MB:.0f} MB: "
        f"{'met' if roster['peak_growth_mb'] < MEMORY_GOAL_MB else 'MISSED'} |"
    )
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
