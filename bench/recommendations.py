"""Top-10 recommendations at 100,000 missions: ANN latency, recall@10 against an exact scan, the
speed-up over that scan, and the full compute() (issue 6, bench 2).

    source scripts/env.sh && nice -n 10 python bench/recommendations.py \\
        [--n 100000] [--queries 200] [--vectors real|composed] [--ef 40,100,200]

--vectors real (default): every mission text is embedded by the real model (all-MiniLM-L6-v2),
cached under .data/bench/missions/ so reruns are fast (first run: 100,000 texts, ~40 min at ~45
texts/s on a 2-core machine). --vectors composed: for a machine too busy for that, see
_common.composed_vectors. Learner query vectors are always the real model's, from 200 synthetic
learner texts (track, goals, completed missions).

The missions go in with COPY (vectors in pgvector's text format), then the HNSW index of the
migration (models.ai.MISSION_HNSW: m=16, ef_construction=400, cosine) is built. The ANN query is
services.recommendations.nearest_missions itself; the exact scan is the same call in a
transaction with `SET LOCAL enable_indexscan = off` (a sequential scan and a sort).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("CYBERHUB_BROKER", "stub")
for var in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(var, None)

import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    composed_vectors,
    copy_mission_vectors,
    copy_missions,
    encode_cached,
    learner_texts,
    libpq,
    machine,
    make_catalog,
    p50,
    pct,
    synthetic_missions,
    text_of,
    throwaway_env,
)

from cyberhub.models.ai import MISSION_HNSW  # noqa: E402

# nearest_missions' query (services/ai/recommendations.py), returning ids and distances only.
ANN_SQL = (
    "SELECT m.id, e.embedding <=> %(q)s::vector AS distance FROM missions m "
    "JOIN tracks t ON t.id = m.track_id JOIN mission_embeddings e ON e.mission_id = m.id "
    "WHERE m.status = 'published' ORDER BY e.embedding <=> %(q)s::vector LIMIT %(k)s"
)
INDEX = MISSION_HNSW  # the migration's index (models/ai.py)
HNSW_SQL = (
    "CREATE INDEX ix_mission_embeddings_hnsw ON mission_embeddings "
    "USING hnsw (embedding vector_cosine_ops) WITH (m = {m}, ef_construction = {efc})"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vectors", choices=("real", "composed"), default="real")
    parser.add_argument("--ef", default="40,100,200,400", help="hnsw.ef_search values to try")
    parser.add_argument("--computes", type=int, default=50, help="full compute() runs")
    parser.add_argument(
        "--interests",
        type=int,
        default=4,
        help="interest vectors per learner for compute() (issue 14: e.g. 2 goals, the track, "
        "the work; each one more HNSW query); 0: the single learner vector only",
    )
    parser.add_argument(
        "--shared-buffers",
        default="",
        help="PostgreSQL shared_buffers for the run (e.g. 1GB; default: the embedded 128MB)",
    )
    parser.add_argument(
        "--other-index",
        default="",
        help="index variants to try afterwards, e.g. '32,200' or '16,200;32,200' (m,ef_construction)",
    )
    args = parser.parse_args()

    import psycopg
    from sqlalchemy import text as sqltext
    from sqlmodel import Session

    from cyberhub import db
    from cyberhub.models import LearnerEmbedding, LearnerInterestVector, User
    from cyberhub.services.ai import recommendations
    from cyberhub.services.ai.recommendations import LearnerFacts, nearest_missions
    from cyberhub.services.identity import consents

    missions = synthetic_missions(args.n)
    t = time.perf_counter()
    if args.vectors == "real":
        vectors = encode_cached([text_of(m) for m in missions], "missions")
    else:
        vectors = composed_vectors(missions)
    queries = encode_cached(learner_texts(args.queries), "learners")
    print(f"  vectors ready in {time.perf_counter() - t:.0f} s ({args.vectors})", flush=True)

    pg_settings = {"shared_buffers": args.shared_buffers} if args.shared_buffers else {}
    with throwaway_env("recs", **pg_settings) as env:
        with db.session_scope() as session:
            program_id, tracks = make_catalog(session)
        t = time.perf_counter()
        with psycopg.connect(libpq(env.db_url), autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS ix_mission_embeddings_hnsw")
            with conn.transaction():
                ids = copy_missions(conn, missions, program_id, tracks)
                texts = [text_of(m) for m in missions]
                copy_mission_vectors(conn, ids, texts, vectors)
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute(HNSW_SQL.format(m=INDEX["m"], efc=INDEX["ef_construction"]))
            index_s = time.perf_counter() - t
            conn.execute("ANALYZE missions")
            conn.execute("ANALYZE mission_embeddings")
            size = conn.execute(
                "SELECT pg_size_pretty(pg_relation_size('ix_mission_embeddings_hnsw'))"
            ).fetchone()
        print(
            f"  COPY {args.n:,} missions + vectors {load_s:.0f} s; HNSW build {index_s:.0f} s "
            f"({size[0] if size else '?'})",
            flush=True,
        )

        facts = LearnerFacts(
            user_id=0, primary=None, secondary=None, approved={}, level=0, dismissed=set(),
            programs=[], in_flight=set(),
        )  # fmt: skip
        engine = db.get_engine()

        def app_run(vec: np.ndarray, limit: int) -> float:
            """services.recommendations.nearest_missions itself (ORM, with the vectors the
            re-rank needs)."""
            with Session(engine) as s:
                t0 = time.perf_counter()
                nearest_missions(s, vec, facts, limit=limit)
                ms = (time.perf_counter() - t0) * 1000
                s.rollback()
            return ms

        # No server-side prepared statements: a plan prepared with the index would otherwise
        # be reused by the "exact" runs, whatever enable_indexscan says.
        conn = psycopg.connect(libpq(env.db_url), autocommit=True, prepare_threshold=None)

        def sql_run(lit: str, k: int, ef: int, exact: bool = False) -> tuple[float, list[int]]:
            """nearest_missions' SQL (same joins, filter, order and settings), ids only."""
            with conn.transaction():
                conn.execute(f"SET LOCAL hnsw.ef_search = {max(ef, k)}")
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                if exact:
                    conn.execute("SET LOCAL enable_indexscan = off")
                t0 = time.perf_counter()
                got = conn.execute(ANN_SQL, {"q": lit, "k": k}).fetchall()
                ms = (time.perf_counter() - t0) * 1000
            got.sort(key=lambda r: r[1])
            return ms, [r[0] for r in got]

        lits = ["[" + ",".join(f"{x:.7g}" for x in q.tolist()) + "]" for q in queries]
        # The plans, once: the ANN query must use the index, the exact one must not.
        with conn.transaction():
            conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            explain = "EXPLAIN " + ANN_SQL
            ann_plan = "\n".join(r[0] for r in conn.execute(explain, {"q": lits[0], "k": 10}))
            conn.execute("SET LOCAL enable_indexscan = off")
            exact_plan = "\n".join(r[0] for r in conn.execute(explain, {"q": lits[0], "k": 10}))
        assert "ix_mission_embeddings_hnsw" in ann_plan, ann_plan
        assert "ix_mission_embeddings_hnsw" not in exact_plan, exact_plan

        for lit in lits[:20]:  # warm the caches (index pages, prepared statements)
            sql_run(lit, 10, 100)
        exact_ms: list[float] = []
        truth: list[list[int]] = []
        for lit in lits:
            ms, got = sql_run(lit, 10, 100, exact=True)
            exact_ms.append(ms)
            truth.append(got)
        # Cross-check the exact scan against numpy over the same vectors.
        sims = queries @ vectors.T
        agree = np.mean(
            [
                len(set(want) & {ids[j] for j in np.argsort(-row)[:10]}) / 10
                for want, row in zip(truth, sims, strict=True)
            ]
        )
        assert agree > 0.99, f"exact scan and numpy agree on only {agree:.3f} of the top-10"
        print(f"  exact scans done (numpy agrees on {agree:.3f})", flush=True)

        rows: list[tuple[str, int, list[float], float | None]] = []

        def measure(efs: list[int], ks: tuple[int, ...], label: str = "") -> None:
            for ef in efs:
                for k in ks:
                    if k > ef and ef != 100:  # top-100 runs at max(ef, 100): once is enough
                        continue
                    lat: list[float] = []
                    recall: list[float] = []
                    for lit, want in zip(lits, truth, strict=True):
                        ms, got = sql_run(lit, k, ef)
                        lat.append(ms)
                        recall.append(len(set(got[:10]) & set(want)) / 10)
                    what = "ANN top-10" if k == 10 else f"ANN top-{k} (compute's candidates)"
                    rows.append((what + label, max(ef, k), lat, float(np.mean(recall))))
                print(f"  ef_search={ef}{label} done", flush=True)

        efs = [int(x) for x in args.ef.split(",")]
        measure(efs, (10, recommendations.CANDIDATES))
        ef_app = max(recommendations.EF_SEARCH, 10)
        for k in (10, recommendations.CANDIDATES):
            for q in queries[:5]:
                app_run(q, k)
            lat = [app_run(q, k) for q in queries]
            what = f"`nearest_missions()` top-{k} (ORM objects + their vectors)"
            rows.append((what, max(ef_app, k), lat, None))

        # The full compute(): ANN top-100 + re-rank + MMR + reasons + write, committed.
        with db.session_scope() as session:
            users = []
            for i in range(args.computes):
                u = User(email=f"bench-learner-{i}@bench.example", full_name=f"Learner {i}")
                session.add(u)
                session.flush()
                assert u.id is not None
                consents.record_signup_consents(
                    session, u.id, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
                )
                session.add(
                    LearnerEmbedding(
                        user_id=u.id,
                        model="sentence-transformers/all-MiniLM-L6-v2",
                        text_hash="bench",
                        embedding=queries[i % len(queries)].tolist(),
                    )
                )
                kinds = ["goal"] * max(0, args.interests - 2) + ["track", "work"]
                for j, kind in enumerate(kinds[-args.interests :] if args.interests else []):
                    session.add(
                        LearnerInterestVector(
                            user_id=u.id,
                            kind=kind,
                            ref=j + 1 if kind == "goal" else 0,
                            label=f"interest {j}",
                            model="sentence-transformers/all-MiniLM-L6-v2",
                            text_hash="bench",
                            embedding=queries[(i * 7 + j) % len(queries)].tolist(),
                        )
                    )
                users.append(u.id)
        compute_ms = []
        for uid in users:
            t0 = time.perf_counter()
            with db.session_scope() as session:
                got_rows = recommendations.compute(session, uid)
            compute_ms.append((time.perf_counter() - t0) * 1000)
            assert len(got_rows) == recommendations.TOP_K

        # What a learner sees: the top-10 compute() stores when its 100 candidates come from the
        # index, against the top-10 it stores when they come from an exact scan (same learner,
        # same re-rank), each in a rolled-back transaction.
        def listed(uid: int, exact: bool) -> list[int]:
            with Session(engine) as s:
                if exact:
                    s.execute(sqltext("SET LOCAL enable_indexscan = off"))
                ids_ = [r.mission_id for r in recommendations.compute(s, uid)]
                s.rollback()
            return ids_

        exact_lists = {uid: listed(uid, True) for uid in users}
        assert listed(users[0], True) == exact_lists[users[0]], "compute() is not deterministic"
        list_recall: dict[tuple[str, int], float] = {}

        def measure_lists(label: str) -> None:
            for ef in sorted({recommendations.EF_SEARCH, *efs}):
                recommendations.EF_SEARCH = ef  # what nearest_missions sets (at least its limit)
                list_recall[(label, max(ef, recommendations.CANDIDATES))] = float(
                    np.mean(
                        [
                            len(set(listed(uid, False)) & set(exact_lists[uid]))
                            / recommendations.TOP_K
                            for uid in users
                        ]
                    )
                )
            recommendations.EF_SEARCH = ef_app
            print(f"  stored lists{label} done", flush=True)

        measure_lists("")

        builds = []
        for variant in filter(None, args.other_index.split(";")):
            m, efc = (int(x) for x in variant.split(","))
            t = time.perf_counter()
            conn.execute("DROP INDEX ix_mission_embeddings_hnsw")
            conn.execute("SET maintenance_work_mem = '1GB'")
            conn.execute(HNSW_SQL.format(m=m, efc=efc))
            builds.append(f"m={m}, ef_construction={efc}: {time.perf_counter() - t:.0f} s")
            measure(efs, (10, recommendations.CANDIDATES), f", index m={m}, ef_construction={efc}")
            measure_lists(f", index m={m}, ef_construction={efc}")
        conn.close()

    exact_p50, exact_p95 = p50(exact_ms), pct(exact_ms, 0.95)
    print()
    print(
        f"Top-10 recommendations over {args.n:,} published missions ({args.vectors} vectors of "
        f"all-MiniLM-L6-v2, 384 d), {args.queries} learner queries; HNSW m={INDEX['m']}, "
        f"ef_construction={INDEX['ef_construction']}, iterative_scan=relaxed_order; shared_buffers "
        f"{args.shared_buffers or '128MB'}; {machine()}"
    )
    print()
    print("| Query | hnsw.ef_search | p50 ms | p95 ms | recall@10 | speed-up (p50) |")
    print("|---|---|---|---|---|---|")
    print(
        f"| exact scan top-10 (same SQL, `enable_indexscan = off`) | — | {exact_p50:.1f} "
        f"| {exact_p95:.1f} | 1.000 | 1× |"
    )
    for what, ef, lat, rec in rows:
        r = f"{rec:.3f}" if rec is not None else "—"
        print(
            f"| {what} | {ef} | {p50(lat):.1f} | {pct(lat, 0.95):.1f} | {r} "
            f"| {exact_p50 / p50(lat):.0f}× |"
        )
    what = (
        f"{args.interests} interest vectors: {args.interests} ANN top-"
        f"{recommendations.PER_INTEREST}"
        if args.interests
        else f"ANN top-{recommendations.CANDIDATES}"
    )
    compute_ef = (
        max(recommendations.INTEREST_EF_SEARCH, recommendations.PER_INTEREST)
        if args.interests
        else max(100, recommendations.EF_SEARCH)
    )
    print(
        f"| full `compute()` ({what} + ranker + MMR + reasons "
        f"+ write, committed; n={len(compute_ms)}) | {compute_ef} "
        f"| {p50(compute_ms):.1f} | {pct(compute_ms, 0.95):.1f} | — | — |"
    )
    for (label, ef), rec in list_recall.items():
        print(
            f"| the stored top-{recommendations.TOP_K} list{label} (`compute()` on index "
            f"candidates vs on exact-scan candidates; n={len(users)}) | {ef} | — | — | {rec:.3f} "
            "| — |"
        )
    print()
    print(
        f"Load: COPY {load_s:.0f} s, HNSW build (m={INDEX['m']}, "
        f"ef_construction={INDEX['ef_construction']}) {index_s:.0f} s."
    )
    for b in builds:
        print(f"Other index build: {b}.")


if __name__ == "__main__":
    main()
