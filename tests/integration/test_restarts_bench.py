"""bench/restarts.py, short: a 2 web + 2 worker + 1 scheduler cluster under simulated tabs and an
API writer, restarted piece by piece (PostgreSQL, Redis, web 0, worker 0) with nobody stepping
in: every restart is followed by acknowledged writes, no acknowledged write or job is lost, and
no effect is applied twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.restarts import RESTARTS, print_report, run_restarts

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.xdist_group("frontend"),  # serves .web/build/client (scripts/test.sh)
]


def test_restarts_under_load_lose_nothing_and_recover_unaided(tmp_path: Path) -> None:
    rep = run_restarts(tmp_path / "cluster", tabs=4, writers=3, phase_s=8, recovery_timeout=60)
    print_report(rep, tabs=4, kill_worker=False)  # shown when an assertion fails

    assert [r.what for r in rep.recoveries] == list(RESTARTS)
    for r in rep.recoveries:  # writes acknowledged again after each restart, unaided
        assert r.first_write_s < 60, r
    w, v = rep.writes, rep.verdict
    assert len(w.submissions) >= 10 and len(w.reviews) >= 5 and len(w.exports) >= 2, w
    assert w.review_errors == []
    assert v.lost_submissions == [] and v.lost_reviews == [] and v.lost_export_requests == []
    assert v.lost_jobs == [], v
    assert v.duplicated_effects == 0
    assert v.left_in_queues == 0 and v.dead_letters == 0
    assert rep.unhealthy == ""  # every role healthy again on both webs, unaided
    assert sum(r.events for r in rep.load) > 0  # the tabs ran through it all
