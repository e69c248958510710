"""Every page event checks its tab's session cookie against the database, now in the same
transaction (and thread hop) as the service it runs (state/service.py `run_for_token`, issue 18):
an ended session, a deactivated account or a revoked role counts on the very next event, and a
service that refuses rolls back everything it wrote."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cyberhub.models import AuditLog, Role, RoleAssignment, User
from cyberhub.services.admin import audit
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import accounts, browser_sessions
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.state.service import run_for_token

pytestmark = [pytest.mark.auth, pytest.mark.integration]


def _token(session: Session, user: User) -> str:
    """The cookie a browser holds after signing in."""
    code = browser_sessions.begin_sign_in(session, user)
    session.commit()
    token = browser_sessions.complete_sign_in(session, code).token
    session.commit()
    return token


def _students_name(session: Session, principal: Principal | None) -> str:
    """A service only a student may call."""
    actor = require_role(principal, Role.student)
    user = session.get(User, actor.user_id)
    assert user is not None
    return user.full_name


def test_a_live_session_reaches_the_service_as_its_user(
    session: Session, student_user: User
) -> None:
    token = _token(session, student_user)
    principal, outcome = run_for_token(token, _students_name)
    assert principal is not None and principal.user_id == student_user.id
    assert outcome and outcome.value == student_user.full_name


@pytest.mark.parametrize("how", ["sign out", "sign out everywhere", "deactivated"])
def test_an_ended_session_is_refused_on_the_next_event(
    session: Session, student_user: User, how: str
) -> None:
    token = _token(session, student_user)
    assert run_for_token(token, _students_name)[1]
    if how == "sign out":
        browser_sessions.end(session, token)
    elif how == "sign out everywhere":
        accounts.revoke_all_sessions(session, student_user.id or 0)
    else:
        student_user.is_active = False
        session.add(student_user)
    session.commit()
    principal, outcome = run_for_token(token, _students_name)
    assert principal is None
    assert not outcome and outcome.code == "Unauthenticated"


def test_a_revoked_role_is_refused_on_the_next_event(session: Session, student_user: User) -> None:
    token = _token(session, student_user)
    for row in session.exec(
        select(RoleAssignment).where(RoleAssignment.user_id == student_user.id)
    ).all():
        session.delete(row)
    session.commit()
    principal, outcome = run_for_token(token, _students_name)
    assert principal is not None and principal.roles == []
    assert not outcome and outcome.code == "Forbidden"


def test_no_cookie_means_nobody(session: Session) -> None:
    principal, outcome = run_for_token("", _students_name)
    assert principal is None and not outcome


def test_a_refusal_rolls_back_what_the_service_wrote(session: Session, student_user: User) -> None:
    token = _token(session, student_user)

    def writes_then_refuses(s: Session, principal: Principal | None) -> None:
        assert principal is not None
        audit.record(s, "bench.probe", by=principal)
        s.flush()
        raise Invalid("Nothing to save.")

    principal, outcome = run_for_token(token, writes_then_refuses)
    assert principal is not None and principal.user_id == student_user.id
    assert not outcome and outcome.error == "Nothing to save." and outcome.code == "Invalid"
    session.expire_all()
    assert session.exec(select(AuditLog).where(AuditLog.action == "bench.probe")).first() is None
