"""Review decision -> the learner's recommendations updated (issue 6, bench 3).

    source scripts/env.sh && nice -n 10 python bench/review_to_recs.py [--n 100]

A real Dramatiq worker process (`dramatiq worker.actors`, 1 process x 2 threads) on the
embedded Redis and PostgreSQL, with the real model. Setup: a cohort with a mentor and n
students (AI-profiling consent, a goal), 40 published missions embedded by that worker, and one
submission per student, submitted and claimed by the mentor. Then, one after another, the mentor
approves each with services.reviews.review (committed, as the API route does); the commit
enqueues embed_learner, which re-embeds the learner and recomputes their list. Measured: from
the commit to the moment the learner's Recommendation rows (computed_at after the decision) are
visible to another connection.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
for var in ("DATABASE_URL", "REDIS_URL", "CYBERHUB_BROKER"):
    os.environ.pop(var, None)

from _common import (  # noqa: E402
    copy_missions,
    libpq,
    machine,
    make_catalog,
    p50,
    pct,
    synthetic_missions,
    throwaway_env,
)
from worker_kill import ROOT, kill_group, start_worker  # noqa: E402

ANSWER = (
    "I hardened the server: SSH is key-only, the firewall allows 80 and 443 only, and the "
    "before/after Lynis reports are linked."
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--missions", type=int, default=40)
    args = parser.parse_args()

    import psycopg
    from sqlalchemy import text
    from sqlmodel import Session

    with throwaway_env("review") as env:
        # Imported once DATABASE_URL / REDIS_URL point at the throwaway servers: the commit
        # hook sends embed_learner through the Redis broker, as the web app does.
        from cyberhub import db
        from cyberhub.models import (
            Cohort,
            CohortMentor,
            Enrollment,
            Goal,
            Role,
            RoleAssignment,
            User,
        )
        from cyberhub.models.base import utcnow
        from cyberhub.services.identity import consents
        from cyberhub.services.identity.permissions import load_principal
        from cyberhub.services.learning import reviews, submissions

        with db.session_scope() as session:
            program_id, tracks = make_catalog(session, slug="review")
        with psycopg.connect(libpq(env.db_url)) as conn:
            mission_ids = copy_missions(
                conn, synthetic_missions(args.missions, seed=3), program_id, tracks
            )
        with db.session_scope() as session:
            from cyberhub.models import Program

            program = session.get(Program, program_id)
            assert program is not None
            org_id = program.organization_id
            cohort = Cohort(
                program_id=program_id,
                name="Bench cohort",
                starts_on=date.today() - timedelta(days=7),
                ends_on=date.today() + timedelta(days=77),
                capacity=args.n + 10,
            )
            mentor = User(email="mentor@bench.example", full_name="Bench Mentor")
            session.add_all([cohort, mentor])
            session.flush()
            assert cohort.id is not None and mentor.id is not None
            session.add(RoleAssignment(user_id=mentor.id, role=Role.mentor, organization_id=org_id))
            session.add(CohortMentor(cohort_id=cohort.id, mentor_id=mentor.id, capacity=args.n))
            students = []
            for i in range(args.n):
                u = User(email=f"learner-{i}@bench.example", full_name=f"Learner {i}")
                session.add(u)
                session.flush()
                assert u.id is not None
                session.add(RoleAssignment(user_id=u.id, role=Role.student, organization_id=org_id))
                session.add(Enrollment(cohort_id=cohort.id, student_id=u.id, status="active"))
                consents.record_signup_consents(
                    session, u.id, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
                )
                session.add(Goal(user_id=u.id, title="I want to work in a SOC."))
                students.append(u.id)
            mentor_id = mentor.id
        subs = []
        for i, sid in enumerate(students):
            with db.session_scope() as session:
                p = load_principal(session, sid)
                sub = submissions.submit(
                    session, p, mission_ids[i % len(mission_ids)], answer=ANSWER, links=[]
                )
                assert sub.id is not None
                subs.append((sid, sub.id))
        with db.session_scope() as session:
            mp = load_principal(session, mentor_id)
            for _, sub_id in subs:
                reviews.claim(session, mp, sub_id)
        print(f"  {args.n} submissions claimed; starting the worker", flush=True)

        worker_env = {k: v for k, v in os.environ.items() if k != "CYBERHUB_BROKER"}
        worker_env.update(DATABASE_URL=env.db_url, REDIS_URL=env.redis_url, PYTHONPATH=str(ROOT))
        log = env.root / "worker.log"
        proc = start_worker("worker.actors", worker_env, log)
        engine = db.get_engine()
        try:
            # The worker embeds the catalog first (and loads the model doing so).
            from worker.ai import embed_mission

            t0 = time.monotonic()
            for mid in mission_ids:
                embed_mission.send(mid)
            with Session(engine) as s:
                while s.execute(text("SELECT count(*) FROM mission_embeddings")).scalar_one() < len(
                    mission_ids
                ):
                    s.rollback()
                    if proc.poll() is not None:
                        raise RuntimeError(log.read_text()[-3000:])
                    time.sleep(0.2)
            print(
                f"  worker up, {len(mission_ids)} missions embedded in "
                f"{time.monotonic() - t0:.0f} s",
                flush=True,
            )

            latencies: list[float] = []
            with Session(engine) as poll:
                for i, (sid, sub_id) in enumerate(subs):
                    with db.session_scope() as session:
                        decided = utcnow()
                        reviews.review(
                            session,
                            load_principal(session, mentor_id),
                            sub_id,
                            decision="approved",
                            scores={"evidence": 10},
                            feedback="Clear evidence, well done.",
                        )
                    t_commit = time.perf_counter()  # session_scope committed: job sent
                    while True:
                        fresh = poll.execute(
                            text(
                                "SELECT count(*) FROM recommendations "
                                "WHERE user_id = :u AND computed_at >= :t"
                            ),
                            {"u": sid, "t": decided},
                        ).scalar_one()
                        poll.rollback()
                        if fresh:
                            break
                        if proc.poll() is not None:
                            raise RuntimeError(log.read_text()[-3000:])
                        if time.perf_counter() - t_commit > 120:
                            raise TimeoutError(f"no fresh list for learner {sid}")
                        time.sleep(0.005)
                    latencies.append((time.perf_counter() - t_commit) * 1000)
                    if (i + 1) % 20 == 0:
                        print(f"  {i + 1}/{len(subs)} decisions", flush=True)
        finally:
            kill_group(proc, 15)
            kill_group(proc)

    print()
    print(
        f"Review decision → fresh recommendations, {len(latencies)} approvals one after another; "
        f"real worker process (1 x 2 threads, all-MiniLM-L6-v2), {args.missions} missions; "
        f"{machine()}"
    )
    print()
    print("| Path | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|")
    print(
        "| `reviews.review` committed → embed_learner (re-embed + `compute()`) → new list "
        f"visible | {p50(latencies):.0f} | {pct(latencies, 0.95):.0f} | {max(latencies):.0f} |"
    )


if __name__ == "__main__":
    main()
