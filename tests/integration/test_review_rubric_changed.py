"""A director (an admin, for a library mission) edits a mission's rubric while a mentor reviews an attempt at it (reviews.review's
`rubric_seen`, the criteria the review form showed).

Before, every Send from the form failed alike ("Score “Depth”", "Not criteria of this mission's
rubric") and the form, still showing the old rubric, could not be corrected until the page was
reloaded. Now a review that still fits the current rubric is taken; one that no longer fits it
is refused with RubricChanged, which says what changed, and the form reads the rubric again
keeping what the mentor typed (pages/review/state.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.models import Review, Submission, SubmissionStatus
from cyberhub.services.errors import Conflict, Invalid
from cyberhub.services.learning import authoring, reviews
from tests.factories import FULL_SCORES, RUBRIC, World, build_world, id_of, principal
from tests.integration.test_reviews import claim, submit

pytestmark = [pytest.mark.missions, pytest.mark.integration]

FEEDBACK = "Good work; next time add screenshots."
# What the form showed: the mission's rubric when the page was loaded.
SEEN: list[dict[str, Any]] = [
    {"key": c["key"], "title": c["title"], "points": c["points"]} for c in RUBRIC
]
DEPTH = {"key": "depth", "title": "Depth", "description": "Goes past the brief.", "points": 3}


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def _claimed(session: Session, w: World) -> Submission:
    sub = submit(session, w)
    claim(session, w.mentor, sub)
    return sub


def _edit_rubric(session: Session, w: World, rubric: list[dict[str, Any]]) -> None:
    """An admin saves the mission's rubric (the mission editor's path; m1 is a library
    mission, which only admins edit)."""
    authoring.update_mission(
        session,
        principal(session, w.admin),
        id_of(w.m1),
        authoring.MissionChanges(rubric=rubric),
    )
    session.commit()


def _send(session: Session, w: World, sub: Submission, scores: dict[str, Any]) -> Review:
    out = reviews.review(
        session,
        principal(session, w.mentor),
        id_of(sub),
        decision="approved",
        scores=scores,
        feedback=FEEDBACK,
        rubric_seen=SEEN,
    )
    session.commit()
    return out


def _refused(session: Session, w: World, sub: Submission, scores: dict[str, Any]) -> str:
    with pytest.raises(reviews.RubricChanged) as refused:
        _send(session, w, sub, scores)
    session.rollback()
    assert isinstance(refused.value, Conflict)  # a 409 through the API, a message on the page
    session.expire_all()
    still = session.get(Submission, sub.id)
    assert still is not None and still.status == SubmissionStatus.in_review  # nothing written
    return refused.value.message


def test_a_reworded_rubric_takes_the_review(session: Session, world: World) -> None:
    sub = _claimed(session, world)
    reworded = [
        {**c, "title": c["title"] + " (revised)", "description": "New words."} for c in RUBRIC
    ]
    _edit_rubric(session, world, reworded)
    assert _send(session, world, sub, FULL_SCORES).total == 15


def test_a_maximum_the_scores_still_fit_takes_the_review(session: Session, world: World) -> None:
    sub = _claimed(session, world)
    _edit_rubric(session, world, [{**RUBRIC[0], "points": 20}, RUBRIC[1]])
    assert _send(session, world, sub, FULL_SCORES).total == 15


def test_an_added_criterion_is_named_then_scored(session: Session, world: World) -> None:
    sub = _claimed(session, world)
    _edit_rubric(session, world, [*RUBRIC, DEPTH])
    message = _refused(session, world, sub, FULL_SCORES)
    assert message == (
        "This mission's rubric was changed while you were reviewing: “Depth” was added. The "
        "form now shows the current rubric, with your feedback and the scores and comments of "
        "the criteria still in it: check them, then send your review again."
    )
    # The form, reloaded, shows Depth too: scored, the review goes.
    screen = reviews.review_screen(session, principal(session, world.mentor), id_of(sub))
    assert [c.key for c in screen.rubric] == ["evidence", "clarity", "depth"]
    assert _send(session, world, sub, {**FULL_SCORES, "depth": 2}).total == 17


def test_a_removed_criterion_and_a_lower_maximum_are_named(session: Session, world: World) -> None:
    sub = _claimed(session, world)
    _edit_rubric(session, world, [{**RUBRIC[0], "points": 4}])
    message = _refused(session, world, sub, FULL_SCORES)
    assert "while you were reviewing: “Clarity” was removed; “Evidence” is now out of 4." in message


def test_without_the_rubric_seen_the_problems_are_listed_as_before(
    session: Session, world: World
) -> None:
    """An API client sends no rubric: it hears what is wrong with its scores (422)."""
    sub = _claimed(session, world)
    _edit_rubric(session, world, [*RUBRIC, DEPTH])
    with pytest.raises(Invalid, match="Score “Depth” \\(0 to 3\\)"):
        reviews.review(
            session,
            principal(session, world.mentor),
            id_of(sub),
            decision="approved",
            scores=FULL_SCORES,
            feedback=FEEDBACK,
        )


def test_a_review_that_does_not_fit_an_unchanged_rubric_is_invalid(
    session: Session, world: World
) -> None:
    sub = _claimed(session, world)
    with pytest.raises(Invalid, match="Score “Clarity”"):
        _send(session, world, sub, {"evidence": 10})
