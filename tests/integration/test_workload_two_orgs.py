"""The mentor workload export counts, for a programme's director, only the claims and reviews of
work on that programme's missions. A mentor who also mentors at another organisation, for a
learner who studies with both, reviews and claims work there too: none of it is the director's
to count (organisations are tenants)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import Session

from cyberhub import db
from cyberhub.models import Review, Submission, SubmissionStatus, Track, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.exports import ExportRequest
from cyberhub.services.admin import export_writers, exports
from cyberhub.settings import get_settings
from tests.factories import (
    FULL_SCORES,
    World,
    enroll,
    id_of,
    make_cohort,
    make_mission,
    principal,
    serve,
)
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]


@pytest.fixture(autouse=True)
def data_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # After db_url (which clears the settings cache): files go to this test's folder.
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path


def _work(
    session: Session,
    w: World,
    mission_id: int,
    status: SubmissionStatus,
    student: User | None = None,
) -> Submission:
    now = utcnow()
    sub = Submission(
        student_id=id_of(student or w.student),
        mission_id=mission_id,
        answer="My evidence.",
        status=status,
        submitted_at=now,
        decided_at=now if status == SubmissionStatus.approved else None,
        claimed_by_id=id_of(w.mentor) if status == SubmissionStatus.in_review else None,
    )
    session.add(sub)
    session.flush()
    return sub


def _elsewhere(session: Session, w: World) -> None:
    """The learner also studies at Coast Campus, where the world's mentor serves their cohort:
    the mentor reviewed one Coast attempt and holds another. Here, the mentor reviewed one."""
    coast = make_cohort(session, w.other_program, name="Coast cohort")
    enroll(session, coast, w.student)
    serve(session, coast, w.mentor)
    track = session.get(Track, w.other_mission.track_id)
    assert track is not None
    second = make_mission(session, w.other_program, track, title="Coast two", owner=w.other_org)
    for mission_id, status in (
        (id_of(w.m1), SubmissionStatus.approved),
        (id_of(w.other_mission), SubmissionStatus.approved),
        (id_of(second), SubmissionStatus.in_review),
    ):
        sub = _work(session, w, mission_id, status)
        if status == SubmissionStatus.approved:
            _review(session, sub, w)
    session.commit()


def _review(session: Session, sub: Submission, w: World) -> None:
    session.add(
        Review(
            submission_id=sub.id or 0,
            mentor_id=id_of(w.mentor),
            decision="approved",
            scores=FULL_SCORES,
            total=sum(FULL_SCORES.values()),
            feedback="Well done.",
        )
    )


# (claimed_now, reviews_total, reviews_last_30_days) of the world's mentor in the Spring cohort
HERE = ("0", "1", "1")


def test_the_workload_counts_the_programmes_own_work(session: Session, world: World) -> None:
    w = world
    _elsewhere(session, w)
    rows = {
        (r[0], r[2]): tuple(str(n) for n in r[5:8])
        for r in export_writers.workload_rows(session, id_of(w.program))
    }
    assert rows[("Spring", w.mentor.email)] == HERE


def test_the_directors_downloaded_workload_counts_nothing_of_the_other_organisation(
    session: Session, world: World, client_for: ClientFor
) -> None:
    w = world
    _elsewhere(session, w)
    out = exports.request_export(
        session,
        principal(session, w.director),
        ExportRequest(kind="mentor_workload", program_id=id_of(w.program)),
    )
    session.commit()
    exports.run_export(db.session_scope, out.id)
    got = client_for(w.director).get(f"/api/v1/exports/{out.id}/download")
    assert got.status_code == 200, got.text
    rows = list(csv.reader(io.StringIO(got.text)))
    [mine] = [r for r in rows[1:] if r[0] == "Spring" and r[2] == w.mentor.email]
    assert tuple(mine[5:8]) == HERE


def test_each_cohorts_row_counts_the_work_of_that_cohorts_learners(
    session: Session, world: World
) -> None:
    """A mentor serving two cohorts of the programme: each cohort's row counts the claims and
    reviews of its own learners (the rows used to count every cohort's, as if each were all)."""
    w = world
    serve(session, w.other_cohort, w.mentor)
    _review(session, _work(session, w, id_of(w.m1), SubmissionStatus.approved), w)
    evening = w.outsider_student
    _review(session, _work(session, w, id_of(w.m1), SubmissionStatus.approved, evening), w)
    _review(session, _work(session, w, id_of(w.m3), SubmissionStatus.approved, evening), w)
    _work(session, w, id_of(w.m2), SubmissionStatus.in_review, evening)
    session.commit()
    rows = {
        (r[0], r[2]): tuple(str(n) for n in r[5:8])
        for r in export_writers.workload_rows(session, id_of(w.program))
    }
    assert rows[("Spring", w.mentor.email)] == ("0", "1", "1")
    assert rows[("Evening", w.mentor.email)] == ("1", "2", "2")
