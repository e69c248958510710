"""Exactly-once under SIGKILL: a real worker process on the real Redis broker is killed in the
middle of a batch of embed_learner jobs, a new one is started, and every job's effect exists
exactly once (bench/worker_kill.py with a hash embedder instead of the model; the script's
real-model run is in the README)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from worker_kill import run_kill_check  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_sigkill_mid_batch_leaves_every_effect_exactly_once(
    db_url: str, redis_url: str, tmp_path: Path
) -> None:
    result = run_kill_check(db_url, redis_url, tmp_path, jobs=40, fake_model=True, timeout=240)

    assert result.problems == []
    # The kill really landed mid-batch, and the batch still completed.
    assert 0 < result.done_at_kill < result.jobs
    assert result.executions >= result.jobs
    # The dead worker's unacknowledged messages came back (after the heartbeat timeout).
    assert result.held > 0
    assert result.held_back_s >= 10
