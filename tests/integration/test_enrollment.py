"""Enrolling students (one by one, from CSV, under concurrency) and matching them with mentors."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from sqlmodel import Session, col, select

from cyberhub import db
from cyberhub.models import (
    AuditLog,
    Cohort,
    Enrollment,
    MentorAssignment,
    OutboxMail,
    ProgramMission,
    RoleAssignment,
    SubmissionStatus,
    User,
)
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import consents, memberships, passwordless
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import applications, enrollment, programs, reviews, submissions
from cyberhub.services.learning.enrollment import CsvImportError
from tests.factories import (
    GOOD_ANSWER,
    World,
    build_world,
    enroll,
    id_of,
    make_cohort,
    make_program,
    make_track,
    make_user,
    principal,
    queued_jobs,
    serve,
)
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.admin, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def director(session: Session, world: World) -> Principal:
    return principal(session, world.director)


def active_emails(session: Session, cohort_id: int) -> set[str]:
    rows = session.exec(
        select(User.email)
        .join(Enrollment, col(Enrollment.student_id) == col(User.id))
        .where(Enrollment.cohort_id == cohort_id, Enrollment.status == "active")
    ).all()
    return set(rows)


def mails_to(session: Session, email: str) -> list[OutboxMail]:
    return list(session.exec(select(OutboxMail).where(OutboxMail.to_email == email)).all())


def set_capacity(session: Session, cohort: Cohort, capacity: int) -> None:
    cohort.capacity = capacity
    session.add(cohort)
    session.commit()


class TestEnrollOne:
    def test_existing_student_is_enrolled_and_told(self, session: Session, world: World) -> None:
        newcomer = make_user(session, "kofi@example.org", "student", organization_id=world.org.id)
        out = enrollment.enroll(
            session, director(session, world), world.cohort.id or 0, " Kofi@Example.org "
        )
        session.commit()
        assert out.student_id == newcomer.id and out.status == "active"
        assert out.new_account is False
        assert newcomer.email in active_emails(session, world.cohort.id or 0)
        [mail] = mails_to(session, newcomer.email)
        assert "Spring" in mail.subject and "/missions" in mail.body
        entry = session.exec(select(AuditLog).where(AuditLog.action == "enrollment.created")).one()
        assert entry.actor_id == world.director.id and entry.details["student_id"] == newcomer.id

    def test_someone_without_the_student_role_gets_it(self, session: Session, world: World) -> None:
        # A mentor of the other organization joins this one's cohort as a learner: only once
        # they have accepted an invitation (membership by consent, issue 12).
        who = world.other_mentor_org
        with pytest.raises(Conflict, match="not a member"):
            enrollment.enroll(session, director(session, world), world.cohort.id or 0, who.email)
        sent = memberships.invite(
            session, director(session, world), world.org.id or 0, email=who.email, role="mentor"
        )
        memberships.accept(session, principal(session, who), sent.token)
        enrollment.enroll(session, director(session, world), world.cohort.id or 0, who.email)
        session.commit()
        grant = session.exec(
            select(RoleAssignment).where(
                RoleAssignment.user_id == who.id,
                RoleAssignment.role == "student",
                RoleAssignment.organization_id == world.org.id,
            )
        ).one()
        assert grant.granted_by_id == world.director.id and "Spring" in grant.reason
        audit = session.exec(
            select(AuditLog).where(
                AuditLog.action == "role.assigned", AuditLog.target_id == str(who.id)
            )
        ).one()
        assert audit.details["role"] == "student"

    def test_unknown_address_gets_an_invited_account_that_signs_in_by_link(
        self, session: Session, world: World
    ) -> None:
        out = enrollment.enroll(
            session,
            director(session, world),
            world.cohort.id or 0,
            "new.learner@example.org",
            full_name="New Learner",
        )
        session.commit()
        assert out.new_account is True
        user = session.exec(select(User).where(User.email == "new.learner@example.org")).one()
        assert user.password_hash is None and user.full_name == "New Learner"
        [mail] = mails_to(session, user.email)
        assert "invited" in mail.subject.lower()
        token = re.search(r"/auth/magic/(\S+)", mail.body)
        assert token is not None
        # Its first use asks for what sign-up asks: the terms and the privacy notice.
        info = passwordless.inspect_magic_link(session, token=token.group(1))
        assert (info.kind, info.consents_needed) == ("signin", True)
        with pytest.raises(Invalid, match="start using your account"):
            passwordless.verify_magic_link(session, token=token.group(1), consents=["terms"])
        session.rollback()
        used = passwordless.verify_magic_link(
            session, token=token.group(1), consents=["terms", "privacy"]
        )
        session.commit()
        assert used.user.id == user.id and used.created is False
        assert consents.has_consent(session, id_of(user), consents.TERMS)
        assert consents.has_consent(session, id_of(user), consents.PRIVACY)
        assert not consents.has_consent(session, id_of(user), consents.AI_PROFILING)

    def test_an_invited_account_first_opened_by_a_password_reset_accepts_the_terms_there(
        self, session: Session, world: World
    ) -> None:
        enrollment.enroll(
            session, director(session, world), world.cohort.id or 0, "reset.first@example.org"
        )
        session.commit()
        passwordless.request_password_reset(session, email="reset.first@example.org")
        session.commit()
        [mail] = [m for m in mails_to(session, "reset.first@example.org") if "reset" in m.kind]
        found = re.search(r"/password-reset/(\S+)", mail.body)
        assert found is not None
        token = found.group(1)
        assert passwordless.check_password_reset(session, token=token).consents_needed
        with pytest.raises(Invalid, match="start using your account"):
            passwordless.confirm_password_reset(
                session, token=token, new_password="quiet-harbour-lamp-52"
            )
        session.rollback()
        user = passwordless.confirm_password_reset(
            session,
            token=token,
            new_password="quiet-harbour-lamp-52",
            consents=["terms", "privacy", "ai_profiling"],
        )
        session.commit()
        assert consents.has_consent(session, id_of(user), consents.AI_PROFILING)
        # A password account that signs in by link later is not asked again.
        assert not consents.never_accepted(session, id_of(user))

    def test_joining_or_leaving_a_cohort_recomputes_the_learner_s_recommendations(
        self, session: Session, world: World, stub_broker: Any
    ) -> None:
        """What a learner may start follows their programme: their list (and the coach's plan,
        which picks from it) is recomputed when they join or leave a cohort, not only after
        their next review."""
        d, learner = director(session, world), world.outsider_student
        stub_broker.flush_all()
        enrollment.enroll(session, d, world.cohort.id or 0, learner.email)
        session.commit()
        assert ("recompute_recommendations", (id_of(learner),)) in queued_jobs(stub_broker)
        stub_broker.flush_all()
        enrollment.unenroll(session, d, world.cohort.id or 0, id_of(learner))
        session.commit()
        assert ("recompute_recommendations", (id_of(learner),)) in queued_jobs(stub_broker)

    def test_already_enrolled_conflicts_and_withdrawn_can_return(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        cid = world.cohort.id or 0
        with pytest.raises(Conflict, match="already enrolled"):
            enrollment.enroll(session, d, cid, world.student.email)
        enrollment.unenroll(session, d, cid, world.student.id or 0)
        session.commit()
        assert world.student.email not in active_emails(session, cid)
        again = enrollment.enroll(session, d, cid, world.student.email)
        session.commit()
        assert again.status == "active"
        assert len(session.exec(select(Enrollment).where(Enrollment.cohort_id == cid)).all()) == 2

    def test_full_cohort_refuses(self, session: Session, world: World) -> None:
        set_capacity(session, world.cohort, 2)  # two students already
        member = make_user(session, "extra@example.org", "student", organization_id=world.org.id)
        with pytest.raises(Conflict, match="full: all 2 seats are taken"):
            enrollment.enroll(session, director(session, world), world.cohort.id or 0, member.email)

    def test_counts_of_one_are_worded_in_the_singular(self, session: Session, world: World) -> None:
        """A cohort of one seat, a mentor of one mentee: the refusals say "its one seat" and
        "1 mentee", not "all 1 seats" and "1 mentees"."""
        d, cid = director(session, world), world.cohort.id or 0
        enrollment.unenroll(session, d, cid, world.student2.id or 0)
        set_capacity(session, world.cohort, 1)
        member = make_user(session, "extra@example.org", "student", organization_id=world.org.id)
        with pytest.raises(Conflict, match=r"full: its one seat is taken \(1 enrolled\)"):
            enrollment.enroll(session, d, cid, member.email)
        set_capacity(session, world.cohort, 2)
        enrollment.enroll(session, d, cid, member.email)
        enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 1)
        with pytest.raises(Conflict, match="already has 1 mentee in this cohort"):
            enrollment.assign_mentor(session, d, cid, member.id or 0, world.mentor.id or 0)

    def test_bad_address_and_deactivated_account(self, session: Session, world: World) -> None:
        d = director(session, world)
        with pytest.raises(Invalid, match="doesn't look right"):
            enrollment.enroll(session, d, world.cohort.id or 0, "not-an-email")
        gone = make_user(session, "gone@example.org", "student", organization_id=world.org.id)
        gone.is_active = False
        session.add(gone)
        session.commit()
        with pytest.raises(Invalid, match="deactivated"):
            enrollment.enroll(session, d, world.cohort.id or 0, gone.email)

    def test_only_directors_of_the_organization(self, session: Session, world: World) -> None:
        for who in (world.student, world.mentor):
            with pytest.raises(Forbidden):
                enrollment.enroll(
                    session, principal(session, who), world.cohort.id or 0, "x@example.org"
                )
        with pytest.raises(NotFound):  # another organization's cohort: as an unknown one
            enrollment.enroll(
                session, principal(session, world.other_director), world.cohort.id or 0, "x@y.org"
            )
        admin = principal(session, world.admin)
        assert enrollment.enroll(session, admin, world.cohort.id or 0, "y@example.org").id


class TestUnenroll:
    def test_withdrawing_frees_the_seat_and_the_mentor_slot(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        cid = world.cohort.id or 0
        out = enrollment.unenroll(session, d, cid, world.student.id or 0)
        session.commit()
        assert out.status == "withdrawn"
        assert (
            session.exec(
                select(MentorAssignment).where(MentorAssignment.student_id == world.student.id)
            ).first()
            is None
        )
        assert programs.cohort_detail(session, d, cid).enrolled == 1
        with pytest.raises(NotFound):
            enrollment.unenroll(session, d, cid, world.student.id or 0)
        with pytest.raises(NotFound):
            enrollment.unenroll(session, d, cid, world.outsider_student.id or 0)

    def test_withdrawing_gives_back_claims_on_the_learners_work(
        self, session: Session, world: World
    ) -> None:
        """Their mentors no longer mentor a withdrawn learner, so a claim one held on their work
        could be neither finished nor released: it goes back to the queue."""
        work = submissions.submit(
            session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, world.comentor), id_of(work))
        session.commit()
        enrollment.unenroll(
            session, director(session, world), id_of(world.cohort), id_of(world.student)
        )
        session.commit()
        session.refresh(work)
        assert work.status == SubmissionStatus.submitted and work.claimed_by_id is None

    def test_the_timeline_names_who_gave_the_claim_back(
        self, session: Session, world: World
    ) -> None:
        """The claim a director's unenrolment gave back shows on the attempt's timeline as
        returned to the queue by that director: it read "Released by the mentor", by the
        director."""
        w = world
        me = principal(session, w.student)
        work = submissions.submit(session, me, id_of(w.m1), answer=GOOD_ANSWER)
        session.commit()
        reviews.claim(session, principal(session, w.comentor), id_of(work))
        session.commit()
        enrollment.unenroll(session, director(session, w), id_of(w.cohort), id_of(w.student))
        session.commit()
        details = submissions.history(session, me, id_of(w.student), id_of(w.m1))
        [attempt] = submissions.attempt_views(session, details)
        last = attempt["events"][-1]
        assert (last["label"], last["actor"]) == (
            "Returned to the review queue",
            w.director.full_name or w.director.email.split("@")[0],
        )

    def test_giving_up_a_seat_or_having_it_rejected_gives_back_claims_too(
        self, session: Session, world: World
    ) -> None:
        """A learner who withdraws from the cohort themselves (/cohorts' Withdraw), or whose
        enrolment a director rejects, leaves its mentors as a director's unenrolment does: a
        claim one of them held on their work goes back to the queue instead of sitting in
        "Claimed by me" where the mentor can neither open, finish nor release it."""
        w = world
        d = director(session, w)
        applications.set_enrolment(session, d, id_of(w.cohort), mode="application", capacity=5)
        session.commit()
        newcomer = make_user(session, "newcomer@example.org", "student")
        applications.apply(session, principal(session, newcomer), id_of(w.cohort))
        session.commit()
        [pending] = applications.list_applications(
            session, d, id_of(w.cohort), status="applied"
        ).items
        applications.approve(session, d, id_of(w.cohort), pending.id)
        session.commit()
        works = []
        for learner in (w.student, newcomer):
            work = submissions.submit(
                session, principal(session, learner), id_of(w.m1), answer=GOOD_ANSWER
            )
            session.commit()
            reviews.claim(session, principal(session, w.comentor), id_of(work))
            session.commit()
            works.append(work)
        applications.withdraw(session, principal(session, w.student), id_of(w.cohort))
        session.commit()
        applications.reject(session, d, id_of(w.cohort), pending.id)
        session.commit()
        for work in works:
            session.refresh(work)
            assert work.status == SubmissionStatus.submitted and work.claimed_by_id is None
        assert reviews.queue_counts(session, id_of(w.comentor)).claimed_by_me == 0

    def test_a_claim_the_mentor_may_still_review_is_kept(
        self, session: Session, world: World
    ) -> None:
        """The learner is also in a second programme of the organisation that runs the mission,
        where the same mentor serves their cohort: leaving the first cohort (or the mentor
        leaving it) takes nothing from that mentor's claim, which they may still finish
        (reviews.claim_refusal, the rule claim() applies)."""
        w = world
        second = make_program(session, w.org, name="Evening programme")
        make_track(session, second, "builders")
        session.add(ProgramMission(program_id=id_of(second), mission_id=id_of(w.m1)))
        session.commit()
        evening = make_cohort(session, second, director=w.director, name="Evening B")
        enroll(session, evening, w.student)
        serve(session, evening, w.comentor)
        work = submissions.submit(
            session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, w.comentor), id_of(work))
        session.commit()
        d = director(session, w)
        enrollment.remove_cohort_mentor(session, d, id_of(w.cohort), id_of(w.comentor))
        enrollment.unenroll(session, d, id_of(w.cohort), id_of(w.student))
        session.commit()
        session.refresh(work)
        assert work.status == SubmissionStatus.in_review and work.claimed_by_id == w.comentor.id

    def test_list_shows_withdrawn_too(self, session: Session, world: World) -> None:
        d = director(session, world)
        enrollment.unenroll(session, d, world.cohort.id or 0, world.student2.id or 0)
        rows = enrollment.list_enrollments(session, d, world.cohort.id or 0)
        assert {r.email: r.status for r in rows} == {
            world.student.email: "active",
            world.student2.email: "withdrawn",
        }


class TestCapacityUnderConcurrency:
    def test_two_directors_racing_for_the_last_seat_one_wins(
        self, session: Session, world: World
    ) -> None:
        set_capacity(session, world.cohort, 3)  # two taken: one seat left
        a = make_user(session, "racer.a@example.org", "student", organization_id=world.org.id)
        b = make_user(session, "racer.b@example.org", "student", organization_id=world.org.id)
        d = director(session, world)
        cid = world.cohort.id or 0
        # The first enrolment holds its transaction (and the cohort lock) open for a moment.
        first, second = second_while_first_holds(
            lambda s: enrollment.enroll(s, d, cid, a.email),
            lambda s: enrollment.enroll(s, d, cid, b.email),
        )
        assert first == "ok"
        assert "full" in second
        session.expire_all()
        assert active_emails(session, cid) == {
            world.student.email,
            world.student2.email,
            a.email,
        }

    def test_many_at_the_same_moment_never_exceed_capacity(
        self, session: Session, world: World
    ) -> None:
        set_capacity(session, world.cohort, 4)  # two seats left, six try
        people = [
            make_user(session, f"crowd{i}@example.org", "student", organization_id=world.org.id)
            for i in range(6)
        ]
        d = director(session, world)
        cid = world.cohort.id or 0
        start = threading.Barrier(len(people))
        outcomes: list[str] = []

        def attempt(email: str) -> None:
            start.wait(10)
            try:
                with db.session_scope() as s:
                    enrollment.enroll(s, d, cid, email)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("full")

        threads = [threading.Thread(target=attempt, args=(p.email,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(outcomes) == ["full"] * 4 + ["ok"] * 2
        session.expire_all()
        assert len(active_emails(session, cid)) == 4


class TestCsvImport:
    def test_clean_file_enrols_everyone(self, session: Session, world: World) -> None:
        known = make_user(session, "known@example.org", "student", organization_id=world.org.id)
        text = (
            "\ufeffEmail,Full_Name\n"
            f"{known.email},Known Person\n"
            '"fresh@example.org","Mwangi, Zawadi"\n'
            "\n"
            "other.fresh@example.org,\n"
        )
        out = enrollment.import_csv(session, director(session, world), world.cohort.id or 0, text)
        session.commit()
        assert out.imported == 3 and out.new_accounts == 2
        assert {known.email, "fresh@example.org", "other.fresh@example.org"} <= active_emails(
            session, world.cohort.id or 0
        )
        fresh = session.exec(select(User).where(User.email == "fresh@example.org")).one()
        assert fresh.full_name == "Mwangi, Zawadi" and fresh.password_hash is None
        assert len(mails_to(session, "fresh@example.org")) == 1
        assert (
            session.exec(select(AuditLog).where(AuditLog.action == "enrollment.imported"))
            .one()
            .details["imported"]
            == 3
        )

    def test_one_bad_row_is_reported_and_nothing_is_imported(
        self, session: Session, world: World
    ) -> None:
        text = (
            "email,full_name\n"
            "ada@example.org,Ada Lovelace\n"
            "not-an-address,Bad Row\n"
            "grace@example.org,Grace Hopper\n"
        )
        users_before = len(session.exec(select(User)).all())
        mails_before = len(session.exec(select(OutboxMail)).all())
        # as the API and pages run it: one transaction
        with pytest.raises(CsvImportError) as caught, db.session_scope() as s:
            enrollment.import_csv(s, director(session, world), world.cohort.id or 0, text)
        err = caught.value
        assert isinstance(err, Invalid)
        assert "Nothing was imported" in err.message and "1 row has a problem" in err.message
        assert err.rows == [
            {"row": 3, "email": "not-an-address", "error": err.rows[0]["error"]},
        ]
        assert "doesn't look right" in err.rows[0]["error"]
        session.expire_all()
        assert active_emails(session, world.cohort.id or 0) == {
            world.student.email,
            world.student2.email,
        }
        assert len(session.exec(select(User)).all()) == users_before
        assert len(session.exec(select(OutboxMail)).all()) == mails_before

    def test_every_problem_is_listed_with_its_row(self, session: Session, world: World) -> None:
        set_capacity(session, world.cohort, 4)  # two seats left
        text = (
            "email,full_name\n"
            f"{world.student.email},Already Here\n"  # row 2
            "a@example.org,A\n"  # row 3
            "A@example.org,A again\n"  # row 4: duplicate of row 3
            "b@example.org,B\n"  # row 5
            "c@example.org,C\n"  # row 6: no seat left
        )
        with pytest.raises(CsvImportError) as caught:
            enrollment.import_csv(session, director(session, world), world.cohort.id or 0, text)
        rows = {r["row"]: r["error"] for r in caught.value.rows}
        assert set(rows) == {2, 4, 6}
        assert "already enrolled" in rows[2]
        assert "already in row 3" in rows[4]
        assert "No seat left" in rows[6]

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty"),
            ("name,full_name\nx@example.org,X\n", "header"),
            ("email,phone\nx@example.org,123\n", "Unknown column 'phone'"),
            ("email,full_name\n\n", "no students"),
        ],
    )
    def test_file_level_problems(
        self, session: Session, world: World, text: str, message: str
    ) -> None:
        with pytest.raises(Invalid, match=message) as caught:
            enrollment.import_csv(session, director(session, world), world.cohort.id or 0, text)
        assert not isinstance(caught.value, CsvImportError)

    def test_only_directors_of_the_organization(self, session: Session, world: World) -> None:
        with pytest.raises(NotFound):  # another organization's cohort: as an unknown one
            enrollment.import_csv(
                session,
                principal(session, world.other_director),
                world.cohort.id or 0,
                "email\nx@example.org\n",
            )


class TestMentors:
    def test_add_a_mentor_with_capacity_and_change_it(self, session: Session, world: World) -> None:
        d = director(session, world)
        cid = world.other_cohort.id or 0
        out = enrollment.set_cohort_mentor(session, d, cid, world.comentor.email, 3)
        assert (out.capacity, out.mentees, out.free) == (3, 0, 3)
        out = enrollment.set_cohort_mentor(session, d, cid, world.comentor.email, 5)
        assert out.capacity == 5
        rows = {m.email: m for m in enrollment.list_mentors(session, d, cid)}
        assert rows[world.comentor.email].capacity == 5
        assert rows[world.other_mentor.email].mentees == 0

    def test_mentor_rules(self, session: Session, world: World) -> None:
        d = director(session, world)
        cid = world.cohort.id or 0
        with pytest.raises(Invalid, match="not a mentor of this organization"):
            enrollment.set_cohort_mentor(session, d, cid, world.student.email, 3)
        with pytest.raises(Invalid, match="not a mentor of this organization"):
            enrollment.set_cohort_mentor(session, d, cid, world.other_mentor_org.email, 3)
        with pytest.raises(Invalid, match="not a mentor"):
            enrollment.set_cohort_mentor(session, d, cid, "nobody@example.org", 3)
        with pytest.raises(Invalid, match="between 1 and"):
            enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 0)
        with pytest.raises(Invalid, match="between 1 and"):
            enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 201)

    def test_assign_by_hand_respects_service_and_capacity(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        cid = world.cohort.id or 0
        with pytest.raises(Invalid, match="doesn't serve this cohort"):
            enrollment.assign_mentor(
                session, d, cid, world.student2.id or 0, world.other_mentor.id or 0
            )
        with pytest.raises(Invalid, match="not enrolled"):
            enrollment.assign_mentor(
                session, d, cid, world.outsider_student.id or 0, world.mentor.id or 0
            )
        enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 1)  # full: has student
        with pytest.raises(Conflict, match="already has 1 mentee in this cohort"):
            enrollment.assign_mentor(session, d, cid, world.student2.id or 0, world.mentor.id or 0)
        out = enrollment.assign_mentor(
            session, d, cid, world.student2.id or 0, world.comentor.id or 0
        )
        assert out.mentor_id == world.comentor.id
        # Reassigning moves the student (one mentor per student per cohort).
        out = enrollment.assign_mentor(
            session, d, cid, world.student.id or 0, world.comentor.id or 0
        )
        session.commit()
        pairs = session.exec(
            select(MentorAssignment.student_id, MentorAssignment.mentor_id).where(
                MentorAssignment.cohort_id == cid
            )
        ).all()
        assert sorted(pairs) == sorted(
            [(world.student.id, world.comentor.id), (world.student2.id, world.comentor.id)]
        )

    def test_a_learner_who_mentors_the_cohort_is_never_their_own_mentor(
        self, session: Session, world: World
    ) -> None:
        """Someone enrolled in a cohort who also serves it as a mentor: assigning them to
        themselves is refused, and balancing gives them another mentor (it could pick them,
        taking a place of their capacity and leaving them with no one to review their work)."""
        d = director(session, world)
        cohort = world.other_cohort
        cid = cohort.id or 0
        both = make_user(
            session, "both@example.org", "student", "mentor", organization_id=world.org.id
        )
        enrollment.enroll(session, d, cid, both.email)
        session.commit()
        serve(session, cohort, both, capacity=5)
        with pytest.raises(Invalid, match="their own mentor"):
            enrollment.assign_mentor(session, d, cid, id_of(both), id_of(both))
        session.rollback()
        enrollment.set_cohort_mentor(session, d, cid, world.other_mentor.email, 5)
        out = enrollment.balance_mentors(session, d, cid)
        mentor_of = {a.student_id: a.mentor_id for a in out.assignments}
        assert mentor_of[id_of(both)] == world.other_mentor.id

    def test_capacity_cannot_drop_below_current_mentees(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        cid = world.cohort.id or 0
        enrollment.assign_mentor(session, d, cid, world.student2.id or 0, world.mentor.id or 0)
        with pytest.raises(Conflict, match="already mentors 2 students"):
            enrollment.set_cohort_mentor(session, d, cid, world.mentor.email, 1)

    def test_balance_by_load_is_deterministic_and_within_capacity(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        cohort = world.other_cohort  # outsider_student enrolled; other_mentor serves (10)
        cid = cohort.id or 0
        set_capacity(session, cohort, 20)
        serve(session, cohort, world.mentor, capacity=2)
        serve(session, cohort, world.comentor, capacity=3)
        newcomers = [
            make_user(session, f"n{i}@example.org", "student", organization_id=world.org.id)
            for i in range(6)
        ]
        for u in newcomers:
            enrollment.enroll(session, d, cid, u.email)
        enrollment.set_cohort_mentor(session, d, cid, world.other_mentor.email, 1)
        session.commit()
        out = enrollment.balance_mentors(session, d, cid)
        session.commit()
        assert out.unassigned == 1  # 7 students, 1 + 2 + 3 places
        loads: dict[int, int] = {}
        for a in out.assignments:
            loads[a.mentor_id] = loads.get(a.mentor_id, 0) + 1
        assert loads == {world.other_mentor.id: 1, world.mentor.id: 2, world.comentor.id: 3}
        # Oldest enrolment first: the outsider (enrolled by the factory) is matched first, with
        # the least-loaded mentor with most room: all three have 0, comentor has most room.
        first = out.assignments[0]
        assert first.student_id == world.outsider_student.id
        assert first.mentor_id == world.comentor.id
        # Balancing again changes nothing: everyone with room is taken.
        again = enrollment.balance_mentors(session, d, cid)
        assert again.model_dump() == {"assignments": [], "unassigned": 1}
        rows = programs.roster(session, d, cid)
        assert sum(1 for r in rows if r.mentor_id is None) == 1
