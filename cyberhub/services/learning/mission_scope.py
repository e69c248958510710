"""Which missions a person may see, take, and is expected to do: the one rule (issue 12).

A mission belongs to an organisation (`missions.organization_id`, authored by its directors) or,
with no organisation, to CyberHub's public library. A programme runs missions
(`program_missions`): its own organisation's or library missions it adopted.

- SEE (`visible_missions`): everyone, signed in or not, sees the published library; a member of
  an organisation (active membership or a role there) also sees that organisation's published
  missions; a director of an organisation also sees its drafts and archived missions (to author
  them); an admin sees every mission.
- TAKE (`takeable_missions`): start, draft, submit and reveal hints only on published missions
  run by a programme with a cohort the learner is actively enrolled in. A learner in no cohort
  takes nothing (they browse the library).
- EXPECTED (`expected_missions`): what progress counts, "3 of 7" — the published missions run
  by the learner's programmes (active or completed enrolment), of the tracks each programme runs,
  in the learner's track (their
  latest profiler result's primary track; every track while they have none). A learner in no
  programme is expected to do nothing yet (an empty state, never a share of the catalog).

Each function returns a SELECT of mission ids, to be used inside the caller's own query
(`col(Mission.id).in_(...)`), so lists, counts, paging and the ANN search filter in SQL, never
after. Callers still add their own conditions (status, track, ...).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, true
from sqlmodel import Session, col, select

from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MembershipStatus,
    Mission,
    MissionStatus,
    OrganizationMembership,
    ProgramMission,
    ProgramTrack,
    Role,
    RoleAssignment,
    Track,
)
from cyberhub.services.ai import profiler
from cyberhub.services.errors import Forbidden, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning.query_parts import runs_mission_track

TAKE_REFUSED = (
    "You are not enrolled in a programme that runs this mission: join a cohort that runs it "
    "to start it."
)


def member_organizations(user_id: int) -> Any:
    """A SELECT of the organisation ids the user is an active member of."""
    return select(OrganizationMembership.organization_id).where(
        OrganizationMembership.user_id == user_id,
        OrganizationMembership.status == MembershipStatus.active,
    )


def visible_condition(principal: Principal | None) -> Any:
    """A condition on `Mission` (any status): the missions the principal may see."""
    if principal is not None and principal.is_admin:
        return true()
    library = col(Mission.organization_id).is_(None) & (
        col(Mission.status) == MissionStatus.published
    )
    if principal is None:
        return library
    orgs = {g.organization_id for g in principal.grants if g.organization_id is not None}
    member: Any = col(Mission.organization_id).in_(member_organizations(principal.user_id))
    if orgs:
        member = member | col(Mission.organization_id).in_(orgs)
    conditions: list[Any] = [library, member & (col(Mission.status) == MissionStatus.published)]
    authoring = principal.organizations(Role.director)
    if authoring:
        conditions.append(col(Mission.organization_id).in_(authoring))
    return or_(*conditions)


def learner_visible_condition(user_id: int) -> Any:
    """`visible_condition` for a learner known by id only (the worker has no Principal): the
    published library and the published missions of their organisations."""
    role_orgs = select(RoleAssignment.organization_id).where(
        RoleAssignment.user_id == user_id, col(RoleAssignment.organization_id).is_not(None)
    )
    return (col(Mission.status) == MissionStatus.published) & or_(
        col(Mission.organization_id).is_(None),
        col(Mission.organization_id).in_(member_organizations(user_id)),
        col(Mission.organization_id).in_(role_orgs),
    )


def recommendable_condition(user_id: int, enrolled: bool) -> Any:
    """The candidates of a learner's recommendations: what they may take when they are in a
    programme, else what they may see (the library and their organisations')."""
    if enrolled:
        return col(Mission.id).in_(takeable_missions(user_id))
    return learner_visible_condition(user_id)


def visible_missions(principal: Principal | None) -> Any:
    """A SELECT of the ids of the missions the principal may see (see the module docstring)."""
    return select(Mission.id).where(visible_condition(principal))


def learner_programs(user_id: int, *, completed: bool = False) -> Any:
    """A SELECT of the programme ids with a cohort the user is actively enrolled in (or has
    completed, with `completed`)."""
    statuses = [EnrollmentStatus.active]
    if completed:
        statuses.append(EnrollmentStatus.completed)
    return (
        select(Cohort.program_id)
        .join(Enrollment, col(Enrollment.cohort_id) == col(Cohort.id))
        .where(Enrollment.student_id == user_id, col(Enrollment.status).in_(statuses))
    )


def takeable_missions(user_id: int) -> Any:
    """A SELECT of the ids of the published missions the user may start, submit and reveal
    hints of: those run by a programme they are enrolled in (active, or completed: completing
    the required missions does not stop a learner from going on)."""
    return (
        select(ProgramMission.mission_id)
        .join(Mission, col(Mission.id) == col(ProgramMission.mission_id))
        .where(
            col(ProgramMission.program_id).in_(learner_programs(user_id, completed=True)),
            Mission.status == MissionStatus.published,
        )
    )


def expected_missions(user_id: int, track_key: str = "") -> Any:
    """A SELECT of the ids of the missions the learner is expected to do: the published missions
    run by their programmes (enrolment active or completed: finishing a cohort keeps what was
    expected) of `track_key` (all tracks when empty), among the tracks that programme runs."""
    stmt = (
        select(ProgramMission.mission_id)
        .join(Mission, col(Mission.id) == col(ProgramMission.mission_id))
        .join(ProgramTrack, runs_mission_track(col(ProgramMission.program_id)))
        .where(
            col(ProgramMission.program_id).in_(learner_programs(user_id, completed=True)),
            Mission.status == MissionStatus.published,
        )
    )
    if track_key:
        stmt = stmt.join(Track, col(Track.id) == col(Mission.track_id)).where(
            Track.key == track_key
        )
    return stmt


def learner_track(session: Session, user_id: int) -> str:
    """The learner's track key: their latest profiler result's primary track, else ""."""
    latest = profiler.latest_result(session, user_id)
    return str(latest["primary_track"]) if latest else ""


def can_see(session: Session, principal: Principal | None, mission_id: int) -> bool:
    stmt = select(Mission.id).where(Mission.id == mission_id, visible_condition(principal))
    return session.exec(stmt).first() is not None


def can_take(session: Session, user_id: int, mission_id: int) -> bool:
    stmt = takeable_missions(user_id).where(ProgramMission.mission_id == mission_id)
    return session.exec(stmt.limit(1)).first() is not None


def require_visible(session: Session, principal: Principal | None, mission_id: int) -> None:
    """NotFound when the principal may not see the mission (another organisation's, a draft)."""
    if not can_see(session, principal, mission_id):
        raise NotFound("That mission does not exist or is not published.")


def require_takeable(session: Session, principal: Principal, mission_id: int) -> None:
    """NotFound when the principal may not even see the mission; Forbidden, with the way
    forward, when they see it but no programme of theirs runs it."""
    if can_take(session, principal.user_id, mission_id):
        return
    require_visible(session, principal, mission_id)
    raise Forbidden(TAKE_REFUSED)
