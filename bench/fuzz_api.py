"""Long property-based fuzzing run of the JSON API (schemathesis): every operation of the OpenAPI
document, anonymous and as each role (student, mentor, director, sponsor, admin), each role on
its own throwaway embedded PostgreSQL + Redis (so an admin revoking their own role or keys
spoils nothing for the others), in-process against the FastAPI app.

    source scripts/env.sh && nice -n 10 python bench/fuzz_api.py [--examples 25] [--seed 1]

Prints the number of requests, operations, roles, the time, the status codes, and every
response >= 500 or body that does not match its documented schema (exit code 1 if any).
bcrypt runs at cost 4 (generated sign-ins would otherwise spend most of the run hashing) and the
embedding model is a hash-based stand-in (POST /embeddings would load the real one).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["CYBERHUB_ENV"] = "test"
os.environ["CYBERHUB_BROKER"] = "stub"
os.environ["BCRYPT_ROUNDS"] = "4"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for var in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(var, None)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=25, help="per operation and role")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--roles", default="anonymous,student,mentor,director,sponsor,admin")
    args = parser.parse_args()

    import logging

    from sqlmodel import Session

    from bench._common import machine, throwaway_env
    from cyberhub.api import create_api
    from cyberhub.db import get_engine
    from tests.fakes import FakeEmbedder
    from tests.fuzzing import FuzzReport, fuzz, load_schema, role_headers, worker_alive
    from worker import model

    logging.disable(logging.WARNING)  # the app logs every refused value; the report says enough
    model.set_embedder(FakeEmbedder())  # type: ignore[arg-type]
    report = FuzzReport()
    started = time.perf_counter()
    for role in args.roles.split(","):
        with throwaway_env(f"fuzz-{role}"):
            app = create_api()
            with Session(get_engine(), expire_on_commit=False) as session:
                headers = role_headers(session, app, role)
            worker_alive()
            before = report.requests
            t0 = time.perf_counter()
            fuzz(load_schema(app), role, headers, report, examples=args.examples, seed=args.seed)
            print(
                f"{role}: {report.requests - before} requests in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    report.seconds = time.perf_counter() - started
    print()
    print(report.summary())
    for finding in report.findings:
        print(finding)
    print(machine())
    return 1 if report.server_errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
