"""Read rights through relationships only (issue 12, item 6): services/learning/learning_access.py.

A mentor reads learners assigned to them or enrolled in a cohort they mentor; a director reads
learners enrolled (not withdrawn) in their organisation's programmes; a sponsor reads no single
learner; an admin reads all. Holding a role in an organisation is not a relationship.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import Enrollment, EnrollmentStatus, User
from cyberhub.services.identity import organizations
from cyberhub.services.learning.learning_access import can_read_learner
from tests.factories import (
    World,
    enroll,
    grant_ai,
    make_cohort,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

API = "/api/v1"
LEARNER_ROUTES = ("/personality?user={id}", "/recommendations?user={id}", "/progress?user={id}")


def reads(session: Session, viewer: User, learner: User) -> bool:
    return can_read_learner(session, principal(session, viewer), learner.id or 0)


class TestRelationships:
    def test_assigned_and_cohort_mentors_read_their_learners_only(
        self, session: Session, world: World
    ) -> None:
        assert reads(session, world.mentor, world.student)  # assigned
        assert reads(session, world.comentor, world.student)  # mentors the cohort
        assert not reads(session, world.other_mentor, world.student)  # another cohort
        assert not reads(session, world.other_mentor_org, world.student)  # another org

    def test_a_director_reads_learners_enrolled_in_their_programmes(
        self, session: Session, world: World
    ) -> None:
        assert reads(session, world.director, world.student)
        assert reads(session, world.director, world.outsider_student)
        assert not reads(session, world.other_director, world.student)

    def test_a_role_in_the_organisation_is_not_a_relationship(
        self, session: Session, world: World
    ) -> None:
        # A student of the org with no enrolment: the director has no programme of theirs to read.
        loose = make_user(session, "loose@example.org", "student", organization_id=world.org.id)
        assert not reads(session, world.director, loose)
        # Other staff of the same organisation are not "my learners" either.
        assert not reads(session, world.director, world.mentor)

    def test_withdrawn_learners_are_no_longer_read_by_the_director(
        self, session: Session, world: World
    ) -> None:
        row = session.exec(
            select(Enrollment).where(Enrollment.student_id == world.student2.id)
        ).one()
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        assert not reads(session, world.director, world.student2)
        assert not reads(session, world.comentor, world.student2)

    def test_sponsor_reads_no_single_learner_and_admin_reads_all(
        self, session: Session, world: World
    ) -> None:
        sponsor = make_user(session, "sponsor@example.org", "sponsor", organization_id=world.org.id)
        assert not reads(session, sponsor, world.student)
        assert reads(session, world.admin, world.student)
        assert reads(session, world.admin, world.other_director)
        assert reads(session, world.student, world.student)
        assert not reads(session, world.student, world.student2)


class TestTwoOrganisationsOverTheApi:
    def test_director_of_b_reads_nothing_of_an_org_a_learner_even_after_adding_them(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """The finding: attaching an account to org B used to make it "my learner"."""
        grant_ai(session, world.student)  # so a 403 below is about access, not consent
        other = client_for(world.other_director)
        sid = world.student.id

        def statuses() -> list[int]:
            return [other.get(API + r.format(id=sid)).status_code for r in LEARNER_ROUTES]

        assert statuses() == [403, 403, 403]
        organizations.add_member(
            session,
            principal(session, world.other_director),
            world.other_org.id or 0,
            email=world.student.email,
            role="student",
        )
        session.commit()
        assert statuses() == [403, 403, 403]
        # Enrolment in one of B's programmes is what makes the learner B's director's to read.
        enroll(
            session,
            make_cohort(session, world.other_program, director=world.other_director),
            world.student,
        )
        # (no work-style analysis exists yet: 404 "not analysed", no longer 403)
        assert statuses() == [404, 200, 200]

    def test_every_role_of_org_b_against_org_a_learners(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        sponsor_a = make_user(
            session, "sponsor.a@example.org", "sponsor", organization_id=world.org.id
        )
        grant_ai(session, world.student, world.student2)
        viewers = [world.other_director, world.other_mentor_org, sponsor_a, world.other_mentor]
        for viewer in viewers:
            client = client_for(viewer)
            for learner in (world.student, world.student2):
                for route in LEARNER_ROUTES:
                    r = client.get(API + route.format(id=learner.id))
                    assert r.status_code in (403, 404), (viewer.email, route, r.status_code)
                    assert "detail" in r.json()
