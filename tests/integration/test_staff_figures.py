"""Staff journeys (mentor and director): figures that two pages show must agree, and the
director's actions must keep the cohort in a state staff can act on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, Enrollment, EnrollmentStatus, Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.pages.director_cohort.data import CohortHeader
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.admin import export_writers
from cyberhub.services.errors import Conflict, Invalid
from cyberhub.services.identity import consents, deactivation
from cyberhub.services.learning import (
    analytics,
    applications,
    enrollment,
    mentoring,
    programs,
    sponsorships,
)
from tests.factories import World, assign, enroll, id_of, make_org, make_user

pytestmark = [pytest.mark.integration]


class TestMentorLoadAgrees:
    def test_a_completed_mentee_counts_on_the_analytics_load_as_on_the_cohort_page(
        self, session: Session, world: World
    ) -> None:
        """A learner who completed keeps their seat and their mentor (the cohort page counts
        them against the mentor's capacity and refuses one more): the analytics load says the
        same, not a free place the mentor doesn't have."""
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        row = session.exec(
            select(Enrollment).where(
                Enrollment.cohort_id == cid, Enrollment.student_id == id_of(world.student)
            )
        ).one()
        row.status = EnrollmentStatus.completed
        session.add(row)
        session.commit()
        serve_row = enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 1)
        session.commit()
        assert serve_row.mentees == 1 and serve_row.free == 0
        with pytest.raises(Conflict):
            enrollment.assign_mentor(session, d, cid, id_of(world.student2), id_of(world.mentor))
        session.rollback()
        loads = analytics.program_analytics(session, d, id_of(world.program), AnalyticsFilters())
        by_mentor = {m.mentor_id: (m.mentees, m.capacity, m.percent) for m in loads.mentor_load}
        assert by_mentor[id_of(world.mentor)] == (1, 1, 100)
        # student2 (active, no mentor) and the other cohort's learner; not the completed one.
        assert loads.unassigned_learners == 2


class TestWithoutAMentor:
    def test_the_cohort_page_counts_the_learners_balance_would_match(
        self, session: Session, world: World
    ) -> None:
        """A learner who completed without ever having a mentor is not one Balance matches
        (it gives mentors to active learners): the cohort page said "2 students without a
        mentor" and offered Balance, which then matched 1. The page's figure is the one the
        director's home shows for the cohort."""
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        done = make_user(session, "w.done@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, done, status="completed")
        header = CohortHeader.of(programs.cohort_detail(session, d, cid))
        home = next(c for c in programs.list_cohorts(session, d) if c.id == cid)
        assert header.unassigned == home.unassigned == 1  # student2 only
        matched = enrollment.balance_mentors(session, d, cid)
        assert len(matched.assignments) == header.unassigned

    def test_a_deactivated_learner_is_neither_counted_nor_matched(
        self, session: Session, world: World
    ) -> None:
        """A deactivated learner keeps their seat but can't sign in: Balance gave them a mentor
        (a place the mentor's capacity then lacked for a learner who can work), and the cohort
        page, the director's home and the analytics counted them "without a mentor"."""
        w = world
        d = w.p(session, w.director)
        cid = id_of(w.cohort)
        deactivation.deactivate_user(
            session, w.p(session, w.admin), id_of(w.student2), "Left the programme."
        )
        session.commit()
        header = CohortHeader.of(programs.cohort_detail(session, d, cid))
        home = next(c for c in programs.list_cohorts(session, d) if c.id == cid)
        assert header.unassigned == home.unassigned == 0
        figures = analytics.program_analytics(
            session, d, id_of(w.program), AnalyticsFilters(cohort_id=cid)
        )
        assert figures.unassigned_learners == 0
        matched = enrollment.balance_mentors(session, d, cid)
        assert (matched.assignments, matched.unassigned) == ([], 0)


class TestRosterExport:
    def test_the_roster_export_says_when_a_learner_withdrew_as_the_roster_page_does(
        self, session: Session, world: World
    ) -> None:
        """The roster page says when each withdrawn learner left; the roster export marked
        them "withdrawn" with no date (enrolled_at and completed_at, but no withdrawn_at)."""
        w = world
        d = w.p(session, w.director)
        cid = id_of(w.cohort)
        enrollment.unenroll(session, d, cid, id_of(w.student2))
        session.commit()
        shown = {e.email: e.withdrawn_at for e in analytics.cohort_roster(session, d, cid).items}
        assert shown[w.student2.email] is not None
        header = export_writers.ROSTER_HEADER
        assert header[-1] == "withdrawn_at"
        rows = {
            r[2]: dict(zip(header, r, strict=True))
            for r in export_writers.roster_rows(session, [cid])
        }
        assert rows[w.student2.email]["status"] == "withdrawn"
        assert rows[w.student2.email]["withdrawn_at"] == shown[w.student2.email]
        assert rows[w.student.email]["withdrawn_at"] is None


class TestNameOrder:
    def test_a_learner_without_a_name_is_listed_where_the_name_shown_falls(
        self, session: Session, world: World
    ) -> None:
        """A learner enrolled by address alone has no full name: lists call them by their
        address ("zed.k"). The roster (cohort page, analytics sorted by name, roster export) and
        the mentor's mentees put them first, before "Alice", as if their name were blank."""
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        alice = make_user(session, "alice@example.org", "student", organization_id=world.org.id)
        zed = make_user(session, "zed.k@example.org", "student", organization_id=world.org.id)
        zed.full_name = ""
        session.add(zed)
        session.commit()
        for learner in (alice, zed):
            enroll(session, world.cohort, learner)
            assign(session, world.cohort, world.mentor, learner)
        expected = ["Alice", "W.Student", "W.Student2", "zed.k"]
        assert [r.name for r in programs.roster(session, d, cid)] == expected
        page = analytics.cohort_roster(session, d, cid, sort="name")
        assert [e.name for e in page.items] == expected
        mentees = mentoring.mentor_dashboard(session, world.p(session, world.mentor)).mentees
        assert [m.name for m in mentees] == ["Alice", "W.Student", "zed.k"]
        rows = list(export_writers.roster_rows(session, [cid]))
        assert [r[1] for r in rows] == expected

    def test_the_mentors_the_sponsors_learners_and_the_gradebook_too(
        self, session: Session, world: World
    ) -> None:
        """A person without a full name is shown by their address ("zed.k"): the cohort's
        mentors, the learners a sponsor follows and the gradebook export listed them first, as
        if their name were blank, not where the name shown falls."""
        w = world
        d = w.p(session, w.director)
        cid = id_of(w.cohort)
        org = id_of(w.org)
        alice = make_user(session, "alice@example.org", "student", "mentor", organization_id=org)
        zed = make_user(session, "zed.k@example.org", "student", "mentor", organization_id=org)
        zed.full_name = ""
        session.add(zed)
        session.commit()
        for person in (alice, zed):
            enroll(session, w.cohort, person)
            enrollment.set_cohort_mentor(session, d, cid, person.email, 5)
            session.commit()
            consents.set_consent(session, w.p(session, person), consents.SPONSOR_SHARING, True)
            session.add(
                Submission(
                    student_id=id_of(person),
                    mission_id=id_of(w.m1),
                    status=SubmissionStatus.submitted,
                    submitted_at=utcnow(),
                )
            )
            session.commit()

        mentors = [m.name for m in enrollment.list_mentors(session, d, cid)]
        assert mentors[0] == "Alice" and mentors[-1] == "zed.k@example.org"  # its name shown
        graded = list(export_writers.gradebook_rows(session, w.cohort, None, lambda _: None))
        assert [r[0] for r in graded] == ["Alice", "zed.k"]
        fund = make_org(session, "Savannah Fund")
        sponsor = make_user(session, "kofi@fund.example", "sponsor", organization_id=id_of(fund))
        today = date.today()
        sponsorships.create_sponsorship(
            session,
            d,
            cid,
            SponsorshipIn(
                organization_id=id_of(fund),
                seats=10,
                amount=Decimal("100.00"),
                currency="usd",
                starts_on=today - timedelta(days=10),
                ends_on=today + timedelta(days=10),
            ),
        )
        session.commit()
        [funded] = sponsorships.dashboard(session, w.p(session, sponsor)).cohorts
        assert [le.name for le in funded.learners] == ["Alice", "zed.k"]


class TestCohortEditAudited:
    def test_the_audit_entry_says_what_the_edit_changed(
        self, session: Session, world: World
    ) -> None:
        """A director moving a cohort's dates or handing it to another director left an entry
        naming only its name and capacity: the audit log could not say who moved the end date
        or changed the director."""
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        second = make_user(
            session, "w.second@example.org", "director", organization_id=world.org.id
        )
        ends = world.cohort.ends_on + timedelta(days=14)
        programs.update_cohort(session, d, cid, ends_on=ends, director_id=id_of(second))
        session.commit()
        entry = session.exec(
            select(AuditLog)
            .where(AuditLog.action == "cohort.updated", AuditLog.target_id == str(cid))
            .order_by(col(AuditLog.id).desc())
        ).first()
        assert entry is not None
        assert entry.details["ends_on"] == ends.isoformat()
        assert entry.details["director_id"] == id_of(second)
        assert entry.details["changed"] == "ends_on,director_id"
        assert "starts_on" not in entry.details  # unchanged


class TestDeactivatedApplicant:
    def test_approving_a_deactivated_applicant_is_refused_as_enrolling_them_is(
        self, session: Session, world: World
    ) -> None:
        """Enrolling a deactivated account by address is refused ("The account ... is
        deactivated"); approving that account's application gave it a seat (and the
        organisation a member) it can't use, as a learner who can't sign in."""
        d = world.p(session, world.director)
        cid = id_of(world.cohort)
        applications.set_enrolment(session, d, cid, mode="application")
        learner = make_user(session, "w.gone@example.org")
        app = applications.apply(session, world.p(session, learner), cid)
        session.commit()
        # As an account deactivated before deactivation ended applications was left.
        learner.is_active = False
        session.add(learner)
        session.commit()
        with pytest.raises(Conflict, match="deactivated"):
            applications.approve(session, d, cid, app.id)
        session.rollback()
        with pytest.raises(Invalid, match="deactivated"):
            enrollment.enroll(session, d, cid, learner.email)
        session.rollback()
        seated = session.exec(
            select(Enrollment).where(
                Enrollment.cohort_id == cid, Enrollment.student_id == id_of(learner)
            )
        ).first()
        assert seated is None
        # The director can still turn the application down.
        assert applications.reject(session, d, cid, app.id).status == "rejected"
