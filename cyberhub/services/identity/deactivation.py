"""Deactivating and reactivating an account (admins only): a mentor who left, an abusive account.

A deactivated account can't sign in any way (accounts.authenticate, passwordless, mfa and
permissions.load_principal refuse it), and every way it was signed in ends in the same
transaction: browser sessions and refresh tokens, API keys and the calendar feed
(accounts.revoke_all_sessions, as a password reset does). Reviews the person had claimed go back
to the queue (an inactive mentor may keep none: reviews.holder_may_keep). They stop mentoring
and directing cohorts as when those roles end (roles.staff_roles_ended, audited per cohort):
their mentees are unassigned, so new work goes to the cohort's other mentors, and the cohorts
they directed have none, so applications go to the organisation's directors. Their pending
applications and waitlist places end as when they leave an organisation
(enrollment.end_pending_applications): the learners behind them move up, and no seat freed
later goes to someone who can't sign in; seats they hold are kept. Their role grants
stay (a director can put them back on a cohort once they are active). The reason is kept in the
audit entry only (as a role revocation's) and mailed to the person. The audit entry counts the
cohorts they stopped mentoring and directing, and both mails say so in one sentence when there
were any.

Reactivating lets them sign in again at once (their password, an e-mailed link or a password
reset; a sign-in lock from attempts made while inactive is lifted); nothing that ended comes back
by itself: sessions, keys, the feed, claims, mentees, the cohorts they mentored or directed,
applications and waitlist places stay ended.

An admin can't deactivate themselves, and the last active admin can't be deactivated (nobody
could reactivate anyone then). A repeat (deactivating an inactive account, reactivating an
active one) is a Conflict, as a repeated role grant is.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.formatting import plural
from cyberhub.models import (
    AuditLog,
    Cohort,
    CohortMentor,
    Role,
    RoleAssignment,
    Submission,
    User,
)
from cyberhub.schemas.users import AccountStatus
from cyberhub.services import locks
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, NotFound
from cyberhub.services.identity import accounts, lockout, roles
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.identity.roles import clean_reason
from cyberhub.services.learning import enrollment, reviews
from cyberhub.services.messaging import mail
from cyberhub.settings import get_settings

NOT_YOURSELF = (
    "You can't deactivate your own account: you would lock yourself out. Ask another admin."
)
LAST_ADMIN = (
    "{email} is the last active admin: deactivating them would leave nobody to manage accounts. "
    "Make someone else an admin first."
)
ENDED_BY = "account deactivated"


def _locked_user(session: Session, user_id: int) -> User:
    """The account, its row locked until commit (a sign-in meanwhile waits, then is refused)."""
    user = session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    """How many active accounts other than `user_id` hold the admin role."""
    return session.exec(
        select(func.count(func.distinct(RoleAssignment.user_id)))
        .join(User, col(User.id) == col(RoleAssignment.user_id))
        .where(
            RoleAssignment.role == Role.admin,
            col(User.is_active).is_(True),
            col(User.id) != user_id,
        )
    ).one()


def _is_admin(session: Session, user_id: int) -> bool:
    held = session.exec(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user_id, RoleAssignment.role == Role.admin
        )
    ).first()
    return held is not None


def _cohorts_served(session: Session, user_id: int) -> tuple[int, int]:
    """How many cohorts the person mentors, and how many they direct."""
    mentored = session.exec(
        select(func.count()).select_from(CohortMentor).where(CohortMentor.mentor_id == user_id)
    ).one()
    directed = session.exec(
        select(func.count()).select_from(Cohort).where(col(Cohort.director_id) == user_id)
    ).one()
    return mentored, directed


def _no_longer_serving(mentored: int, directed: int, when: str) -> list[str]:
    """The mail's sentence on the cohorts the deactivation took from them (none if it took
    none): "You no longer mentor or direct any cohort (you mentored 2 cohorts and directed 1
    cohort until now)." """
    verbs = [v for v, n in (("mentor", mentored), ("direct", directed)) if n]
    if not verbs:
        return []
    done = [
        f"{past} {plural(n, 'cohort')}"
        for past, n in (("mentored", mentored), ("directed", directed))
        if n
    ]
    return [f"You no longer {' or '.join(verbs)} any cohort (you {' and '.join(done)} {when})."]


def _count(details: dict[str, object], key: str) -> int:
    value = details.get(key)
    return value if isinstance(value, int) else 0


def _ended_by_deactivation(session: Session, user: User) -> tuple[int, int]:
    """How many cohorts the account's last deactivation stopped it mentoring and directing (as
    its audit entry says; 0 for an entry from before it said)."""
    entry = session.exec(
        select(AuditLog)
        .where(
            AuditLog.action == "user.deactivated",
            AuditLog.target_type == User.audit_type,
            AuditLog.target_id == str(user.id),
        )
        .order_by(col(AuditLog.id).desc())
        .limit(1)
    ).first()
    if entry is None:
        return 0, 0
    return _count(entry.details, "cohorts_mentored"), _count(entry.details, "cohorts_directed")


def _tell(session: Session, user: User, subject: str, *paragraphs: str) -> None:
    """Mail the person what happened to their account (kind "account_status")."""
    body = "\n\n".join(
        [
            f"Hello {user.full_name or user.email},",
            *paragraphs,
            "If you did not expect this, reply to this message or contact an administrator.",
        ]
    )
    mail.send(session, to=user.email, subject=subject, body=body, kind="account_status")


def deactivate_user(
    session: Session,
    principal: Principal | None,
    user_id: int,
    reason: str,
    *,
    meta: RequestMeta = NO_META,
) -> AccountStatus:
    """Deactivate the account, with a reason: it can't sign in, every session, API key and the
    calendar feed end now, its claimed reviews go back to the queue, it mentors and directs no
    cohort any more (roles.staff_roles_ended), its pending applications and waitlist places
    end (enrollment.end_pending_applications); audited as user.deactivated and mailed.

    Raises Forbidden (not an admin), Invalid (missing or long reason), NotFound (no such user),
    Conflict (yourself, already inactive, the last active admin).
    """
    actor = require_role(principal, Role.admin)
    reason = clean_reason(reason)
    if user_id == actor.user_id:
        raise Conflict(NOT_YOURSELF)
    locks.hold(session, locks.Lock.ACCOUNT_STATUS)
    user = _locked_user(session, user_id)
    if not user.is_active:
        raise Conflict(f"{user.email} is already deactivated.")
    if _is_admin(session, user_id) and _other_active_admins(session, user_id) == 0:
        raise Conflict(LAST_ADMIN.format(email=user.email))
    user.is_active = False
    session.add(user)
    session.flush()  # holder_may_keep reads it: an inactive mentor keeps no claim
    accounts.revoke_all_sessions(
        session, user_id, reason=ENDED_BY, meta=meta, actor_id=actor.user_id
    )
    # Its cohorts first, then the claims left (on other work), in the role path's lock order
    # (cohort, then the claims on its work): a director removing them from a cohort meanwhile
    # waits rather than deadlocks.
    grants = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user_id)).all()
    mentored, directed = _cohorts_served(session, user_id)
    returned = roles.staff_roles_ended(
        session, user_id, list(grants), actor_id=actor.user_id, meta=meta
    )
    still_mentored, still_directed = _cohorts_served(session, user_id)
    mentored, directed = mentored - still_mentored, directed - still_directed
    returned += reviews.give_back_claims_where(
        session, col(Submission.claimed_by_id) == user_id, actor_id=actor.user_id
    )
    # Their pending applications and waitlist places end, as when they leave an organisation:
    # the learners behind them move up, and no seat is given to someone who can't sign in.
    applications_ended = enrollment.end_pending_applications(
        session, user_id, actor_id=actor.user_id, meta=meta
    )
    audit.record(
        session,
        "user.deactivated",
        user,
        by=actor,
        meta=meta,
        reason=reason,
        claims_returned=returned,
        cohorts_mentored=mentored,
        cohorts_directed=directed,
        applications_ended=applications_ended,
    )
    _tell(
        session,
        user,
        "Your CyberHub account has been deactivated",
        "An administrator has deactivated your CyberHub account: you can no longer sign in, "
        "and every session and API key of the account has ended.",
        *_no_longer_serving(mentored, directed, "until now"),
        f"Reason: {reason}",
    )
    session.flush()
    return AccountStatus(id=user_id, email=user.email, is_active=False, claims_returned=returned)


def reactivate_user(
    session: Session,
    principal: Principal | None,
    user_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> AccountStatus:
    """Let a deactivated account sign in again (audited as user.reactivated, mailed), lifting
    any sign-in lock (attempts made while it was inactive count toward one). Sessions,
    API keys, the calendar feed, claims, mentees, the cohorts they mentored or directed,
    applications and waitlist places that ended stay ended.

    Raises Forbidden (not an admin), NotFound (no such user), Conflict (already active).
    """
    actor = require_role(principal, Role.admin)
    locks.hold(session, locks.Lock.ACCOUNT_STATUS)
    user = _locked_user(session, user_id)
    if user.is_active:
        raise Conflict(f"{user.email} is already active.")
    user.is_active = True
    # Sign-ins tried while it was inactive were refused and counted toward the lockout: they
    # must not keep out the person just told they can sign in again.
    lockout.clear(user)
    session.add(user)
    mentored, directed = _ended_by_deactivation(session, user)
    audit.record(session, "user.reactivated", user, by=actor, meta=meta)
    base = get_settings().base_url
    _tell(
        session,
        user,
        "Your CyberHub account is active again",
        "An administrator has reactivated your CyberHub account: you can sign in again at "
        f"{base}/signin with your password or a link sent by e-mail. If you don't remember "
        f"your password, reset it at {base}/password-reset.",
        "Sessions and API keys that ended when the account was deactivated stay ended: create "
        "new API keys if you need them.",
        *_no_longer_serving(mentored, directed, "before the deactivation"),
    )
    session.flush()
    return AccountStatus(id=user_id, email=user.email, is_active=True)
