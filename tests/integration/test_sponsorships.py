"""Sponsors (issue 15, item 2): a sponsor organisation funds seats in a cohort; its sponsors see
the cohort's figures, and a learner by name only with that learner's sponsor_sharing consent —
through the service, the API and the CSV report; a sponsor of another organisation sees nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import (
    AuditLog,
    Certificate,
    Enrollment,
    EnrollmentStatus,
    Mission,
    Organization,
    Role,
    RoleAssignment,
    Sponsorship,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.pages.director_cohort import ROUTE as COHORT_ROUTE
from cyberhub.pages.director_cohort import CohortSponsorsState, DirectorCohortState
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import consents
from cyberhub.services.learning import applications, programs, sponsorships
from tests.factories import (
    World,
    enroll,
    make_cohort,
    make_org,
    make_program,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.integration.test_access_rules import access_rules, api_routes
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop
from tests.statements import statements

pytestmark = [pytest.mark.integration]

API = "/api/v1"


@dataclass
class Sponsors:
    org: Organization
    sponsor: User  # sponsor of `org`, which funds the world's Spring cohort
    rival_org: Organization
    rival: User  # sponsor of an organisation that funds nothing of the world


@pytest.fixture
def sponsors(session: Session, world: World) -> Sponsors:
    org = make_org(session, "Savannah Fund")
    rival_org = make_org(session, "Rival Fund")
    sponsor = make_user(session, "kofi@fund.example", "sponsor", organization_id=org.id)
    rival = make_user(session, "rival@fund.example", "sponsor", organization_id=rival_org.id)
    return Sponsors(org=org, sponsor=sponsor, rival_org=rival_org, rival=rival)


def form(org: Organization, **changes: object) -> SponsorshipIn:
    values: dict[str, object] = {
        "organization_id": org.id,
        "seats": 10,
        "amount": Decimal("1500.00"),
        "currency": "usd",
        "starts_on": date.today() - timedelta(days=10),
        "ends_on": date.today() + timedelta(days=80),
        "notes": "Funded by the 2026 grant.",
    }
    values.update(changes)
    return SponsorshipIn.model_validate(values)


def fund(session: Session, world: World, s: Sponsors, **changes: object) -> int:
    made = sponsorships.create_sponsorship(
        session, principal(session, world.director), world.cohort.id or 0, form(s.org, **changes)
    )
    session.commit()
    return made.id


def approve(session: Session, student: User, mission: Mission, days_ago: int = 1) -> None:
    at = utcnow() - timedelta(days=days_ago)
    session.add(
        Submission(
            student_id=student.id or 0,
            mission_id=mission.id or 0,
            status=SubmissionStatus.approved,
            submitted_at=at,
            decided_at=at,
        )
    )
    session.commit()


def share(session: Session, learner: User, granted: bool = True) -> None:
    consents.set_consent(session, principal(session, learner), consents.SPONSOR_SHARING, granted)
    session.commit()


class TestDirectorSponsorships:
    def test_a_director_funds_a_cohort_and_it_is_audited(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        sid = fund(session, world, sponsors)
        [row] = sponsorships.cohort_sponsorships(
            session, principal(session, world.director), world.cohort.id or 0
        )
        assert (row.id, row.sponsor, row.seats, row.amount, row.currency) == (
            sid,
            "Savannah Fund",
            10,
            "1500.00",
            "USD",
        )
        logged = session.exec(
            select(AuditLog).where(AuditLog.action == "sponsorship.created")
        ).one()
        assert logged.actor_id == world.director.id and logged.details["seats"] == 10

    def test_the_picker_offers_sponsor_organisations_never_another_academy(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        # Coast Campus runs programmes: even with a sponsor of its own, its name is not offered.
        make_user(
            session, "coast.sponsor@example.org", "sponsor", organization_id=world.other_org.id
        )
        names = [
            o.name
            for o in sponsorships.sponsor_organizations(session, principal(session, world.director))
        ]
        assert names == ["Rival Fund", "Savannah Fund"]
        with pytest.raises(Invalid, match="no sponsor account"):
            sponsorships.create_sponsorship(
                session,
                principal(session, world.director),
                world.cohort.id or 0,
                form(world.other_org),
            )

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"seats": 31}, "capacity"),
            ({"ends_on": date.today() - timedelta(days=30)}, "end date"),
            ({"currency": "U$D"}, "three-letter"),
            ({"amount": Decimal("1.005")}, "two decimals"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(
        self,
        session: Session,
        world: World,
        sponsors: Sponsors,
        changes: dict[str, object],
        message: str,
    ) -> None:
        with pytest.raises(Invalid, match=message):
            sponsorships.create_sponsorship(
                session,
                principal(session, world.director),
                world.cohort.id or 0,
                SponsorshipIn.model_construct(**{**form(sponsors.org).model_dump(), **changes}),
            )

    def test_one_sponsorship_per_sponsor_and_cohort(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        with pytest.raises(Conflict):
            fund(session, world, sponsors)

    def test_the_capacity_cant_drop_below_the_seats_a_sponsor_funds(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """A sponsorship funds at most the cohort's capacity, and the capacity can't then be cut
        below it (the cohort page's settings, the enrolment panel, the API alike): it was, and
        the sponsor read "10 seats funded" in a cohort of 5, while editing the sponsorship's
        notes was refused until its seats were lowered."""
        sid = fund(session, world, sponsors, seats=10)
        director = principal(session, world.director)
        cid = world.cohort.id or 0
        funds = "Savannah Fund funds 10 seats in this cohort"
        with pytest.raises(Conflict, match=funds):
            programs.update_cohort(session, director, cid, capacity=5)
        session.rollback()
        with pytest.raises(Conflict, match=funds):
            applications.set_enrolment(session, director, cid, capacity=9)
        session.rollback()
        assert programs.update_cohort(session, director, cid, capacity=10).capacity == 10
        session.commit()
        edited = sponsorships.update_sponsorship(
            session, director, sid, form(sponsors.org, seats=10, notes="Renewed.")
        )
        assert (edited.seats, edited.notes) == (10, "Renewed.")

    def test_a_sponsor_no_longer_pickable_is_kept_while_the_rest_is_edited(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """Once the sponsor organisation is no longer offered (here it started running a
        programme of its own), its sponsorship's seats, dates or notes could not be changed at
        all: every save answered "no sponsor account". Keeping the sponsor is allowed; moving
        the sponsorship to an organisation that can't be picked stays refused."""
        sid = fund(session, world, sponsors)
        make_program(session, sponsors.org)  # Savannah Fund now trains people itself
        director = principal(session, world.director)
        names = [o.name for o in sponsorships.sponsor_organizations(session, director)]
        assert "Savannah Fund" not in names
        edited = sponsorships.update_sponsorship(
            session, director, sid, form(sponsors.org, seats=4, notes="Fewer seats.")
        )
        assert (edited.sponsor, edited.seats, edited.notes) == ("Savannah Fund", 4, "Fewer seats.")
        session.commit()
        with pytest.raises(Invalid, match="no sponsor account"):
            sponsorships.update_sponsorship(session, director, sid, form(world.other_org))
        session.rollback()
        with pytest.raises(Invalid, match="no sponsor account"):  # nor can it be added anew
            sponsorships.create_sponsorship(
                session, director, world.other_cohort.id or 0, form(sponsors.org)
            )

    def test_edit_and_remove_stop_at_the_organisation(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        sid = fund(session, world, sponsors)
        other = principal(session, world.other_director)
        with pytest.raises(NotFound):
            sponsorships.update_sponsorship(session, other, sid, form(sponsors.org, seats=2))
        with pytest.raises(NotFound):
            sponsorships.remove_sponsorship(session, other, sid)
        with pytest.raises(NotFound):  # as its sponsorships: as a cohort nobody has
            sponsorships.cohort_sponsorships(session, other, world.cohort.id or 0)
        director = principal(session, world.director)
        assert (
            sponsorships.update_sponsorship(
                session, director, sid, form(sponsors.org, seats=2)
            ).seats
            == 2
        )
        sponsorships.remove_sponsorship(session, director, sid)
        session.commit()
        assert sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts == []
        actions = set(session.exec(select(AuditLog.action)).all())
        assert {"sponsorship.updated", "sponsorship.removed"} <= actions


class TestSponsorFigures:
    def test_seats_used_count_active_and_completed_capped_at_the_seats_funded(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors, seats=2)
        extra = make_user(session, "w.extra@example.org", "student", organization_id=world.org.id)
        gone = make_user(session, "w.gone@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, extra, status="completed")
        enroll(session, world.cohort, gone, status="withdrawn")
        [c] = sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts
        assert (c.enrolled, c.seats_used, c.completions) == (3, 2, 1)

    def test_activity_and_approvals_per_track(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        approve(session, world.student, world.m1, days_ago=2)
        approve(session, world.student2, world.m3, days_ago=20)
        approve(session, world.student, world.other_mission)  # another programme's: not counted
        c = sponsorships.sponsored_cohort(
            session, principal(session, sponsors.sponsor), world.cohort.id or 0
        )
        assert [(t.track, t.approvals) for t in c.approvals_per_track] == [
            ("Builders", 1),
            ("Leaders", 1),
        ]
        assert (c.approvals, c.active_7d, c.active_30d) == (2, 1, 2)
        # From the week of the first submission (20 days ago, before the cohort began).
        first = (utcnow() - timedelta(days=20)).date()
        assert c.submissions_per_week[0].week == first - timedelta(days=first.weekday())
        assert sum(w.submissions for w in c.submissions_per_week) == 2

    def test_the_weeks_begin_with_the_cohorts_first_week(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """A cohort that began 10 days ago reads its two or three weeks, not five or six empty
        ones before it; a submission made before it began keeps its week (and those after)."""
        fund(session, world, sponsors)
        today = utcnow().date()
        world.cohort.starts_on = today - timedelta(days=10)
        session.add(world.cohort)
        session.commit()

        def mondays() -> list[date]:
            c = sponsorships.sponsored_cohort(
                session, principal(session, sponsors.sponsor), world.cohort.id or 0
            )
            return [w.week for w in c.submissions_per_week]

        def monday(day: date) -> date:
            return day - timedelta(days=day.weekday())

        began = monday(today - timedelta(days=10))
        assert mondays() == [began + timedelta(weeks=i) for i in range(len(mondays()))]
        assert mondays()[-1] == monday(today)
        approve(session, world.student, world.m1, days_ago=30)
        assert mondays()[0] == monday(today - timedelta(days=30))
        assert len(mondays()) == (monday(today) - monday(today - timedelta(days=30))).days // 7 + 1

    def test_consent_on_off_and_withdrawn(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        approve(session, world.student, world.m1)
        me = principal(session, sponsors.sponsor)
        assert sponsorships.dashboard(session, me).cohorts[0].learners == []  # off by default
        share(session, world.student)
        [c] = sponsorships.dashboard(session, me).cohorts
        assert [(le.name, le.approved, le.published) for le in c.learners] == [
            (world.student.full_name, 1, 3)
        ]
        assert c.withheld == 1  # student2: counted, never named
        share(session, world.student, granted=False)
        assert sponsorships.dashboard(session, me).cohorts[0].learners == []
        share(session, world.student)  # granted again
        assert len(sponsorships.dashboard(session, me).cohorts[0].learners) == 1

    def test_a_learners_progress_counts_a_mission_by_its_latest_attempt(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """Approved, then a second attempt sent back: the sponsor sees the roster's progress
        (not approved any more), while the approvals per track still count the approval."""
        fund(session, world, sponsors)
        approve(session, world.student, world.m1, days_ago=3)
        approve(session, world.student, world.m3, days_ago=3)
        session.add(
            Submission(
                student_id=world.student.id or 0,
                mission_id=world.m1.id or 0,
                attempt=2,
                status=SubmissionStatus.changes_requested,
                submitted_at=utcnow() - timedelta(days=1),
            )
        )
        session.commit()
        share(session, world.student)
        [c] = sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts
        assert [(le.approved, le.published, le.progress) for le in c.learners] == [(1, 3, 33)]
        assert c.approvals == 2
        assert sum(w.submissions for w in c.submissions_per_week) == 3

    def test_a_withdrawn_enrolment_is_not_shown_even_with_consent(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        share(session, world.student)
        row = session.exec(
            select(Enrollment).where(Enrollment.student_id == world.student.id)
        ).first()
        assert row is not None
        row.status = EnrollmentStatus.withdrawn
        session.add(row)
        session.commit()
        c = sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts[0]
        assert c.learners == []

    def test_a_deactivated_learner_is_counted_but_no_longer_named(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        share(session, world.student)
        me = principal(session, sponsors.sponsor)
        assert len(sponsorships.dashboard(session, me).cohorts[0].learners) == 1
        world.student.is_active = False  # deactivated by an admin: keeps the seat
        session.add(world.student)
        session.commit()
        [c] = sponsorships.dashboard(session, me).cohorts
        assert (c.learners, c.enrolled, c.withheld) == ([], 2, 2)
        assert world.student.full_name not in sponsorships.report_csv(session, me)

    def test_a_sponsor_of_another_organisation_sees_nothing(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        share(session, world.student)
        rival = principal(session, sponsors.rival)
        assert sponsorships.dashboard(session, rival).cohorts == []
        with pytest.raises(NotFound):
            sponsorships.sponsored_cohort(session, rival, world.cohort.id or 0)
        assert world.student.full_name not in sponsorships.report_csv(session, rival)

    def test_only_sponsors_and_admins(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        fund(session, world, sponsors)
        for user in (world.student, world.mentor, world.director):
            with pytest.raises(Forbidden):
                sponsorships.dashboard(session, principal(session, user))
        admin = sponsorships.dashboard(session, principal(session, world.admin))
        assert len(admin.cohorts) == 1 and admin.every_organization
        assert not sponsorships.dashboard(
            session, principal(session, sponsors.sponsor)
        ).every_organization


def test_each_funded_cohort_names_its_own_consenting_learners_read_together(
    session: Session, world: World, sponsors: Sponsors
) -> None:
    """A sponsor funding several cohorts sees, under each, only that cohort's consenting
    learners with their progress; their names are read once for all cohorts (two statements),
    so a sponsor funding one more cohort waits for two more statements, not four."""
    me = principal(session, sponsors.sponsor)
    director = principal(session, world.director)
    fund(session, world, sponsors)
    sponsorships.create_sponsorship(
        session, director, world.other_cohort.id or 0, form(sponsors.org)
    )
    session.commit()
    approve(session, world.student, world.m1)
    share(session, world.student)
    share(session, world.outsider_student)
    with statements(session) as two:
        cohorts = sponsorships.dashboard(session, me).cohorts
    named = {c.cohort: [(le.name, le.approved) for le in c.learners] for c in cohorts}
    assert named == {
        "Spring": [(world.student.full_name, 1)],
        "Evening": [(world.outsider_student.full_name, 0)],
    }
    assert {c.cohort: c.withheld for c in cohorts} == {"Spring": 1, "Evening": 0}
    third = make_cohort(session, world.program, director=world.director, name="Autumn")
    sponsorships.create_sponsorship(session, director, third.id or 0, form(sponsors.org))
    session.commit()
    with statements(session) as three:
        assert len(sponsorships.dashboard(session, me).cohorts) == 3
    assert len(three) - len(two) == 2


def learners(session: Session, world: World, cohort: object, n: int, tag: str) -> None:
    for i in range(n):
        u = make_user(session, f"{tag}{i}@example.org", "student", organization_id=world.org.id)
        enroll(session, cohort, u)  # type: ignore[arg-type]


def rival_funds(session: Session, world: World, s: Sponsors, **changes: object) -> int:
    made = sponsorships.create_sponsorship(
        session,
        principal(session, world.director),
        world.cohort.id or 0,
        form(s.rival_org, **changes),
    )
    session.commit()
    return made.id


def seats_read(session: Session, world: World, s: Sponsors) -> dict[str, object]:
    """What each reader reads: each sponsor its seats used (dashboard), the director each
    sponsorship's (panel/API), the report's unfunded learners and the cohort's seat summary."""
    director = principal(session, world.director)
    cid = world.cohort.id or 0
    mine = sponsorships.dashboard(session, principal(session, s.sponsor)).cohorts
    theirs = sponsorships.dashboard(session, principal(session, s.rival)).cohorts
    report = sponsorships.report(session, director, cid).cohorts
    return {
        "sponsors": {
            c.sponsorship.sponsor: (c.seats_used, c.sponsorship.seats, c.unfunded)
            for c in mine + theirs
            if c.cohort_id == cid
        },
        "director": {
            r.sponsor: (r.seats_used, r.seats)
            for r in sponsorships.cohort_sponsorships(session, director, cid)
        },
        "report": {c.sponsorship.sponsor: (c.seats_used, c.unfunded) for c in report},
        "cohort": sponsorships.cohort_sponsors(session, director, cid).seats.model_dump(),
    }


class TestSeatsSharedAmongSponsors:
    """Two sponsors of one cohort share its enrolled learners, the sponsorship created first
    filling first (sponsorships.seat_allocations): their seats used add up to at most the
    enrolled, never a learner counted twice; the director sees who is on no sponsor's seat."""

    def test_two_sponsors_of_one_cohort_never_count_a_learner_twice(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        learners(session, world, world.cohort, 8, "w.ten")  # 2 + 8: 10 enrolled
        fund(session, world, sponsors, seats=8)  # Savannah Fund, first
        rival_funds(session, world, sponsors, seats=5)  # Rival Fund, second
        assert seats_read(session, world, sponsors) == {
            "sponsors": {"Savannah Fund": (8, 8, None), "Rival Fund": (2, 5, None)},
            "director": {"Savannah Fund": (8, 8), "Rival Fund": (2, 5)},
            "report": {"Savannah Fund": (8, 0), "Rival Fund": (2, 0)},
            "cohort": {"enrolled": 10, "funded": 10, "unfunded": 0},
        }
        # The CSV a director exports says it; a sponsor's leaves the column empty.
        column = sponsorships.COHORT_COLUMNS.index("Enrolled on no sponsor's seat")
        used = sponsorships.COHORT_COLUMNS.index("Seats used")
        director = principal(session, world.director)
        rows = list(
            sponsorships.report_rows(sponsorships.report(session, director, world.cohort.id))
        )
        assert [(r[5], r[used], r[column]) for r in rows[1:3]] == [
            ("Rival Fund", 2, 0),
            ("Savannah Fund", 8, 0),
        ]
        sponsor_csv = list(
            csv.reader(
                io.StringIO(sponsorships.report_csv(session, principal(session, sponsors.rival)))
            )
        )
        assert (sponsor_csv[1][used], sponsor_csv[1][column]) == ("2", "")
        # The API: the sponsor's card and the director's list.
        card = client_for(sponsors.rival).get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert (card["seats_used"], card["unfunded"]) == (2, None)
        listed = client_for(world.director).get(
            f"{API}/director/cohorts/{world.cohort.id}/sponsorships"
        )
        assert {r["sponsor"]: r["seats_used"] for r in listed.json()} == {
            "Savannah Fund": 8,
            "Rival Fund": 2,
        }

    def test_seats_lowered_below_those_used_leave_learners_unfunded_never_negative(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        learners(session, world, world.cohort, 8, "w.ten")
        first = fund(session, world, sponsors, seats=8)
        rival_funds(session, world, sponsors, seats=5)
        sponsorships.update_sponsorship(
            session, principal(session, world.director), first, form(sponsors.org, seats=3)
        )
        session.commit()
        assert seats_read(session, world, sponsors) == {
            "sponsors": {"Savannah Fund": (3, 3, None), "Rival Fund": (5, 5, None)},
            "director": {"Savannah Fund": (3, 3), "Rival Fund": (5, 5)},
            "report": {"Savannah Fund": (3, 2), "Rival Fund": (5, 2)},
            "cohort": {"enrolled": 10, "funded": 8, "unfunded": 2},
        }

    def test_a_sponsorship_not_begun_takes_no_seat_from_the_one_running_now(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """A director records next term's sponsor first, then this term's: the one paying now
        reads its learners on its seats, the one to come reads none used yet."""
        learners(session, world, world.cohort, 8, "w.ten")  # 10 enrolled
        today = date.today()
        fund(  # Savannah Fund, next term, recorded first
            session,
            world,
            sponsors,
            starts_on=today + timedelta(days=30),
            ends_on=today + timedelta(days=120),
        )
        rival_funds(session, world, sponsors, seats=10)  # Rival Fund, this term
        assert seats_read(session, world, sponsors) == {
            "sponsors": {"Savannah Fund": (0, 10, None), "Rival Fund": (10, 10, None)},
            "director": {"Savannah Fund": (0, 10), "Rival Fund": (10, 10)},
            "report": {"Savannah Fund": (0, 0), "Rival Fund": (10, 0)},
            "cohort": {"enrolled": 10, "funded": 10, "unfunded": 0},
        }

    def test_an_ended_sponsorship_keeps_its_figure_and_the_next_term_funds_afresh(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """Last term's sponsorship (recorded first) keeps the learners it funded; this term's
        shares today's learners with no one, and only it counts against today's unfunded."""
        learners(session, world, world.cohort, 8, "w.ten")  # 10 enrolled
        enrolled_days_ago(session, world, 90)
        today = date.today()
        fund(  # Savannah Fund, last term: 8 seats
            session,
            world,
            sponsors,
            seats=8,
            starts_on=today - timedelta(days=80),
            ends_on=today - timedelta(days=10),
        )
        rival_funds(  # Rival Fund, this term: 6 seats
            session, world, sponsors, seats=6, starts_on=today - timedelta(days=9)
        )
        late = make_user(session, "w.late@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, late)  # 11 enrolled now, 10 by last term's end
        assert seats_read(session, world, sponsors) == {
            "sponsors": {"Savannah Fund": (8, 8, None), "Rival Fund": (6, 6, None)},
            "director": {"Savannah Fund": (8, 8), "Rival Fund": (6, 6)},
            "report": {"Savannah Fund": (8, 5), "Rival Fund": (6, 5)},
            "cohort": {"enrolled": 11, "funded": 6, "unfunded": 5},
        }

    def test_a_director_who_also_sponsors_the_cohort_reads_it_as_its_director(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """The report of one cohort for someone who runs it and also sponsors it (their
        organisation is a sponsor too): every sponsorship and who is on none, as its directors
        read it, not only their own sponsor organisation's."""
        fund(session, world, sponsors, seats=1)
        rival_funds(session, world, sponsors, seats=5)
        session.add(
            RoleAssignment(
                user_id=world.director.id or 0, role=Role.sponsor, organization_id=sponsors.org.id
            )
        )
        session.commit()
        both = principal(session, world.director)
        report = sponsorships.report(session, both, world.cohort.id or 0).cohorts
        assert {c.sponsorship.sponsor: (c.seats_used, c.unfunded) for c in report} == {
            "Savannah Fund": (1, 0),
            "Rival Fund": (1, 0),
        }
        # As a sponsor they still read their own organisation's sponsorship on the dashboard.
        [mine] = sponsorships.dashboard(session, both).cohorts
        assert (mine.sponsorship.sponsor, mine.unfunded) == ("Savannah Fund", None)

    def test_one_sponsor_of_two_cohorts_counts_each_cohort_apart(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        director = principal(session, world.director)
        fund(session, world, sponsors, seats=1)  # Spring: 2 enrolled
        rival_funds(session, world, sponsors, seats=5)
        learners(session, world, world.other_cohort, 3, "w.eve")  # Evening: 1 + 3 enrolled
        sponsorships.create_sponsorship(
            session, director, world.other_cohort.id or 0, form(sponsors.org, seats=3)
        )
        session.commit()
        mine = sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts
        assert {c.cohort: (c.enrolled, c.seats_used) for c in mine} == {
            "Spring": (2, 1),
            "Evening": (4, 3),
        }
        [rival] = sponsorships.dashboard(session, principal(session, sponsors.rival)).cohorts
        assert (rival.cohort, rival.seats_used) == ("Spring", 1)
        evening = sponsorships.cohort_sponsors(session, director, world.other_cohort.id or 0).seats
        assert (evening.funded, evening.unfunded) == (3, 1)
        spring = sponsorships.cohort_sponsors(session, director, world.cohort.id or 0).seats
        assert (spring.funded, spring.unfunded) == (2, 0)


def enrolled_days_ago(session: Session, world: World, days: int) -> None:
    for row in session.exec(select(Enrollment).where(Enrollment.cohort_id == world.cohort.id)):
        row.enrolled_at = utcnow() - timedelta(days=days)
        session.add(row)
    session.commit()


class TestAnEndedSponsorship:
    """Once its end date has passed, a sponsorship's sponsor keeps the cohort's figures for the
    period they funded, but no learner by name, consent or not: `sponsorships.is_current`."""

    def test_is_current_until_the_end_date_has_passed(self) -> None:
        ends = date(2026, 3, 31)
        row = Sponsorship(
            organization_id=1,
            cohort_id=1,
            seats=1,
            amount=Decimal(0),
            currency="USD",
            starts_on=date(2026, 1, 1),
            ends_on=ends,
        )
        assert sponsorships.is_current(row, ends)
        assert sponsorships.is_current(row, date(2026, 1, 1))  # its first day
        assert not sponsorships.is_current(row, date(2025, 12, 31))  # not begun yet
        assert not sponsorships.is_current(row, ends + timedelta(days=1))

    def test_the_sponsor_keeps_the_figures_of_the_funded_period_but_no_names(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        today = utcnow().date()
        fund(
            session,
            world,
            sponsors,
            starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=5),
        )
        enrolled_days_ago(session, world, 90)
        approve(session, world.student, world.m1, days_ago=20)  # in the funded period
        approve(session, world.student2, world.m3, days_ago=1)  # after it ended
        late = make_user(session, "w.late@example.org", "student", organization_id=world.org.id)
        enroll(session, world.cohort, late)  # joined after it ended: not in its figures
        share(session, world.student)
        share(session, world.student2)
        me = principal(session, sponsors.sponsor)
        [c] = sponsorships.dashboard(session, me).cohorts
        assert (c.learners, c.withheld) == ([], 0)
        assert c.ended is True
        assert (c.enrolled, c.seats_used) == (2, 2)
        assert (c.approvals, c.active_30d, c.active_7d) == (1, 1, 0)
        assert [(t.track, t.approvals) for t in c.approvals_per_track] == [("Builders", 1)]
        assert sum(w.submissions for w in c.submissions_per_week) == 1
        # The 8 weeks shown end with the one the sponsorship ended in.
        last = c.submissions_per_week[-1].week
        assert last <= today - timedelta(days=5) < last + timedelta(days=7)
        one = sponsorships.sponsored_cohort(session, me, world.cohort.id or 0)
        assert one.ended and one.learners == []
        csv_text = sponsorships.report_csv(session, me)
        assert world.student.full_name not in csv_text and "Spring" in csv_text

    def test_what_happens_after_the_end_date_leaves_its_figures_as_they_were(
        self, session: Session, world: World, sponsors: Sponsors
    ) -> None:
        """A learner withdrawn or a certificate revoked after the last day changes nothing in
        the ended period's figures; a learner who left before it is not in them."""
        today = utcnow().date()
        sid = fund(
            session,
            world,
            sponsors,
            starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=5),
        )
        enrolled_days_ago(session, world, 90)
        approve(session, world.student, world.m1, days_ago=20)
        approve(session, world.student2, world.m3, days_ago=30)
        rows = {
            e.student_id: e
            for e in session.exec(select(Enrollment).where(Enrollment.cohort_id == world.cohort.id))
        }
        done, left_early = rows[world.student.id or 0], rows[world.student2.id or 0]
        done.status, done.completed_at = EnrollmentStatus.completed, utcnow() - timedelta(days=20)
        cert = Certificate(
            code="ended-period-1",
            user_id=world.student.id or 0,
            cohort_id=world.cohort.id or 0,
            track_id=world.m1.track_id,
            issued_at=utcnow() - timedelta(days=20),
        )
        left_early.status = EnrollmentStatus.withdrawn
        left_early.withdrawn_at = utcnow() - timedelta(days=10)  # before the end
        session.add_all([done, left_early, cert])
        session.commit()
        me, director = principal(session, sponsors.sponsor), principal(session, world.director)

        def figures() -> tuple[int, int, int | None, int, int, int]:
            [c] = sponsorships.dashboard(session, me).cohorts
            [row] = sponsorships.cohort_sponsorships(session, director, world.cohort.id or 0)
            assert row.id == sid
            weekly = sum(w.submissions for w in c.submissions_per_week)
            return (c.enrolled, c.seats_used, row.seats_used, c.completions, c.certificates, weekly)

        before = figures()
        assert before == (1, 1, 1, 1, 1, 1)
        # After the end: the completed learner is withdrawn, their certificate revoked.
        done.status, done.withdrawn_at = EnrollmentStatus.withdrawn, utcnow() - timedelta(days=1)
        cert.revoked_at = utcnow() - timedelta(days=1)
        session.add_all([done, cert])
        session.commit()
        assert figures() == before
        # The cohort's figures of today do change: no one is enrolled now.
        seats = sponsorships.cohort_sponsors(session, director, world.cohort.id or 0).seats
        assert seats.enrolled == 0

    def test_over_the_api_no_name_after_the_end_date(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        today = utcnow().date()
        enrolled_days_ago(session, world, 90)
        sid = fund(session, world, sponsors)
        share(session, world.student)
        client = client_for(sponsors.sponsor)
        cohorts = client.get(f"{API}/sponsor/cohorts").json()["cohorts"]
        assert [le["name"] for le in cohorts[0]["learners"]] == [world.student.full_name]
        # The director moves the end date into the past: the names go, the figures stay.
        director = client_for(world.director)
        body = form(
            sponsors.org, starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1)
        ).model_dump(mode="json")
        assert director.put(f"{API}/director/sponsorships/{sid}", json=body).status_code == 200
        for url in (
            f"{API}/sponsor/cohorts",
            f"{API}/sponsor/cohorts/{world.cohort.id}",
            f"{API}/sponsor/report.csv",
        ):
            r = client.get(url)
            assert r.status_code == 200, r.text
            assert world.student.full_name not in r.text and world.student.email not in r.text
        one = client.get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert one["ended"] is True and one["learners"] == [] and one["enrolled"] == 2
        assert cohorts[0]["ended"] is False  # before the end date moved


def test_the_weeks_begin_on_monday_in_the_sponsors_own_zone(
    session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
) -> None:
    """Submissions per week: weeks begin on Monday at midnight where the sponsor is (they began
    at midnight UTC), on the dashboard and over the API alike."""
    sponsors.sponsor.time_zone = "Africa/Nairobi"
    session.add(sponsors.sponsor)
    session.commit()
    fund(session, world, sponsors)
    enrolled_days_ago(session, world, 90)
    today = utcnow().date()
    monday = today - timedelta(days=today.weekday() + 7)  # last week's Monday (UTC)
    at = datetime.combine(monday, datetime.min.time(), UTC) - timedelta(hours=2)  # 01:00 there
    session.add(
        Submission(
            student_id=world.student.id or 0,
            mission_id=world.m1.id or 0,
            status=SubmissionStatus.submitted,
            submitted_at=at,
        )
    )
    session.commit()
    [c] = sponsorships.dashboard(session, principal(session, sponsors.sponsor)).cohorts
    assert [w.week for w in c.submissions_per_week if w.submissions] == [monday]
    assert all(w.week.weekday() == 0 for w in c.submissions_per_week)
    body = client_for(sponsors.sponsor).get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
    counted = [w["week"] for w in body["submissions_per_week"] if w["submissions"]]
    assert counted == [monday.isoformat()]


class TestASponsorshipNotBegunYet:
    """Before its start date a sponsorship is not current: its sponsor sees the cohort and
    when the funding starts, but no learner by name, consent or not (names come with it)."""

    def test_the_sponsor_sees_the_start_date_and_no_names(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        today = utcnow().date()
        starts = today + timedelta(days=10)
        sid = fund(session, world, sponsors, starts_on=starts, ends_on=today + timedelta(days=90))
        share(session, world.student)
        me = principal(session, sponsors.sponsor)
        [c] = sponsorships.dashboard(session, me).cohorts
        assert (c.learners, c.withheld, c.ended) == ([], 0, False)
        assert c.starts_on_later == starts
        assert c.enrolled == 2  # the cohort's figures are still shown
        assert world.student.full_name not in sponsorships.report_csv(session, me)
        client = client_for(sponsors.sponsor)
        one = client.get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert one["learners"] == [] and one["starts_on_later"] == starts.isoformat()
        # From its first day the sponsor reads the learners who share, by name.
        director = client_for(world.director)
        body = form(sponsors.org, starts_on=today).model_dump(mode="json")
        assert director.put(f"{API}/director/sponsorships/{sid}", json=body).status_code == 200
        one = client.get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert [le["name"] for le in one["learners"]] == [world.student.full_name]
        assert one["starts_on_later"] is None


class TestDaysInTheCohortsZone:
    """A sponsorship's dates are days in its cohort's zone (the cohort director's time zone),
    the same instants for every reader: it begins at midnight starting its first day and ends
    at midnight after its last day there. They were UTC days: one ending on a Nairobi cohort's
    31 March ran on until 03:00 there on 1 April, one in New York stopped at 20:00 on 31 March."""

    @staticmethod
    def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
        monkeypatch.setattr(sponsorships, "utcnow", lambda: moment.astimezone(UTC))

    @staticmethod
    def directed_from(session: Session, world: World, time_zone: str) -> None:
        world.director.time_zone = time_zone
        session.add(world.director)
        session.commit()

    def far_reader(self, session: Session, s: Sponsors) -> User:
        """A second sponsor of the same organisation, on the other side of the world."""
        reader = make_user(session, "ana@fund.example", "sponsor", organization_id=s.org.id)
        reader.time_zone = "Pacific/Auckland"
        session.add(reader)
        session.commit()
        return reader

    @pytest.mark.parametrize("time_zone", ["Africa/Nairobi", "America/New_York"])
    def test_a_sponsorship_ending_today_runs_until_midnight_in_the_cohorts_zone(
        self,
        session: Session,
        world: World,
        sponsors: Sponsors,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
        time_zone: str,
    ) -> None:
        self.directed_from(session, world, time_zone)
        last_day = utcnow().astimezone(ZoneInfo(time_zone)).date()
        fund(session, world, sponsors, starts_on=last_day - timedelta(days=30), ends_on=last_day)
        share(session, world.student)
        readers = [sponsors.sponsor, self.far_reader(session, sponsors)]
        midnight = datetime.combine(
            last_day + timedelta(days=1), datetime.min.time(), ZoneInfo(time_zone)
        )
        self.at(monkeypatch, midnight - timedelta(minutes=1))  # 23:59 on its last day there
        for reader in readers:
            [c] = sponsorships.dashboard(session, principal(session, reader)).cohorts
            assert (c.ended, [le.name for le in c.learners]) == (False, [world.student.full_name])
        one = client_for(sponsors.sponsor).get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert one["ended"] is False and len(one["learners"]) == 1
        self.at(monkeypatch, midnight)  # the next day there: over, for every reader
        for reader in readers:
            [c] = sponsorships.dashboard(session, principal(session, reader)).cohorts
            assert (c.ended, c.learners) == (True, [])
        one = client_for(sponsors.sponsor).get(f"{API}/sponsor/cohorts/{world.cohort.id}").json()
        assert one["ended"] is True and one["learners"] == []
        assert world.student.full_name not in sponsorships.report_csv(
            session, principal(session, sponsors.sponsor)
        )

    @pytest.mark.parametrize("time_zone", ["Africa/Nairobi", "America/New_York"])
    def test_a_sponsorship_begins_at_midnight_in_the_cohorts_zone(
        self,
        session: Session,
        world: World,
        sponsors: Sponsors,
        monkeypatch: pytest.MonkeyPatch,
        time_zone: str,
    ) -> None:
        self.directed_from(session, world, time_zone)
        first_day = utcnow().astimezone(ZoneInfo(time_zone)).date() + timedelta(days=1)
        fund(session, world, sponsors, starts_on=first_day, ends_on=first_day + timedelta(days=60))
        share(session, world.student)
        readers = [sponsors.sponsor, self.far_reader(session, sponsors)]
        midnight = datetime.combine(first_day, datetime.min.time(), ZoneInfo(time_zone))
        self.at(monkeypatch, midnight - timedelta(minutes=1))  # 23:59 the day before, there
        for reader in readers:
            [c] = sponsorships.dashboard(session, principal(session, reader)).cohorts
            assert (c.starts_on_later, c.learners) == (first_day, [])
        self.at(monkeypatch, midnight)
        for reader in readers:
            [c] = sponsorships.dashboard(session, principal(session, reader)).cohorts
            assert c.starts_on_later is None
            assert [le.name for le in c.learners] == [world.student.full_name]


class TestApi:
    def test_the_sponsor_routes(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        fund(session, world, sponsors)
        share(session, world.student)
        client = client_for(sponsors.sponsor)
        r = client.get(f"{API}/sponsor/cohorts")
        assert r.status_code == 200, r.text
        [c] = r.json()["cohorts"]
        assert c["cohort"] == "Spring" and c["seats_used"] == 2
        assert [le["name"] for le in c["learners"]] == [world.student.full_name]
        one = client.get(f"{API}/sponsor/cohorts/{world.cohort.id}")
        assert one.status_code == 200 and one.json()["cohort_id"] == world.cohort.id
        assert client.get(f"{API}/sponsor/cohorts/{world.other_cohort.id}").status_code == 404
        assert (
            client_for(sponsors.rival).get(f"{API}/sponsor/cohorts/{world.cohort.id}").status_code
            == 404
        )
        assert client_for(world.student).get(f"{API}/sponsor/cohorts").status_code == 403

    def test_one_cohort_funded_twice_reads_each_sponsorship_by_its_organisation(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        """A sponsor of two organisations that both fund a cohort, and an admin, see both
        sponsorships on the dashboard (one card each); the one-cohort route answered the first
        of them only. It now says which other sponsors they may read, and gives each one's
        sponsorship with `?organization_id=`; without it, the first the dashboard lists."""
        fund(session, world, sponsors, seats=10)
        sponsorships.create_sponsorship(
            session,
            principal(session, world.director),
            world.cohort.id or 0,
            form(sponsors.rival_org, seats=4),
        )
        session.commit()
        both = make_user(session, "both@fund.example", "sponsor", organization_id=sponsors.org.id)
        from_rival = RoleAssignment(
            user_id=both.id or 0, role=Role.sponsor, organization_id=sponsors.rival_org.id
        )
        session.add(from_rival)
        session.commit()
        url = f"{API}/sponsor/cohorts/{world.cohort.id}"
        for reader in (both, world.admin):
            client = client_for(reader)
            cards = client.get(f"{API}/sponsor/cohorts").json()["cohorts"]
            assert [c["sponsorship"]["seats"] for c in cards] == [10, 4]
            first = client.get(url).json()
            assert first["sponsorship"]["seats"] == 10
            assert first["other_sponsors"] == [{"id": sponsors.rival_org.id, "name": "Rival Fund"}]
            rival = client.get(url, params={"organization_id": sponsors.rival_org.id})
            assert rival.status_code == 200, rival.text
            assert rival.json()["sponsorship"]["sponsor"] == "Rival Fund"
            assert rival.json()["sponsorship"]["seats"] == 4
            assert rival.json()["other_sponsors"] == [
                {"id": sponsors.org.id, "name": "Savannah Fund"}
            ]
        # Only one's own organisations: the rival's sponsor can't ask for Savannah Fund's.
        rival_client = client_for(sponsors.rival)
        assert rival_client.get(url).json()["other_sponsors"] == []
        asked = rival_client.get(url, params={"organization_id": sponsors.org.id})
        assert asked.status_code == 404 and asked.json()["detail"]
        assert client_for(both).get(url, params={"organization_id": 0}).status_code == 422

    def test_director_crud_over_the_api(
        self, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        director = client_for(world.director)
        url = f"{API}/director/cohorts/{world.cohort.id}/sponsorships"
        body = form(sponsors.org).model_dump(mode="json")
        r = director.post(url, json=body)
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert director.post(url, json=body).status_code == 409
        bad = director.post(url, json={**body, "ends_on": "2020-01-01"})
        assert bad.status_code == 422 and "end date" in bad.json()["detail"]
        assert director.get(url).json()[0]["id"] == sid
        other = client_for(world.other_director)
        assert other.get(url).status_code == 404
        assert other.put(f"{API}/director/sponsorships/{sid}", json=body).status_code == 404
        assert other.delete(f"{API}/director/sponsorships/{sid}").status_code == 404
        put = director.put(f"{API}/director/sponsorships/{sid}", json={**body, "seats": 3})
        assert put.status_code == 200 and put.json()["seats"] == 3
        assert director.delete(f"{API}/director/sponsorships/{sid}").status_code == 200
        assert client_for(sponsors.sponsor).get(f"{API}/sponsor/cohorts").json()["cohorts"] == []

    @pytest.mark.parametrize(
        ("starts_on", "ends_on"),
        [("0001-01-01", "0001-01-01"), ("1999-12-31", "2026-12-31"), ("2026-01-01", "9999-12-31")],
    )
    def test_a_sponsorship_dated_out_of_range_is_refused_and_the_sponsor_still_reads(
        self,
        world: World,
        sponsors: Sponsors,
        client_for: ClientFor,
        starts_on: str,
        ends_on: str,
    ) -> None:
        # A sponsorship of the year 1 was stored, then every sponsor route answered 500 (its
        # figures' weeks start before the first day a date can hold).
        director = client_for(world.director)
        url = f"{API}/director/cohorts/{world.cohort.id}/sponsorships"
        body = form(sponsors.org).model_dump(mode="json")
        r = director.post(url, json={**body, "starts_on": starts_on, "ends_on": ends_on})
        assert r.status_code == 422 and "between the years 2000 and 2100" in r.json()["detail"]
        assert director.get(url).json() == []
        sid = director.post(url, json=body).json()["id"]
        r = director.put(
            f"{API}/director/sponsorships/{sid}",
            json={**body, "starts_on": starts_on, "ends_on": ends_on},
        )
        assert r.status_code == 422 and "between the years 2000 and 2100" in r.json()["detail"]
        sponsor = client_for(sponsors.sponsor)
        for route in (
            "/sponsor/cohorts",
            f"/sponsor/cohorts/{world.cohort.id}",
            "/sponsor/report.csv",
        ):
            assert sponsor.get(API + route).status_code == 200, route

    def test_an_amount_of_minus_zero_is_zero(
        self, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        # "-0" passed the amount's rules (not below 0) and was stored and shown as "-0.00".
        director = client_for(world.director)
        url = f"{API}/director/cohorts/{world.cohort.id}/sponsorships"
        body = {**form(sponsors.org).model_dump(mode="json"), "amount": "-0"}
        r = director.post(url, json=body)
        assert r.status_code == 201 and r.json()["amount"] == "0.00", r.text
        [c] = client_for(sponsors.sponsor).get(f"{API}/sponsor/cohorts").json()["cohorts"]
        assert c["sponsorship"]["amount"] == "0.00"

    def test_the_csv_report_and_formula_injection(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        world.cohort.name = "+Spring"
        session.add(world.cohort)
        world.student.full_name = '=HYPERLINK("http://evil.example","click")'
        session.add(world.student)
        session.commit()
        fund(session, world, sponsors, notes="@SUM(1+1)")
        share(session, world.student)
        r = client_for(sponsors.sponsor).get(f"{API}/sponsor/report.csv")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert re.match(
            r'attachment; filename="sponsor-report-\d{4}-\d{2}-\d{2}\.csv"',
            r.headers["content-disposition"],
        )
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0][:3] == ["Cohort", "Programme", "Organisation"]
        assert rows[1][0] == "'+Spring" and rows[1][6:8] == ["10", "2"]
        learners = rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :]
        assert learners == [["'+Spring", "'" + world.student.full_name, "", "0", "3", "0"]]
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell
        assert world.student2.email not in r.text and world.student2.full_name not in r.text

    def test_the_csv_report_is_named_with_the_sponsors_own_date(
        self, session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
    ) -> None:
        # The name's date was the UTC day: a sponsor east or west of UTC near midnight got a
        # file dated the day before or after their own. Of UTC+14 and UTC-11 one is always on
        # another day than UTC.
        fund(session, world, sponsors)
        now = utcnow()
        tz = next(
            z
            for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago")
            if now.astimezone(ZoneInfo(z)).date() != now.date()
        )
        sponsors.sponsor.time_zone = tz
        session.add(sponsors.sponsor)
        session.commit()
        r = client_for(sponsors.sponsor).get(f"{API}/sponsor/report.csv")
        assert r.status_code == 200, r.text
        day = utcnow().astimezone(ZoneInfo(tz)).date().isoformat()
        assert f'filename="sponsor-report-{day}.csv"' in r.headers["content-disposition"]
        moment = datetime(2026, 12, 5, 20, 0, tzinfo=UTC)
        assert sponsorships.report_filename("Pacific/Auckland", now=moment).endswith(
            "2026-12-06.csv"
        )
        assert sponsorships.report_filename(None, now=moment).endswith("2026-12-05.csv")


def _fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_a_sponsor_never_reads_a_non_consenting_learner_through_any_route(
    session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
) -> None:
    """Every GET route of the API, as the funding sponsor, with the learner's id (and the
    cohort's) wherever a path or query names one: the learner who did not consent never
    appears — neither name nor e-mail — while the one who did shows on the sponsor routes."""
    fund(session, world, sponsors)
    share(session, world.student)
    hidden = world.student2
    ids = {
        "user_id": hidden.id or 0,
        "student_id": hidden.id or 0,
        "cohort_id": world.cohort.id or 0,
        "program_id": world.program.id or 0,
    }
    client: TestClient = client_for(sponsors.sponsor)
    seen_consenting = False
    for route in api_routes():
        if "GET" not in (route.methods or set()):
            continue
        if {rule.access.kind for rule in access_rules(route)} == {"public"}:
            continue
        url = API + _fill(route.path, ids)
        r = client.get(url, params={"user": hidden.id, "student": hidden.id})
        assert r.status_code < 500, f"{url}: {r.status_code}"
        body = r.text
        assert hidden.email not in body and hidden.full_name not in body, url
        seen_consenting = seen_consenting or world.student.full_name in body
    assert seen_consenting


def test_a_learner_shares_and_withdraws_through_the_consents_api(
    session: Session, world: World, sponsors: Sponsors, client_for: ClientFor
) -> None:
    fund(session, world, sponsors)
    learner, sponsor = client_for(world.student), client_for(sponsors.sponsor)
    url = f"{API}/auth/consents"
    r = learner.post(url, json={"kind": "sponsor_sharing", "granted": True})
    assert r.status_code == 200, r.text
    names = [
        le["name"] for le in sponsor.get(f"{API}/sponsor/cohorts").json()["cohorts"][0]["learners"]
    ]
    assert names == [world.student.full_name]
    assert learner.post(url, json={"kind": "sponsor_sharing", "granted": False}).status_code == 200
    assert sponsor.get(f"{API}/sponsor/cohorts").json()["cohorts"][0]["learners"] == []


def test_the_sponsors_panel_follows_an_enrolment_made_on_the_cohort_page(
    session: Session, world: World, sponsors: Sponsors, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enrolling on the cohort page refreshes the Sponsors panel's seats in place (it kept the
    old figures while the header said one more seat was taken)."""
    fund(session, world, sponsors)
    director = principal(session, world.director)
    address = f"/director/cohorts/{world.cohort.id}"
    panel = page_state(CohortSponsorsState, session, director, monkeypatch)
    opened_at(panel, COHORT_ROUTE, address)
    run_in_own_loop(CohortSponsorsState.event_handlers["load"].fn(panel))
    before = panel.seats_note
    page = page_state(DirectorCohortState, session, director, monkeypatch)
    opened_at(page, COHORT_ROUTE, address)
    run_in_own_loop(DirectorCohortState.event_handlers["load"].fn(page))
    form_ = {"email": world.outsider_student.email, "full_name": ""}
    asked = run_in_own_loop(DirectorCohortState.event_handlers["enroll"].fn(page, form_))
    assert CohortSponsorsState.refresh in asked
    run_in_own_loop(CohortSponsorsState.event_handlers["refresh"].fn(panel))
    assert panel.seats_note != before
    assert panel.seats_note.startswith(f"{_enrolled(before) + 1} learners enrolled")


def _enrolled(note: str) -> int:
    return int(note.split(" ", 1)[0])
