"""Which missions a person may see, take, and is expected to do: the one rule (issue 12).

A mission belongs to an organisation (`missions.organization_id`, authored by its directors) or,
with no organisation, to CyberHub's public library. A programme runs missions
(`program_missions`): its own organisation's or library missions it adopted.

- SEE (`visible_missions`): everyone, signed in or not, sees the published library; a member of
  an organisation (active membership or a role there) also sees that organisation's published
  missions; a director of an organisation also sees its drafts and archived missions (to author
  them); an admin sees every mission. A learner who handed work in for a mission keeps reading
  it once it is archived or back in draft (`keeps_reading`): its page and their work on it.
- TAKE (`takeable_missions`): start, draft, submit and reveal hints only on published missions
  run by a programme with a cohort the learner is actively enrolled in. A learner in no cohort
  takes nothing (they browse the library).
- EXPECTED (`expected_missions`): what progress counts, "3 of 7" — the published missions run
  by the learner's programmes (active or completed enrolment), of the tracks each programme runs,
  in the learner's track (their
  latest profiler result's primary track; every track while they have none). A learner in no
  programme is expected to do nothing yet (an empty state, never a share of the catalog).
  `scopes` counts it, with the approved ones, for a whole list in one statement: the one
  "N of M" every page shows (the learner's dashboard, the mentee page, the mentor home, the
  director's roster and its export, the sponsors' view).

Each function returns a SELECT of mission ids, to be used inside the caller's own query
(`col(Mission.id).in_(...)`), so lists, counts, paging and the ANN search filter in SQL, never
after. Callers still add their own conditions (status, track, ...).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, text, true
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
    Submission,
    SubmissionStatus,
    Track,
)
from cyberhub.schemas.learning import ScopePublic
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


def keeps_reading(session: Session, user_id: int, mission: Mission) -> bool:
    """A mission no longer published (archived, or back in draft) stays readable — its page,
    the learner's work on it — to a learner who handed work in for it (a draft doesn't count):
    that work is still reviewed, and they follow the review and read the feedback there. It
    takes no new work (TAKE needs a published mission)."""
    if mission.status == MissionStatus.published:
        return False
    stmt = select(Submission.id).where(
        Submission.student_id == user_id,
        Submission.mission_id == mission.id,
        Submission.status != SubmissionStatus.draft,
    )
    return session.exec(stmt.limit(1)).first() is not None


def hold_takeable(session: Session, user_id: int, mission_id: int) -> bool:
    """can_take, holding (FOR SHARE) the rows of the programmes it goes through until the
    transaction ends: while a learner hands work in, none of their programmes stops running the
    mission (authoring.remove_from_program locks the row, then counts the work waiting there),
    and once one has stopped, work is no longer handed in through it."""
    stmt = (
        takeable_missions(user_id)
        .where(ProgramMission.mission_id == mission_id)
        .with_for_update(read=True, of=ProgramMission)
    )
    return bool(session.exec(stmt).all())


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


# -- the headline: "3 of 7" ----------------------------------------------------------------------


def percent(done: int, total: int) -> int:
    """0..100, rounded down; 0 when there is nothing to do."""
    return (100 * done) // total if total > 0 else 0


@dataclass
class ScopeProgress:
    """The headline: approved missions of the learner's track among those their programmes
    run ("3 of 7"); `track` is "" when they have no track yet (every track counts)."""

    track: str
    track_name: str
    approved: int
    expected: int

    @property
    def percent(self) -> int:
        return percent(self.approved, self.expected)

    @property
    def label(self) -> str:
        return f"{self.approved} of {self.expected}"

    def as_public(self) -> ScopePublic:
        return ScopePublic.model_validate(self, from_attributes=True)


# The one definition of a learner's "N of M" (issue: the mentor home said "2 of 20" and the
# mentee page "2 of 5" for the same learner). Per wanted row (n): its learner and programmes;
# the learner's track is their latest profiler result's primary track (none: every track counts).
# M counts the published missions those programmes run, of tracks they run, in that track, once
# per distinct (programmes, track) — a roster's learners share a handful — not once per learner;
# N counts the learner's missions among them whose latest attempt is approved, from their own
# submissions. One statement for a whole list.
_SCOPES = text(
    """
WITH wanted AS (
  SELECT w.n, w.student_id, array_agg(DISTINCT w.program_id ORDER BY w.program_id) AS programs
  FROM unnest(CAST(:ns AS int[]), CAST(:students AS int[]), CAST(:programs AS int[]))
       AS w(n, student_id, program_id)
  GROUP BY w.n, w.student_id
), who AS MATERIALIZED (
  SELECT wanted.*,
         nullif((SELECT r.primary_track FROM profiler_results r WHERE r.user_id = wanted.student_id
                 ORDER BY r.created_at DESC LIMIT 1), '') AS track
  FROM wanted
), expected AS (
  SELECT k.programs, k.track, count(DISTINCT m.id) AS missions
  FROM (SELECT DISTINCT programs, track FROM who) k
  JOIN program_missions pm ON pm.program_id = ANY(k.programs)
  JOIN missions m ON m.id = pm.mission_id AND m.status = :published
  JOIN program_tracks pt ON pt.program_id = pm.program_id AND pt.track_id = m.track_id
  JOIN tracks t ON t.id = m.track_id
  WHERE k.track IS NULL OR t.key = k.track
  GROUP BY k.programs, k.track
), approved AS (
  SELECT w.n, count(DISTINCT s.mission_id) AS missions
  FROM who w
  JOIN submissions s ON s.student_id = w.student_id AND s.status = :approved
  JOIN missions m ON m.id = s.mission_id AND m.status = :published
  JOIN program_missions pm ON pm.mission_id = m.id AND pm.program_id = ANY(w.programs)
  JOIN program_tracks pt ON pt.program_id = pm.program_id AND pt.track_id = m.track_id
  JOIN tracks t ON t.id = m.track_id
  WHERE (w.track IS NULL OR t.key = w.track)
    AND NOT EXISTS (SELECT 1 FROM submissions later WHERE later.student_id = s.student_id
                    AND later.mission_id = s.mission_id AND later.attempt > s.attempt)
  GROUP BY w.n
)
SELECT w.n, coalesce(w.track, ''), t.name, coalesce(a.missions, 0), coalesce(e.missions, 0)
FROM who w
LEFT JOIN expected e ON e.programs = w.programs AND e.track IS NOT DISTINCT FROM w.track
LEFT JOIN approved a ON a.n = w.n
LEFT JOIN tracks t ON t.key = w.track
"""
)


def scopes(
    session: Session, wanted: Sequence[tuple[int, Collection[int]]]
) -> list[ScopeProgress | None]:
    """Each learner's headline "N of M", in the order asked: (learner id, the programmes to
    count) → approved missions of their track among the published missions those programmes
    run (of the tracks they run); None for a row with no programme (an empty state). The one
    definition every page and list shows — the learner's dashboard, the mentee page, the mentor
    home, the director's roster and its export, the sponsors' view — in one statement however
    many rows. Callers check permissions and choose the programmes (a reader's own only)."""
    ns: list[int] = []
    students: list[int] = []
    program_ids: list[int] = []
    for n, (student_id, programs) in enumerate(wanted):
        for program_id in set(programs):
            ns.append(n)
            students.append(student_id)
            program_ids.append(program_id)
    out: list[ScopeProgress | None] = [None] * len(wanted)
    if not ns:
        return out
    rows = session.execute(
        _SCOPES,
        {
            "ns": ns,
            "students": students,
            "programs": program_ids,
            "published": MissionStatus.published.value,
            "approved": SubmissionStatus.approved.value,
        },
    ).all()
    for n, track, name, done, expected in rows:
        out[n] = ScopeProgress(
            track=track,
            track_name=(name or track.title()) if track else "",
            approved=int(done),
            expected=int(expected),
        )
    return out


def program_scopes(session: Session, pairs: Sequence[tuple[int, int]]) -> list[ScopeProgress]:
    """scopes() of (learner id, programme id) pairs, one programme each: the rosters' rows (a
    cohort's programme), in the order asked."""
    found = scopes(session, [(student_id, (program_id,)) for student_id, program_id in pairs])
    return [s or ScopeProgress(track="", track_name="", approved=0, expected=0) for s in found]
