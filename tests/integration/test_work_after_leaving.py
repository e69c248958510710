"""A director reads a learner's work on their programme's missions through the learner's
enrolment, and only what was handed in while it held: a learner who withdrew and then did the
same library mission in another organisation's programme showed that organisation's attempt, its
review, scores and feedback to the first director (GET /submissions/{id} and the attempt history
by id), although they could no longer read the learner at all."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.models import ProgramMission
from cyberhub.services.errors import Forbidden
from cyberhub.services.learning import enrollment, submissions
from tests.factories import (
    GOOD_ANSWER,
    build_world,
    enroll,
    id_of,
    make_cohort,
    principal,
    submit_and_decide,
)

pytestmark = [pytest.mark.missions, pytest.mark.integration]


def test_a_director_sees_work_handed_in_while_the_learner_belonged_not_after(
    session: Session,
) -> None:
    w = build_world(session)
    before = submit_and_decide(session, w, w.m1, decision="changes_requested")
    director = principal(session, w.director)
    enrollment.unenroll(session, director, id_of(w.cohort), id_of(w.student))
    session.commit()
    # The learner does the same library mission in another organisation's programme.
    session.add(ProgramMission(program_id=id_of(w.other_program), mission_id=id_of(w.m1)))
    elsewhere = make_cohort(session, w.other_program, director=w.other_director, name="Coast")
    enroll(session, elsewhere, w.student)
    session.commit()
    after = submissions.submit(
        session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER + " Again."
    )
    session.commit()
    assert after.attempt == 2

    # The first director: the attempt made while enrolled, not the one made elsewhere since.
    director = principal(session, w.director)
    assert submissions.get_submission(session, director, id_of(before)).submission.id == before.id
    with pytest.raises(Forbidden):
        submissions.get_submission(session, director, id_of(after))
    shown = submissions.history(session, director, id_of(w.student), id_of(w.m1))
    assert [d.submission.attempt for d in shown] == [1]
    # The other organisation's director, whose cohort the learner is in, reads both attempts
    # (one piece of work for every programme running the mission); the learner too.
    theirs = principal(session, w.other_director)
    assert [
        d.submission.attempt
        for d in submissions.history(session, theirs, id_of(w.student), id_of(w.m1))
    ] == [1, 2]
    mine = submissions.history(
        session, principal(session, w.student), id_of(w.student), id_of(w.m1)
    )
    assert [d.submission.attempt for d in mine] == [1, 2]
