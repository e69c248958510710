"""What the student's mission page and dashboard (pages/mission.py, pages/student_dashboard.py)
show, through the services they call: a student's work from draft to review, a locked mission,
staff reading a mission."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages import student_dashboard
from cyberhub.schemas.learning import AttemptView
from cyberhub.services import rendering
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog, dashboards, reviews, submissions
from tests.factories import FULL_SCORES, GOOD_ANSWER, World, build_world, principal

pytestmark = [pytest.mark.student, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def attempts(session: Session, me: Principal, mission_id: int) -> list[AttemptView]:
    """The student's attempts as the page's history renders them (oldest first)."""
    return submissions.attempt_views(
        session, submissions.history(session, me, me.user_id, mission_id)
    )


def test_mission_page_follows_the_work_from_draft_to_review(session: Session, world: World) -> None:
    me = principal(session, world.student)
    mid = world.m1.id or 0
    work = submissions.work_status(session, me, mid)
    assert work.status == "not_started" and work.can_submit
    assert attempts(session, me, mid) == []
    assert submissions.revealed_hints(session, me, mid) == []

    revealed = submissions.reveal_hint(session, me, mid).revealed
    assert [h.model_dump() for h in revealed] == [{"index": 0, "hint": "First hint."}]
    submissions.save_draft(session, me, mid, answer="notes", links=["https://e.org/x"])
    session.commit()
    work = submissions.work_status(session, me, mid)
    assert work.status == "draft" and work.draft is not None and work.draft.answer == "notes"
    assert [h.hint for h in submissions.revealed_hints(session, me, mid)] == ["First hint."]
    with pytest.raises(Invalid, match="Link 1 must be a full http"):
        submissions.submit(session, me, mid, answer=GOOD_ANSWER, links=["ftp://nope"])
    session.rollback()

    sub = submissions.submit(session, me, mid, answer=GOOD_ANSWER, links=["https://e.org/x"])
    session.commit()
    assert sub.attempt == 1
    mentor = principal(session, world.mentor)
    reviews.claim(session, mentor, sub.id or 0)
    reviews.review(
        session,
        mentor,
        sub.id or 0,
        decision="changes_requested",
        scores=FULL_SCORES,
        feedback="More",
    )
    session.commit()
    work = submissions.work_status(session, me, mid)
    assert work.status == "changes_requested" and work.can_submit
    (attempt,) = attempts(session, me, mid)
    assert attempt["decision"] == "changes_requested" and attempt["feedback"] == "More"
    assert [e["label"] for e in attempt["events"]] == [
        "Submitted",
        "Claimed for review",
        "Changes requested",
    ]

    board = dashboards.student_dashboard(session, me).model_dump()
    assert [m["title"] for m in board["in_progress"]] == [world.m1.title]
    assert board["in_progress"][0]["track"] == "builders"
    (feedback,) = board["latest_feedback"]
    assert feedback["feedback"] == "More"
    assert board["next_action"]["kind"] == "resubmit"
    assert {t["name"] for t in board["tracks"]} >= {"Builders"}


def test_a_locked_mission_names_its_prerequisites(session: Session, world: World) -> None:
    work = submissions.work_status(session, principal(session, world.student), world.m2.id or 0)
    assert work.locked and not work.can_submit and work.status == "locked"
    assert [m.title for m in work.missing_prerequisites] == [world.m1.title]


def test_staff_read_the_mission_and_its_hints(session: Session, world: World) -> None:
    detail = catalog.get_mission(session, principal(session, world.mentor), world.m1.id or 0)
    assert detail.mission.title == world.m1.title and detail.track.name == "Builders"
    assert detail.mission.hints == ["First hint.", "Second hint."]


def test_excerpts_are_short_and_flat() -> None:
    def excerpt(text: str) -> str:
        return rendering.markdown_excerpt(text, student_dashboard.EXCERPT)

    assert excerpt("## Good\n\n**Well** done") == "Good Well done"
    long = excerpt("word " * 100)
    assert len(long) <= student_dashboard.EXCERPT and long.endswith("…")
