"""schedule.behind_schedule (counted by PostgreSQL for the at-risk list and the roster) agrees
with the rule of schedule.applicable: a due date applies to active learners whose track the
mission is in (every track before a profiler result), and is overdue once passed with nothing
handed in (a submission waiting for review counts; changes requested does not)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import Session

from cyberhub.models import Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.services.learning import schedule
from tests.factories import (
    GOOD_ANSWER,
    World,
    complete_profiler,
    enroll,
    id_of,
    make_user,
    principal,
)

pytestmark = [pytest.mark.integration]


def by_rule(session: Session, cohort_id: int) -> dict[int, int]:
    found = schedule.applicable(session, cohort_id=cohort_id, now=utcnow())
    return dict(Counter(d.student_id for d in found if d.status == "overdue"))


def test_the_sql_count_agrees_with_the_rule(session: Session, world: World) -> None:
    w = world
    cid = id_of(w.cohort)
    d = principal(session, w.director)
    complete_profiler(session, id_of(w.student), "builders")  # m1, m2 apply; m3 (leaders) not
    gone = make_user(session, "gone@example.org", "student", organization_id=w.org.id)
    enroll(session, w.cohort, gone, status="withdrawn")
    now = utcnow()
    for mission, days in ((w.m1, -3), (w.m2, -1), (w.m3, -2)):
        schedule.set_due_date(session, d, cid, id_of(mission), now + timedelta(days=days))
    session.commit()
    assert schedule.behind_schedule(session, cid) == by_rule(session, cid)
    assert schedule.behind_schedule(session, cid) == {id_of(w.student): 2, id_of(w.student2): 3}
    # A page of the roster asks for its own learners only.
    assert schedule.behind_schedule(session, cid, among=[id_of(w.student2)]) == {
        id_of(w.student2): 3
    }
    assert schedule.behind_schedule(session, cid, among=[]) == {}

    # Handed in (waiting for review) counts; changes requested does not; the future is not due.
    for student, mission, status in (
        (w.student, w.m1, SubmissionStatus.submitted),
        (w.student2, w.m3, SubmissionStatus.changes_requested),
        (w.student2, w.m1, SubmissionStatus.approved),
    ):
        session.add(
            Submission(
                student_id=id_of(student),
                mission_id=id_of(mission),
                status=status,
                answer=GOOD_ANSWER,
                submitted_at=now,
            )
        )
    schedule.set_due_date(session, d, cid, id_of(w.m2), now + timedelta(days=2))
    session.commit()
    assert schedule.behind_schedule(session, cid) == by_rule(session, cid)
    assert schedule.behind_schedule(session, cid) == {id_of(w.student2): 1}

    # A newer profiler result moves the learner to another track's due dates.
    complete_profiler(session, id_of(w.student), "leaders")
    session.commit()
    assert schedule.behind_schedule(session, cid) == by_rule(session, cid)
    assert schedule.behind_schedule(session, cid)[id_of(w.student)] == 1
    assert id_of(gone) not in schedule.behind_schedule(session, cid)
