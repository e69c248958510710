"""Admins deactivate and reactivate accounts (services/identity/deactivation.py, POST
/api/v1/users/{id}/deactivate and /reactivate).

Deactivating ends every way the person is signed in, at once and for good (browser session,
access and refresh tokens, API keys), sends the reviews they claimed back to the queue, ends
their mentoring and directing of cohorts (as losing those roles does), is audited with its reason
and mailed; reactivating lets them sign in again with their password,
restoring nothing that ended. Nobody deactivates themselves or the last active admin; only
admins act.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import (
    AuditLog,
    Cohort,
    CohortApplication,
    MentorAssignment,
    Notification,
    OutboxMail,
    RefreshToken,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.pages.magic_link.open_link import MagicLinkState
from cyberhub.pages.password_reset import ResetConfirmState
from cyberhub.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from cyberhub.services.identity import (
    browser_sessions,
    deactivation,
    passwordless,
    roles,
    sign_in,
)
from cyberhub.services.identity.permissions import DEACTIVATED
from cyberhub.services.learning import (
    applications,
    calendar_feed,
    enrollment,
    programs,
    reviews,
    submissions,
)
from cyberhub.services.learning.submissions import submission_link
from cyberhub.services.messaging import notifications
from cyberhub.state.service import Outcome
from tests.factories import (
    GOOD_ANSWER,
    PASSWORD,
    World,
    id_of,
    login,
    make_cohort,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.integration.test_api_keys import bearer, create_key
from tests.integration.test_passwordless_api import expired_token, magic_token, reset_token
from tests.processes import run_in_own_loop
from tests.xss_corpus import XSS_PAYLOADS

pytestmark = [pytest.mark.admin, pytest.mark.integration]

V1 = "/api/v1"
REASON = "Left the academy in November."


def _deactivate(session: Session, w: World, user: User, reason: str = REASON) -> int:
    """The world's admin deactivates `user` (committed); how many claims went back."""
    done = deactivation.deactivate_user(session, principal(session, w.admin), id_of(user), reason)
    session.commit()
    assert done.is_active is False and done.email == user.email
    return done.claims_returned


def _browser_signed_in(client: TestClient, session: Session, user: User) -> None:
    """Sign `client` in with a browser session cookie, as the sign-in page does."""
    code = browser_sessions.begin_sign_in(session, user)
    session.commit()
    r = client.get(browser_sessions.COMPLETE_PATH, params={"code": code}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert client.get(f"{V1}/auth/me").json()["email"] == user.email


def _audits(session: Session, action: str) -> list[AuditLog]:
    session.expire_all()
    return list(
        session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id))
        ).all()
    )


def _mails_to(session: Session, user: User) -> list[OutboxMail]:
    return list(
        session.exec(
            select(OutboxMail).where(OutboxMail.to_email == user.email).order_by(col(OutboxMail.id))
        ).all()
    )


class TestEffects:
    def test_every_way_in_ends_and_stays_ended_after_reactivation(
        self, session: Session, world: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        w = world
        tokens = client_for(w.mentor)  # an API client with bearer and refresh tokens
        key = create_key(tokens, ["read"])["secret"]
        pair = login(api_client, w.mentor.email)
        _browser_signed_in(api_client, session, w.mentor)
        assert api_client.get(f"{V1}/auth/me", headers=bearer(key)).status_code == 200

        _deactivate(session, w, w.mentor)

        assert tokens.get(f"{V1}/auth/me").status_code == 401
        assert api_client.get(f"{V1}/auth/me").status_code == 401  # the browser cookie
        r = api_client.get(f"{V1}/auth/me", headers=bearer(key))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
        r = api_client.post(
            f"{V1}/auth/token/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert r.status_code == 401
        live = session.exec(
            select(RefreshToken).where(
                RefreshToken.user_id == w.mentor.id, col(RefreshToken.revoked_at).is_(None)
            )
        ).all()
        assert live == []
        r = api_client.post(
            f"{V1}/auth/login", json={"email": w.mentor.email, "password": PASSWORD}
        )
        assert r.status_code == 401

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(w.mentor))
        session.commit()
        # Signing in with the password works again; nothing that ended came back.
        assert login(api_client, w.mentor.email)["access_token"]
        assert tokens.get(f"{V1}/auth/me").status_code == 401
        assert api_client.get(f"{V1}/auth/me").status_code == 401
        r = api_client.get(f"{V1}/auth/me", headers=bearer(key))
        assert r.status_code == 401 and "revoked" in r.json()["detail"]

    def test_a_mentors_claims_go_back_to_the_queue(self, session: Session, world: World) -> None:
        w = world
        sub = submissions.submit(
            session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, w.mentor), id_of(sub))
        session.commit()

        assert _deactivate(session, w, w.mentor) == 1

        session.expire_all()
        back = session.get(Submission, sub.id)
        assert back is not None and back.status == SubmissionStatus.submitted
        assert back.claimed_by_id is None
        # Another mentor of the cohort may now claim it.
        reviews.claim(session, principal(session, w.comentor), id_of(sub))

    def test_a_mentor_stops_serving_their_cohorts(self, session: Session, world: World) -> None:
        """As when their mentor role ends: their mentees are unassigned, so a mentee's new work
        is sent to the cohort's other mentors (it was sent to the deactivated mentor alone, who
        can't sign in), one of whom claims it; the cohort's mentors and roster no longer name
        them. Audited per cohort by the admin; reactivating brings none of it back."""
        w = world
        cid = id_of(w.cohort)
        director = principal(session, w.director)

        _deactivate(session, w, w.mentor)

        def serving() -> list[int]:
            return [m.mentor_id for m in enrollment.list_mentors(session, director, cid)]

        def mentees() -> list[MentorAssignment]:
            return list(
                session.exec(
                    select(MentorAssignment).where(MentorAssignment.mentor_id == w.mentor.id)
                ).all()
            )

        session.expire_all()
        assert serving() == [id_of(w.comentor)] and mentees() == []
        row = {r.student_id: r for r in programs.roster(session, director, cid)}[id_of(w.student)]
        assert row.mentor_id is None and row.mentor == ""
        work = submissions.submit(
            session, principal(session, w.student), id_of(w.m1), answer=GOOD_ANSWER
        )
        session.commit()
        told = session.exec(
            select(Notification.user_id).where(
                Notification.kind == notifications.SUBMISSION_RECEIVED,
                Notification.link == submission_link(id_of(work)),
            )
        ).all()
        assert set(told) == {w.comentor.id}
        claimed = reviews.claim(session, principal(session, w.comentor), id_of(work))
        assert claimed.claimed_by_id == w.comentor.id
        session.commit()
        [entry] = _audits(session, "cohort.mentor_removed")
        assert entry.actor_id == w.admin.id and entry.target_id == str(cid)
        assert entry.details["mentor_id"] == w.mentor.id and entry.details["unassigned"] == 1

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(w.mentor))
        session.commit()
        session.expire_all()
        assert serving() == [id_of(w.comentor)] and mentees() == []

    def test_a_director_stops_directing_their_cohorts(self, session: Session, world: World) -> None:
        """As when their director role ends: their cohorts have no director (the cohort page
        names nobody), and a new application goes to the organisation's other directors (it
        was sent to the deactivated director alone). Audited per cohort by the admin;
        reactivating gives no cohort back."""
        w = world
        cid, admin = id_of(w.cohort), principal(session, w.admin)
        applications.set_enrolment(
            session, principal(session, w.director), cid, mode="application", capacity=30
        )
        second = make_user(
            session, "second.director@example.org", "director", organization_id=id_of(w.org)
        )
        session.commit()

        _deactivate(session, w, w.director)

        session.expire_all()
        for cohort in (w.cohort, w.other_cohort):
            back = session.get(Cohort, cohort.id)
            assert back is not None and back.director_id is None
            assert programs.cohort_detail(session, admin, id_of(cohort)).director == ""
        applications.apply(session, principal(session, make_user(session, "a@example.org")), cid)
        session.commit()

        def told(user: User) -> list[str]:
            titles = session.exec(
                select(Notification.title).where(
                    Notification.user_id == user.id, Notification.kind == "application"
                )
            ).all()
            return [t for t in titles if t.startswith("New application")]

        assert told(second) == [f"New application to {w.cohort.name}"]
        assert told(w.director) == told(w.other_director) == []
        undirected = [
            e for e in _audits(session, "cohort.updated") if "director_removed" in e.details
        ]
        assert sorted(e.target_id for e in undirected) == sorted(
            str(id_of(c)) for c in (w.cohort, w.other_cohort)
        )
        assert {(e.actor_id, e.details["director_removed"]) for e in undirected} == {
            (w.admin.id, w.director.id)
        }

        deactivation.reactivate_user(session, admin, id_of(w.director))
        session.commit()
        session.expire_all()
        back = session.get(Cohort, cid)
        assert back is not None and back.director_id is None

    def test_a_learners_waitlist_places_and_applications_end(
        self, session: Session, world: World
    ) -> None:
        """As when they leave the organisation: their waitlist place ends (withdrawn, audited
        as the admin's), so the learners behind them move up and the next seat freed goes to
        the next in line, not to someone who can't sign in; their pending application to
        another cohort ends too. Reactivating gives neither back."""
        w = world
        d = principal(session, w.director)
        full = make_cohort(session, w.program, director=w.director, name="Full cohort")
        chosen = make_cohort(session, w.program, director=w.director, name="Chosen cohort")
        applications.set_enrolment(session, d, id_of(full), mode="open", capacity=1)
        applications.set_enrolment(session, d, id_of(chosen), mode="application", capacity=5)
        session.commit()
        seated, gone, next_ = (make_user(session, f"{n}@example.org") for n in ("s", "g", "n"))
        for person in (seated, gone, next_):
            applications.apply(session, principal(session, person), id_of(full))
            session.commit()
        applications.apply(session, principal(session, gone), id_of(chosen))
        session.commit()

        def mine(person: User) -> dict[int, tuple[str, str]]:
            return {
                a.cohort_id: (a.status, a.position_text)
                for a in applications.my_applications(session, principal(session, person))
            }

        assert mine(next_)[id_of(full)] == ("waitlisted", "2nd on the waitlist")

        def gones() -> dict[int, tuple[str, int | None]]:  # they can't sign in to look
            rows = session.exec(
                select(CohortApplication).where(CohortApplication.student_id == gone.id)
            ).all()
            return {a.cohort_id: (a.status, a.waitlist_seq) for a in rows}

        _deactivate(session, w, gone)

        session.expire_all()
        assert gones() == {id_of(full): ("withdrawn", None), id_of(chosen): ("withdrawn", None)}
        assert mine(next_)[id_of(full)] == ("waitlisted", "1st on the waitlist")
        assert applications.enrolment_settings(session, d, id_of(full)).waitlist == 1
        assert (
            applications.list_applications(session, d, id_of(chosen), status="applied").items == []
        )
        ended = _audits(session, "application.withdrawn")
        assert {(e.actor_id, e.target_id, e.details["was"]) for e in ended} == {
            (w.admin.id, str(id_of(full)), "waitlisted"),
            (w.admin.id, str(id_of(chosen)), "applied"),
        }
        # The seated learner withdraws: the seat goes to the next in line.
        applications.withdraw(session, principal(session, seated), id_of(full))
        session.commit()
        assert mine(next_)[id_of(full)] == ("enrolled", "")

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(gone))
        session.commit()
        session.expire_all()
        assert gones() == {id_of(full): ("withdrawn", None), id_of(chosen): ("withdrawn", None)}

    def test_audited_and_mailed_with_the_reason(self, session: Session, world: World) -> None:
        w = world
        _deactivate(session, w, w.student)
        [entry] = _audits(session, "user.deactivated")
        assert entry.actor_id == w.admin.id and entry.target_id == str(w.student.id)
        assert entry.details["reason"] == REASON
        [told] = _mails_to(session, w.student)
        assert "deactivated" in told.subject and REASON in told.body

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(w.student))
        session.commit()
        [again] = _audits(session, "user.reactivated")
        assert again.actor_id == w.admin.id and again.target_id == str(w.student.id)
        back = _mails_to(session, w.student)[-1]
        assert "active again" in back.subject and "/password-reset" in back.body
        session.expire_all()
        user = session.get(User, w.student.id)
        assert user is not None and user.is_active
        # They served no cohort: neither mail speaks of cohorts.
        assert "cohort" not in told.body and "cohort" not in back.body

    def test_the_keys_and_feed_it_ends_are_audited_as_the_admins_doing(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """The API keys and calendar feed a deactivation ends are entries of the admin who
        deactivated (they were the person's own, as if they had revoked them themselves)."""
        w = world
        create_key(client_for(w.student), ["read"])
        calendar_feed.create_feed(session, principal(session, w.student))
        session.commit()

        _deactivate(session, w, w.student)

        [keys] = _audits(session, "api_key.revoked_all")
        [feed] = _audits(session, "calendar_feed.revoked")
        for entry in (keys, feed):
            assert entry.target_id == str(w.student.id)
            assert entry.actor_id == w.admin.id, entry.action
            assert entry.details["reason"] == deactivation.ENDED_BY

    @pytest.mark.parametrize(
        ("who", "served"),
        [
            ("mentor", "mentor any cohort (you mentored 1 cohort"),
            ("director", "direct any cohort (you directed 2 cohorts"),
            ("both", "mentor or direct any cohort (you mentored 1 cohort and directed 2 cohorts"),
        ],
    )
    def test_the_mails_say_which_cohorts_they_no_longer_serve(
        self, session: Session, world: World, who: str, served: str
    ) -> None:
        """The world's mentor serves one cohort, its director directs two ("both": the director
        also mentors the other cohort); both mails say so in one sentence."""
        w = world
        person = w.mentor if who == "mentor" else w.director
        if who == "both":
            roles.assign_role(
                session,
                principal(session, w.admin),
                user_id=id_of(w.director),
                role="mentor",
                organization_id=id_of(w.org),
                reason="Mentors too.",
            )
            session.commit()
            enrollment.set_cohort_mentor(
                session, principal(session, w.director), id_of(w.other_cohort), w.director.email, 5
            )
            session.commit()

        _deactivate(session, w, person)
        told = _mails_to(session, person)[-1]
        assert f"You no longer {served} until now)." in told.body

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(person))
        session.commit()
        back = _mails_to(session, person)[-1]
        assert "active again" in back.subject
        assert f"You no longer {served} before the deactivation)." in back.body


class TestRules:
    def test_only_admins(self, session: Session, world: World) -> None:
        w = world
        for who in (w.director, w.mentor, w.student):
            with pytest.raises(Forbidden):
                deactivation.deactivate_user(
                    session, principal(session, who), id_of(w.student2), REASON
                )
            with pytest.raises(Forbidden):
                deactivation.reactivate_user(session, principal(session, who), id_of(w.student2))
        with pytest.raises(Unauthenticated):
            deactivation.deactivate_user(session, None, id_of(w.student2), REASON)

    def test_an_admin_cannot_deactivate_themselves(self, session: Session, world: World) -> None:
        w = world
        with pytest.raises(Conflict, match="your own account"):
            deactivation.deactivate_user(session, principal(session, w.admin), id_of(w.admin), "x")

    def test_the_last_active_admin_cannot_be_deactivated(
        self, session: Session, world: World
    ) -> None:
        """Two admins deactivating each other at once: the second (its principal read before
        the first committed) is refused, so one active admin remains."""
        w = world
        second = make_user(session, "second.admin@example.org", "admin")
        second_as_read_before = principal(session, second)
        _deactivate(session, w, second)
        with pytest.raises(Conflict, match="last active admin"):
            deactivation.deactivate_user(session, second_as_read_before, id_of(w.admin), "x")
        session.rollback()
        session.expire_all()
        admin = session.get(User, w.admin.id)
        assert admin is not None and admin.is_active

    def test_a_reason_is_required_and_bounded(self, session: Session, world: World) -> None:
        w = world
        for reason in ("", "   ", "x" * 501):
            with pytest.raises(Invalid, match="reason"):
                deactivation.deactivate_user(
                    session, principal(session, w.admin), id_of(w.student), reason
                )

    def test_repeats_and_unknown_accounts(self, session: Session, world: World) -> None:
        w = world
        admin = principal(session, w.admin)
        with pytest.raises(Conflict, match="already active"):
            deactivation.reactivate_user(session, admin, id_of(w.student))
        session.rollback()
        _deactivate(session, w, w.student)
        with pytest.raises(Conflict, match="already deactivated"):
            deactivation.deactivate_user(session, admin, id_of(w.student), REASON)
        session.rollback()
        with pytest.raises(NotFound):
            deactivation.deactivate_user(session, admin, 987_654, REASON)
        session.rollback()
        with pytest.raises(NotFound):
            deactivation.reactivate_user(session, admin, 987_654)


class TestApi:
    def test_admin_deactivates_and_reactivates(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        admin = client_for(w.admin)
        url = f"{V1}/users/{w.student.id}"
        r = admin.post(f"{url}/deactivate", json={"reason": REASON})
        assert r.status_code == 200, r.text
        assert r.json() == {
            "id": w.student.id,
            "email": w.student.email,
            "is_active": False,
            "claims_returned": 0,
        }
        assert admin.get(url).json()["is_active"] is False
        r = admin.post(f"{url}/deactivate", json={"reason": REASON})
        assert r.status_code == 409 and "already deactivated" in r.json()["detail"]
        r = admin.post(f"{url}/reactivate")
        assert r.status_code == 200 and r.json()["is_active"] is True
        r = admin.post(f"{url}/reactivate")
        assert r.status_code == 409 and "already active" in r.json()["detail"]
        assert admin.get(url).json()["is_active"] is True

    def test_tries_to_sign_in_while_deactivated_do_not_keep_them_out_once_reactivated(
        self, session: Session, world: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        """Deactivated, they tried their (right) password a few times: each was refused.
        Reactivated, they sign in with it at once, as the mail telling them they are active
        again says."""
        w = world
        admin = client_for(w.admin)
        url = f"{V1}/users/{w.student.id}"
        assert admin.post(f"{url}/deactivate", json={"reason": REASON}).status_code == 200
        for _ in range(5):
            r = api_client.post(
                f"{V1}/auth/login", json={"email": w.student.email, "password": PASSWORD}
            )
            assert r.status_code == 401
        assert admin.post(f"{url}/reactivate").status_code == 200
        assert admin.get(url).json()["locked"] is False
        assert login(api_client, w.student.email)["access_token"]

    def test_the_right_password_is_told_the_account_is_deactivated_and_not_counted(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        """With their right password a deactivated person learns why they can't sign in, on the
        API and the sign-in page alike, and these tries never lock them out; a wrong password
        still gets the answer anybody gets (no telling which accounts exist)."""
        w = world
        _deactivate(session, w, w.student)
        right = {"email": w.student.email, "password": PASSWORD}
        for _ in range(7):
            r = api_client.post(f"{V1}/auth/login", json=right)
            assert r.status_code == 401, r.text
            assert r.json()["detail"] == "This account is deactivated. Contact your administrator."
        with pytest.raises(Unauthenticated, match="This account is deactivated"):
            sign_in.for_browser(session, sign_in.Credentials(w.student.email, PASSWORD))
        session.expire_all()
        student = session.get(User, w.student.id)
        assert student is not None
        assert student.failed_login_count == 0 and student.locked_until is None
        wrong = api_client.post(
            f"{V1}/auth/login", json={"email": w.student.email, "password": "Not-" + PASSWORD}
        )
        assert wrong.status_code == 401
        assert wrong.json()["detail"] == "Incorrect email or password."

    def test_a_link_mailed_before_is_told_the_account_is_deactivated(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        """Sign-in and reset links mailed before the deactivation still reach the owner's inbox:
        opening one says what signing in with the password says (permissions.DEACTIVATED), not a
        vaguer "not active". Asking for a link stays the same answer for every address."""
        w = world
        email = w.student.email
        for path in ("/auth/magic-link", "/auth/password-reset"):
            assert api_client.post(V1 + path, json={"email": email}).status_code == 202
        magic, reset = magic_token(session, email), reset_token(session, email)
        _deactivate(session, w, w.student)

        r = api_client.post(f"{V1}/auth/magic-link/verify", json={"token": magic})
        assert r.status_code == 401 and r.json()["detail"] == DEACTIVATED
        r = api_client.post(
            f"{V1}/auth/password-reset/confirm",
            json={"token": reset, "new_password": "quiet-orchard-compass-73"},
        )
        assert r.status_code == 401 and r.json()["detail"] == DEACTIVATED
        for path in ("/auth/magic-link", "/auth/password-reset"):
            deactivated = api_client.post(V1 + path, json={"email": email})
            unknown = api_client.post(V1 + path, json={"email": "nobody-here@example.org"})
            assert deactivated.status_code == unknown.status_code == 202
            assert deactivated.json() == unknown.json()

    def test_opening_a_reset_link_of_a_deactivated_account_says_so_before_the_form(
        self, session: Session, world: World, api_client: TestClient
    ) -> None:
        """/password-reset/{token} checks its link on load (check_password_reset): for a
        deactivated account that check is refused with DEACTIVATED, so the page says so instead
        of offering a new-password form that could only fail. The link holder owns the address:
        nothing is told to anyone else. Reactivated, the account's old link stays dead (it
        ended with every session at the deactivation, as nothing that ended is restored): the
        page says it expired, and a new one works."""
        w = world
        email = w.student.email
        assert api_client.post(f"{V1}/auth/password-reset", json={"email": email}).status_code
        reset = reset_token(session, email)
        assert passwordless.check_password_reset(session, token=reset).email == email
        _deactivate(session, w, w.student)

        with pytest.raises(Unauthenticated) as refused:
            passwordless.check_password_reset(session, token=reset)
        assert str(refused.value) == DEACTIVATED

        deactivation.reactivate_user(session, principal(session, w.admin), id_of(w.student))
        session.commit()
        with pytest.raises(Unauthenticated, match="expired"):
            passwordless.check_password_reset(session, token=reset)
        assert api_client.post(f"{V1}/auth/password-reset", json={"email": email}).status_code
        fresh = reset_token(session, email)
        assert fresh != reset
        assert passwordless.check_password_reset(session, token=fresh).email == email

    def test_a_reset_link_of_a_deactivated_account_offers_no_new_link(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """/password-reset/{token} for a deactivated account says so and doesn't offer "Request
        a new link" (none is ever sent to it); an expired link still offers one."""
        w = world
        opened = {"token": ""}

        async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
            try:
                return Outcome(value=fn(session, None, *args))
            except DomainError as exc:
                return Outcome(value=None, error=exc.message, code=type(exc).__name__)

        monkeypatch.setattr(ResetConfirmState, "_try", run_here)
        monkeypatch.setattr(ResetConfirmState, "_token", lambda _: opened["token"])
        page = rx.State().get_substate(ResetConfirmState.get_full_name().split(".")[1:])
        assert isinstance(page, ResetConfirmState)

        def open_link(token: str) -> None:
            opened["token"] = token
            run_in_own_loop(ResetConfirmState.event_handlers["load"].fn(page))

        open_link(expired_token(session, "password_reset", w.student))
        assert page.step == "invalid" and page.renewable is True
        assert api_client.post(f"{V1}/auth/password-reset", json={"email": w.student.email})
        reset = reset_token(session, w.student.email)
        _deactivate(session, w, w.student)
        open_link(reset)
        assert page.step == "invalid" and page.error == DEACTIVATED
        assert page.renewable is False

    def test_a_magic_link_of_a_deactivated_account_offers_no_new_link(
        self,
        session: Session,
        world: World,
        api_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """/auth/magic/{token} for a deactivated account says so and doesn't offer "Request a
        new link" (none is ever sent to it); an expired link still offers one."""
        w = world
        opened = {"token": ""}

        async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
            try:
                return Outcome(value=fn(session, None, *args))
            except DomainError as exc:
                return Outcome(value=None, error=exc.message, code=type(exc).__name__)

        monkeypatch.setattr(MagicLinkState, "_try", run_here)
        monkeypatch.setattr(MagicLinkState, "_token", lambda _: opened["token"])
        page = rx.State().get_substate(MagicLinkState.get_full_name().split(".")[1:])
        assert isinstance(page, MagicLinkState)

        async def run(handler: str, *args: Any) -> None:
            async for _ in MagicLinkState.event_handlers[handler].fn(page, *args):
                pass

        def open_link(token: str) -> None:
            opened["token"] = token
            run_in_own_loop(run("load"))
            if page.step == "checking":  # the load went on to spend the link (its next event)
                run_in_own_loop(run("finish", {}))

        open_link(expired_token(session, "magic_link", w.student))
        assert page.step == "error" and page.renewable is True
        assert api_client.post(f"{V1}/auth/magic-link", json={"email": w.student.email})
        link = magic_token(session, w.student.email)
        _deactivate(session, w, w.student)
        open_link(link)
        assert page.step == "error" and page.error == DEACTIVATED
        assert page.renewable is False

    def test_bad_input_is_4xx_with_a_detail(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        admin = client_for(w.admin)
        url = f"{V1}/users/{w.student.id}/deactivate"
        for body in ({}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5}):
            r = admin.post(url, json=body)
            assert r.status_code == 422, (body, r.text)
            assert isinstance(r.json()["detail"], str)
        r = admin.post(f"{V1}/users/{w.admin.id}/deactivate", json={"reason": REASON})
        assert r.status_code == 409 and "your own account" in r.json()["detail"]
        r = admin.post(f"{V1}/users/987654/deactivate", json={"reason": REASON})
        assert r.status_code == 404 and r.json()["detail"]
        r = admin.post(f"{V1}/users/987654/reactivate")
        assert r.status_code == 404 and r.json()["detail"]
        session.expire_all()
        student = session.get(User, w.student.id)
        assert student is not None and student.is_active

    def test_a_director_is_refused_even_in_their_organisation(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        director = client_for(w.director)
        for action, body in (("deactivate", {"reason": REASON}), ("reactivate", None)):
            r = director.post(f"{V1}/users/{w.student.id}/{action}", json=body)
            assert r.status_code == 403 and r.json()["detail"], r.text
        session.expire_all()
        student = session.get(User, w.student.id)
        assert student is not None and student.is_active

    def test_a_reason_is_kept_as_typed(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """Markup in a reason is text: stored as typed in the audit entry (the admin page shows
        it as text) and mailed as plain text."""
        w = world
        reason = XSS_PAYLOADS["script tag"]
        r = client_for(w.admin).post(
            f"{V1}/users/{w.student.id}/deactivate", json={"reason": reason}
        )
        assert r.status_code == 200, r.text
        [entry] = _audits(session, "user.deactivated")
        assert entry.details["reason"] == reason
