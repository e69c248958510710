"""Pure helpers of the mentor screens: typed scores and the queue's waiting times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cyberhub.pages.mentor_home import waited
from cyberhub.pages.review import parse_scores
from cyberhub.services.learning.reviews import check_review

RUBRIC = [
    {"key": "evidence", "title": "Evidence", "points": 10},
    {"key": "clarity", "title": "Clarity", "points": 5},
]


def test_typed_scores_become_numbers_or_stay_as_typed() -> None:
    form = {"score-evidence": " 7 ", "score-clarity": "", "feedback": "x"}
    assert parse_scores(RUBRIC, form) == {"evidence": 7}
    assert parse_scores(RUBRIC, {"score-evidence": "7.5", "score-clarity": "-1"}) == {
        "evidence": "7.5",
        "clarity": -1,
    }
    # What the service then says about them.
    _, problems = check_review(RUBRIC, "approved", parse_scores(RUBRIC, form), "")
    assert problems == ["Score “Clarity” (0 to 5)."]
    _, problems = check_review(RUBRIC, "approved", {"evidence": "7.5", "clarity": 2}, "")
    assert problems == ["“Evidence” must be a whole number from 0 to 10."]


def test_waiting_times_read_short() -> None:
    now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)

    def ago(**kw: float) -> str:
        return waited((now - timedelta(**kw)).isoformat(), now)

    assert ago(seconds=5) == "1 min"
    assert ago(minutes=45) == "45 min"
    assert ago(hours=5, minutes=20) == "5 h"
    assert ago(days=3) == "3 d"
    assert ago(days=3, hours=4) == "3 d 4 h"
    assert waited(None) == ""
