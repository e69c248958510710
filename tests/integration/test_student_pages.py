"""The data helpers behind the student's mission page and dashboard (pages/mission.py,
pages/student_dashboard.py): what each screen loads for a student, a locked mission, staff."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.pages import mission as mission_page
from cyberhub.pages import student_dashboard
from cyberhub.services import rendering, reviews
from cyberhub.services.errors import Invalid
from tests.factories import FULL_SCORES, GOOD_ANSWER, World, build_world, principal

pytestmark = [pytest.mark.student, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def test_mission_page_follows_the_work_from_draft_to_review(session: Session, world: World) -> None:
    me = principal(session, world.student)
    mid = world.m1.id or 0
    data = mission_page._load(me, mid)
    assert data["is_student"] and data["work"]["status"] == "not_started"
    assert data["work"]["can_submit"] and data["attempts"] == [] and data["hints"] == []

    assert mission_page._reveal(me, mid) == [{"index": 0, "hint": "First hint."}]
    mission_page._save(me, mid, False, "notes", ["https://e.org/x"])
    data = mission_page._reload_work(me, mid)
    assert data["work"]["status"] == "draft" and data["work"]["draft"]["answer"] == "notes"
    assert data["attempts"] == []  # a draft lives in the form, not in the history
    assert data["hints"] == [{"index": 0, "hint": "First hint."}]
    with pytest.raises(Invalid, match="Link 1 must be a full http"):
        mission_page._save(me, mid, True, GOOD_ANSWER, ["ftp://nope"])

    assert mission_page._save(me, mid, True, GOOD_ANSWER, ["https://e.org/x"]) == {"attempt": 1}
    mentor = principal(session, world.mentor)
    sub_id = mission_page._reload_work(me, mid)["attempts"][0]["id"]
    reviews.claim(session, mentor, sub_id)
    reviews.review(
        session, mentor, sub_id, decision="changes_requested", scores=FULL_SCORES, feedback="More"
    )
    session.commit()
    data = mission_page._reload_work(me, mid)
    assert data["work"]["status"] == "changes_requested" and data["work"]["can_submit"]
    (attempt,) = data["attempts"]
    assert attempt["decision"] == "changes_requested" and attempt["feedback"] == "More"
    assert [e["label"] for e in data["events"]] == [
        "Attempt 1 · Submitted",
        "Attempt 1 · Claimed for review",
        "Attempt 1 · Changes requested",
    ]

    board = student_dashboard._load(me, "")["board"]
    assert [m["title"] for m in board["in_progress"]] == [world.m1.title]
    assert board["in_progress"][0]["track_name"] == "Builders"
    (feedback,) = board["feedback"]
    assert feedback["excerpt"] == "More" and feedback["when"].endswith(" UTC")
    assert board["next_action"]["kind"] == "resubmit"
    assert {t["name"] for t in board["tracks"]} >= {"Builders"}


def test_a_locked_mission_names_its_prerequisites(session: Session, world: World) -> None:
    data = mission_page._load(principal(session, world.student), world.m2.id or 0)
    work = data["work"]
    assert work["locked"] and not work["can_submit"] and work["status"] == "locked"
    assert [m["title"] for m in work["missing_prerequisites"]] == [world.m1.title]


def test_staff_read_the_mission_without_a_work_section(session: Session, world: World) -> None:
    data = mission_page._load(principal(session, world.mentor), world.m1.id or 0)
    assert not data["is_student"] and "work" not in data
    assert data["mission"]["hints"] == ["First hint.", "Second hint."]


def test_excerpts_are_short_and_flat() -> None:
    def excerpt(text: str) -> str:
        return rendering.markdown_excerpt(text, student_dashboard.EXCERPT)

    assert excerpt("## Good\n\n**Well** done") == "Good Well done"
    long = excerpt("word " * 100)
    assert len(long) <= student_dashboard.EXCERPT and long.endswith("…")
