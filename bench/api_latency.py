"""Latency of the JSON API's hot paths on the demo data (in-process, real PostgreSQL + Redis).

    source scripts/env.sh && python bench/api_latency.py [--n 300]

Prints p50/p95 per endpoint. Sign-in is dominated by bcrypt at the production cost (12).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CYBERHUB_BROKER", "stub")
for var in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(var, None)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()

    from cyberhub import infra

    tmp = Path(tempfile.mkdtemp(prefix="cyberhub-bench-", dir="/tmp"))
    db_url = infra.start_postgres(tmp / "pg", "bench")
    redis = infra.EmbeddedRedis(tmp / "redis")
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = db_url, redis.url
    try:
        from fastapi.testclient import TestClient

        from cyberhub import db
        from cyberhub.api import create_api
        from cyberhub.migrate import upgrade
        from cyberhub.redis_client import HEARTBEAT_KEY, get_redis
        from cyberhub.services.admin import demo

        upgrade(db_url)
        with db.session_scope() as session:
            demo.load_demo_data(session)
        client = TestClient(create_api())
        t0 = time.perf_counter()
        login = client.post(
            "/api/v1/auth/login",
            json={"email": "student@cyberhub.example", "password": demo.DEMO_PASSWORD},
        )
        login_ms = (time.perf_counter() - t0) * 1000
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        get_redis().zadd(HEARTBEAT_KEY, {"bench": time.time() + 3600})
        cases = {
            "GET /api/v1/health": lambda: client.get("/api/v1/health"),
            "GET /api/v1/tracks": lambda: client.get("/api/v1/tracks"),
            "GET /api/v1/missions?page=1": lambda: client.get("/api/v1/missions", headers=headers),
            "GET /api/v1/missions?q=phishing&difficulty=2": lambda: client.get(
                "/api/v1/missions", params={"q": "phishing", "difficulty": 2}, headers=headers
            ),
            "GET /api/v1/auth/me": lambda: client.get("/api/v1/auth/me", headers=headers),
        }
        print(f"{'endpoint':<48} {'p50 ms':>8} {'p95 ms':>8}   (n={args.n}, in-process)")
        for name, call in cases.items():
            for _ in range(10):
                call()
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                r = call()
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (name, r.status_code, r.text)
            print(f"{name:<48} {statistics.median(times):>8.2f} {pct(times, 0.95):>8.2f}")
        print(f"{'POST /api/v1/auth/login (bcrypt cost 12), one call':<48} {login_ms:>8.1f}")
    finally:
        redis.stop()
        infra.stop_postgres(tmp / "pg")


if __name__ == "__main__":
    main()
