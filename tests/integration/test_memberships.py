"""Membership by consent (issue 12, item 3): services/identity/memberships.py, api/memberships.py, and
the paths that used to attach accounts silently (add member, enrol by e-mail), migration 0012."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from cyberhub import migrate
from cyberhub.models import (
    AuditLog,
    Cohort,
    CohortMentor,
    Enrollment,
    Invitation,
    MentorAssignment,
    Notification,
    OrganizationMembership,
    OutboxMail,
    RoleAssignment,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import MAX_ID, utcnow
from cyberhub.services.errors import Conflict, Forbidden
from cyberhub.services.identity import memberships, organizations, roles
from cyberhub.services.learning import (
    applications,
    enrollment,
    learning_access,
    mission_scope,
    programs,
    reviews,
    submissions,
)
from cyberhub.services.learning.learning_access import can_read_learner
from cyberhub.services.learning.submissions import submission_link
from cyberhub.services.messaging import notifications
from tests.factories import (
    GOOD_ANSWER,
    World,
    assign,
    enroll,
    id_of,
    make_cohort,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

API = "/api/v1"


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)).all())  # type: ignore[arg-type]


def enrolment_status(session: Session, cohort: Cohort, student_id: int) -> str:
    row = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort.id, Enrollment.student_id == student_id
        )
    ).one()
    return str(row.status)


def roles_in(session: Session, user: User, org_id: int | None) -> set[str]:
    return set(
        session.exec(
            select(RoleAssignment.role).where(
                RoleAssignment.user_id == user.id, RoleAssignment.organization_id == org_id
            )
        ).all()
    )


class TestNoSilentAttachment:
    def test_a_director_adding_a_non_member_sends_an_invitation_instead(
        self, session: Session, world: World
    ) -> None:
        b = principal(session, world.other_director)
        done = organizations.add_member(
            session, b, world.other_org.id or 0, email=world.student.email, role="student"
        )
        session.commit()
        assert isinstance(done, memberships.InvitationSent)
        assert roles_in(session, world.student, world.other_org.id) == set()
        mail = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == world.student.email)
        ).all()
        assert any("/invitations/" in m.body and "Coast Campus" in m.subject for m in mail)
        assert "invitation.sent" in actions(session)

    def test_enrolling_a_non_member_by_email_says_they_must_accept_first(
        self, session: Session, world: World
    ) -> None:
        cohort = make_cohort(session, world.other_program, director=world.other_director)
        with pytest.raises(Conflict, match="Invite them"):
            enrollment.enroll(
                session,
                principal(session, world.other_director),
                cohort.id or 0,
                world.student.email,
            )

    def test_an_admin_adding_an_account_makes_it_a_member_audited(
        self, session: Session, world: World
    ) -> None:
        organizations.add_member(
            session,
            principal(session, world.admin),
            world.other_org.id or 0,
            email=world.student.email,
            role="student",
        )
        session.commit()
        assert roles_in(session, world.student, world.other_org.id) == {"student"}
        assert memberships.is_member(session, world.student.id or 0, world.other_org.id or 0)
        assert "organization.member_joined" in actions(session)


class TestInvitationJourney:
    def test_accept_makes_a_member_with_the_role_and_then_enrolment_works(
        self, session: Session, world: World
    ) -> None:
        b = principal(session, world.other_director)
        sent = memberships.invite(session, b, world.other_org.id or 0, email=world.student.email)
        session.commit()
        me = principal(session, world.student)
        assert [i.id for i in memberships.my_invitations(session, me)] == [sent.invitation.id]
        memberships.accept(session, me, sent.token)
        session.commit()
        assert roles_in(session, world.student, world.other_org.id) == {"student"}
        with pytest.raises(Conflict, match="accepted"):
            memberships.accept(session, me, sent.token)  # accepted twice
        cohort = make_cohort(session, world.other_program, director=world.other_director)
        enrollment.enroll(session, b, cohort.id or 0, world.student.email)
        session.commit()
        assert can_read_learner(session, b, world.student.id or 0)

    def test_wrong_account_expired_revoked_and_declined(
        self, session: Session, world: World
    ) -> None:
        b = principal(session, world.other_director)
        org = world.other_org.id or 0
        sent = memberships.invite(session, b, org, email=world.student.email)
        with pytest.raises(Forbidden):
            memberships.accept(session, principal(session, world.student2), sent.token)
        memberships.revoke(session, b, org, sent.invitation.id)
        with pytest.raises(Conflict, match="revoked"):
            memberships.accept(session, principal(session, world.student), sent.token)
        expired = memberships.invite(session, b, org, email=world.student.email)
        row = session.get(Invitation, expired.invitation.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.flush()
        with pytest.raises(Conflict, match="expired"):
            memberships.accept(session, principal(session, world.student), expired.token)
        declined = memberships.invite(session, b, org, email=world.student.email)
        memberships.decline(session, principal(session, world.student), declined.token)
        session.commit()
        assert roles_in(session, world.student, org) == set()
        assert not can_read_learner(session, b, world.student.id or 0)

    def test_a_new_account_signs_up_then_accepts(self, session: Session, world: World) -> None:
        sent = memberships.invite(
            session,
            principal(session, world.other_director),
            world.other_org.id or 0,
            email="Newcomer@Example.org",
            role="mentor",
        )
        session.commit()
        mail = session.exec(
            select(OutboxMail).where(OutboxMail.to_email == "newcomer@example.org")
        ).one()
        assert sent.token in mail.body
        newcomer = make_user(session, "newcomer@example.org")
        memberships.accept(session, principal(session, newcomer), sent.token)
        session.commit()
        assert roles_in(session, newcomer, world.other_org.id) == {"mentor"}

    def test_a_member_leaves_and_loses_their_roles(self, session: Session, world: World) -> None:
        org = world.org.id or 0
        memberships.leave(session, principal(session, world.comentor), org)
        session.commit()
        assert roles_in(session, world.comentor, org) == set()
        assert not memberships.is_member(session, world.comentor.id or 0, org)
        assert "organization.member_left" in actions(session)
        # A director can no longer grant them a role there without a new invitation.
        done = organizations.add_member(
            session,
            principal(session, world.director),
            org,
            email=world.comentor.email,
            role="mentor",
        )
        assert isinstance(done, memberships.InvitationSent)

    def test_a_removed_member_is_no_longer_a_member(self, session: Session, world: World) -> None:
        """Removed by a director, a person who joined by invitation leaves the organisation as
        one who left does: no longer a member, its missions out of sight, and a role there
        again only through a new invitation."""
        b = principal(session, world.other_director)
        org, student = world.other_org.id or 0, world.student.id or 0
        sent = memberships.invite(session, b, org, email=world.student.email)
        memberships.accept(session, principal(session, world.student), sent.token)
        session.commit()
        assert memberships.is_member(session, student, org)
        assert mission_scope.can_see(
            session, principal(session, world.student), world.other_mission.id or 0
        )
        assert organizations.remove_member(session, b, org, student, reason="Left the course") == 1
        session.commit()
        assert roles_in(session, world.student, org) == set()
        assert not memberships.is_member(session, student, org)
        assert not mission_scope.can_see(
            session, principal(session, world.student), world.other_mission.id or 0
        )
        done = organizations.add_member(session, b, org, email=world.student.email, role="student")
        assert isinstance(done, memberships.InvitationSent)
        assert roles_in(session, world.student, org) == set()

    def test_a_member_whose_roles_were_all_revoked_is_still_a_member_everywhere(
        self, session: Session, world: World
    ) -> None:
        """Membership is the membership row: a member whose roles were revoked one by one (the
        admin user page) stays a member until they leave or are removed. The members list shows
        them (with no roles) and counts them, inviting them answers "already a member", and
        removing them works; once removed, none of the three counts them."""
        b = principal(session, world.other_director)
        org, student = world.other_org.id or 0, world.student.id or 0
        sent = memberships.invite(session, b, org, email=world.student.email)
        memberships.accept(session, principal(session, world.student), sent.token)
        session.commit()
        roles.revoke_role(
            session,
            principal(session, world.admin),
            user_id=student,
            role="student",
            organization_id=org,
            reason="Course finished",
        )
        session.commit()

        def listed() -> dict[int, list[str]]:
            page = organizations.members(session, b, org, page_size=100)
            assert page.total == len(page.items)
            return {m.id: m.roles for m in page.items}

        assert listed()[student] == []
        [row] = [
            m
            for m in organizations.members(session, b, org, page_size=100).items
            if m.id == student
        ]
        assert row.member_since is not None
        assert organizations.get(session, b, org).members == len(listed())
        with pytest.raises(Conflict, match="already a member"):
            memberships.invite(session, b, org, email=world.student.email)
        assert organizations.remove_member(session, b, org, student, reason="Left the course") == 0
        session.commit()
        assert student not in listed()
        assert not memberships.is_member(session, student, org)
        assert "organization.member_removed" in actions(session)
        done = organizations.add_member(session, b, org, email=world.student.email, role="student")
        assert isinstance(done, memberships.InvitationSent)

    def test_a_member_removed_with_no_roles_is_told_by_mail_as_the_dialog_says(
        self, session: Session, world: World
    ) -> None:
        """The remove dialog promises "they are told by email". A member holding roles got the
        role-change mail; one whose roles were all revoked already got nothing. Now they hear
        that they are no longer a member, with the reason, through the same outbox."""
        b = principal(session, world.other_director)
        org, student = world.other_org.id or 0, world.student.id or 0
        sent = memberships.invite(session, b, org, email=world.student.email)
        memberships.accept(session, principal(session, world.student), sent.token)
        session.commit()
        roles.revoke_role(
            session,
            principal(session, world.admin),
            user_id=student,
            role="student",
            organization_id=org,
            reason="Course finished",
        )
        session.commit()

        def mails() -> list[OutboxMail]:
            return list(
                session.exec(
                    select(OutboxMail)
                    .where(OutboxMail.to_email == world.student.email)
                    .order_by(col(OutboxMail.id))
                ).all()
            )

        before = len(mails())
        assert organizations.remove_member(session, b, org, student, reason="Left the course") == 0
        session.commit()
        [told] = mails()[before:]
        assert world.other_org.name in told.subject
        assert "no longer a member of " + world.other_org.name in told.body
        assert "Reason: Left the course" in told.body

    def test_a_mentor_who_is_removed_or_leaves_stops_serving_its_cohorts(
        self, session: Session, world: World
    ) -> None:
        """Without the mentor role there, a mentor no longer serves the organisation's cohorts
        (as a cohort mentor needs that role to be added): their mentees are unassigned, their
        claims given back, and new work is no longer sent to them."""
        org = world.org.id or 0
        director, mentor = principal(session, world.director), world.mentor.id or 0
        work = submissions.submit(
            session, principal(session, world.student2), id_of(world.m1), answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, world.mentor), id_of(work))
        session.commit()
        organizations.remove_member(session, director, org, mentor, reason="Moved on")
        session.commit()
        served = session.exec(select(CohortMentor.mentor_id)).all()
        assert mentor not in served
        assert (
            session.exec(select(MentorAssignment).where(MentorAssignment.mentor_id == mentor)).all()
            == []
        )
        session.refresh(work)
        assert work.status == SubmissionStatus.submitted and work.claimed_by_id is None
        # The student's next submission goes to the cohort's remaining mentor only.
        mine = submissions.submit(
            session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
        )
        session.commit()
        told = session.exec(
            select(Notification.user_id).where(
                Notification.kind == notifications.SUBMISSION_RECEIVED,
                Notification.link == submission_link(id_of(mine)),
            )
        ).all()
        assert set(told) == {world.comentor.id}
        # Leaving is the same: the co-mentor serves no cohort of the organisation any more.
        memberships.leave(session, principal(session, world.comentor), org)
        session.commit()
        assert world.comentor.id not in session.exec(select(CohortMentor.mentor_id)).all()
        assert enrollment.list_mentors(session, director, world.cohort.id or 0) == []

    def test_a_director_whose_role_ends_no_longer_directs_its_cohorts(
        self, session: Session, world: World
    ) -> None:
        """Without the director role there (revoked, or they left), a cohort's director is no
        longer its director: the cohort page and API name nobody, and a learner's application
        to it is no longer sent to them with the learner's name (as a mentor stops serving its
        cohorts). The cohort kept them, and told them of every new application."""
        org, admin = world.org.id or 0, principal(session, world.admin)
        cid = id_of(world.cohort)
        applications.set_enrolment(
            session, principal(session, world.director), cid, mode="application", capacity=30
        )
        session.commit()
        roles.revoke_role(
            session,
            admin,
            user_id=id_of(world.director),
            role="director",
            organization_id=org,
            reason="Moved to another team",
        )
        session.commit()
        session.refresh(world.cohort)
        assert world.cohort.director_id is None
        assert programs.cohort_detail(session, admin, cid).director == ""
        learner = make_user(session, "applies@example.org")
        applications.apply(session, principal(session, learner), cid)
        session.commit()
        told = session.exec(
            select(Notification.title).where(Notification.user_id == world.director.id)
        ).all()
        assert not [t for t in told if "New application" in t]
        assert "cohort.updated" in actions(session)
        # Leaving the organisation is the same.
        other = make_user(session, "second.director@example.org", "director", organization_id=org)
        programs.update_cohort(session, admin, cid, director_id=id_of(other))
        session.commit()
        memberships.leave(session, principal(session, other), org)
        session.commit()
        session.refresh(world.cohort)
        assert world.cohort.director_id is None

    def test_a_learner_who_leaves_or_is_removed_leaves_its_cohorts(
        self, session: Session, world: World
    ) -> None:
        """Leaving the organisation ("you can leave at any time") ends its hold on the learner:
        their seat is withdrawn as a director's withdrawal does (the waitlist moves up, their
        mentor is unassigned, claims on their work go back), their application and waitlist
        place there are withdrawn, and its director and mentors can no longer read them. A
        completed cohort stays completed (its certificate is kept)."""
        org, d = world.org.id or 0, principal(session, world.director)
        student, student2 = id_of(world.student), id_of(world.student2)
        applications.set_enrolment(session, d, id_of(world.cohort), mode="open", capacity=2)
        waiting = make_user(session, "waiting@example.org")
        applications.apply(session, principal(session, waiting), id_of(world.cohort))
        applying = make_cohort(session, world.program, director=world.director)
        applications.set_enrolment(session, d, id_of(applying), mode="application", capacity=5)
        full = make_cohort(session, world.program, director=world.director)
        applications.set_enrolment(session, d, id_of(full), mode="open", capacity=1)
        enroll(session, full, world.outsider_student)
        for cohort in (applying, full):
            applications.apply(session, principal(session, world.student), id_of(cohort))
        work = submissions.submit(
            session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, world.comentor), id_of(work))
        session.commit()
        staff = [d, *(principal(session, u) for u in (world.mentor, world.comentor))]
        assert all(can_read_learner(session, p, student) for p in staff)

        memberships.leave(session, principal(session, world.student), org)
        session.commit()

        assert enrolment_status(session, world.cohort, student) == "withdrawn"
        assert enrolment_status(session, world.cohort, id_of(waiting)) == "active"  # promoted
        assert not any(can_read_learner(session, p, student) for p in staff)
        assert (
            session.exec(
                select(MentorAssignment).where(MentorAssignment.student_id == student)
            ).all()
            == []
        )
        session.refresh(work)
        assert work.status == SubmissionStatus.submitted and work.claimed_by_id is None
        mine = {
            a.cohort_id: a.status
            for a in applications.my_applications(session, principal(session, world.student))
        }
        assert mine[id_of(applying)] == mine[id_of(full)] == "withdrawn"
        assert actions(session).count("enrollment.withdrawn") == 1

        # Removed by the director: an active seat is withdrawn, a completed one stays, and
        # nobody reads them through it any more: not its director, nor the mentor serving it
        # and assigned to them there (a completed cohort kept them readable for good).
        enroll(session, world.other_cohort, world.student2, status="completed")
        assign(session, world.other_cohort, world.other_mentor, world.student2)
        other_mentor = principal(session, world.other_mentor)
        assert can_read_learner(session, other_mentor, student2)  # completed, still a member
        organizations.remove_member(session, d, org, student2, reason="Moved away")
        session.commit()
        assert enrolment_status(session, world.cohort, student2) == "withdrawn"
        assert enrolment_status(session, world.other_cohort, student2) == "completed"
        for p in (d, other_mentor, principal(session, world.comentor)):
            assert not can_read_learner(session, p, student2)
        assert not learning_access.mentors_student(session, id_of(world.other_mentor), student2)


class TestInvitationsApi:
    def test_the_routes_and_the_two_org_rule(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        a, b = client_for(world.director), client_for(world.other_director)
        url = f"{API}/organizations/{world.other_org.id}/invitations"
        r = b.post(url, json={"email": world.student.email, "role": "student"})
        assert r.status_code == 201, r.text
        inv_id = r.json()["id"]
        assert r.json()["status"] == "pending"
        assert a.post(url, json={"email": "x@example.org"}).status_code == 404
        assert a.get(url).status_code == 404
        assert b.post(url, json={"email": world.student.email}).status_code == 409
        assert b.post(url, json={"email": "not-an-address"}).status_code == 422
        assert [i["id"] for i in b.get(url).json()["items"]] == [inv_id]
        # Before acceptance: nothing of the learner is readable by org B's director.
        for route in ("/progress", "/recommendations", "/personality"):
            got = b.get(f"{API}{route}?user={world.student.id}")
            assert got.status_code in (403, 404) and "detail" in got.json()
        mine = client_for(world.student).get(f"{API}/me/invitations").json()
        assert [i["organization_name"] for i in mine] == ["Coast Campus"]
        assert b.delete(f"{url}/{inv_id}").json()["status"] == "revoked"
        assert b.delete(f"{url}/{inv_id}").status_code == 409
        assert (
            client_for(world.student).post(f"{API}/invitations/nonsense/accept").status_code == 404
        )
        r = client_for(world.comentor).post(f"{API}/organizations/{world.org.id}/leave")
        assert r.status_code == 200 and r.json()["removed_roles"] == 1
        again = client_for(world.comentor).post(f"{API}/organizations/{world.org.id}/leave")
        assert again.status_code == 404
        # An organization nobody has answers the same: the detail does not tell it exists.
        unknown = client_for(world.comentor).post(f"{API}/organizations/{MAX_ID}/leave")
        assert (unknown.status_code, unknown.json()) == (404, again.json())
        assert again.json() == {"detail": "You are not a member of that organization."}

    def test_an_organisations_invitations_come_a_page_at_a_time(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """However many invitations were sent, the API answers one page of them, newest first
        ({items, total, page, pages}, page and page_size as the other lists); a page_size over
        100 is a 422."""
        b = principal(session, world.other_director)
        for n in range(5):
            memberships.invite(session, b, id_of(world.other_org), email=f"guest{n}@example.org")
        session.commit()
        url = f"{API}/organizations/{world.other_org.id}/invitations"
        client = client_for(world.other_director)
        first = client.get(url, params={"page_size": 2}).json()
        last = client.get(url, params={"page_size": 2, "page": 3}).json()
        assert (first["total"], first["page"], first["pages"]) == (5, 1, 3)
        assert [i["email"] for i in first["items"]] == ["guest4@example.org", "guest3@example.org"]
        assert [i["email"] for i in last["items"]] == ["guest0@example.org"]
        too_many = client.get(url, params={"page_size": 101})
        assert too_many.status_code == 422 and "detail" in too_many.json()


class TestMigration0012:
    def test_up_and_down_on_demo_data(self, session: Session, db_url: str, demo: list[int]) -> None:
        pairs = session.execute(
            text(
                "SELECT count(*) FROM (SELECT DISTINCT user_id, organization_id FROM role_assignments"
                " WHERE organization_id IS NOT NULL) p"
            )
        ).one()[0]
        assert pairs > 0
        session.execute(text("DELETE FROM organization_memberships"))
        session.commit()
        session.close()
        migrate.downgrade(db_url, "0011")  # 0012 and the migrations after it
        assert session.execute(text("SELECT to_regclass('invitations')")).one()[0] is None
        roles_before = session.execute(text("SELECT count(*) FROM role_assignments")).one()[0]
        session.close()
        migrate.upgrade(db_url)
        members = session.exec(
            select(OrganizationMembership).where(OrganizationMembership.status == "active")
        ).all()
        assert len(members) == pairs
        assert (
            session.execute(text("SELECT count(*) FROM role_assignments")).one()[0] == roles_before
        )
