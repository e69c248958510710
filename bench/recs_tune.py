"""Choose the ranker's weights (services/ai/ranking.py: WEIGHTS) on the TUNING half of the judged
set only (issue 14). The held-out half is never scored here: bench/recs_quality.py does that.

    source scripts/env.sh && nice -n 10 python bench/recs_tune.py [--rounds 2]

Builds the same database as bench/recs_quality.py (judged catalog, one learner per persona
through the real services, real model, the worker's embed_mission / embed_learner), gathers
each tuning persona's candidates once (recommendations.candidates: the real per-interest HNSW
queries), then runs coordinate descent over a small grid per weight with the pure ranker
(ranking.rank), maximising mean nDCG@10 on the tuning half. Goal sensitivity needs no
judgments: the contrast pairs (which all pair a tuning persona with a held-out one) are ranked
too, and a weight set is preferred when fewer pairs share more than 5 of their top 10 — only
the held-out personas' lists are used for that, never their judgments. Prints the path and the
result to paste into WEIGHTS.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _common import throwaway_env  # noqa: E402
from _recs_judged import load_judged_set, locked, ndcg_at_k, overlap  # noqa: E402
from recs_quality import load_catalog, make_learner, seed_everything  # noqa: E402

GRID: dict[str, list[float]] = {
    "track_sim": [0.0, 0.1, 0.2, 0.3, 0.5, 0.7],
    "work_sim": [0.0, 0.1, 0.2, 0.3],
    "track_fit": [0.0, 0.03, 0.06, 0.1, 0.15, 0.2],
    "leads_to": [0.0, 0.1, 0.2, 0.4, 0.7],
    "first_step": [0.0, 0.03, 0.06, 0.1, 0.15],
    "difficulty": [0.0, 0.03, 0.06, 0.1, 0.15],
    "popularity": [0.0, 0.02, 0.05],
    "mmr_lambda": [0.6, 0.7, 0.8, 0.9, 1.0],
    "area_band": [0.05, 0.1, 0.15, 0.25],
    "min_goal": [0.0, 0.3, 0.32, 0.34, 0.36, 0.4],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--save", default="", help="pickle the gathered candidates to this file")
    args = parser.parse_args()
    seed_everything()
    js = load_judged_set()
    tuning = js.half("tuning")
    t_start = time.perf_counter()
    with throwaway_env("recs-tune"):
        from cyberhub import db
        from cyberhub.services.ai import ranking, recommendations
        from worker.ai import embed_learner, embed_mission

        ids, cohort_id, mentor_id = load_catalog(js)
        slug_of = {mid: slug for slug, mid in ids.items()}
        for m in js.missions:
            embed_mission.fn(ids[m["slug"]])
        users = {p.id: make_learner(p, cohort_id, mentor_id, ids) for p in js.personas}
        gathered = {}
        for p in js.personas:
            embed_learner.fn(users[p.id])
            with db.session_scope() as s:
                gathered[p.id] = recommendations.candidates(s, users[p.id])
        print(f"  {len(users)} personas ready in {time.perf_counter() - t_start:.0f} s")

    if args.save:
        import pickle

        Path(args.save).write_bytes(pickle.dumps((gathered, slug_of)))
    prereqs = {m["slug"]: list(m["prerequisites"]) for m in js.missions}
    pairs = js.contrast_pairs

    def evaluate(w: ranking.Weights) -> tuple[int, float, float, int]:
        lists = {}
        for p in js.personas:
            cands, ctx, _ = gathered[p.id]
            ranked = ranking.rank(list(cands), ctx, w=w)
            lists[p.id] = [slug_of[c.id] for c in ranked.main]
        nd = float(np.mean([ndcg_at_k(lists[p.id], p.graded()) for p in tuning]))
        ov = [overlap(lists[a], lists[b]) for a, b in pairs]
        lk = sum(locked(lists[p.id][:5], prereqs, set(p.completed)) for p in js.personas)
        return sum(1 for x in ov if x > 5), nd, float(np.mean(ov)), lk

    best = ranking.WEIGHTS
    best_score = evaluate(best)
    print(f"start {best}: {best_score} (pairs > 5, tuning nDCG@10, mean overlap, locked)")
    for r in range(args.rounds):
        for name, values in GRID.items():
            for v in values:
                w = dataclasses.replace(best, **{name: v})
                got = evaluate(w)
                if got[3] == 0 and (-got[0], got[1]) > (-best_score[0], best_score[1] + 1e-6):
                    best, best_score = w, got
            print(f"round {r + 1}, {name} = {getattr(best, name)}: {best_score}", flush=True)
    print()
    print(
        f"tuning half ({len(tuning)} personas): nDCG@10 {best_score[1]:.3f}; all "
        f"{len(pairs)} contrast pairs: mean overlap {best_score[2]:.1f}, pairs > 5: "
        f"{best_score[0]}; locked in any top 5: {best_score[3]}"
    )
    print(f"WEIGHTS = {best}")
    print(f"whole run {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
