"""Who keeps coaching data, and the learner's own calendar (their zone's today)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlmodel import Session

from cyberhub.formatting import zone
from cyberhub.models import Role, User
from cyberhub.models.base import utcnow
from cyberhub.services.coaching.streaks import local_day
from cyberhub.services.identity.permissions import Principal, require_role

NOT_A_LEARNER = "Habits, goals and reflections are kept by learners (the student role)."


def learner(principal: Principal | None) -> Principal:
    """The signed-in learner (Forbidden for anyone without the student role)."""
    return require_role(principal, Role.student, refused=NOT_A_LEARNER)


def user_zone(session: Session, user_id: int) -> tzinfo:
    """The learner's zone, read from their row (UTC until they choose one)."""
    user = session.get(User, user_id)
    return zone(user.time_zone if user else None)


def today(session: Session, user_id: int, now: datetime | None = None) -> date:
    """The learner's calendar day now."""
    return local_day(now or utcnow(), user_zone(session, user_id))
