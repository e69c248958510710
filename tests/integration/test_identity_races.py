"""Identity writes made twice at the same moment (a double click, two admins): the second gets
the usual answer a sequential repeat gets, never a second row nor the database's error."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub import db
from cyberhub.models import (
    ApiKey,
    CalendarFeed,
    Invitation,
    InvitationStatus,
    Organization,
    OrganizationMembership,
    RefreshToken,
    RoleAssignment,
)
from cyberhub.services.admin import audit
from cyberhub.services.errors import DomainError
from cyberhub.services.identity import (
    accounts,
    api_keys,
    browser_sessions,
    deactivation,
    memberships,
    organizations,
    password_change,
    reauth,
    roles,
    signed_in_sessions,
    tokens,
)
from cyberhub.services.identity.permissions import DEACTIVATED, Principal
from cyberhub.services.learning import calendar_feed
from tests.factories import PASSWORD, World, build_world, id_of, make_user, principal
from tests.races import pause_at, second_when_first_reaches, second_while_first_holds

pytestmark = [pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("same slug", "The slug 'north-campus' is already used by another organization."),
        ("same name", "An organization named 'North Campus' already exists."),
    ],
)
def test_the_same_organization_created_twice_at_once_is_created_once(
    session: Session, world: World, second: str, message: str
) -> None:
    admin = principal(session, world.admin)

    def then(s: Session) -> object:
        if second == "same slug":
            return organizations.create(s, admin, name="South Campus", slug="north-campus")
        return organizations.create(s, admin, name="north campus", slug="north-2")

    answers = second_while_first_holds(
        lambda s: organizations.create(s, admin, name="North Campus"), then
    )
    assert answers == ("ok", message)
    session.expire_all()
    rows = session.exec(
        select(Organization).where(
            col(Organization.slug).in_(["north-campus", "north-2"])
            | (func.lower(Organization.name).in_(["north campus", "south campus"]))
        )
    ).all()
    assert [(o.name, o.slug) for o in rows] == [("North Campus", "north-campus")]


@pytest.mark.parametrize("where", ["organization", "global"])
def test_the_same_role_granted_twice_at_once_is_granted_once(
    session: Session, world: World, where: str
) -> None:
    admin = principal(session, world.admin)
    uid = id_of(world.student)
    role, org_id = ("mentor", id_of(world.org)) if where == "organization" else ("admin", None)

    def grant(s: Session) -> object:
        return roles.assign_role(
            s, admin, user_id=uid, role=role, organization_id=org_id, reason="Helps out"
        )

    answers = second_while_first_holds(grant, grant)
    place = "in Test Academy" if org_id else "globally (every organization)"
    assert answers == ("ok", f"{world.student.email} already has the {role} role {place}.")
    session.expire_all()
    held = session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == uid, RoleAssignment.role == role)
    ).all()
    assert len(held) == 1


def test_the_same_member_added_twice_at_once_is_added_once(session: Session, world: World) -> None:
    """An admin adds an account that is not a member yet (it joins and gets the role), twice at
    the same moment: the second gets what adding them again gets (the role is held), not the
    database's error from a second membership or role row."""
    admin = principal(session, world.admin)
    newcomer = make_user(session, "newcomer@example.org")
    org_id = id_of(world.org)

    def add(s: Session) -> object:
        return organizations.add_member(
            s, admin, org_id, email="newcomer@example.org", role="student"
        )

    answers = second_while_first_holds(add, add)
    assert answers == ("ok", "newcomer@example.org already has the student role in Test Academy.")
    session.expire_all()
    uid = id_of(newcomer)
    assert len(session.exec(select(RoleAssignment).where(RoleAssignment.user_id == uid)).all()) == 1
    assert (
        len(
            session.exec(
                select(OrganizationMembership).where(OrganizationMembership.user_id == uid)
            ).all()
        )
        == 1
    )


def test_the_same_person_invited_twice_at_once_is_invited_once(
    session: Session, world: World
) -> None:
    director = principal(session, world.director)
    org_id = id_of(world.org)

    def invite(s: Session) -> object:
        return memberships.invite(s, director, org_id, email="Friend@Example.org", role="student")

    answers = second_while_first_holds(invite, invite)
    assert answers == (
        "ok",
        "friend@example.org already has a pending invitation to Test Academy.",
    )
    session.expire_all()
    pending = session.exec(
        select(Invitation).where(
            Invitation.email == "friend@example.org",
            Invitation.status == InvitationStatus.pending,
        )
    ).all()
    assert len(pending) == 1


@pytest.mark.parametrize("first", ["on", "off"])
def test_the_calendar_feed_turned_on_and_off_at_once_takes_turns(
    session: Session, world: World, first: str
) -> None:
    """With a live feed, turning it on again (a new address) and off at the same moment: both
    succeed one after the other (no deadlock, which users read as "database restarting")."""
    uid = id_of(world.student)
    calendar_feed.create_feed(session, principal(session, world.student))
    session.commit()

    def on(s: Session) -> object:
        return calendar_feed.create_feed(s, principal(s, world.student))

    def off(s: Session) -> object:
        return calendar_feed.revoke_feed(s, principal(s, world.student))

    answers = second_while_first_holds(*((on, off) if first == "on" else (off, on)))
    assert answers == ("ok", "ok")
    session.expire_all()
    live = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == uid, col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    assert len(live) == (0 if first == "on" else 1)


def test_the_calendar_feed_turned_off_while_being_turned_on_does_not_deadlock(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turning the feed off had stopped the live feed and was about to audit it when turning it
    on again began: on took the user's row, then waited for the feed row off had stopped, while
    off's audit row waited for the user's row. Postgres broke the deadlock by failing one
    ("database restarting", 503). Now both take the user's row first and take turns."""
    user = world.student
    calendar_feed.create_feed(session, principal(session, user))
    session.commit()
    turned_off = threading.Event()
    record = audit.record

    def record_after_a_pause(s: Session, action: str, *args: object, **kwargs: object) -> object:
        if action == "calendar_feed.revoked":
            turned_off.set()
            threading.Event().wait(0.5)  # meanwhile, turning it on starts
        return record(s, action, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(audit, "record", record_after_a_pause)
    answers: dict[str, str] = {}

    def run(name: str, write: object) -> None:
        try:
            with db.session_scope() as s:
                write(s)  # type: ignore[operator]
            answers[name] = "ok"
        except DomainError as exc:
            answers[name] = exc.message
        except Exception as exc:
            answers[name] = type(exc).__name__

    def off() -> None:
        run("off", lambda s: calendar_feed.revoke_feed(s, principal(s, user)))
        turned_off.set()

    def on() -> None:
        turned_off.wait(10)
        run("on", lambda s: calendar_feed.create_feed(s, principal(s, user)))

    threads = [threading.Thread(target=off), threading.Thread(target=on)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert answers == {"off": "ok", "on": "ok"}
    session.expire_all()
    live = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.user_id == id_of(user), col(CalendarFeed.revoked_at).is_(None)
        )
    ).all()
    assert len(live) == 1


@pytest.mark.parametrize("first", ["add", "accept"])
def test_a_member_added_while_accepting_their_invitation_joins_once(
    session: Session, world: World, first: str
) -> None:
    """An admin adds an account at the moment it accepts its invitation to the same role: both
    make it a member and give it the role; the second finds the first's membership and role
    (accepting then answers ok, adding says the role is held), never a second row."""
    admin = principal(session, world.admin)
    newcomer = make_user(session, "joiner@example.org")
    org_id = id_of(world.org)
    sent = memberships.invite(
        session, principal(session, world.director), org_id, email="joiner@example.org"
    )
    session.commit()

    def add(s: Session) -> object:
        return organizations.add_member(
            s, admin, org_id, email="joiner@example.org", role="student"
        )

    def accept(s: Session) -> object:
        return memberships.accept(s, principal(s, newcomer), sent.token)

    answers = second_while_first_holds(*((add, accept) if first == "add" else (accept, add)))
    held = "joiner@example.org already has the student role in Test Academy."
    assert answers == (("ok", "ok") if first == "add" else ("ok", held))
    session.expire_all()
    uid = id_of(newcomer)
    assert len(session.exec(select(RoleAssignment).where(RoleAssignment.user_id == uid)).all()) == 1
    members = session.exec(
        select(OrganizationMembership).where(OrganizationMembership.user_id == uid)
    ).all()
    assert len(members) == 1


@pytest.mark.parametrize("how", ["removed", "leaves"])
def test_a_member_removed_while_a_director_adds_a_role_is_invited_instead(
    session: Session, world: World, how: str
) -> None:
    """An admin removes a member (or they leave) at the moment their director gives them
    another role: the director's request waits for the removal and, as after it, sends an
    invitation (membership is by consent) instead of granting a role to someone no longer a
    member."""
    admin, director = principal(session, world.admin), principal(session, world.director)
    uid, org_id = id_of(world.student2), id_of(world.org)

    def remove(s: Session) -> object:
        if how == "leaves":
            return memberships.leave(s, principal(s, world.student2), org_id)
        return organizations.remove_member(s, admin, org_id, uid, reason="Left the course")

    def add(s: Session) -> object:
        return organizations.add_member(
            s, director, org_id, email=world.student2.email, role="mentor"
        )

    assert second_while_first_holds(remove, add) == ("ok", "ok")
    session.expire_all()
    assert not session.exec(
        select(RoleAssignment).where(
            RoleAssignment.user_id == uid, RoleAssignment.organization_id == org_id
        )
    ).all()
    assert not memberships.is_member(session, uid, org_id)
    [invitation] = session.exec(
        select(Invitation).where(Invitation.email == world.student2.email)
    ).all()
    assert (invitation.role, invitation.status) == ("mentor", InvitationStatus.pending)


def _holds_admin(session: Session, user_id: int | None) -> bool:
    session.expire_all()
    held = session.exec(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user_id, RoleAssignment.role == "admin"
        )
    ).first()
    return held is not None


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
def test_two_admins_taking_each_others_admin_role_leave_one_admin(
    session: Session, world: World, at_once: bool
) -> None:
    """Each admin's request was let in (as an admin) before the other's revocation committed:
    the second is refused, so one admin remains to manage accounts (as for deactivations)."""
    second = make_user(session, "second.admin@example.org", "admin")
    first_admin, second_admin = principal(session, world.admin), principal(session, second)

    def revoke(actor: Principal, user_id: int) -> Callable[[Session], object]:
        def write(s: Session) -> object:
            roles.revoke_role(
                s,
                actor,
                user_id=user_id,
                role="admin",
                organization_id=None,
                reason="Handing over the console.",
            )
            return None

        return write

    if at_once:
        answers = second_while_first_holds(
            revoke(first_admin, id_of(second)), revoke(second_admin, id_of(world.admin))
        )
    else:
        with db.session_scope() as s:
            revoke(first_admin, id_of(second))(s)
        try:
            with db.session_scope() as s:
                revoke(second_admin, id_of(world.admin))(s)
            answers = ("ok", "ok")
        except DomainError as exc:
            answers = ("ok", exc.message)
    assert answers == ("ok", "Only an admin can assign or revoke the admin role.")
    assert _holds_admin(session, world.admin.id) and not _holds_admin(session, second.id)


def test_a_refresh_as_the_password_changes_yields_no_token_that_outlives_the_change(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app refreshes its token while its owner changes the password (the change pauses
    holding their account, before it ends every session): the refresh waits for the change and
    is refused, and no refresh token of theirs is left alive to sign in with afterwards."""
    ann = make_user(session, "ann-refresh@example.org")
    session.commit()
    pair = accounts.start_session(session, ann)
    session.commit()
    ann_who = principal(session, ann)
    reached = pause_at(monkeypatch, reauth, "check_password")
    answers = second_when_first_reaches(
        lambda s: password_change.change_password(s, ann_who, PASSWORD, "quiet-orchard-compass-73"),
        lambda s: accounts.refresh_session(s, pair.refresh_token),
        reached,
    )
    assert answers == ("ok", "This session has ended. Please sign in again.")
    assert _live_rows(session, RefreshToken, id_of(ann)) == 0


def _live_rows(session: Session, model: type[RefreshToken] | type[ApiKey], user_id: int) -> int:
    """How many of the user's refresh tokens (sessions) or API keys still work."""
    session.expire_all()
    return session.exec(
        select(func.count())
        .select_from(model)
        .where(col(model.user_id) == user_id, col(model.revoked_at).is_(None))
    ).one()


def _live_tokens(session: Session, family_id: str) -> int:
    session.expire_all()
    return session.exec(
        select(func.count())
        .select_from(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
    ).one()


@pytest.mark.parametrize("how", ["signed out from another device", "signed out on the device"])
def test_a_session_signed_out_as_it_refreshes_stays_signed_out(
    session: Session, world: World, how: str
) -> None:
    """An app refreshes its token at the moment its session is signed out ("Where you're
    signed in" on another device, or the app's own sign-out with a token of the family): the
    sign-out waits for the refresh and ends the token it issued too, so the session is over,
    not carried on by the new token."""
    ann = make_user(session, "ann-signout@example.org")
    session.commit()
    phone = accounts.start_session(session, ann)
    laptop = accounts.start_session(session, ann)
    session.commit()
    family = tokens.decode(phone.refresh_token, "refresh").family_id
    assert family is not None

    def sign_out(s: Session) -> object:
        if how == "signed out on the device":
            accounts.logout(s, phone.refresh_token)
            return None
        return signed_in_sessions.end_session(s, principal(s, ann), family, laptop.access_token)

    answers = second_while_first_holds(
        lambda s: accounts.refresh_session(s, phone.refresh_token), sign_out
    )
    assert answers == ("ok", "ok")
    assert _live_tokens(session, family) == 0


def test_a_sign_in_completed_as_every_session_ends_is_ended_with_them(
    session: Session, world: World
) -> None:
    """A browser trades its sign-in code for a session while the account signs out everywhere
    (or resets its password): the trade waits for the sign-out and is refused, so no session
    begun before it outlives it."""
    ann = make_user(session, "ann-handoff@example.org")
    session.commit()
    code = browser_sessions.begin_sign_in(session, ann)
    session.commit()
    ann_who = principal(session, ann)
    answers = second_while_first_holds(
        lambda s: accounts.sign_out_everywhere(s, ann_who),
        lambda s: browser_sessions.complete_sign_in(s, code),
    )
    assert answers == ("ok", browser_sessions.HANDOFF_EXPIRED)
    assert _live_rows(session, RefreshToken, id_of(ann)) == 0


@pytest.mark.parametrize("ended_by", ["a password change", "a deactivation"])
def test_an_api_key_made_as_the_account_s_sessions_end_does_not_outlive_them(
    session: Session, world: World, ended_by: str
) -> None:
    """A key is created (with the current password) while the password changes or an admin
    deactivates the account: the creation waits, then is refused, and no key of theirs works."""
    ann = make_user(session, "ann-key@example.org")
    session.commit()
    ann_who, admin = principal(session, ann), principal(session, world.admin)

    def end(s: Session) -> object:
        if ended_by == "a password change":
            return password_change.change_password(s, ann_who, PASSWORD, "amber-lantern-rivers-58")
        return deactivation.deactivate_user(s, admin, id_of(ann), "Left the programme.")

    answers = second_while_first_holds(
        end, lambda s: api_keys.create(s, ann_who, name="CI", scopes=["read"], password=PASSWORD)
    )
    refused = {"a password change": reauth.NOT_CONFIRMED, "a deactivation": DEACTIVATED}
    assert answers == ("ok", refused[ended_by])
    assert _live_rows(session, ApiKey, id_of(ann)) == 0
