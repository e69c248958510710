"""A private reflection is the learner's alone: staff reading the coach's plan on the mentee page
are not told how many the learner wrote, only how many were shared with them ("You wrote 1
reflection" where the learner reads 3)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.schemas.coaching import ReflectionCreate
from cyberhub.services.coaching import coach, reflections
from tests.factories import World, grant_ai, id_of, principal
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("session")


def _changes(session: Session, reader: User, learner: int) -> list[str]:
    plan = coach.read_plan(session, principal(session, reader), learner)
    assert plan.plan is not None
    return [c.text for c in plan.plan.changes]


def test_staff_count_only_the_reflections_shared_with_them(session: Session, world: World) -> None:
    w = world
    learner = id_of(w.student)
    grant_ai(session, w.student)
    me = principal(session, w.student)
    for body, visibility in (
        ("Nervous about the interview.", "private"),
        ("Money is tight this month.", "private"),
        ("Writing evidence is getting easier.", "mentor"),
    ):
        reflections.add_reflection(session, me, ReflectionCreate(body=body, visibility=visibility))
    session.commit()
    assert coach.compute_plan(session, learner, FakeEmbedder()) is not None
    session.commit()
    assert "You wrote 3 reflections (0 last week)." in _changes(session, w.student, learner)
    for staff in (w.mentor, w.director):
        assert "You wrote 1 reflection (0 last week)." in _changes(session, staff, learner)
