"""Embedding pipeline vs plain model.encode, on the same texts in the same run (issue 6, bench 1).

    source scripts/env.sh && nice -n 10 python bench/embedding_pipeline.py [--n 2000] [--rounds 2]

Plain: `model.encode(texts, batch_size=64)` on the texts held in memory.
Pipeline: read the missions from PostgreSQL, `services.embeddings.embed_missions` in batches of
64 ids with the worker's real embedder (worker.model.ModelEmbedder), write the vectors, commit
each batch. Rounds alternate plain / pipeline so load changes on the machine hit both; the best
round of each is compared (goal: pipeline >= 0.9 of plain).
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

from _common import (  # noqa: E402
    MODEL_NAME,
    copy_missions,
    libpq,
    machine,
    make_catalog,
    synthetic_missions,
    text_of,
    throwaway_env,
)

BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import psycopg
    from sqlalchemy import text

    from cyberhub import db
    from cyberhub.services.ai.embeddings import embed_missions
    from worker.model import ModelEmbedder, load_model

    with throwaway_env("pipeline") as env:
        missions = synthetic_missions(args.n, seed=1)
        with db.session_scope() as session:
            program_id, tracks = make_catalog(session)
        with psycopg.connect(libpq(env.db_url)) as conn:
            ids = copy_missions(conn, missions, program_id, tracks)
        texts = [text_of(m) for m in missions]

        t = time.perf_counter()
        model = load_model()
        embedder = ModelEmbedder()
        load_s = time.perf_counter() - t
        model.encode(texts[:BATCH], batch_size=BATCH)  # warm up (first call allocates)

        def plain() -> tuple[float, float]:
            t0, c0 = time.perf_counter(), time.process_time()
            model.encode(
                texts,
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return time.perf_counter() - t0, time.process_time() - c0

        # The order the pipeline reads missions in decides its padding: the model pads each
        # batch to its longest text, and plain encode() sorts ALL texts by length first.
        orders = {
            "pipeline": "SELECT id FROM missions ORDER BY id",
            "pipeline, by length": (
                "SELECT id FROM missions "
                "ORDER BY char_length(title) + char_length(summary) + char_length(brief), id"
            ),
        }

        def pipeline(sql: str) -> tuple[float, float]:
            with db.session_scope() as session:
                session.execute(text("DELETE FROM mission_embeddings"))
            t0, c0 = time.perf_counter(), time.process_time()
            with db.session_scope() as session:
                todo = [r[0] for r in session.execute(text(sql))]
            written = 0
            for i in range(0, len(todo), BATCH):
                with db.session_scope() as session:  # one transaction per batch, committed
                    written += embed_missions(session, todo[i : i + BATCH], embedder)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            assert written == len(todo), (written, len(todo))
            return elapsed, cpu

        names = ["plain", *orders]
        results: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.rounds):
            # Rotate which goes first so a load change does not always favour one side.
            for name in names[r % len(names) :] + names[: r % len(names)]:
                secs, cpu_s = plain() if name == "plain" else pipeline(orders[name])
                results[name].append(secs)
                cpu[name].append(cpu_s)
                print(
                    f"  round {r + 1} {name:<20} {secs:7.1f} s wall {cpu_s:7.1f} s CPU  "
                    f"{args.n / secs:6.1f} texts/s",
                    flush=True,
                )

        with db.session_scope() as session:
            stored, models = session.execute(
                text("SELECT count(*), count(DISTINCT model) FROM mission_embeddings")
            ).one()
        assert stored == len(ids) and models == 1, (stored, models)

        best = {name: min(v) for name, v in results.items()}
        best_cpu = {name: min(v) for name, v in cpu.items()}
        labels = {
            "plain": "plain `model.encode(texts, batch_size=64)`",
            "pipeline": "pipeline: DB (id order) → `embed_missions`, 64 per batch → committed",
            "pipeline, by length": "pipeline, missions read in text-length order",
        }
        print()
        print(f"Embedding pipeline, {args.n:,} mission texts, {MODEL_NAME} on CPU")
        print(f"(model load {load_s:.1f} s; best of {args.rounds} rounds; {machine()})")
        print()
        print("| Path | Wall s | Texts/s | vs plain | CPU s (this process) | vs plain (CPU) |")
        print("|---|---|---|---|---|---|")
        for name in names:
            print(
                f"| {labels[name]} | {best[name]:.1f} | {args.n / best[name]:.1f} "
                f"| {best['plain'] / best[name]:.2f} | {best_cpu[name]:.1f} "
                f"| {best_cpu['plain'] / best_cpu[name]:.2f} |"
            )


if __name__ == "__main__":
    main()
