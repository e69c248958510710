"""One progress fraction for a learner, whoever looks (progress.scopes): the mentor home's
mentee list, the mentee page, the learner's own dashboard, the director's cohort roster (its
page and the analytics roster), its export and the sponsors' view all say the same "N of M" —
approved missions of the learner's track among the published missions their programme runs.

The world (tests/factories.build_world): the Spring programme runs three published missions,
two of the builders track (m1, m2) and one of the leaders track (m3). The student's profiler
places them in builders and m1 is approved: 1 of 2 everywhere, not 1 of 3 on the staff lists.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from cyberhub.models import Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.admin import export_writers
from cyberhub.services.identity import consents
from cyberhub.services.learning import (
    analytics,
    dashboards,
    mentees,
    mentoring,
    programs,
    sponsorships,
)
from tests.factories import (
    World,
    assign,
    complete_profiler,
    enroll,
    id_of,
    make_cohort,
    make_org,
    make_user,
    principal,
    submit_and_decide,
)
from tests.statements import statements

pytestmark = [pytest.mark.integration, pytest.mark.student]


def _sponsored_fraction(session: Session, w: World) -> tuple[int, int]:
    """The learner's "N of M" on the sponsor's dashboard (a sponsorship of the Spring cohort,
    the learner sharing their progress with its sponsors)."""
    fund = make_org(session, "Savannah Fund")
    sponsor = make_user(session, "kofi@fund.example", "sponsor", organization_id=fund.id)
    sponsorships.create_sponsorship(
        session,
        principal(session, w.director),
        id_of(w.cohort),
        SponsorshipIn(
            organization_id=id_of(fund),
            seats=10,
            amount=Decimal("100.00"),
            currency="usd",
            starts_on=date.today() - timedelta(days=1),
            ends_on=date.today() + timedelta(days=30),
        ),
    )
    session.commit()
    consents.set_consent(session, principal(session, w.student), consents.SPONSOR_SHARING, True)
    session.commit()
    [cohort] = sponsorships.dashboard(session, principal(session, sponsor)).cohorts
    [learner] = cohort.learners
    return learner.approved, learner.published


def test_the_same_learner_shows_the_same_fraction_on_every_page(
    session: Session, world: World
) -> None:
    w = world
    complete_profiler(session, id_of(w.student), "builders")
    submit_and_decide(session, w, w.m1)

    own = dashboards.student_dashboard(session, principal(session, w.student)).scope
    assert own is not None
    assert (own.approved, own.expected, own.percent) == (1, 2, 50)

    [listed] = mentoring.mentor_dashboard(session, principal(session, w.mentor)).mentees
    page = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    director = principal(session, w.director)
    roster = {r.student_id: r for r in programs.roster(session, director, id_of(w.cohort))}
    analysed = {
        r.student_id: r for r in analytics.cohort_roster(session, director, id_of(w.cohort)).items
    }
    exported = {r[2]: r[7:10] for r in export_writers.roster_rows(session, [id_of(w.cohort)])}

    mine = roster[id_of(w.student)]
    assert (listed.approved, listed.published, listed.percent) == (1, 2, 50)
    assert page.track_label.startswith("1 of 2 ") and page.track_percent == 50
    assert (mine.approved, mine.published, mine.progress) == (1, 2, 50)
    seen = analysed[id_of(w.student)]
    assert (seen.approved, seen.published, seen.progress) == (1, 2, 50)
    assert exported[w.student.email] == (1, 2, 50)
    assert _sponsored_fraction(session, w) == (1, 2)


def test_a_learner_without_a_track_counts_every_track_the_programme_runs(
    session: Session, world: World
) -> None:
    """No profiler result yet: every track counts, alike on every page (1 of 3)."""
    w = world
    submit_and_decide(session, w, w.m1)
    own = dashboards.student_dashboard(session, principal(session, w.student)).scope
    [listed] = mentoring.mentor_dashboard(session, principal(session, w.mentor)).mentees
    page = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    roster = programs.roster(session, principal(session, w.director), id_of(w.cohort))
    [mine] = [r for r in roster if r.student_id == w.student.id]
    assert own is not None and (own.approved, own.expected) == (1, 3)
    assert (listed.approved, listed.published) == (1, 3)
    assert page.track_label.startswith("1 of 3 ")
    assert (mine.approved, mine.published) == (1, 3)


def test_the_lists_count_in_one_query_whatever_the_number_of_learners(
    session: Session, world: World
) -> None:
    """The mentor home's mentees and the director's roster run as many statements for three
    learners (of different tracks) as for one."""
    w = world
    complete_profiler(session, id_of(w.student), "builders")
    mentor, director = principal(session, w.mentor), principal(session, w.director)
    with statements(session) as one_mentee:
        mentoring.mentor_dashboard(session, mentor)
    with statements(session) as one_roster:
        programs.roster(session, director, id_of(w.cohort))
    for n, track in enumerate(("leaders", "builders")):
        learner = make_user(session, f"more{n}@example.org", "student", organization_id=w.org.id)
        enroll(session, w.cohort, learner)
        assign(session, w.cohort, w.mentor, learner)
        complete_profiler(session, id_of(learner), track)
    with statements(session) as three_mentees:
        assert len(mentoring.mentor_dashboard(session, mentor).mentees) == 3
    with statements(session) as more_roster:
        assert len(programs.roster(session, director, id_of(w.cohort))) == 4
    assert len(three_mentees) == len(one_mentee)
    assert len(more_roster) == len(one_roster)


def test_staff_of_one_organisation_count_their_programme_alike(
    session: Session, world: World
) -> None:
    """The learner is also in another organisation's programme, with an approval there: their
    own dashboard counts both programmes (2 of 3), while this organisation's mentor home, mentee
    page and roster all count this programme alone (1 of 2), never the other's missions."""
    w = world
    coast = make_cohort(session, w.other_program, director=w.other_director, name="Coast")
    enroll(session, coast, w.student)
    complete_profiler(session, id_of(w.student), "builders")
    submit_and_decide(session, w, w.m1)
    session.add(
        Submission(
            student_id=id_of(w.student),
            mission_id=id_of(w.other_mission),
            status=SubmissionStatus.approved,
            submitted_at=utcnow(),
            decided_at=utcnow(),
        )
    )
    session.commit()
    own = dashboards.student_dashboard(session, principal(session, w.student)).scope
    assert own is not None and (own.approved, own.expected) == (2, 3)
    [listed] = mentoring.mentor_dashboard(session, principal(session, w.mentor)).mentees
    page = mentees.mentee(session, principal(session, w.mentor), id_of(w.student))
    roster = programs.roster(session, principal(session, w.director), id_of(w.cohort))
    [mine] = [r for r in roster if r.student_id == w.student.id]
    assert (listed.approved, listed.published) == (1, 2)
    assert page.track_label.startswith("1 of 2 ")
    assert (mine.approved, mine.published) == (1, 2)
