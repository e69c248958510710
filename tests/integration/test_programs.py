"""Programmes, tracks and cohorts as directors run them, and the cohort roster with progress."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cyberhub.models import (
    AuditLog,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Mission,
    Program,
    Submission,
    Track,
)
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.models.progress import SubmissionStatus
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from cyberhub.services.learning import programs
from tests.factories import (
    World,
    assign,
    build_world,
    enroll,
    id_of,
    make_mission,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.admin, pytest.mark.integration]

TODAY = date.today()


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def actions(session: Session, action: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


class TestAccess:
    def test_anonymous_is_unauthenticated(self, session: Session, world: World) -> None:
        with pytest.raises(Unauthenticated):
            programs.list_programs(session, None)

    @pytest.mark.parametrize("who", ["student", "mentor"])
    def test_students_and_mentors_are_forbidden(
        self, session: Session, world: World, who: str
    ) -> None:
        p = principal(session, getattr(world, who))
        with pytest.raises(Forbidden):
            programs.list_programs(session, p)
        with pytest.raises(Forbidden):
            programs.create_program(session, p, name="Mine", organization_id=world.org.id)
        with pytest.raises(Forbidden):
            programs.roster(session, p, world.cohort.id or 0)

    def test_director_of_another_org_is_forbidden_everywhere(
        self, session: Session, world: World
    ) -> None:
        other = principal(session, world.other_director)
        pid, cid = world.program.id or 0, world.cohort.id or 0
        for call in (
            lambda: programs.get_program(session, other, pid),
            lambda: programs.update_program(session, other, pid, name="Mine now"),
            lambda: programs.list_tracks(session, other, pid),
            lambda: programs.set_program_track(
                session, other, pid, world.builders.id or 0, description="Mine"
            ),
            lambda: programs.create_track(session, other, pid, key="educators"),
            lambda: programs.list_cohorts(session, other, pid),
            lambda: programs.create_cohort(
                session, other, pid, name="Sneaky", starts_on=TODAY, ends_on=TODAY, capacity=3
            ),
            lambda: programs.update_cohort(session, other, cid, capacity=99),
            lambda: programs.roster(session, other, cid),
        ):
            with pytest.raises(NotFound):  # as a programme or cohort nobody has
                call()
        for refused in (
            lambda: programs.update_track(session, other, world.builders.id or 0, name="X"),
            lambda: programs.create_program(
                session, other, name="In theirs", organization_id=world.org.id
            ),
        ):
            with pytest.raises(Forbidden):
                refused()

    def test_lists_show_only_your_own_organization(self, session: Session, world: World) -> None:
        mine = programs.list_programs(session, principal(session, world.director))
        theirs = programs.list_programs(session, principal(session, world.other_director))
        assert [p.id for p in mine] == [world.program.id]
        assert [p.id for p in theirs] == [world.other_program.id]
        every = programs.list_programs(session, principal(session, world.admin))
        assert {p.id for p in every} == {world.program.id, world.other_program.id}
        assert programs.list_cohorts(session, principal(session, world.other_director)) == []

    def test_unknown_ids_are_not_found(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        with pytest.raises(NotFound):
            programs.get_program(session, d, 999_999)
        with pytest.raises(NotFound):
            programs.roster(session, d, 999_999)
        with pytest.raises(NotFound):
            programs.set_program_track(session, d, world.program.id or 0, 999_999, description="")
        with pytest.raises(NotFound):
            programs.update_track(session, principal(session, world.admin), 999_999, name="Nope")


class TestPrograms:
    def test_director_creates_a_programme_in_their_organization_with_five_tracks(
        self, session: Session, world: World
    ) -> None:
        d = principal(session, world.director)
        p = programs.create_program(
            session, d, name="  Cloud   Defenders ", description="Cloud security, hands on."
        )
        assert p.organization_id == world.org.id
        assert p.name == "Cloud Defenders" and p.slug == "cloud-defenders"
        tracks = programs.list_tracks(session, d, p.id or 0)
        assert [t.key for t in tracks] == list(TRACK_KEYS)
        assert all(t.description and t.careers for t in tracks)
        [entry] = actions(session, "program.created")
        assert entry.actor_id == world.director.id and entry.target_id == str(p.id)
        listed = {x.id: x for x in programs.list_programs(session, d)}[id_of(p)]
        assert listed.tracks == 5 and listed.cohorts == 0 and listed.students == 0

    def test_counts_of_the_existing_programme(self, session: Session, world: World) -> None:
        [row] = programs.list_programs(session, principal(session, world.director))
        assert row.cohorts == 2
        assert row.published_missions == 3  # m1, m2, m3 (not the draft or archived one)
        assert row.students == 3
        assert row.organization == "Test Academy"

    def test_a_learner_who_completed_is_still_one_of_the_programmes_students(
        self, session: Session, world: World
    ) -> None:
        """The programme card's "N students" counts whom its cohorts seat, as each cohort's
        "Enrolled" does: a learner who completed keeps their seat (programs.SEATED) and stays on
        the roster. It counted active enrolments only: after one completion the card said
        "2 students" above cohorts enrolling 2 and 1. A withdrawn learner is no student."""
        d = principal(session, world.director)
        [row] = session.exec(
            select(Enrollment).where(
                Enrollment.cohort_id == world.cohort.id, Enrollment.student_id == world.student.id
            )
        ).all()
        row.status = EnrollmentStatus.completed
        session.add(row)
        session.commit()
        [listed] = programs.list_programs(session, d)
        enrolled = sum(c.enrolled for c in programs.list_cohorts(session, d, id_of(world.program)))
        assert listed.students == enrolled == 3
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        [listed] = programs.list_programs(session, d)
        assert listed.students == 2

    def test_admin_must_choose_the_organization(self, session: Session, world: World) -> None:
        admin = principal(session, world.admin)
        with pytest.raises(Invalid, match="Choose the organization"):
            programs.create_program(session, admin, name="Anywhere")
        p = programs.create_program(
            session, admin, name="Anywhere", organization_id=world.other_org.id, with_tracks=False
        )
        assert p.organization_id == world.other_org.id
        assert programs.list_tracks(session, admin, p.id or 0) == []

    @pytest.mark.parametrize(
        ("name", "slug", "message"),
        [
            ("", "", "at least 2 characters"),
            ("x" * 201, "", "to 200 characters \\(this one has 201\\)"),
            ("Fine name", "Not A Slug", "lower-case letters"),
        ],
    )
    def test_bad_names_and_slugs(
        self, session: Session, world: World, name: str, slug: str, message: str
    ) -> None:
        with pytest.raises(Invalid, match=message):
            programs.create_program(
                session, principal(session, world.director), name=name, slug=slug
            )

    def test_duplicates_conflict(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        programs.create_program(session, d, name="Red Team", slug="red-team")
        with pytest.raises(Conflict, match="already has a programme named"):
            programs.create_program(session, d, name="red team", slug="red-team-2")
        with pytest.raises(Conflict, match="slug 'red-team' is already used"):
            programs.create_program(session, d, name="Blue Team", slug="red-team")

    def test_update_changes_only_what_is_given(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        before = world.program.slug
        p = programs.update_program(
            session, d, world.program.id or 0, name="Renamed", description="New words"
        )
        assert (p.name, p.slug, p.description) == ("Renamed", before, "New words")
        assert actions(session, "program.updated")
        other = programs.create_program(session, d, name="Second")
        with pytest.raises(Conflict):
            programs.update_program(session, d, other.id or 0, name="Renamed")


class TestTracks:
    def test_only_the_five_keys_and_each_once(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        with pytest.raises(Invalid, match="Unknown track 'wizards'"):
            programs.create_track(session, d, world.program.id or 0, key="wizards")
        with pytest.raises(Conflict, match="already has the builders track"):
            programs.create_track(session, d, world.program.id or 0, key="Builders")
        t = programs.create_track(
            session, d, world.program.id or 0, key="researchers", description="Our lab's way."
        )
        assert t.name == "Researchers" and t.careers  # the global texts
        assert t.description == "Our lab's way."
        # The global track is untouched, and shared: no second "researchers" row.
        [row] = session.exec(select(Track).where(Track.key == "researchers")).all()
        assert row.description != "Our lab's way."

    def test_a_programme_sets_its_own_description_and_nice_roles(
        self, session: Session, world: World
    ) -> None:
        d = principal(session, world.director)
        t = programs.set_program_track(
            session,
            d,
            world.program.id or 0,
            world.builders.id or 0,
            description="Build things that hold.",
            nice_work_roles=["DD-WRL-003"],
        )
        assert t.key == "builders" and t.description == "Build things that hold."
        assert [r["id"] for r in programs.program_nice_roles(t)] == ["DD-WRL-003"]
        # The other organisation's programme running the same global track keeps the standard.
        theirs = programs.list_tracks(
            session, principal(session, world.other_director), world.other_program.id or 0
        )
        assert [x.description for x in theirs if x.key == "builders"] == [
            world.builders.description
        ]
        [entry] = actions(session, "track.updated")
        assert entry.target_id == str(world.builders.id)
        # Typing the standard text back clears the override.
        t = programs.set_program_track(
            session,
            d,
            world.program.id or 0,
            world.builders.id or 0,
            description=world.builders.description,
        )
        assert t.description == world.builders.description
        with pytest.raises(Invalid, match="at least one NICE work role"):
            programs.set_program_track(
                session, d, world.program.id or 0, world.builders.id or 0, nice_work_roles=[]
            )

    def test_only_an_admin_edits_the_global_texts(self, session: Session, world: World) -> None:
        with pytest.raises(Forbidden, match="only an admin"):
            programs.update_track(
                session, principal(session, world.director), world.builders.id or 0, name="X"
            )
        admin = principal(session, world.admin)
        t = programs.update_track(
            session,
            admin,
            world.builders.id or 0,
            careers=[" DevSecOps  Engineer ", "DevSecOps Engineer", "", "Cloud Engineer"],
            focus=["Pipelines"],
        )
        assert t.careers == ["DevSecOps Engineer", "Cloud Engineer"]
        assert t.focus == ["Pipelines"]
        with pytest.raises(Invalid, match="at most 12 careers"):
            programs.update_track(
                session, admin, world.builders.id or 0, careers=[f"Job {i}" for i in range(13)]
            )
        with pytest.raises(Invalid, match="at least 2 characters"):
            programs.update_track(session, admin, world.builders.id or 0, name=" ")

    def test_tracks_carry_their_nice_work_roles(self, session: Session, world: World) -> None:
        [t] = [
            x
            for x in programs.list_tracks(
                session, principal(session, world.director), world.program.id or 0
            )
            if x.key == "builders"
        ]
        data = programs.track_public(t)
        ids = [r.id for r in data.nice_work_roles]
        assert "DD-WRL-003" in ids and all(r.name for r in data.nice_work_roles)


class TestTracksAddedAtOnce:
    @pytest.mark.parametrize("where", ["same programme", "two programmes"])
    def test_a_track_added_twice_at_once_is_added_once(
        self, session: Session, world: World, where: str
    ) -> None:
        """Adding the researchers track (which no programme runs yet) twice at the same moment:
        to one programme, the second request gets the usual "already has" message; to two
        programmes, both run it and share one global track. Never the database's error (500)
        from the programme's track row or the global track's key."""
        d, other = principal(session, world.director), principal(session, world.other_director)
        pid, other_pid = world.program.id or 0, world.other_program.id or 0

        def then(s: Session) -> object:
            if where == "same programme":
                return programs.create_track(s, d, pid, key="researchers")
            return programs.create_track(s, other, other_pid, key="researchers")

        answers = second_while_first_holds(
            lambda s: programs.create_track(s, d, pid, key="researchers"), then
        )
        expected = (
            "This programme already has the researchers track."
            if where == "same programme"
            else "ok"
        )
        assert answers == ("ok", expected)
        session.expire_all()
        [track] = session.exec(select(Track).where(Track.key == "researchers")).all()
        runs = {
            t.program_id for t in programs.list_tracks(session, d, pid) if t.key == "researchers"
        }
        assert runs == {pid}


class TestCohorts:
    def create(self, session: Session, world: World, **kw: object):
        args: dict[str, object] = {
            "name": "Autumn",
            "starts_on": TODAY,
            "ends_on": TODAY + timedelta(days=60),
            "capacity": 12,
        }
        args.update(kw)
        return programs.create_cohort(
            session,
            principal(session, world.director),
            world.program.id or 0,
            **args,  # type: ignore[arg-type]
        )

    def test_create_defaults_the_director_to_the_creator(
        self, session: Session, world: World
    ) -> None:
        c = self.create(session, world)
        assert c.director_id == world.director.id and c.capacity == 12
        row = programs.cohort_detail(session, principal(session, world.director), c.id)
        assert row.status == "running" and row.seats_left == 12 and row.enrolled == 0
        assert row.director == world.director.full_name

    def test_dates_capacity_and_director_rules(self, session: Session, world: World) -> None:
        with pytest.raises(Invalid, match="end on or after"):
            self.create(session, world, ends_on=TODAY - timedelta(days=1))
        with pytest.raises(Invalid, match="Capacity must be between 1"):
            self.create(session, world, capacity=0)
        with pytest.raises(Invalid, match="director of the programme's organization"):
            self.create(session, world, director_id=world.mentor.id)
        with pytest.raises(Invalid, match="director of the programme's organization"):
            self.create(session, world, director_id=world.other_director.id)
        with pytest.raises(Conflict, match="already has a cohort named 'Spring'"):
            self.create(session, world, name="spring")
        one_day = self.create(session, world, ends_on=TODAY)
        assert one_day.starts_on == one_day.ends_on

    def test_dates_outside_2000_to_2100_are_refused(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """A cohort from 0001-01-01 or to 9999-12-31 was stored, and its programme's analytics
        filtered by it then answered 500 (its weeks ran off the calendar)."""
        for starts, ends in ((date(1, 1, 1), TODAY), (TODAY, date(9999, 12, 31))):
            with pytest.raises(Invalid, match="between the years 2000 and 2100"):
                self.create(session, world, starts_on=starts, ends_on=ends)
        d = client_for(world.director)
        r = d.patch(f"/api/v1/cohorts/{world.cohort.id}", json={"starts_on": "0001-01-01"})
        assert r.status_code == 422 and "2000 and 2100" in r.json()["detail"]

    def test_a_cohort_whose_last_day_has_passed_is_refused(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """A new cohort that ended yesterday was created (and took applications nobody could
        approve); an existing cohort's end can't be moved into the past either. Keeping a past
        end date that is already there (renaming an ended cohort) still works."""
        yesterday = TODAY - timedelta(days=1)
        with pytest.raises(Invalid, match="last day can't be in the past"):
            self.create(session, world, starts_on=TODAY - timedelta(days=30), ends_on=yesterday)
        d = client_for(world.director)
        body = {
            "program_id": world.program.id,
            "name": "Gone",
            "starts_on": (TODAY - timedelta(days=30)).isoformat(),
            "ends_on": yesterday.isoformat(),
            "capacity": 5,
        }
        r = d.post("/api/v1/cohorts", json=body)
        assert r.status_code == 422 and "last day can't be in the past" in r.json()["detail"]
        assert "Gone" not in {
            c.name for c in programs.list_cohorts(session, principal(session, world.director))
        }
        r = d.patch(f"/api/v1/cohorts/{world.cohort.id}", json={"ends_on": yesterday.isoformat()})
        assert r.status_code == 422 and "last day can't be in the past" in r.json()["detail"]
        # A cohort already over keeps its dates through other changes.
        cid = world.other_cohort.id or 0
        row = session.get(Cohort, cid)
        assert row is not None
        row.starts_on, row.ends_on = TODAY - timedelta(days=60), yesterday
        session.add(row)
        session.commit()
        c = programs.update_cohort(
            session, principal(session, world.director), cid, name="Evening 2025", ends_on=yesterday
        )
        assert (c.name, c.ends_on) == ("Evening 2025", yesterday)
        one_day = self.create(session, world, starts_on=TODAY - timedelta(days=3), ends_on=TODAY)
        assert one_day.ends_on == TODAY

    def test_update_capacity_cannot_drop_below_enrolled(
        self, session: Session, world: World
    ) -> None:
        d = principal(session, world.director)
        cid = world.cohort.id or 0
        with pytest.raises(Conflict, match="2 students are already enrolled"):
            programs.update_cohort(session, d, cid, capacity=1)
        c = programs.update_cohort(session, d, cid, capacity=2, name="Spring 2026")
        assert (c.capacity, c.name) == (2, "Spring 2026")
        with pytest.raises(Invalid, match="end on or after"):
            programs.update_cohort(session, d, cid, ends_on=c.starts_on - timedelta(days=1))
        c = programs.update_cohort(session, d, cid, director_id=None)
        assert c.director_id is None

    def test_list_counts_seats_mentors_and_unassigned(self, session: Session, world: World) -> None:
        rows = {
            r.name: r for r in programs.list_cohorts(session, principal(session, world.director))
        }
        spring = rows["Spring"]
        assert spring.enrolled == 2 and spring.mentors == 2 and spring.unassigned == 1
        assert spring.seats_left == spring.capacity - 2
        assert rows["Evening"].enrolled == 1 and rows["Evening"].mentors == 1


class TestCohortNamesUnderConcurrency:
    @pytest.mark.parametrize("second", ["create", "rename"])
    def test_two_directors_naming_a_cohort_alike_at_once_one_wins(
        self, session: Session, world: World, second: str
    ) -> None:
        """The second director, whose check ran while the first's new cohort was not yet
        committed, gets the usual "already has a cohort named" message (never two cohorts of
        one name, never a 500)."""
        d = principal(session, world.director)
        pid, evening = world.program.id or 0, world.other_cohort.id or 0

        def then(s: Session) -> object:
            if second == "create":
                return programs.create_cohort(
                    s, d, pid, name="autumn", starts_on=TODAY, ends_on=TODAY, capacity=5
                )
            return programs.update_cohort(s, d, evening, name="autumn")

        answers = second_while_first_holds(  # the first creates "Autumn"
            lambda s: programs.create_cohort(
                s, d, pid, name="Autumn", starts_on=TODAY, ends_on=TODAY, capacity=5
            ),
            then,
        )
        assert answers == ("ok", "This programme already has a cohort named 'Autumn'.")
        session.expire_all()
        names = session.exec(select(Cohort.name).where(Cohort.program_id == pid)).all()
        assert sorted(names) == ["Autumn", "Evening", "Spring"]


class TestProgramNamesUnderConcurrency:
    @pytest.mark.parametrize(
        ("second", "message"),
        [
            ("same name", "Your organization already has a programme named 'Red Team'."),
            ("same slug", "The slug 'red-team' is already used by another programme."),
            ("rename", "Your organization already has a programme named 'Red Team'."),
        ],
        ids=["same name", "same slug", "rename"],
    )
    def test_two_programmes_named_alike_at_once_one_wins(
        self, session: Session, world: World, second: str, message: str
    ) -> None:
        """The second request, whose check ran while the first's new programme was not yet
        committed, gets the usual 409 message: never two programmes of one name in an
        organization, never the slug index's error (a 500)."""
        d = principal(session, world.director)
        other = principal(session, world.other_director)

        def then(s: Session) -> object:
            if second == "same name":
                return programs.create_program(
                    s, d, name="red team", slug="red-team-2", with_tracks=False
                )
            if second == "same slug":  # slugs are unique across organizations
                return programs.create_program(
                    s, other, name="Blue Team", slug="red-team", with_tracks=False
                )
            return programs.update_program(s, d, world.program.id or 0, name="RED TEAM")

        answers = second_while_first_holds(  # the first creates "Red Team" (slug red-team)
            lambda s: programs.create_program(s, d, name="Red Team", with_tracks=False), then
        )
        assert answers == ("ok", message)
        session.expire_all()
        reds = session.exec(select(Program).where(func.lower(Program.name) == "red team")).all()
        assert [p.slug for p in reds] == ["red-team"]


class TestRoster:
    def test_progress_counts_latest_approved_attempts_of_published_missions(
        self, session: Session, world: World
    ) -> None:
        student, student2 = world.student, world.student2
        extra = make_mission(session, world.program, world.builders, title="Extra")
        sid, sid2 = student.id or 0, student2.id or 0

        def sub(who: int, mission: Mission, attempt: int, status: str) -> None:
            session.add(
                Submission(
                    student_id=who,
                    mission_id=mission.id or 0,
                    attempt=attempt,
                    status=SubmissionStatus(status),
                )
            )

        # student: m1 approved on the second attempt; m2 approved then (oddly) resubmitted,
        # so the latest attempt is not approved; the draft mission approved (not published).
        sub(sid, world.m1, 1, "changes_requested")
        sub(sid, world.m1, 2, "approved")
        sub(sid, world.m2, 1, "approved")
        sub(sid, world.m2, 2, "submitted")
        sub(sid, world.draft_mission, 1, "approved")
        # student2: everything published approved but one.
        for m in (world.m1, world.m2, world.m3):
            sub(sid2, m, 1, "approved")
        sub(sid2, extra, 1, "in_review")
        session.commit()

        rows = {
            r.email: r
            for r in programs.roster(
                session, principal(session, world.director), world.cohort.id or 0
            )
        }
        assert set(rows) == {student.email, student2.email}  # not the other cohort's student
        first, second = rows[student.email], rows[student2.email]
        assert (first.approved, first.published, first.progress) == (1, 4, 25)
        assert (second.approved, second.published, second.progress) == (3, 4, 75)
        assert first.mentor_id == world.mentor.id and first.mentor == world.mentor.full_name
        assert second.mentor_id is None and second.mentor == ""
        assert first.status == "active"

    def test_withdrawn_students_are_hidden_unless_asked(
        self, session: Session, world: World
    ) -> None:
        gone = make_user(session, "gone@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, gone, status="withdrawn")
        d = principal(session, world.director)
        emails = [r.email for r in programs.roster(session, d, world.cohort.id or 0)]
        assert gone.email not in emails
        every = programs.roster(session, d, world.cohort.id or 0, include_withdrawn=True)
        assert {r.email: r.status for r in every}[gone.email] == "withdrawn"

    def test_empty_cohort_and_no_published_missions(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        p = programs.create_program(session, d, name="Empty One")
        c = programs.create_cohort(
            session, d, p.id or 0, name="Nobody", starts_on=TODAY, ends_on=TODAY, capacity=1
        )
        assert programs.roster(session, d, c.id or 0) == []
        alone = make_user(session, "alone@example.org", "student", organization_id=world.org.id)
        from cyberhub.models import Cohort

        cohort = session.get(Cohort, c.id)
        assert cohort is not None
        enroll(session, cohort, alone)
        [row] = programs.roster(session, d, c.id or 0)
        assert (row.approved, row.published, row.progress) == (0, 0, 0)

    def test_mentor_assignment_shows_in_roster(self, session: Session, world: World) -> None:
        assign(session, world.cohort, world.comentor, world.student2)
        rows = programs.roster(session, principal(session, world.admin), world.cohort.id or 0)
        assert {r.email: r.mentor_id for r in rows}[world.student2.email] == (world.comentor.id)


def test_tracks_of_a_new_programme_have_the_texts_of_the_catalog(
    session: Session, world: World
) -> None:
    d = principal(session, world.director)
    p = programs.create_program(session, d, name="Texts")
    [stored] = [t for t in programs.list_tracks(session, d, p.id or 0) if t.key == "leaders"]
    assert stored.tagline == "Management and executive decision-making"
    # Tracks are global: the new programme runs the same five rows, none is added.
    assert len(session.exec(select(Track)).all()) == len(TRACK_KEYS)
