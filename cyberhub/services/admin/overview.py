"""The signed-in home: the user's programme, cohorts and what each of their roles can do."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.formatting import when
from cyberhub.models import (
    Cohort,
    Mission,
    MissionStatus,
    Program,
    ProgramMission,
    RoleAssignment,
    Track,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.overview import (
    CohortBrief,
    HomeOverview,
    ProgramOverview,
    RoleCount,
    TrackCount,
)
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning.cohort_days import cohort_today, director_zone
from cyberhub.services.learning.programs import cohort_status


def home(session: Session, principal: Principal | None) -> HomeOverview:
    """Programmes of the user's organizations (all for a global admin), with cohorts and counts."""
    principal = require_signed_in(principal)
    orgs = {g.organization_id for g in principal.grants}
    stmt = select(Program)
    if not (principal.is_admin and None in orgs):
        stmt = stmt.where(col(Program.organization_id).in_([o for o in orgs if o]))
    programs = session.exec(stmt.order_by(col(Program.id))).all()
    now = utcnow()
    out: list[ProgramOverview] = []
    for p in programs:
        cohorts = session.exec(
            select(Cohort, director_zone())
            .where(Cohort.program_id == p.id)
            .order_by(col(Cohort.starts_on))
        ).all()
        counts = dict(
            session.exec(
                select(Track.name, func.count(col(Mission.id)))
                .join(Mission, col(Mission.track_id) == col(Track.id))
                .join(ProgramMission, col(ProgramMission.mission_id) == col(Mission.id))
                .where(ProgramMission.program_id == p.id, Mission.status == MissionStatus.published)
                .group_by(col(Track.name))
            ).all()
        )
        out.append(
            ProgramOverview(
                name=p.name,
                description=p.description,
                cohorts=[
                    CohortBrief(
                        name=c.name,
                        dates=f"{when(c.starts_on, style='date')} – {when(c.ends_on, style='date')}",
                        capacity=c.capacity,
                        status=cohort_status(c, cohort_today(tz, now)),
                    )
                    for c, tz in cohorts
                ],
                missions=sum(counts.values()),
                missions_by_track=[TrackCount(track=k, count=v) for k, v in sorted(counts.items())],
            )
        )
    result = HomeOverview(programs=out)
    if principal.is_admin:
        rows = session.exec(
            select(RoleAssignment.role, func.count(func.distinct(RoleAssignment.user_id))).group_by(
                col(RoleAssignment.role)
            )
        ).all()
        result.users_total = session.exec(select(func.count(col(User.id)))).one()
        result.users_by_role = [RoleCount(role=r, count=n) for r, n in sorted(rows)]
    return result
