"""Director analytics (issue 15, item 1): each metric on hand-built data, the at-risk reasons
(an inactivity streak across time zones among them), nudging, and who may read what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import (
    AuditLog,
    Cohort,
    Enrollment,
    HintReveal,
    Notification,
    OutboxMail,
    ProfilerResult,
    ProfilerSession,
    ProfilerStatus,
    Review,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.learning import analytics, schedule
from tests.factories import World, cohorts_begun_by, enroll, id_of, make_user, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

NOW = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)  # a Thursday
ALL = AnalyticsFilters()
BEGUN = date(2025, 9, 1)  # the world's cohorts began on it (long before NOW)


@pytest.fixture(autouse=True)
def _cohorts_begun(session: Session, world: World) -> None:
    cohorts_begun_by(session, BEGUN)


def submission(
    session: Session,
    student: User,
    mission_id: int,
    *,
    status: SubmissionStatus,
    submitted_at: datetime | None,
    decided_at: datetime | None = None,
    attempt: int = 1,
) -> Submission:
    sub = Submission(
        student_id=id_of(student),
        mission_id=mission_id,
        attempt=attempt,
        status=status,
        answer="work",
        created_at=submitted_at or NOW - timedelta(days=30),
        submitted_at=submitted_at,
        decided_at=decided_at,
    )
    session.add(sub)
    session.commit()
    return sub


def review(session: Session, sub: Submission, mentor: User, hours: float) -> None:
    assert sub.submitted_at is not None
    decided = sub.submitted_at + timedelta(hours=hours)
    session.add(
        Review(
            submission_id=id_of(sub),
            mentor_id=id_of(mentor),
            decision="approved",
            created_at=decided,
        )
    )
    session.commit()


def profiled(session: Session, user: User, track: str, confidence: str) -> None:
    ps = ProfilerSession(
        user_id=id_of(user), bank_version="1", status=ProfilerStatus.completed, completed_at=NOW
    )
    session.add(ps)
    session.flush()
    session.add(
        ProfilerResult(
            session_id=id_of(ps),
            user_id=id_of(user),
            primary_track=track,
            secondary_track="leaders",
            confidence=confidence,
        )
    )
    session.commit()


def enrolled_long_ago(session: Session, world: World, *users: User, days: int = 40) -> None:
    """Move the users' enrolments in the world's cohort back `days` days (before any work)."""
    from cyberhub.models import Enrollment

    for row in session.exec(
        select(Enrollment).where(col(Enrollment.student_id).in_([id_of(u) for u in users]))
    ).all():
        row.enrolled_at = NOW - timedelta(days=days)
        session.add(row)
    session.commit()


class TestFunnel:
    def test_each_step_counts_the_learners_who_reached_it(
        self, session: Session, world: World
    ) -> None:
        d = world.p(session, world.director)
        extra = make_user(session, "w.third@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, extra, status="completed")
        profiled(session, world.student, "builders", "high")
        profiled(session, extra, "builders", "medium")
        submission(
            session,
            world.student,
            id_of(world.m1),
            status=SubmissionStatus.approved,
            submitted_at=NOW - timedelta(days=3),
            decided_at=NOW - timedelta(days=2),
        )
        submission(
            session,
            world.student2,
            id_of(world.m1),
            status=SubmissionStatus.submitted,
            submitted_at=NOW - timedelta(days=1),
        )
        # A draft is not a submission; another programme's mission doesn't count here.
        submission(
            session, extra, id_of(world.m3), status=SubmissionStatus.draft, submitted_at=None
        )
        submission(
            session,
            extra,
            id_of(world.other_mission),
            status=SubmissionStatus.approved,
            submitted_at=NOW - timedelta(days=1),
            decided_at=NOW,
        )
        steps = analytics.program_analytics(session, d, id_of(world.program), ALL).funnel
        # student, student2, extra (cohort) + outsider_student (other cohort)
        assert [(s.key, s.learners) for s in steps] == [
            ("enrolled", 4),
            ("profiler", 2),
            ("submitted", 2),
            ("approved", 1),
            ("completed", 1),
        ]
        assert steps[1].percent == 50

        only = AnalyticsFilters(cohort_id=id_of(world.other_cohort))
        one_cohort = analytics.program_analytics(session, d, id_of(world.program), only)
        assert one_cohort.funnel[0].learners == 1
        builders = AnalyticsFilters(track="builders")
        assert [
            s.learners
            for s in analytics.program_analytics(session, d, id_of(world.program), builders).funnel
        ] == [
            2,
            2,
            1,
            1,
            1,
        ]


class TestActivityAndApprovals:
    def test_weekly_counts_fill_empty_weeks_and_approvals_split_by_track_and_difficulty(
        self, session: Session, world: World
    ) -> None:
        d = world.p(session, world.director)
        monday = datetime(2026, 3, 2, 9, tzinfo=UTC)
        submission(
            session,
            world.student,
            id_of(world.m1),
            status=SubmissionStatus.approved,
            submitted_at=monday,
            decided_at=monday + timedelta(days=1),
        )
        submission(
            session,
            world.student2,
            id_of(world.m2),
            status=SubmissionStatus.approved,
            submitted_at=monday + timedelta(days=14),
            decided_at=monday + timedelta(days=15),
        )
        submission(
            session,
            world.student2,
            id_of(world.m3),
            status=SubmissionStatus.submitted,
            submitted_at=monday + timedelta(days=15),
        )
        dates = AnalyticsFilters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 22))
        weeks = analytics.program_analytics(session, d, id_of(world.program), dates).weekly
        assert [(w.label, w.submissions, w.approvals, w.active_learners) for w in weeks] == [
            ("2026-W09", 0, 0, 0),
            ("2026-W10", 1, 1, 1),
            ("2026-W11", 0, 0, 0),
            ("2026-W12", 2, 1, 1),
        ]
        cells = analytics.program_analytics(session, d, id_of(world.program), ALL).approvals
        assert [(c.track, c.difficulty, c.approvals) for c in cells] == [
            ("builders", 1, 1),
            ("builders", 2, 1),
        ]
        first_week = AnalyticsFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 8))
        in_week = analytics.program_analytics(session, d, id_of(world.program), first_week)
        assert len(in_week.approvals) == 1

    def test_weeks_and_dates_are_the_directors_own(self, session: Session, world: World) -> None:
        """Weeks begin on Monday at midnight and the date filter's days are calendar days, both
        in the reader's zone: work handed in on Sunday 22:30 UTC is Monday 01:30 in Nairobi, in
        the week after for a director there (it counted in the week before, in UTC)."""
        director = world.director
        director.time_zone = "Africa/Nairobi"
        session.add(director)
        session.commit()
        sunday_night = datetime(2026, 3, 8, 22, 30, tzinfo=UTC)  # Mon 9 Mar 01:30 in Nairobi
        for at, mission in ((sunday_night, world.m1), (sunday_night + timedelta(days=7), world.m2)):
            submission(
                session,
                world.student,
                id_of(mission),
                status=SubmissionStatus.submitted,
                submitted_at=at,
            )
        dates = AnalyticsFilters(date_from=date(2026, 3, 2), date_to=date(2026, 3, 15))

        def weeks(user: User) -> list[tuple[str, int]]:
            found = analytics.program_analytics(
                session, world.p(session, user), id_of(world.program), dates
            ).weekly
            return [(w.label, w.submissions) for w in found]

        # Nairobi: the second is on Monday 16 March there, after the range.
        assert weeks(director) == [("2026-W10", 0), ("2026-W11", 1)]
        assert weeks(world.admin) == [("2026-W10", 1), ("2026-W11", 1)]  # UTC

    def test_a_cohort_dated_off_the_calendar_still_has_its_weeks(
        self, session: Session, world: World
    ) -> None:
        """A cohort stored from 0001-01-01 (before its dates were checked): its weeks ran off
        the calendar, a 500. They are kept to the dates a filter may name."""
        cohort = world.cohort
        cohort.starts_on, cohort.ends_on = date(1, 1, 1), date(1, 1, 1)
        session.add(cohort)
        session.commit()
        d = world.p(session, world.director)
        one = AnalyticsFilters(cohort_id=id_of(cohort))
        weeks = analytics.program_analytics(session, d, id_of(world.program), one).weekly
        assert [(w.week, w.submissions) for w in weeks] == [(date(1999, 12, 27), 0)]

    def test_track_mix_has_the_mean_confidence(self, session: Session, world: World) -> None:
        d = world.p(session, world.director)
        profiled(session, world.student, "builders", "high")
        profiled(session, world.student2, "builders", "low")
        profiled(session, world.outsider_student, "leaders", "medium")
        mix = analytics.program_analytics(session, d, id_of(world.program), ALL).track_mix
        assert [(m.track, m.learners, m.mean_confidence, m.low_confidence) for m in mix] == [
            ("builders", 2, 2.0, 1),
            ("leaders", 1, 2.0, 0),
        ]


class TestReviews:
    def test_backlog_by_age_and_turnaround_median_and_p90(
        self, session: Session, world: World
    ) -> None:
        d = world.p(session, world.director)
        for hours in (2, 30, 100, 200):
            submission(
                session,
                world.student,
                id_of(world.m1),
                status=SubmissionStatus.submitted,
                submitted_at=NOW - timedelta(hours=hours),
                attempt=hours,
            )
        backlog = analytics.program_analytics(
            session, d, id_of(world.program), ALL, now=NOW
        ).backlog
        assert [b.submissions for b in backlog] == [1, 1, 1, 1]

        # The mentor took 1, 2, ..., 10 hours: median 5.5, p90 9.1 (linear interpolation).
        for hours in range(1, 11):
            sub = submission(
                session,
                world.student2,
                id_of(world.m2),
                status=SubmissionStatus.approved,
                submitted_at=NOW - timedelta(days=5),
                attempt=hours,
            )
            review(session, sub, world.mentor, hours)
        sub = submission(
            session,
            world.student2,
            id_of(world.m3),
            status=SubmissionStatus.approved,
            submitted_at=NOW - timedelta(days=5),
        )
        review(session, sub, world.comentor, 48)
        rows = analytics.program_analytics(session, d, id_of(world.program), ALL).turnaround
        assert [(t.mentor_id, t.reviews, t.median_hours, t.p90_hours) for t in rows] == [
            (id_of(world.comentor), 1, 48.0, 48.0),
            (id_of(world.mentor), 10, 5.5, 9.1),
        ]

    def test_mentor_load_uses_the_cohort_capacity(self, session: Session, world: World) -> None:
        d = world.p(session, world.director)
        loads = analytics.program_analytics(session, d, id_of(world.program), ALL)
        by_mentor = {m.mentor_id: (m.mentees, m.capacity, m.percent) for m in loads.mentor_load}
        assert by_mentor == {
            id_of(world.mentor): (1, 10, 10),
            id_of(world.comentor): (0, 10, 0),
            id_of(world.other_mentor): (0, 10, 0),
        }
        assert loads.unassigned_learners == 2  # student2 and the other cohort's learner

    def test_backlog_leaves_out_withdrawn_learners_as_the_mentors_queues_do(
        self, session: Session, world: World
    ) -> None:
        from cyberhub.models import Enrollment, EnrollmentStatus
        from cyberhub.services.learning import reviews

        for student in (world.student, world.student2):
            submission(
                session,
                student,
                id_of(world.m1),
                status=SubmissionStatus.submitted,
                submitted_at=NOW - timedelta(hours=2),
            )
        row = session.exec(
            select(Enrollment).where(Enrollment.student_id == id_of(world.student2))
        ).one()
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        d = world.p(session, world.director)
        backlog = analytics.program_analytics(
            session, d, id_of(world.program), ALL, now=NOW
        ).backlog
        pending = reviews.queue_counts(session, id_of(world.mentor)).pending
        assert sum(b.submissions for b in backlog) == pending == 1


class TestAtRisk:
    def codes(self, session: Session, world: World, now: datetime) -> dict[int, list[str]]:
        d = world.p(session, world.director)
        rows = analytics.program_analytics(session, d, id_of(world.program), ALL, now=now).at_risk
        return {r.student_id: [x.code for x in r.reasons] for r in rows}

    def test_inactivity_is_counted_in_calendar_days_of_the_learners_zone(
        self, session: Session, world: World
    ) -> None:
        enrolled_long_ago(session, world, world.student, world.student2, world.outsider_student)
        last = datetime(2026, 3, 5, 11, 30, tzinfo=UTC)
        for user in (world.student, world.student2):
            submission(
                session, user, id_of(world.m1), status=SubmissionStatus.draft, submitted_at=None
            ).created_at = last
        for sub in session.exec(select(Submission)).all():
            sub.created_at = last
            session.add(sub)
        auckland = session.get(User, id_of(world.student2))
        assert auckland is not None
        auckland.time_zone = "Pacific/Auckland"  # UTC+13: last active 6 Mar 00:30 there
        session.add(auckland)
        session.commit()
        # 12 Mar 10:30 UTC: 7 calendar days in UTC, 6 in Auckland (12 Mar 23:30).
        now = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)
        codes = self.codes(session, world, now)
        assert codes[id_of(world.student)] == ["inactive"]
        assert id_of(world.student2) not in codes
        # Auckland's 13 Mar begins at 11:00 UTC: now the streak is 7 days there too.
        later = datetime(2026, 3, 12, 11, 5, tzinfo=UTC)
        assert self.codes(session, world, later)[id_of(world.student2)] == ["inactive"]
        # Nothing at all since enrolling 40 days ago counts as inactive too.
        assert self.codes(session, world, now)[id_of(world.outsider_student)] == ["inactive"]

    def test_days_before_the_cohort_began_are_not_counted(
        self, session: Session, world: World
    ) -> None:
        """A learner who enrolled 40 days ago in a cohort that begins in 5 days is not "inactive"
        nor "without progress" (nothing has started); once it has begun, the days count from its
        first day, not from the enrolment."""
        enrolled_long_ago(session, world, world.student, world.student2)
        profiled(session, world.student2, "builders", "low")
        cohort = session.get(Cohort, id_of(world.cohort))
        assert cohort is not None
        cohort.starts_on = NOW.date() + timedelta(days=5)
        session.add(cohort)
        session.commit()
        assert self.labels(session, world, NOW) == {}
        # 20 days after its first day (UTC, the learners' zone): 20 days, not 65 since enrolling.
        later = NOW + timedelta(days=25)
        assert self.labels(session, world, later) == {
            id_of(world.student): ["No activity for 20 days"],
            id_of(world.student2): [
                "No activity for 20 days",
                "Low profiler confidence and nothing approved after 20 days",
            ],
        }

    def test_a_cohort_that_is_over_has_no_one_at_risk(self, session: Session, world: World) -> None:
        """Once the cohort's last day is past (in its zone: its director's), its unfinished
        learners leave the at-risk list; they were listed for ever, "No activity for 200 days",
        with every past cohort's. 12 Mar ends at 11:00 UTC in Auckland."""
        enrolled_long_ago(session, world, world.student, world.student2)
        cohort = session.get(Cohort, id_of(world.cohort))
        director = session.get(User, id_of(world.director))
        assert cohort is not None and director is not None
        cohort.ends_on = date(2026, 3, 12)
        director.time_zone = "Pacific/Auckland"
        session.add_all([cohort, director])
        session.commit()
        assert set(self.labels(session, world, NOW)) == {
            id_of(world.student),
            id_of(world.student2),
        }
        over = datetime(2026, 3, 12, 11, 5, tzinfo=UTC)
        assert self.labels(session, world, over) == {}
        d = world.p(session, world.director)
        assert analytics.cohort_at_risk(session, d, id_of(world.cohort), now=over) == []

    def labels(self, session: Session, world: World, now: datetime) -> dict[int, list[str]]:
        d = world.p(session, world.director)
        rows = analytics.program_analytics(session, d, id_of(world.program), ALL, now=now).at_risk
        return {r.student_id: [x.label for x in r.reasons] for r in rows}

    def test_a_reason_counts_its_days_in_the_right_number(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With AT_RISK_INACTIVE_DAYS=1 a learner away since yesterday read "No activity for 1
        days"."""
        from cyberhub.settings import get_settings

        monkeypatch.setenv("AT_RISK_INACTIVE_DAYS", "1")
        get_settings.cache_clear()
        try:
            enrolled_long_ago(session, world, world.student, days=1)
            d = world.p(session, world.director)
            rows = {
                r.student_id: r
                for r in analytics.program_analytics(
                    session, d, id_of(world.program), ALL, now=NOW
                ).at_risk
            }
            assert [x.label for x in rows[id_of(world.student)].reasons] == [
                "No activity for 1 day"
            ]
        finally:
            get_settings.cache_clear()

    def test_work_in_another_organisations_programme_is_not_activity_here(
        self, session: Session, world: World
    ) -> None:
        """Work counts when it is on a mission the programme runs: a learner busy only with
        another organisation is inactive here, and the roster shows no activity (nor its time)."""
        from tests.factories import make_cohort

        enroll(session, make_cohort(session, world.other_program, name="Elsewhere"), world.student)
        enrolled_long_ago(session, world, world.student)
        submission(
            session,
            world.student,
            id_of(world.other_mission),
            status=SubmissionStatus.submitted,
            submitted_at=NOW - timedelta(days=1),
        )
        session.add(
            HintReveal(
                student_id=id_of(world.student),
                mission_id=id_of(world.other_mission),
                hint_index=0,
                revealed_at=NOW - timedelta(hours=2),
            )
        )
        session.commit()
        assert self.codes(session, world, NOW)[id_of(world.student)] == ["inactive"]
        d = world.p(session, world.director)
        roster = analytics.cohort_roster(session, d, id_of(world.cohort))
        [row] = [r for r in roster.items if r.student_id == id_of(world.student)]
        assert row.last_activity is None
        from cyberhub.services.learning import mentoring

        [mentee] = mentoring.mentor_dashboard(session, world.p(session, world.mentor)).mentees
        assert mentee.last_activity is None

    def test_a_revealed_hint_is_activity(self, session: Session, world: World) -> None:
        enrolled_long_ago(session, world, world.student)
        session.add(
            HintReveal(
                student_id=id_of(world.student),
                mission_id=id_of(world.m1),
                hint_index=0,
                revealed_at=NOW - timedelta(days=1),
            )
        )
        session.commit()
        assert id_of(world.student) not in self.codes(session, world, NOW)

    def test_changes_requested_and_unanswered(self, session: Session, world: World) -> None:
        enrolled_long_ago(session, world, world.student, world.student2, days=10)
        for user in (world.student, world.student2):
            submission(
                session,
                user,
                id_of(world.m1),
                status=SubmissionStatus.changes_requested,
                submitted_at=NOW - timedelta(days=8),
                decided_at=NOW - timedelta(days=6),
            )
        # student2 resubmitted: answered. A recent draft keeps both active (not inactive).
        submission(
            session,
            world.student2,
            id_of(world.m1),
            status=SubmissionStatus.submitted,
            submitted_at=NOW - timedelta(days=1),
            attempt=2,
        )
        submission(
            session,
            world.student,
            id_of(world.m3),
            status=SubmissionStatus.draft,
            submitted_at=None,
        ).created_at = NOW
        draft = session.exec(
            select(Submission).where(Submission.mission_id == id_of(world.m3))
        ).one()
        draft.created_at = NOW - timedelta(hours=1)
        session.add(draft)
        session.commit()
        d = world.p(session, world.director)
        rows = analytics.program_analytics(session, d, id_of(world.program), ALL, now=NOW).at_risk
        flagged = {r.student_id: r for r in rows}
        assert [x.code for x in flagged[id_of(world.student)].reasons] == ["changes_unanswered"]
        assert flagged[id_of(world.student)].reasons[0].label == (
            "Changes requested 6 days ago, not resubmitted"
        )
        assert id_of(world.student2) not in flagged

    def test_changes_requested_days_are_the_learners_calendar_days(
        self, session: Session, world: World
    ) -> None:
        """As inactivity: "Changes requested N days ago" counts the learner's own calendar days,
        and the reason shows from the midnight (theirs) that begins day AT_RISK_CHANGES_DAYS (5).
        Now is 12 Mar 10:30 UTC: 23:30 in Auckland (UTC+13), 13:30 in Nairobi (UTC+3)."""
        enrolled_long_ago(session, world, world.student, world.student2, days=10)
        decided = [
            # 6 Mar 12:00 UTC is 7 Mar 01:00 in Auckland: 5 days ago there (6 in UTC).
            (world.student, "Pacific/Auckland", datetime(2026, 3, 6, 12, 0, tzinfo=UTC)),
            # 7 Mar 20:30 UTC is 7 Mar 23:30 in Nairobi: 5 days ago there, 4 days 14 hours since.
            (world.student2, "Africa/Nairobi", datetime(2026, 3, 7, 20, 30, tzinfo=UTC)),
        ]
        for user, zone_name, at in decided:
            submission(
                session,
                user,
                id_of(world.m1),
                status=SubmissionStatus.changes_requested,
                submitted_at=at - timedelta(days=1),
                decided_at=at,
            )
            submission(  # a recent draft (below): not inactive
                session, user, id_of(world.m3), status=SubmissionStatus.draft, submitted_at=None
            )
            user.time_zone = zone_name
            session.add(user)
        for draft in session.exec(select(Submission).where(Submission.mission_id == world.m3.id)):
            draft.created_at = NOW - timedelta(hours=1)
            session.add(draft)
        session.commit()
        d = world.p(session, world.director)
        rows = analytics.program_analytics(session, d, id_of(world.program), ALL, now=NOW).at_risk
        labels = {r.student_id: [x.label for x in r.reasons] for r in rows}
        assert labels == {
            id_of(world.student): ["Changes requested 5 days ago, not resubmitted"],
            id_of(world.student2): ["Changes requested 5 days ago, not resubmitted"],
        }
        # A minute before Nairobi's 12 Mar began (20:59 UTC on the 11th), it was 4 days there.
        earlier = datetime(2026, 3, 11, 20, 59, tzinfo=UTC)
        assert id_of(world.student2) not in self.codes(session, world, earlier)

    def test_low_confidence_and_no_progress(self, session: Session, world: World) -> None:
        enrolled_long_ago(session, world, world.student, world.student2, days=20)
        profiled(session, world.student, "builders", "low")
        profiled(session, world.student2, "builders", "low")
        submission(
            session,
            world.student2,
            id_of(world.m1),
            status=SubmissionStatus.approved,
            submitted_at=NOW - timedelta(days=2),
            decided_at=NOW - timedelta(days=1),
        )
        submission(
            session,
            world.student,
            id_of(world.m1),
            status=SubmissionStatus.submitted,
            submitted_at=NOW - timedelta(days=1),
        )
        codes = self.codes(session, world, NOW)
        assert codes[id_of(world.student)] == ["low_confidence_no_progress"]
        assert id_of(world.student2) not in codes

    def test_no_progress_days_are_the_learners_calendar_days(
        self, session: Session, world: World
    ) -> None:
        """As inactivity: "nothing approved after N days" counts the learner's own calendar days
        since enrolling, and shows from their midnight that begins day AT_RISK_NO_PROGRESS_DAYS
        (14). Now is 12 Mar 10:30 UTC: 23:30 in Auckland (UTC+13), 13:30 in Nairobi (UTC+3)."""
        enrolled = [
            # 21 Feb 12:00 UTC is 22 Feb 01:00 in Auckland: 18 days ago there (19 in UTC).
            (world.student, "Pacific/Auckland", datetime(2026, 2, 21, 12, 0, tzinfo=UTC)),
            # 26 Feb 20:30 UTC is 26 Feb 23:30 in Nairobi: 14 days ago there, 13 days 14 hours.
            (world.student2, "Africa/Nairobi", datetime(2026, 2, 26, 20, 30, tzinfo=UTC)),
        ]
        for user, zone_name, at in enrolled:
            profiled(session, user, "builders", "low")
            row = session.exec(select(Enrollment).where(Enrollment.student_id == user.id)).one()
            row.enrolled_at = at
            user.time_zone = zone_name
            session.add_all([row, user])
        session.commit()

        def labels(now: datetime) -> dict[int, list[str]]:
            d = world.p(session, world.director)
            rows = analytics.program_analytics(
                session, d, id_of(world.program), ALL, now=now
            ).at_risk
            return {
                r.student_id: [x.label for x in r.reasons if x.code == "low_confidence_no_progress"]
                for r in rows
            }

        assert labels(NOW) == {
            id_of(world.student): ["Low profiler confidence and nothing approved after 18 days"],
            id_of(world.student2): ["Low profiler confidence and nothing approved after 14 days"],
        }
        # A minute before Nairobi's 12 Mar began (20:59 UTC on the 11th), it was 13 days there.
        assert labels(datetime(2026, 3, 11, 20, 59, tzinfo=UTC))[id_of(world.student2)] == []

    def test_behind_the_cohorts_schedule_counts_overdue_missions(
        self, session: Session, world: World
    ) -> None:
        """The schedule's rule (services/learning/schedule.py): a due date passed with nothing
        handed in; a submission waiting for review counts as handed in."""
        w = world
        director = principal(session, w.director)
        for mission in (w.m1, w.m3):
            schedule.set_due_date(
                session, director, id_of(w.cohort), id_of(mission), NOW - timedelta(days=3)
            )
        session.commit()
        submission(
            session,
            w.student,
            id_of(w.m1),
            status=SubmissionStatus.submitted,
            submitted_at=NOW - timedelta(days=4),
        )
        found = {
            r.student_id: r
            for r in analytics.program_analytics(
                session, director, id_of(w.program), ALL, now=NOW
            ).at_risk
        }
        behind = [r for r in found[id_of(w.student)].reasons if r.code == "behind_schedule"]
        assert [r.label for r in behind] == ["Behind the cohort's schedule: 1 overdue"]
        behind2 = [r for r in found[id_of(w.student2)].reasons if r.code == "behind_schedule"]
        assert [r.label for r in behind2] == ["Behind the cohort's schedule: 2 overdue"]
        # Nothing due yet: nobody is behind.
        early = analytics.program_analytics(
            session, director, id_of(w.program), ALL, now=NOW - timedelta(days=5)
        ).at_risk
        assert all(r.code != "behind_schedule" for x in early for r in x.reasons)

    def test_withdrawn_learners_are_not_at_risk_and_cohort_list_is_scoped(
        self, session: Session, world: World
    ) -> None:
        enrolled_long_ago(session, world, world.student, world.student2, world.outsider_student)
        from cyberhub.models import Enrollment, EnrollmentStatus

        row = session.exec(
            select(Enrollment).where(Enrollment.student_id == id_of(world.student2))
        ).one()
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        d = world.p(session, world.director)
        rows = analytics.cohort_at_risk(session, d, id_of(world.cohort), now=NOW)
        assert [r.student_id for r in rows] == [id_of(world.student)]
        assert rows[0].mentor_id == id_of(world.mentor)

    def test_a_deactivated_learner_is_not_at_risk_and_is_not_nudged(
        self, session: Session, world: World
    ) -> None:
        """A deactivated learner (their seat kept) was listed as at risk, "No activity for 40
        days", every day, and nudging them said "... was nudged." though they can't sign in to
        read it (and no mail goes to a deactivated account)."""
        enrolled_long_ago(session, world, world.student, world.student2)
        gone = session.get(User, id_of(world.student2))
        assert gone is not None
        gone.is_active = False
        session.add(gone)
        session.commit()
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        rows = analytics.cohort_at_risk(session, d, cid, now=NOW)
        assert [r.student_id for r in rows] == [id_of(world.student)]
        everything = analytics.program_analytics(session, d, id_of(world.program), ALL, now=NOW)
        assert id_of(world.student2) not in [r.student_id for r in everything.at_risk]
        with pytest.raises(Conflict, match="deactivated"):
            analytics.nudge(session, d, id_of(world.student2), cohort_id=cid)
        session.rollback()
        notes = session.exec(
            select(Notification).where(Notification.user_id == id_of(world.student2))
        ).all()
        assert notes == []


class TestAccess:
    def test_another_organisations_director_and_a_mentor_get_nothing(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(NotFound):  # another organisation's: as a programme nobody has
            analytics.program_analytics(
                session, world.p(session, world.other_director), id_of(world.program), ALL
            )
        with pytest.raises(Forbidden):
            analytics.program_analytics(
                session, world.p(session, world.mentor), id_of(world.program), ALL
            )
        with pytest.raises(NotFound):  # a cohort of another programme as the filter
            analytics.program_analytics(
                session,
                world.p(session, world.director),
                id_of(world.program),
                AnalyticsFilters(cohort_id=999_999),
            )
        everything = analytics.program_analytics(
            session, world.p(session, world.admin), id_of(world.program), ALL
        )
        assert everything.funnel[0].learners == 3


class TestNudge:
    def test_a_nudge_notifies_and_mails_once_a_day_and_is_audited(
        self, session: Session, world: World
    ) -> None:
        d = world.p(session, world.director)
        sid = id_of(world.student)
        first = analytics.nudge(
            session, d, sid, cohort_id=id_of(world.cohort), message="  Come back to **Docker**! "
        )
        session.commit()
        again = analytics.nudge(session, d, sid, cohort_id=id_of(world.cohort), message="Again")
        session.commit()
        assert (first.sent, again.sent) == (True, False)
        assert "already nudged today" in again.detail
        notes = session.exec(select(Notification).where(Notification.user_id == sid)).all()
        assert [(n.kind, n.body) for n in notes] == [("director_nudge", "Come back to **Docker**!")]
        mails = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == world.student.email)
        ).all()
        assert len(mails) == 1
        audits = session.exec(select(AuditLog).where(AuditLog.action == "learner.nudged")).all()
        assert len(audits) == 1
        # The next day the learner may be nudged again.
        tomorrow = analytics.nudge(
            session,
            d,
            sid,
            cohort_id=id_of(world.cohort),
            now=datetime.now(UTC) + timedelta(days=1),
        )
        assert tomorrow.sent

    def test_once_a_day_is_the_learners_day(self, session: Session, world: World) -> None:
        """A learner in New York nudged at 23:00 UTC (their evening) was nudged again at 01:00
        UTC, the same evening there, as the day counted was UTC's; and the list said "not
        nudged today" from 00:00 UTC. The day is now the learner's own."""
        learner = world.student
        learner.time_zone = "America/New_York"
        session.add(learner)
        session.commit()
        enrolled_long_ago(session, world, learner, days=400)
        d = world.p(session, world.director)
        sid, cid = id_of(learner), id_of(world.cohort)
        evening = datetime.combine(NOW.date(), datetime.min.time(), UTC) + timedelta(hours=23)
        assert analytics.nudge(session, d, sid, cohort_id=cid, now=evening).sent
        note = session.exec(select(Notification).where(Notification.user_id == sid)).one()
        note.created_at = evening
        session.add(note)
        session.commit()
        later = evening + timedelta(hours=2)  # 01:00 UTC: still the same evening in New York
        flagged = {r.student_id: r for r in analytics.cohort_at_risk(session, d, cid, now=later)}
        assert flagged[sid].nudged_today
        again = analytics.nudge(session, d, sid, cohort_id=cid, now=later)
        assert not again.sent and "already nudged today" in again.detail
        next_day = evening + timedelta(hours=12)  # 11:00 UTC: the next morning there
        flagged = {r.student_id: r for r in analytics.cohort_at_risk(session, d, cid, now=next_day)}
        assert not flagged[sid].nudged_today

    def test_only_a_manager_of_the_cohort_may_nudge_an_enrolled_learner(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(NotFound):  # another organisation's cohort
            analytics.nudge(
                session,
                world.p(session, world.other_director),
                id_of(world.student),
                cohort_id=id_of(world.cohort),
            )
        with pytest.raises(NotFound):  # enrolled in the other cohort, not this one
            analytics.nudge(
                session,
                world.p(session, world.director),
                id_of(world.outsider_student),
                cohort_id=id_of(world.cohort),
            )


class TestApi:
    def test_analytics_at_risk_and_nudge_routes(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        enrolled_long_ago(session, world, world.student, world.student2, world.outsider_student)
        director = client_for(world.director)
        pid, cid, sid = id_of(world.program), id_of(world.cohort), id_of(world.student)
        r = director.get(f"/api/v1/director/programs/{pid}/analytics", params={"cohort": cid})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["funnel"][0]["learners"] == 2
        assert {x["student_id"] for x in body["at_risk"]} == {sid, id_of(world.student2)}
        r = director.get(f"/api/v1/director/cohorts/{cid}/at-risk")
        assert r.status_code == 200
        assert r.json()[0]["reasons"][0]["code"] == "inactive"
        r = director.post(
            f"/api/v1/director/learners/{sid}/nudge", json={"cohort_id": cid, "message": "Hi"}
        )
        assert r.status_code == 200 and r.json()["sent"] is True
        r = director.post(f"/api/v1/director/learners/{sid}/nudge", json={"cohort_id": cid})
        assert r.status_code == 200 and r.json()["sent"] is False
        r = director.get(f"/api/v1/director/cohorts/{cid}/at-risk")
        assert next(x for x in r.json() if x["student_id"] == sid)["nudged_today"] is True

        bad = director.get(
            f"/api/v1/director/programs/{pid}/analytics",
            params={"from": "2026-03-10", "to": "2026-03-01"},
        )
        assert bad.status_code == 422 and "date range" in bad.json()["detail"]
        far = director.get(
            f"/api/v1/director/programs/{pid}/analytics", params={"to": "9999-12-31"}
        )
        assert far.status_code == 422 and "between" in far.json()["detail"]
        too_long = director.post(
            f"/api/v1/director/learners/{sid}/nudge", json={"cohort_id": cid, "message": "x" * 1001}
        )
        assert too_long.status_code == 422 and "detail" in too_long.json()

        other = client_for(world.other_director)
        assert other.get(f"/api/v1/director/programs/{pid}/analytics").status_code == 404
        assert other.get(f"/api/v1/director/cohorts/{cid}/at-risk").status_code == 404
        r = other.post(f"/api/v1/director/learners/{sid}/nudge", json={"cohort_id": cid})
        assert r.status_code == 404
        student = client_for(world.student)
        assert student.get(f"/api/v1/director/programs/{pid}/analytics").status_code == 403


class TestRoster:
    def test_search_filter_sort_page_last_activity_and_withdrawal_date(
        self, session: Session, world: World
    ) -> None:
        from cyberhub.services.learning import enrollment

        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        submission(
            session,
            world.student2,
            id_of(world.m1),
            status=SubmissionStatus.approved,
            submitted_at=NOW - timedelta(days=2),
            decided_at=NOW - timedelta(days=1),
        )
        enrollment.unenroll(session, d, cid, id_of(world.student))
        session.commit()

        page = analytics.cohort_roster(session, d, cid)
        assert page.total == 2
        by_id = {e.student_id: e for e in page.items}
        gone = by_id[id_of(world.student)]
        assert gone.status == "withdrawn" and gone.withdrawn_at is not None
        assert by_id[id_of(world.student2)].withdrawn_at is None
        assert by_id[id_of(world.student2)].last_activity == NOW - timedelta(days=2)
        assert by_id[id_of(world.student)].last_activity is None

        active = analytics.cohort_roster(session, d, cid, status="active")
        assert [e.student_id for e in active.items] == [id_of(world.student2)]
        found = analytics.cohort_roster(session, d, cid, q="STUDENT2@")
        assert [e.student_id for e in found.items] == [id_of(world.student2)]
        by_progress = analytics.cohort_roster(session, d, cid, sort="progress")
        assert [e.student_id for e in by_progress.items] == [
            id_of(world.student),
            id_of(world.student2),
        ]
        second = analytics.cohort_roster(session, d, cid, page=2, page_size=1)
        assert (second.page, second.pages, len(second.items)) == (2, 2, 1)
        with pytest.raises(NotFound):  # another organisation's cohort
            analytics.cohort_roster(session, world.p(session, world.other_director), cid)
