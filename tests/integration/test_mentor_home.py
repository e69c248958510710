"""The mentor home (services/learning/mentoring.py behind /dashboard/mentor): mentors only, their
organizations' cohorts and learners."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import Mission, Organization, Role, RoleAssignment, Submission, User
from cyberhub.services.errors import Forbidden, Invalid, Unauthenticated
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning import mentoring, reviews, submissions
from cyberhub.services.learning.mentoring import mentor_home
from tests.factories import (
    GOOD_ANSWER,
    enroll,
    id_of,
    make_cohort,
    make_mission,
    make_org,
    make_program,
    make_track,
    make_user,
    principal,
    serve,
)

pytestmark = [pytest.mark.admin, pytest.mark.integration]


def principal_of(session: Session, email: str) -> Principal:
    user = session.exec(select(User).where(User.email == email)).one()
    assert user.id is not None
    p = load_principal(session, user.id)
    assert p is not None
    return p


def test_anonymous_and_other_roles_are_refused(session: Session, demo: list[int]) -> None:
    with pytest.raises(Unauthenticated):
        mentor_home(session, None)
    for email in ("student@cyberhub.example", "director@cyberhub.example"):
        with pytest.raises(Forbidden):
            mentor_home(session, principal_of(session, email))


def test_mentor_sees_cohorts_and_students_of_their_organization(
    session: Session, demo: list[int]
) -> None:
    org = session.exec(select(Organization).where(Organization.slug == "ongoza")).one()
    assert org.id is not None
    make_user(session, "late.joiner@example.org", "student", organization_id=org.id)
    other = Organization(name="Coast Campus", slug="coast")
    session.add(other)
    session.commit()
    make_user(session, "elsewhere@example.org", "student", organization_id=other.id)

    home = mentor_home(session, principal_of(session, "mentor@cyberhub.example"))
    assert home.organizations == ["Ongoza CyberHub Academy"]
    assert [c.name for c in home.cohorts] == [
        "Nairobi Spring Cohort",
        "Remote Evening Cohort",
    ]
    assert [c.status for c in home.cohorts] == ["running", "upcoming"]
    assert home.cohorts[0].capacity == 40 and "–" in home.cohorts[0].dates
    emails = [x.email for x in home.learners]
    assert emails == ["late.joiner@example.org", "student@cyberhub.example"]  # newest first
    assert home.learners_total == 2
    assert home.learners[1].name == "Amina Njoroge"
    assert set(home.learners[0].model_dump()) >= {"name", "email", "joined", "organization"}


def test_mentor_of_an_empty_organization_gets_empty_lists(session: Session) -> None:
    org = Organization(name="New Campus", slug="new-campus")
    session.add(org)
    session.commit()
    make_user(session, "m@example.org", "mentor", organization_id=org.id)
    home = mentor_home(session, principal_of(session, "m@example.org"))
    assert home.model_dump() == {
        "organizations": ["New Campus"],
        "cohorts": [],
        "learners": [],
        "learners_total": 0,
        "learners_pages": 1,
    }


def test_the_learner_list_limit_counts_people_not_memberships(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A learner of two of the mentor's organizations is one row naming both, and takes one
    place of the list's limit, not two."""
    monkeypatch.setattr(mentoring, "MAX_LEARNERS", 2)
    first, second = make_org(session, "Alpha Academy"), make_org(session, "Beta Academy")
    mentor = make_user(session, "m2@example.org", "mentor", organization_id=first.id)
    make_user(session, "oldest@example.org", "student", organization_id=first.id)
    make_user(session, "middle@example.org", "student", organization_id=first.id)
    both = make_user(session, "both@example.org", "student", organization_id=first.id)
    for user, role in ((mentor, Role.mentor), (both, Role.student)):
        session.add(RoleAssignment(user_id=id_of(user), role=role, organization_id=second.id))
    session.commit()
    home = mentor_home(session, principal(session, mentor))
    assert [(x.email, x.organization) for x in home.learners] == [
        ("both@example.org", "Alpha Academy, Beta Academy"),
        ("middle@example.org", "Alpha Academy"),
    ]
    assert home.learners_total == 3


def test_learners_are_learners_only_with_the_work_the_mentor_can_act_on(session: Session) -> None:
    """Staff who also hold a student role are not listed (nor counted); each learner carries the
    attempt the mentor can claim, or the one they already hold; claiming from it works."""
    org = make_org(session, "Matching Academy")
    program = make_program(session, org)
    track = make_track(session, program, "builders")
    cohort = make_cohort(session, program)
    first = make_mission(session, program, track, title="Harden a server")
    second = make_mission(session, program, track, title="Read the logs")

    def user(name: str, *roles: str):
        return make_user(session, f"{name}@match.example.org", *roles, organization_id=org.id)

    mentor = user("mentor", "mentor")
    waiting, held, idle = (
        user("waiting", "student"),
        user("held", "student"),
        user("idle", "student"),
    )
    staff = user("staff", "student", "director")
    for learner in (waiting, held, idle, staff):
        enroll(session, cohort, learner)
    serve(session, cohort, mentor)
    mentor_p = principal(session, mentor)

    def submit(learner: User, mission: Mission) -> Submission:
        return submissions.submit(
            session, principal(session, learner), id_of(mission), answer=GOOD_ANSWER
        )

    waiting_sub = submit(waiting, first)
    submit(waiting, second)  # newer: the oldest waiting one is offered
    held_sub = submit(held, first)
    submit(held, second)
    reviews.claim(session, mentor_p, id_of(held_sub))
    session.commit()

    home = mentor_home(session, mentor_p)
    by_email = {x.email: x for x in home.learners}
    assert set(by_email) == {waiting.email, held.email, idle.email}  # not the director
    assert home.learners_total == 3
    to_claim, continuing = by_email[waiting.email].waiting, by_email[held.email].waiting
    assert to_claim is not None and continuing is not None
    assert (to_claim.submission_id, to_claim.mission, to_claim.claimed_by_me) == (
        id_of(waiting_sub),
        "Harden a server",
        False,
    )
    assert (continuing.submission_id, continuing.claimed_by_me) == (id_of(held_sub), True)
    assert by_email[idle.email].waiting is None

    # Claiming from the list goes through the review rules: the attempt is now the mentor's.
    reviews.claim(session, mentor_p, to_claim.submission_id)
    session.commit()
    again = {x.email: x.waiting for x in mentor_home(session, mentor_p).learners}
    now_held = again[waiting.email]
    assert now_held is not None and now_held.claimed_by_me


def test_another_mentors_learners_show_no_work_to_claim(session: Session) -> None:
    """A learner of the organization whose cohort this mentor does not serve is listed (they may
    be matched) but offers nothing to claim: the review rules would refuse it."""
    org = make_org(session, "Two Cohorts Academy")
    program = make_program(session, org)
    track = make_track(session, program, "builders")
    theirs, mine = make_cohort(session, program), make_cohort(session, program)
    mission = make_mission(session, program, track)
    mentor = make_user(session, "m1@two.example.org", "mentor", organization_id=org.id)
    learner = make_user(session, "l1@two.example.org", "student", organization_id=org.id)
    enroll(session, theirs, learner)
    serve(session, mine, mentor)
    submissions.submit(session, principal(session, learner), id_of(mission), answer=GOOD_ANSWER)
    session.commit()
    home = mentor_home(session, principal(session, mentor))
    assert [(x.email, x.waiting) for x in home.learners] == [(learner.email, None)]


def test_a_mentor_with_more_learners_than_a_page_reaches_every_one(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learners list stopped at its first MAX_LEARNERS (200) people, with no way to the
    rest: now it pages (newest first) and searches by name or e-mail, the total counting every
    learner that matches."""
    monkeypatch.setattr(mentoring, "MAX_LEARNERS", 2)
    org = make_org(session, "Paging Academy")
    mentor = make_user(session, "m@paging.example.org", "mentor", organization_id=org.id)
    names = ["Ada Ochieng", "Baraka Mwangi", "Chege Otieno", "Dalia Ochieng", "Eko Kamau"]
    for name in names:  # created oldest first: the list shows Eko first
        user = make_user(
            session,
            f"{name.split()[0].lower()}@paging.example.org",
            "student",
            organization_id=org.id,
        )
        user.full_name = name
        session.add(user)
    session.commit()
    me = principal(session, mentor)
    pages = [mentoring.mentor_learners(session, me, page=n) for n in (1, 2, 3)]
    assert [[x.name for x in p.items] for p in pages] == [
        ["Eko Kamau", "Dalia Ochieng"],
        ["Chege Otieno", "Baraka Mwangi"],
        ["Ada Ochieng"],
    ]
    assert {(p.total, p.pages) for p in pages} == {(5, 3)}
    assert [p.page for p in pages] == [1, 2, 3]
    found = mentoring.mentor_learners(session, me, q="ochieng")
    assert ([x.name for x in found.items], found.total, found.pages) == (
        ["Dalia Ochieng", "Ada Ochieng"],
        2,
        1,
    )
    by_email = mentoring.mentor_learners(session, me, q="BARAKA@")
    assert [x.name for x in by_email.items] == ["Baraka Mwangi"]
    # The home's first page is the list's first page.
    home = mentor_home(session, me)
    assert [x.name for x in home.learners] == ["Eko Kamau", "Dalia Ochieng"]
    assert home.learners_total == 5
    with pytest.raises(Invalid, match="page must be 1 or more"):
        mentoring.mentor_learners(session, me, page=0)


def test_a_page_past_the_end_answers_the_last_page(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list shrank (or the page asked is stale): page 5 of a 2-page list answers page 2,
    saying so, rather than an empty page the caller must ask again for."""
    monkeypatch.setattr(mentoring, "MAX_LEARNERS", 2)
    org = make_org(session, "Short Academy")
    mentor = make_user(session, "m@short.example.org", "mentor", organization_id=org.id)
    for n in range(3):  # created oldest first: the last page holds the oldest
        make_user(session, f"learner{n}@short.example.org", "student", organization_id=org.id)
    me = principal(session, mentor)
    found = mentoring.mentor_learners(session, me, page=5)
    assert (found.page, found.pages, found.total) == (2, 2, 3)
    assert [x.email for x in found.items] == ["learner0@short.example.org"]
    assert mentor_home(session, me).learners_pages == 2
    empty = mentoring.mentor_learners(session, me, q="nobody", page=3)
    assert (empty.page, empty.pages, empty.items) == (1, 1, [])
