"""The mentor's home: the cohorts of their organizations and the learners they may be matched with.

Review queues arrive with the learning core; until then this is what a mentor can act on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import Cohort, Organization, Program, Role, RoleAssignment, User
from cyberhub.models.base import utcnow
from cyberhub.services.identity.permissions import Principal, require_role

MAX_LEARNERS = 200


def mentor_home(session: Session, principal: Principal | None) -> dict[str, Any]:
    """Cohorts (with dates and capacity) and students of the organizations the user mentors in."""
    actor = require_role(principal, Role.mentor)
    org_ids = sorted(actor.organizations(Role.mentor))
    orgs = (
        session.exec(
            select(Organization)
            .where(col(Organization.id).in_(org_ids))
            .order_by(col(Organization.name))
        ).all()
        if org_ids
        else []
    )
    today = utcnow().date()
    cohorts = session.exec(
        select(Cohort, Program.name, Organization.name)
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(col(Program.organization_id).in_(org_ids))
        .order_by(col(Cohort.starts_on), col(Cohort.id))
    ).all()
    students = select(RoleAssignment.user_id, RoleAssignment.organization_id).where(
        RoleAssignment.role == Role.student,
        col(RoleAssignment.organization_id).in_(org_ids),
        RoleAssignment.user_id != actor.user_id,
    )
    learners_total = session.exec(
        select(func.count(func.distinct(students.subquery().c.user_id)))
    ).one()
    sub = students.subquery()
    learners = session.exec(
        select(User, Organization.name)
        .join(sub, sub.c.user_id == col(User.id))
        .join(Organization, col(Organization.id) == sub.c.organization_id)
        .where(col(User.is_active))
        .order_by(col(User.created_at).desc(), col(User.id).desc())
        .limit(MAX_LEARNERS)
    ).all()
    by_user: dict[int, dict[str, Any]] = {}
    for u, org in learners:  # a student of two of these organizations is listed once
        if u.id in by_user:
            by_user[u.id]["organization"] += f", {org}"
            continue
        by_user[u.id or 0] = {
            "id": u.id,
            "name": u.full_name or u.email.split("@")[0],
            "email": u.email,
            "organization": org,
            "joined": u.created_at.isoformat(),
        }
    return {
        "organizations": [o.name for o in orgs],
        "cohorts": [
            {
                "id": c.id,
                "name": c.name,
                "program": program,
                "organization": org,
                "dates": f"{c.starts_on:%d %b %Y} – {c.ends_on:%d %b %Y}",
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat(),
                "capacity": c.capacity,
                "status": "running"
                if c.starts_on <= today <= c.ends_on
                else ("upcoming" if c.starts_on > today else "finished"),
            }
            for c, program, org in cohorts
        ],
        "learners": list(by_user.values()),
        "learners_total": learners_total,
    }
