"""The waitlist race as a benchmark (issue 12 item 5): LEARNERS threads, each with its own
session from the app's engine, join an open cohort of SEATS seats at once, for ROUNDS rounds;
then WITHDRAWALS enrolled learners withdraw at once. Every round is checked (exactly SEATS
enrolled, the rest waitlisted in lock order, each promoted learner notified once) and timed: the
burst's wall time and each request's latency from the barrier to its commit.

    python bench/waitlist_race.py --rounds 20        # the acceptance run: 20 rounds in a row

On a throwaway embedded PostgreSQL under /tmp (nothing else is touched). The suite runs the same
race (tests/integration/test_waitlist_race.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def burst(user_ids: list[int], act: str, cohort_id: int) -> tuple[dict[int, str], list[float]]:
    """Every user acts from their own thread and session at once; (outcomes, latencies in s)."""
    from sqlmodel import Session

    from cyberhub.db import get_engine
    from cyberhub.services.identity.permissions import load_principal
    from cyberhub.services.learning import applications

    barrier = threading.Barrier(len(user_ids))
    outcomes: dict[int, str] = {}
    latencies: list[float] = []
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        with Session(get_engine(), expire_on_commit=False) as s:
            who = load_principal(s, user_id)
            s.commit()
            barrier.wait(timeout=60)
            start = time.perf_counter()
            fn = applications.apply if act == "apply" else applications.withdraw
            try:
                status = fn(s, who, cohort_id).status
                s.commit()
            except Exception as exc:
                s.rollback()
                status = f"error: {exc!r}"
            took = time.perf_counter() - start
        with lock:
            outcomes[user_id] = status
            latencies.append(took)

    threads = [threading.Thread(target=attempt, args=(u,)) for u in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return outcomes, latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--seats", type=int, default=20)
    parser.add_argument("--withdrawals", type=int, default=5)
    args = parser.parse_args()
    for var in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(var, None)

    from _common import machine, p50, pct, throwaway_env

    with throwaway_env("waitlist"):
        from sqlmodel import Session, col, func, select

        from cyberhub.db import get_engine
        from cyberhub.models import (
            CohortApplication,
            Notification,
            Organization,
            Program,
            Role,
            RoleAssignment,
            User,
        )
        from cyberhub.models.learning import Cohort
        from cyberhub.services.identity.permissions import load_principal
        from cyberhub.services.learning import applications

        with Session(get_engine(), expire_on_commit=False) as s:
            org = Organization(name="Bench Academy", slug="bench-academy")
            s.add(org)
            s.flush()
            program = Program(organization_id=org.id or 0, name="Bench", slug="bench")
            director = User(email="director@bench.example", full_name="Director")
            learners = [
                User(email=f"l{i}@bench.example", full_name=f"Learner {i}")
                for i in range(args.learners)
            ]
            s.add_all([program, director, *learners])
            s.flush()
            s.add(
                RoleAssignment(user_id=director.id or 0, role=Role.director, organization_id=org.id)
            )
            s.commit()
            ids = [u.id or 0 for u in learners]
            boss = load_principal(s, director.id or 0)

        apply_walls, withdraw_walls, apply_lat, withdraw_lat = [], [], [], []
        started = time.perf_counter()
        for r in range(args.rounds):
            with Session(get_engine(), expire_on_commit=False) as s:
                cohort = Cohort(
                    program_id=program.id or 0,
                    name=f"Round {r}",
                    starts_on=date.today(),
                    ends_on=date.today() + timedelta(days=60),
                )
                s.add(cohort)
                s.commit()
                cid = cohort.id or 0
                applications.set_enrolment(s, boss, cid, mode="open", capacity=args.seats)
                s.commit()
            t0 = time.perf_counter()
            told, lat = burst(ids if r % 2 == 0 else ids[::-1], "apply", cid)
            apply_walls.append(time.perf_counter() - t0)
            apply_lat += lat
            counts = {k: sum(v == k for v in told.values()) for k in ("enrolled", "waitlisted")}
            assert counts == {
                "enrolled": args.seats,
                "waitlisted": args.learners - args.seats,
            }, f"round {r}: {told}"
            with Session(get_engine()) as s:
                rows = s.exec(
                    select(CohortApplication).where(CohortApplication.cohort_id == cid)
                ).all()
                enrolled = [a for a in rows if a.status == "enrolled"]
                queue = sorted(
                    (a for a in rows if a.status == "waitlisted"), key=lambda a: a.waitlist_seq or 0
                )
                assert max(a.applied_at for a in enrolled) <= min(a.applied_at for a in queue)
                assert [a.applied_at for a in queue] == sorted(a.applied_at for a in queue)
            t0 = time.perf_counter()
            gone, lat = burst([a.student_id for a in enrolled[: args.withdrawals]], "withdraw", cid)
            withdraw_walls.append(time.perf_counter() - t0)
            withdraw_lat += lat
            assert set(gone.values()) == {"withdrawn"}, f"round {r}: {gone}"
            with Session(get_engine()) as s:
                promoted = s.exec(
                    select(Notification.user_id).where(
                        Notification.kind == "waitlist_promoted",
                        Notification.title == f"A seat opened: you're enrolled in Round {r}",
                    )
                ).all()
                assert sorted(promoted) == sorted(a.student_id for a in queue[: args.withdrawals])
                seats = s.exec(
                    select(func.count()).where(
                        CohortApplication.cohort_id == cid,
                        col(CohortApplication.status) == "enrolled",
                    )
                ).one()
                assert seats == args.seats
        total = time.perf_counter() - started

    ms = 1000.0
    print()
    print(
        f"Waitlist race: {args.rounds} rounds of {args.learners} learners for {args.seats} seats "
        f"(then {args.withdrawals} withdrawals), every round correct; {machine()}"
    )
    print()
    print("| | p50 | p95 | max |")
    print("|---|---|---|---|")
    print(
        f"| apply burst, wall (s) | {p50(apply_walls):.2f} | {pct(apply_walls, 0.95):.2f} | "
        f"{max(apply_walls):.2f} |"
    )
    print(
        f"| one application, barrier to commit (ms) | {p50(apply_lat) * ms:.0f} | "
        f"{pct(apply_lat, 0.95) * ms:.0f} | {max(apply_lat) * ms:.0f} |"
    )
    print(
        f"| withdraw burst incl. promotions, wall (s) | {p50(withdraw_walls):.2f} | "
        f"{pct(withdraw_walls, 0.95):.2f} | {max(withdraw_walls):.2f} |"
    )
    print()
    print(f"Total: {total:.1f} s for {args.rounds} rounds.")


if __name__ == "__main__":
    main()
