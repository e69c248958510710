"""Cohort enrolment modes, applications and the waitlist, through the services (issue 12 item 5).

Every transition: apply (application mode) -> approved (seat or waitlist) / rejected / withdrawn;
join (open mode) -> enrolled or waitlisted; a seat freed by a withdrawal, an unenrolment, the
rejection of an enrolled person or a capacity raised promotes the first in line, who is told once
in the app and once by e-mail.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from cyberhub import migrate
from cyberhub.models import (
    AuditLog,
    Certificate,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Notification,
    OrganizationMembership,
    OutboxMail,
    RoleAssignment,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.pages import cohorts as cohorts_page
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import memberships, roles
from cyberhub.services.learning import (
    applications,
    certificates,
    enrollment,
    programs,
    sponsorships,
)
from tests.factories import (
    World,
    build_world,
    complete_profiler,
    id_of,
    make_cohort,
    make_org,
    make_user,
    principal,
    submit_and_decide,
)

pytestmark = [pytest.mark.student, pytest.mark.integration]


def outsider(session: Session, email: str) -> User:
    """A learner of no organisation (as self sign-up will make them)."""
    user = User(email=email, full_name=email.split("@")[0].title(), password_hash=None)
    session.add(user)
    session.commit()
    return user


def setup_cohort(session: Session, w: World, mode: str, capacity: int) -> Cohort:
    cohort = make_cohort(session, w.program, director=w.director, name=f"{mode} {capacity}")
    applications.set_enrolment(
        session, w.p(session, w.director), cohort.id or 0, mode=mode, capacity=capacity
    )
    session.commit()
    return cohort


def seat(session: Session, cohort: Cohort, user: User) -> str | None:
    row = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort.id, Enrollment.student_id == user.id
        )
    ).first()
    return row.status if row else None


def notes(session: Session, user: User, kind: str) -> int:
    return len(
        session.exec(
            select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
        ).all()
    )


def mails(session: Session, user: User) -> list[str]:
    return [
        m.subject
        for m in session.exec(
            select(OutboxMail).where(OutboxMail.to_email == user.email).order_by(col(OutboxMail.id))
        ).all()
    ]


def actions(session: Session, cohort: Cohort) -> list[str]:
    return [
        a.action
        for a in session.exec(
            select(AuditLog)
            .where(AuditLog.target_type == "cohort", AuditLog.target_id == cohort.id)
            .order_by(col(AuditLog.id))
        ).all()
    ]


def test_a_new_cohort_is_director_only_and_hidden_from_learners(session: Session) -> None:
    w = build_world(session)
    cohort = make_cohort(session, w.program, director=w.director)
    assert cohort.enrolment_mode == "director"
    ann = outsider(session, "ann@example.org")
    assert cohort.id not in [
        o.id for o in applications.open_cohorts(session, principal(session, ann)).items
    ]
    with pytest.raises(NotFound):
        applications.apply(session, principal(session, ann), cohort.id or 0)


def test_application_approved_enrols_and_makes_a_member(session: Session) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 2)
    ann = outsider(session, "ann@example.org")
    offer = applications.open_cohorts(session, principal(session, ann)).items
    [mine] = [o for o in offer if o.id == cohort.id]
    assert (mine.mode, mine.seats_left, mine.waitlist, mine.my_status) == ("application", 2, 0, "")
    app = applications.apply(session, principal(session, ann), cohort.id or 0)
    session.commit()
    assert app.status == "applied" and seat(session, cohort, ann) is None
    assert not memberships.is_member(session, ann.id or 0, w.org.id or 0)
    # The director hears of it in the app (no e-mail for that).
    assert notes(session, w.director, "application") == 1
    with pytest.raises(Conflict, match="already applied"):
        applications.apply(session, principal(session, ann), cohort.id or 0)
    [pending] = applications.list_applications(
        session, w.p(session, w.director), cohort.id or 0, status="applied"
    ).items
    decided = applications.approve(session, w.p(session, w.director), cohort.id or 0, pending.id)
    session.commit()
    assert decided.status == "enrolled" and seat(session, cohort, ann) == "active"
    assert memberships.is_member(session, ann.id or 0, w.org.id or 0)
    joined = session.exec(
        select(OrganizationMembership).where(OrganizationMembership.user_id == ann.id)
    ).one()
    assert joined.status == "active"
    assert (
        session.exec(
            select(RoleAssignment).where(
                RoleAssignment.user_id == ann.id, RoleAssignment.organization_id == w.org.id
            )
        )
        .one()
        .role
        == "student"
    )
    assert notes(session, ann, "application") == 1
    assert mails(session, ann) == [f"You're enrolled in {cohort.name}"]
    with pytest.raises(Conflict):
        applications.approve(session, w.p(session, w.director), cohort.id or 0, pending.id)
    assert actions(session, cohort)[-3:] == [
        "application.submitted",
        "enrollment.created",
        "application.approved",
    ]


def test_approval_when_full_waitlists_in_order_and_a_withdrawal_promotes(session: Session) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 1)
    d = w.p(session, w.director)
    people = [outsider(session, f"p{i}@example.org") for i in range(4)]
    apps = []
    for p in people:
        apps.append(applications.apply(session, principal(session, p), cohort.id or 0))
        session.commit()
    results = [applications.approve(session, d, cohort.id or 0, a.id) for a in apps]
    session.commit()
    assert [r.status for r in results] == ["enrolled", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.waitlist_position for r in results] == [None, 1, 2, 3]
    assert results[3].position_text == "3rd on the waitlist"
    [offer] = [
        o
        for o in applications.open_cohorts(session, principal(session, people[2])).items
        if o.id == cohort.id
    ]
    assert (offer.my_status, offer.my_position_text, offer.waitlist, offer.seats_left) == (
        "waitlisted",
        "2nd on the waitlist",
        3,
        0,
    )
    assert (
        "3rd on the waitlist"
        in session.exec(select(Notification.body).where(Notification.user_id == people[3].id)).one()
    )
    # The second in line withdraws: the third moves up, nobody is promoted (no seat freed).
    gone = applications.withdraw(session, principal(session, people[2]), cohort.id or 0)
    session.commit()
    assert gone.status == "withdrawn" and gone.waitlist_position is None
    assert applications.my_applications(session, principal(session, people[3]))[
        0
    ].position_text == ("2nd on the waitlist")
    # The enrolled one withdraws: the first in line gets the seat, told once in-app and by mail.
    applications.withdraw(session, principal(session, people[0]), cohort.id or 0)
    session.commit()
    assert seat(session, cohort, people[0]) == "withdrawn"
    assert seat(session, cohort, people[1]) == "active"
    assert notes(session, people[1], "waitlist_promoted") == 1
    assert mails(session, people[1])[-1].startswith("A seat opened")
    assert applications.my_applications(session, principal(session, people[3]))[
        0
    ].position_text == ("1st on the waitlist")
    assert "application.promoted" in actions(session, cohort)
    # A withdrawn learner may apply again, at the back of the queue.
    again = applications.apply(session, principal(session, people[2]), cohort.id or 0)
    assert again.status == "applied"


def test_open_mode_self_enrols_then_waitlists(session: Session) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "open", 2)
    people = [outsider(session, f"o{i}@example.org") for i in range(4)]
    out = []
    for p in people:
        out.append(applications.apply(session, principal(session, p), cohort.id or 0))
        session.commit()
    assert [o.status for o in out] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [o.waitlist_position for o in out] == [None, None, 1, 2]
    assert all(notes(session, p, "waitlist_promoted") == 0 for p in people)
    with pytest.raises(Conflict, match="already enrolled"):
        applications.apply(session, principal(session, people[0]), cohort.id or 0)
    with pytest.raises(Conflict, match="already on the waitlist"):
        applications.apply(session, principal(session, people[2]), cohort.id or 0)
    # Raising the capacity promotes the first in line at once (through the cohort edit too).
    programs.update_cohort(session, w.p(session, w.director), cohort.id or 0, capacity=3)
    session.commit()
    assert seat(session, cohort, people[2]) == "active" and seat(session, cohort, people[3]) is None
    assert notes(session, people[2], "waitlist_promoted") == 1
    applications.set_enrolment(session, w.p(session, w.director), cohort.id or 0, capacity=4)
    session.commit()
    assert seat(session, cohort, people[3]) == "active"
    assert notes(session, people[3], "waitlist_promoted") == 1


def test_a_directors_unenrolment_and_rejection_of_an_enrolled_person_promote(
    session: Session,
) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "open", 1)
    d = w.p(session, w.director)
    a, b, c = (outsider(session, f"u{i}@example.org") for i in range(3))
    for p in (a, b, c):
        applications.apply(session, principal(session, p), cohort.id or 0)
        session.commit()
    enrollment.unenroll(session, d, cohort.id or 0, a.id or 0)
    session.commit()
    assert seat(session, cohort, b) == "active"
    assert applications.my_applications(session, principal(session, a))[0].status == "withdrawn"
    [b_app] = applications.list_applications(session, d, cohort.id or 0, status="enrolled").items
    rejected = applications.reject(session, d, cohort.id or 0, b_app.id)
    session.commit()
    assert rejected.status == "rejected" and seat(session, cohort, b) == "withdrawn"
    assert seat(session, cohort, c) == "active"
    assert notes(session, c, "waitlist_promoted") == 1
    assert notes(session, b, "application") == 1  # told of the rejection
    with pytest.raises(Conflict, match="not accepted"):
        applications.apply(session, principal(session, b), cohort.id or 0)
    with pytest.raises(Conflict, match="already rejected"):
        applications.reject(session, d, cohort.id or 0, b_app.id)


def test_rejecting_a_pending_application(session: Session) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 5)
    ann = outsider(session, "ann@example.org")
    app = applications.apply(session, principal(session, ann), cohort.id or 0)
    out = applications.reject(session, w.p(session, w.director), cohort.id or 0, app.id)
    session.commit()
    assert out.status == "rejected" and seat(session, cohort, ann) is None
    assert not memberships.is_member(session, ann.id or 0, w.org.id or 0)
    with pytest.raises(NotFound):
        applications.withdraw(session, principal(session, ann), cohort.id or 0)


def test_directors_act_only_on_their_organisations_cohorts(session: Session) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 5)
    ann = outsider(session, "ann@example.org")
    app = applications.apply(session, principal(session, ann), cohort.id or 0)
    session.commit()
    other = w.p(session, w.other_director)  # another organisation's: as a cohort nobody has
    with pytest.raises(NotFound):
        applications.approve(session, other, cohort.id or 0, app.id)
    with pytest.raises(NotFound):
        applications.list_applications(session, other, cohort.id or 0)
    with pytest.raises(NotFound):
        applications.set_enrolment(session, other, cohort.id or 0, mode="open")
    for learner in (principal(session, ann), w.p(session, w.student), w.p(session, w.mentor)):
        with pytest.raises(Forbidden):
            applications.approve(session, learner, cohort.id or 0, app.id)
    # An application id of another cohort is not found through this one.
    second = setup_cohort(session, w, "application", 5)
    with pytest.raises(NotFound):
        applications.approve(session, w.p(session, w.director), second.id or 0, app.id)
    assert applications.approve(session, w.p(session, w.admin), cohort.id or 0, app.id).status == (
        "enrolled"
    )


def test_settings_are_checked(session: Session) -> None:
    w = build_world(session)
    d = w.p(session, w.director)
    with pytest.raises(Invalid, match="director, application or open"):
        applications.set_enrolment(session, d, w.cohort.id or 0, mode="lottery")
    with pytest.raises(Conflict, match="already enrolled"):
        applications.set_enrolment(session, d, w.cohort.id or 0, capacity=1)  # 2 enrolled
    with pytest.raises(Invalid):
        applications.set_enrolment(session, d, w.cohort.id or 0, capacity=0)
    s = applications.set_enrolment(session, d, w.cohort.id or 0, mode="open", capacity=3)
    assert (s.mode, s.capacity, s.enrolled, s.seats_left, s.waitlist) == ("open", 3, 2, 1, 0)


def test_ordinals() -> None:
    assert [applications.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
    ]


def test_migration_0014_up_and_down_on_demo_data(
    session: Session, db_url: str, demo: list[int]
) -> None:
    cohorts = session.exec(select(func.count()).select_from(Cohort)).one()
    enrolments = session.exec(select(func.count()).select_from(Enrollment)).one()
    assert cohorts > 0
    session.close()
    migrate.downgrade(db_url, "0014-1")  # 0014 only, whatever precedes it
    assert session.execute(text("SELECT to_regclass('cohort_applications')")).one()[0] is None
    session.close()
    migrate.upgrade(db_url, "0014")
    modes = session.execute(text("SELECT DISTINCT enrolment_mode FROM cohorts")).all()
    assert [m[0] for m in modes] == ["director"]  # every existing cohort works as before
    assert session.exec(select(func.count()).select_from(Cohort)).one() == cohorts
    assert session.exec(select(func.count()).select_from(Enrollment)).one() == enrolments


def test_a_director_enrolling_an_applicant_directly_settles_the_application(
    session: Session,
) -> None:
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 1)
    d = w.p(session, w.director)
    # A member of the organisation (enrolment by e-mail needs membership) applies, then is
    # enrolled by the director from the CSV import: the application is settled, no double seat.
    app = applications.apply(session, w.p(session, w.outsider_student), cohort.id or 0)
    session.commit()
    enrollment.import_csv(
        session, d, cohort.id or 0, f"email,full_name\n{w.outsider_student.email},Out Sider\n"
    )
    session.commit()
    [row] = applications.list_applications(session, d, cohort.id or 0).items
    assert row.status == "enrolled"
    # A learner a director enrolled without any application sees "enrolled" too, not "Apply".
    applications.set_enrolment(session, d, w.cohort.id or 0, mode="open", capacity=30)
    [offer] = [
        o
        for o in applications.open_cohorts(session, w.p(session, w.student)).items
        if o.id == w.cohort.id
    ]
    assert offer.my_status == "enrolled"
    with pytest.raises(Conflict):  # nothing pending any more
        applications.approve(session, d, cohort.id or 0, app.id)
    s = applications.enrolment_settings(session, d, cohort.id or 0)
    assert (s.enrolled, s.waitlist, s.pending) == (1, 0, 0)


def test_a_learner_enrolled_by_a_director_can_give_up_the_seat_the_page_offers(
    session: Session,
) -> None:
    """/cohorts shows a seat a director gave (no application) as "Enrolled" with Withdraw: the
    withdrawal frees it, and the waitlist moves up, as for a seat taken by applying."""
    w = build_world(session)
    d = w.p(session, w.director)
    cohort = w.cohort  # the student was enrolled by the director, without applying
    applications.set_enrolment(session, d, cohort.id or 0, mode="open", capacity=2)
    session.commit()
    waiting = outsider(session, "next@example.org")
    assert applications.apply(session, principal(session, waiting), cohort.id or 0).status == (
        "waitlisted"
    )
    session.commit()
    [offer] = [
        o
        for o in applications.open_cohorts(session, w.p(session, w.student)).items
        if o.id == cohort.id
    ]
    assert offer.my_status == "enrolled"  # the page offers "Withdraw"
    out = applications.withdraw(session, w.p(session, w.student), cohort.id or 0)
    session.commit()
    assert out.status == "withdrawn"
    assert seat(session, cohort, w.student) == "withdrawn"
    assert seat(session, cohort, waiting) == "active"
    assert notes(session, waiting, "waitlist_promoted") == 1
    assert "application.withdrawn" in actions(session, cohort)
    # A cohort only directors enrol stays theirs to manage: nothing to withdraw there.
    with pytest.raises(NotFound):
        applications.withdraw(session, w.p(session, w.outsider_student), w.other_cohort.id or 0)


def test_closing_a_cohort_ends_its_pending_applications_and_waitlist(session: Session) -> None:
    """A closed cohort seats nobody again, and /cohorts no longer lists it: its pending
    applications and waitlist places end (withdrawn, by the director), each learner is told in
    the app and by e-mail, every one is audited; the enrolled keep their seat."""
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 1)
    d = w.p(session, w.director)
    seated, first, second, pending = (outsider(session, f"c{i}@example.org") for i in range(4))
    for p in (seated, first, second, pending):
        applications.apply(session, principal(session, p), cohort.id or 0)
        session.commit()
    for a in applications.list_applications(session, d, cohort.id or 0, status="applied").items[:3]:
        applications.approve(session, d, cohort.id or 0, a.id)
        session.commit()
    told_before = {p.email: notes(session, p, "application") for p in (first, second, pending)}

    certificates.close_cohort(session, d, cohort.id or 0)
    session.commit()

    assert seat(session, cohort, seated) == "active"
    assert applications.my_applications(session, principal(session, seated))[0].status == (
        "enrolled"
    )
    for p in (first, second, pending):
        [mine] = applications.my_applications(session, principal(session, p))
        assert (mine.status, mine.waitlist_position, mine.position_text) == ("withdrawn", None, "")
        assert notes(session, p, "application") == told_before[p.email] + 1
        assert mails(session, p)[-1] == f"{cohort.name} has closed"
    assert applications.enrolment_settings(session, d, cohort.id or 0).waitlist == 0
    ended = session.exec(
        select(AuditLog).where(
            AuditLog.action == "application.cohort_closed", AuditLog.target_id == cohort.id
        )
    ).all()
    assert {a.details["student_id"] for a in ended} == {p.id for p in (first, second, pending)}
    assert {a.details["was"] for a in ended} == {"waitlisted", "applied"}


def test_a_completed_learner_keeps_their_seat_and_the_figures_agree(session: Session) -> None:
    """A learner who completes stays seated until the cohort ends: a full cohort stays full
    (seats left 0 on /cohorts, the director's cohort page and its enrolment panel; the sponsor's
    seats used unchanged), nobody on the waitlist is promoted into a seat that doesn't exist, and
    a director can neither enrol one more nor lower the capacity below the seated."""
    w = build_world(session)
    cid = w.cohort.id or 0
    d = w.p(session, w.director)
    applications.set_enrolment(session, d, cid, mode="open", capacity=2)  # student, student2
    sponsor_org = make_org(session, "Seat Fund")
    make_user(session, "seats@fund.example", "sponsor", organization_id=sponsor_org.id)
    sponsorships.create_sponsorship(
        session,
        d,
        cid,
        SponsorshipIn.model_validate(
            {
                "organization_id": sponsor_org.id,
                "seats": 2,
                "amount": "100",
                "currency": "usd",
                "starts_on": w.cohort.starts_on,
                "ends_on": w.cohort.ends_on,
            }
        ),
    )
    ann = outsider(session, "ann@example.org")
    assert applications.apply(session, principal(session, ann), cid).status == "waitlisted"
    session.commit()
    # The student completes: m1 and m2, their track's required missions, approved by the mentor.
    complete_profiler(session, id_of(w.student), "builders")
    for m in (w.m1, w.m2):
        certificates.set_required(session, d, id_of(w.program), id_of(m), True)
        session.commit()
        submit_and_decide(session, w, m)
    assert seat(session, w.cohort, w.student) == "completed"

    def figures() -> tuple[object, ...]:
        [offer] = [
            o
            for o in applications.open_cohorts(session, principal(session, ann)).items
            if o.id == cid
        ]
        panel = applications.enrolment_settings(session, d, cid)
        page = programs.cohort_detail(session, d, cid)
        funded = sponsorships.sponsored_cohort(session, principal(session, w.admin), cid)
        return (
            (offer.enrolled, offer.seats_left, offer.waitlist, offer.my_status),
            (panel.enrolled, panel.seats_left, panel.waitlist),
            (page.enrolled, page.seats_left),
            funded.seats_used,
        )

    full = ((2, 0, 1, "waitlisted"), (2, 0, 1), (2, 0), 2)
    assert figures() == full
    # Anything that moves the waitlist (here the enrolment panel saved as it is) seats nobody.
    applications.set_enrolment(session, d, cid, capacity=2)
    session.commit()
    assert seat(session, w.cohort, ann) is None and notes(session, ann, "waitlist_promoted") == 0
    assert figures() == full
    with pytest.raises(Conflict, match="is full"):
        enrollment.enroll(session, d, cid, "late@example.org")
    with pytest.raises(Conflict, match="2 students are already enrolled"):
        applications.set_enrolment(session, d, cid, capacity=1)


def test_a_cohort_past_its_last_day_seats_nobody_new(session: Session) -> None:
    """A cohort whose last day has passed ('finished') takes nobody new, as a closed one does:
    a director can't enrol someone (by address or CSV) or approve a pending application, a
    learner can't apply, and a seat freed there promotes nobody from the waitlist. Each of these
    put a learner into the finished cohort (a promoted one told "A seat opened ... your missions
    are waiting"); moving the end date later opens it again, and its waitlist moves up."""
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 1)
    cid = cohort.id or 0
    d = w.p(session, w.director)
    seated, waiting, pending, late = (outsider(session, f"e{i}@example.org") for i in range(4))
    for p in (seated, waiting, pending):
        applications.apply(session, principal(session, p), cid)
        session.commit()
    for a in applications.list_applications(session, d, cid, status="applied").items[:2]:
        applications.approve(session, d, cid, a.id)
        session.commit()
    assert (seat(session, cohort, seated), seat(session, cohort, waiting)) == ("active", None)
    today = utcnow().date()
    cohort.starts_on, cohort.ends_on = today - timedelta(days=60), today - timedelta(days=1)
    session.add(cohort)
    session.commit()
    assert programs.cohort_detail(session, d, cid).status == "finished"

    ended = f"{cohort.name} ended on "
    [app] = applications.list_applications(session, d, cid, status="applied").items
    with pytest.raises(Conflict, match=ended):
        applications.approve(session, d, cid, app.id)
    session.rollback()
    with pytest.raises(Conflict, match=ended):
        enrollment.enroll(session, d, cid, "new.person@example.org")
    session.rollback()
    with pytest.raises(Conflict, match=ended):
        enrollment.import_csv(session, d, cid, "email\nnew.person@example.org\n")
    session.rollback()
    with pytest.raises(Conflict, match=ended):
        applications.apply(session, principal(session, late), cid)
    session.rollback()
    enrollment.unenroll(session, d, cid, id_of(seated))
    session.commit()
    assert seat(session, cohort, waiting) is None
    assert notes(session, waiting, "waitlist_promoted") == 0
    assert [
        a.status for a in applications.my_applications(session, principal(session, waiting))
    ] == ["waitlisted"]

    # Moving the end date later opens it again: the seat freed meanwhile goes to the first in
    # line at once (not to whoever a director enrols next), and the cohort is full again.
    programs.update_cohort(session, d, cid, ends_on=today + timedelta(days=7))
    session.commit()
    assert seat(session, cohort, waiting) == "active"
    assert notes(session, waiting, "waitlist_promoted") == 1
    with pytest.raises(Conflict, match="is full"):
        enrollment.enroll(session, d, cid, "new.person@example.org")


def test_applications_still_pending_when_the_cohort_ends_are_closed_and_the_learner_told_once(
    session: Session,
) -> None:
    """An application (or waitlist place) nobody decided before the cohort's last day stayed
    "applied" forever: the learner was never told. The hourly sweep now closes each one
    (`expired`, with the reason the learner reads) and tells the learner once (in the app and
    by e-mail); seats taken stay, another cohort's pending applications stay, a second sweep
    changes nothing."""
    from worker.scheduler import SCHEDULE  # noqa: PLC0415  (why: only this test reads the worker's schedule)

    assert "expire_ended_applications" in {job.actor for job in SCHEDULE}
    w = build_world(session)
    cohort = setup_cohort(session, w, "application", 1)
    running = setup_cohort(session, w, "application", 5)
    cid = id_of(cohort)
    d = w.p(session, w.director)
    seated, waiting, pending = (outsider(session, f"x{i}@example.org") for i in range(3))
    for p in (seated, waiting, pending):
        applications.apply(session, principal(session, p), cid)
        session.commit()
    applications.apply(session, principal(session, pending), id_of(running))
    session.commit()
    for a in applications.list_applications(session, d, cid, status="applied").items[:2]:
        applications.approve(session, d, cid, a.id)
        session.commit()
    today = utcnow().date()
    assert applications.expire_ended_applications(session) == 0  # not over yet
    cohort.starts_on, cohort.ends_on = today - timedelta(days=60), today - timedelta(days=1)
    session.add(cohort)
    session.commit()

    told = {id_of(u): notes(session, u, "application") for u in (seated, waiting, pending)}
    assert applications.expire_ended_applications(session) == 2
    session.commit()

    def mine(user: User) -> dict[str, tuple[str, str]]:
        return {
            a.cohort_name: (a.status, a.reason)
            for a in applications.my_applications(session, principal(session, user))
        }

    reason = "The cohort ended before your application was decided."
    assert mine(pending) == {cohort.name: ("expired", reason), running.name: ("applied", "")}
    assert mine(waiting) == {cohort.name: ("expired", reason)}
    assert mine(seated) == {cohort.name: ("enrolled", "")}
    page = cohorts_page.cohorts_view(session, principal(session, pending))  # /cohorts
    assert [(c.cohort_name, c.reason) for c in page.closed] == [(cohort.name, reason)]
    assert [o.name for o in page.offers] == [running.name]
    assert seat(session, cohort, seated) == "active"
    for user in (pending, waiting):
        assert notes(session, user, "application") == told[id_of(user)] + 1
        assert mails(session, user)[-1] == f"{cohort.name} has ended"
    assert notes(session, seated, "application") == told[id_of(seated)]
    assert applications.list_applications(session, d, cid, status="applied").items == []

    assert applications.expire_ended_applications(session) == 0
    session.commit()
    assert [notes(session, u, "application") for u in (pending, waiting)] == [
        told[id_of(pending)] + 1,
        told[id_of(waiting)] + 1,
    ]


def test_an_application_to_a_cohort_without_a_director_reaches_the_organisations_directors(
    session: Session,
) -> None:
    """Its director lost the role, so the cohort has none: a new application to it told nobody
    and waited unseen. Now each director of the cohort's organisation is told once (not another
    organisation's, not the one who lost the role); once a director is set again, only they are,
    as before."""
    w = build_world(session)
    org = id_of(w.org)
    cohort = setup_cohort(session, w, "application", 5)
    cid = id_of(cohort)
    second = make_user(session, "second.director@example.org", "director", organization_id=org)
    third = make_user(session, "third.director@example.org", "director", organization_id=org)
    roles.revoke_role(
        session,
        principal(session, w.admin),
        user_id=id_of(w.director),
        role="director",
        organization_id=org,
        reason="Moved to another team",
    )
    session.commit()
    session.refresh(cohort)
    assert cohort.director_id is None

    def told(user: User) -> list[str]:
        return [
            t
            for t in session.exec(
                select(Notification.title).where(
                    Notification.user_id == user.id, Notification.kind == "application"
                )
            ).all()
            if t.startswith("New application")
        ]

    first = outsider(session, "first.applicant@example.org")
    applications.apply(session, principal(session, first), cid)
    session.commit()
    assert told(second) == told(third) == [f"New application to {cohort.name}"]
    assert told(w.director) == told(w.other_director) == []

    programs.update_cohort(session, principal(session, w.admin), cid, director_id=id_of(third))
    session.commit()
    applications.apply(session, principal(session, outsider(session, "b@example.org")), cid)
    session.commit()
    assert len(told(third)) == 2 and len(told(second)) == 1


def test_a_completed_learner_sees_completed_and_cannot_withdraw(session: Session) -> None:
    """/cohorts shows a completed enrolment as "Completed" with a link to the certificate and no
    Withdraw; withdrawing it anyway is refused (Conflict), and the completion stays."""
    w = build_world(session)
    cid = w.cohort.id or 0
    applications.set_enrolment(session, w.p(session, w.director), cid, mode="open", capacity=5)
    session.commit()
    row = session.exec(
        select(Enrollment).where(Enrollment.cohort_id == cid, Enrollment.student_id == w.student.id)
    ).one()
    row.status, row.completed_at = EnrollmentStatus.completed, utcnow()
    cert = Certificate(
        code="done-code-123", user_id=id_of(w.student), cohort_id=cid, track_id=id_of(w.builders)
    )
    session.add_all([row, cert])
    session.commit()

    view = cohorts_page.cohorts_view(session, w.p(session, w.student))
    [card] = [o for o in view.offers if o.id == cid]
    assert (card.my_status, card.status_label) == ("completed", "Completed")
    assert card.my_certificate_url == "/certificates/done-code-123"
    assert not card.can_withdraw and not card.can_apply

    with pytest.raises(Conflict, match="completed"):
        applications.withdraw(session, w.p(session, w.student), cid)
    session.rollback()
    assert seat(session, w.cohort, w.student) == "completed"
