"""Writing missions: drafts, edits, prerequisites, rubric and hints; publish / unpublish / archive.

Directors author the missions of their organizations (admins any, and the public library's);
programmes run missions (`program_missions`): their organisation's own or adopted library ones
(`add_to_program` / `remove_from_program`). Rules chosen:
- A mission belongs to an organisation (created through one of its programmes, which runs it)
  or to the library, and to one global track; its NICE work roles must be among those the
  programmes running it chose for the track (NICE Framework ids such as "DD-WRL-003").
- A director never edits another organisation's mission (NotFound, as an unknown id, unless
  they hold a role there) or a library mission (Forbidden).
- Rubric criteria: {key, title, description, points}; keys unique (made from the title when
  omitted), points 1..1000, at most 12 criteria. Hints: at most 10 non-blank texts.
- Prerequisites are other missions of the same organisation or the library, not archived; a
  chain of them may never loop back to the mission itself.
- Publishing needs a brief, at least one rubric criterion and published prerequisites (else the
  mission would stay locked for every student). A published mission stays publishable through
  every edit. A mission other published missions require can't be unpublished or archived
  while they do.
- Publishing, or editing a published mission, (re)computes its embedding after the commit.
- The slug is made from the title once, when the mission is created (links stay stable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, or_, true
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import (
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Program,
    ProgramMission,
    ProgramTrack,
    Role,
    Track,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.director import MissionListPage, MissionPublic, MissionRef
from cyberhub.schemas.rows import from_row
from cyberhub.services import locks, text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, managed_org_ids
from cyberhub.services.learning import reviews
from cyberhub.services.learning.programs import (
    audit_mission_change,
    check_org_of,
    get_program,
    get_program_mission,
    lock_program,
    nice_roles_for,
    programs_query,
    require_director,
)
from cyberhub.services.paging import check_page, fetch_page
from cyberhub.services.slugs import slugify
from cyberhub.services.text_match import contains

TITLE_MAX = 200
SUMMARY_MAX = 400
BRIEF_MAX = 50_000
SKILLS_MAX = 20
SKILL_MAX = 80
MINUTES_MAX = 6000
LIST_PAGE_SIZE = 20  # the director's missions list (mission_page)
RUBRIC_MAX = 12
POINTS_MAX = 1000
HINTS_MAX = 10
HINT_MAX = 1000
PREREQS_MAX = 10
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
STATUSES = tuple(s.value for s in MissionStatus)
STATUS_ACTIONS = {
    MissionStatus.published: "mission.published",
    MissionStatus.draft: "mission.unpublished",
    MissionStatus.archived: "mission.archived",
}


@dataclass
class MissionChanges:
    """What to set on a mission; None means "leave as it is" (on create: the default)."""

    program_id: int | None = None  # create only
    track: str | None = None  # track key within the programme
    title: str | None = None
    summary: str | None = None
    brief: str | None = None
    difficulty: int | None = None
    skills: list[str] | None = None
    estimated_minutes: int | None = None
    prerequisites: list[int] | None = None
    nice_work_roles: list[str] | None = None
    rubric: list[dict[str, Any]] | None = None
    hints: list[str] | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


# -- field rules -------------------------------------------------------------------------------


def _title(value: str) -> str:
    value = text.line(value, "title", TITLE_MAX, required=False)
    if len(value) < 3:
        raise Invalid("Give the mission a title (at least 3 characters).")
    return value


def _limited(value: str, what: str, limit: int) -> str:
    return text.block(value, what, limit)


def _difficulty(value: int) -> int:
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid("Difficulty must be between 1 (beginner) and 5 (expert).")
    return value


def _minutes(value: int) -> int:
    if not isinstance(value, int) or not 1 <= value <= MINUTES_MAX:
        raise Invalid(f"Estimated minutes must be between 1 and {MINUTES_MAX}.")
    return value


def _skills(values: list[str]) -> list[str]:
    """A skill is listed once, whatever its case ("Linux" and "linux" are one)."""
    return text.lines(values, "skill", SKILL_MAX, most=SKILLS_MAX, plural="skills", key=str.lower)


def _hints(values: list[str]) -> list[str]:
    out = [h for h in (text.block(str(h), "hint", HINT_MAX) for h in values) if h]
    if len(out) > HINTS_MAX:
        raise Invalid(f"Give at most {HINTS_MAX} hints.")
    return out


def _points(value: Any, title: str) -> int:
    try:
        points = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"Points for '{title}' must be a whole number.") from None
    if isinstance(value, float) and value != points:
        raise Invalid(f"Points for '{title}' must be a whole number.")
    if not 1 <= points <= POINTS_MAX:
        raise Invalid(f"Points for '{title}' must be between 1 and {POINTS_MAX}.")
    return points


def clean_rubric(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validated rubric criteria; Invalid names the first problem."""
    if len(criteria) > RUBRIC_MAX:
        raise Invalid(f"A rubric has at most {RUBRIC_MAX} criteria.")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, c in enumerate(criteria, start=1):
        if not isinstance(c, dict):
            raise Invalid(f"Rubric criterion {n} must have a title and points.")
        title = text.line(
            str(c.get("title") or ""), f"title of rubric criterion {n}", 120, required=False
        )
        if not title:
            raise Invalid(f"Rubric criterion {n} needs a title.")
        key = str(c.get("key") or "").strip().lower() or slugify(title, 60).replace("-", "_")
        if not KEY_RE.match(key):
            raise Invalid(
                f"The key of '{title}' must be lower-case letters, digits, '_' or '-' "
                "(up to 60 characters)."
            )
        if key in seen:
            raise Invalid(f"Two rubric criteria share the key '{key}': keys must be unique.")
        seen.add(key)
        description = _limited(str(c.get("description") or ""), "criterion description", 1000)
        out.append(
            {
                "key": key,
                "title": title,
                "description": description,
                "points": _points(c.get("points"), title),
            }
        )
    return out


def _allowed_roles(session: Session, track: Track, program_ids: list[int]) -> list[dict[str, str]]:
    """The NICE roles the programmes (running the mission) chose for the track, all of the
    track's standard roles when none chose any."""
    chosen: set[str] = set()
    for roles in session.exec(
        select(ProgramTrack.nice_work_roles).where(
            col(ProgramTrack.program_id).in_(program_ids or [-1]),
            ProgramTrack.track_id == track.id,
        )
    ).all():
        chosen.update(roles or [])
    standard = nice_roles_for(track.key)
    return [r for r in standard if r["id"] in chosen] if chosen else standard


def _nice_roles(values: list[str], track: Track, allowed_roles: list[dict[str, str]]) -> list[str]:
    """Role ids (or names) among those the programmes chose for the track."""
    track_key = track.key
    allowed = {r["id"]: r for r in allowed_roles}
    by_name = {r["name"].lower(): r["id"] for r in allowed.values()}
    out: list[str] = []
    for v in values:
        v = str(v).strip()
        role_id = v if v in allowed else by_name.get(v.lower())
        if role_id is None:
            names = ", ".join(f"{r['name']} ({r['id']})" for r in allowed.values())
            raise Invalid(f"'{v}' is not a NICE work role of the {track_key} track: {names}.")
        if role_id not in out:
            out.append(role_id)
    return out


def _track(session: Session, program_ids: list[int], key: str) -> Track:
    """The global track of `key`; with programmes given, one of them must run it."""
    key = (key or "").strip().lower()
    stmt = select(Track).where(Track.key == key)
    if program_ids:
        stmt = stmt.join(ProgramTrack, col(ProgramTrack.track_id) == col(Track.id)).where(
            col(ProgramTrack.program_id).in_(program_ids)
        )
    track = session.exec(stmt).first()
    if track is None:
        raise Invalid(f"This programme has no track '{key}'.")
    return track


def running_programs(
    session: Session, mission_id: int, *, seen_by: Principal | None = None
) -> list[int]:
    """The programmes that run the mission (`seen_by`: those of that reader's organisations,
    _programs_seen_by)."""
    stmt = select(ProgramMission.program_id).where(ProgramMission.mission_id == mission_id)
    if seen_by is not None:
        stmt = stmt.where(_programs_seen_by(seen_by))
    return list(session.exec(stmt.order_by(col(ProgramMission.program_id))).all())


def _unique_slug(session: Session, title: str) -> str:
    """The first free slug of `title` (its base, then base-2, base-3, ...), reserved for this
    transaction by the slug lock."""
    locks.hold(session, locks.Lock.MISSION_SLUGS)
    base = slugify(title, 110) or "mission"
    taken = set(
        session.exec(
            select(Mission.slug).where(
                or_(col(Mission.slug) == base, col(Mission.slug).like(f"{base}-%"))
            )
        ).all()
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# -- prerequisites -----------------------------------------------------------------------------


def _prereq_ids(session: Session, mission_id: int) -> list[int]:
    return list(
        session.exec(
            select(MissionPrerequisite.prerequisite_id)
            .where(MissionPrerequisite.mission_id == mission_id)
            .order_by(col(MissionPrerequisite.prerequisite_id))
        ).all()
    )


def _check_prerequisites(session: Session, mission: Mission, wanted: list[int]) -> list[Mission]:
    """The prerequisite missions, checked: same organisation or the library, not archived,
    no loop."""
    ids: list[int] = []
    for i in wanted:
        if i not in ids:
            ids.append(int(i))
    if len(ids) > PREREQS_MAX:
        raise Invalid(f"A mission has at most {PREREQS_MAX} prerequisites.")
    if mission.id is not None and mission.id in ids:
        raise Invalid("A mission can't be its own prerequisite.")
    found = {
        m.id: m for m in session.exec(select(Mission).where(col(Mission.id).in_(ids or [-1]))).all()
    }
    prereqs: list[Mission] = []
    for i in ids:
        m = found.get(i)
        # An admin's library mission not published yet is not there for an organisation's
        # mission (its page is 404 to directors): its title is not told.
        unpublished_library = (
            m is not None
            and m.organization_id is None
            and mission.organization_id is not None
            and m.status == MissionStatus.draft
        )
        if (
            m is None
            or m.organization_id not in (None, mission.organization_id)
            or unpublished_library
        ):
            raise Invalid(f"Mission {i} is not a mission of this programme.")
        if m.status == MissionStatus.archived:
            raise Invalid(f"'{m.title}' is archived: it can't be a prerequisite.")
        prereqs.append(m)
    if mission.id is not None and ids:
        _check_no_loop(session, mission, prereqs)
    return prereqs


def _check_no_loop(session: Session, mission: Mission, prereqs: list[Mission]) -> None:
    """Reject prerequisites that (through other missions) already require this mission."""
    edges: dict[int, list[int]] = {}
    owned = or_(
        col(Mission.organization_id).is_(None),
        col(Mission.organization_id) == (mission.organization_id or -1),
    )
    for m_id, p_id in session.exec(
        select(MissionPrerequisite.mission_id, MissionPrerequisite.prerequisite_id)
        .join(Mission, col(Mission.id) == col(MissionPrerequisite.mission_id))
        .where(owned)
    ).all():
        edges.setdefault(m_id, []).append(p_id)
    edges[mission.id or 0] = [p.id or 0 for p in prereqs]
    for start in prereqs:
        stack, seen = [start.id or 0], set()
        while stack:
            node = stack.pop()
            if node == mission.id:
                raise Invalid(
                    f"'{start.title}' already requires '{mission.title}' (directly or through "
                    "other missions): prerequisites can't go round in a loop."
                )
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, []))


def _set_prerequisites(session: Session, mission: Mission, prereqs: list[Mission]) -> None:
    current = session.exec(
        select(MissionPrerequisite).where(MissionPrerequisite.mission_id == mission.id)
    ).all()
    keep = {p.id for p in prereqs}
    for row in current:
        if row.prerequisite_id not in keep:
            session.delete(row)
    have = {row.prerequisite_id for row in current}
    for p in prereqs:
        if p.id not in have:
            session.add(MissionPrerequisite(mission_id=mission.id or 0, prerequisite_id=p.id or 0))
    session.flush()


def _missions(session: Session, ids: list[int], *, hold: bool = False) -> list[Mission]:
    """The missions of `ids`; `hold`: each read as committed now and share-locked until commit
    (in id order), so that no one unpublishes or archives a prerequisite between a publication's
    check of it and its commit (`_mission`'s lock on the other side)."""
    if not ids:
        return []
    stmt = select(Mission).where(col(Mission.id).in_(ids))
    if hold:
        stmt = (
            stmt.order_by(col(Mission.id))
            .with_for_update(read=True)
            .execution_options(populate_existing=True)
        )
    return list(session.exec(stmt).all())


def _dependants(session: Session, mission_id: int, status: str | None = None) -> list[Mission]:
    stmt = (
        select(Mission)
        .join(MissionPrerequisite, col(MissionPrerequisite.mission_id) == col(Mission.id))
        .where(MissionPrerequisite.prerequisite_id == mission_id)
    )
    if status:
        stmt = stmt.where(Mission.status == status)
    return list(session.exec(stmt.order_by(col(Mission.title))).all())


# -- reading -----------------------------------------------------------------------------------


def may_edit(actor: Principal, mission: Mission) -> bool:
    """Whether a director who can see the mission may edit, publish, unpublish or archive it:
    their organisation's, yes; a CyberHub library mission (which their programmes may run), only
    an admin."""
    return actor.is_admin or mission.organization_id is not None


def mission_public(
    m: Mission,
    track: Track | None,
    actor: Principal,
    prerequisites: list[MissionRef] | None = None,
    program_ids: list[int] | None = None,
) -> MissionPublic:
    return from_row(
        MissionPublic,
        m,
        library=m.organization_id is None,
        editable=may_edit(actor, m),
        program_ids=program_ids if program_ids is not None else [],
        track=track.key if track else "",
        track_name=track.name if track else "",
        max_points=sum(int(c.get("points", 0)) for c in m.rubric),  # type: ignore[call-overload]
        prerequisites=prerequisites if prerequisites is not None else [],
    )


def _mission(
    session: Session, principal: Principal | None, mission_id: int, *, lock: bool = False
) -> Mission:
    """A mission the principal may edit: their organisation's (any mission for an admin).
    `lock` (a change): locked until commit and read as committed now. Two directors changing
    missions linked by a prerequisite take turns (a publication share-locks the prerequisites,
    `_missions`): the second checks what the first committed."""
    actor = require_director(principal)
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise NotFound("That mission does not exist.")
    if not actor.is_admin:
        if mission.organization_id is None and mission.status == MissionStatus.draft:
            # An admin's library mission not published yet is nobody else's to know of.
            raise NotFound("That mission does not exist.")
        if not may_edit(actor, mission) or mission.organization_id is None:
            raise Forbidden("This is a CyberHub library mission: only an admin can edit it.")
        check_org_of(actor, mission.organization_id, "That mission does not exist.")
    if lock:
        session.refresh(mission, with_for_update=True)
    return mission


def _detail(session: Session, mission: Mission, actor: Principal) -> MissionPublic:
    track = session.get(Track, mission.track_id)
    prereqs = session.exec(
        select(Mission)
        .join(MissionPrerequisite, col(MissionPrerequisite.prerequisite_id) == col(Mission.id))
        .where(MissionPrerequisite.mission_id == mission.id)
        .order_by(col(Mission.title))
    ).all()
    return mission_public(
        mission,
        track,
        actor,
        [MissionRef(id=p.id or 0, title=p.title, status=p.status) for p in prereqs],
        running_programs(session, mission.id or 0, seen_by=actor),
    )


def _programs_seen_by(actor: Principal) -> Any:
    """A condition on ProgramMission: a programme of the actor's organisations (any for an
    admin). A library mission many organisations run lists theirs only: the ids of other
    tenants' programmes are not theirs to read."""
    managed = managed_org_ids(actor)
    if managed is None:
        return true()
    return col(ProgramMission.program_id).in_(
        select(Program.id).where(col(Program.organization_id).in_(managed or {-1}))
    )


def get_mission(session: Session, principal: Principal | None, mission_id: int) -> MissionPublic:
    """One mission as its author sees it (any status), with its prerequisites and the
    programmes running it: their organisation's missions, and (read-only) library ones their
    programmes may run."""
    actor = require_director(principal)
    mission = session.get(Mission, mission_id)
    if (
        mission is not None
        and mission.organization_id is None
        and mission.status == MissionStatus.published
    ):
        return _detail(session, mission, actor)
    return _detail(session, _mission(session, actor, mission_id), actor)


def list_missions(
    session: Session,
    principal: Principal | None,
    *,
    status: str = "",
    program_id: int | None = None,
    track: str = "",
    q: str = "",
) -> list[MissionPublic]:
    """Missions of the principal's organisations and those their programmes run (adopted
    library missions), newest edit first, filtered by status etc. With `program_id`: the
    missions that programme runs."""
    actor = require_director(principal)
    stmt = _listing(session, actor, status=status, program_id=program_id, track=track, q=q)
    rows = session.exec(stmt.order_by(col(Mission.updated_at).desc(), col(Mission.id).desc())).all()
    return _publics(session, rows, actor)


def mission_page(
    session: Session,
    principal: Principal | None,
    *,
    status: str = "",
    program_id: int | None = None,
    track: str = "",
    difficulty: int | None = None,
    q: str = "",
    page: int = 1,
    page_size: int = LIST_PAGE_SIZE,
    last_if_past: bool = False,
) -> MissionListPage:
    """One page of `list_missions` (newest edit first): `q` matches the title, the summary or a
    skill; filters by status, programme, track and difficulty; `total` counts every page. A page
    past the end is empty, or with `last_if_past` the last page (the list got shorter since the
    link was made: the page shows what there is rather than nothing)."""
    actor = require_director(principal)
    check_page(page, page_size)
    if difficulty is not None:
        _difficulty(difficulty)
    stmt = _listing(session, actor, status=status, program_id=program_id, track=track, q=q)
    if difficulty is not None:
        stmt = stmt.where(Mission.difficulty == difficulty)
    found = fetch_page(
        session,
        stmt.order_by(col(Mission.updated_at).desc(), col(Mission.id).desc()),
        page,
        page_size,
        last_if_past=last_if_past,
    )
    return MissionListPage(
        items=_publics(session, found.items, actor),
        total=found.total,
        page=found.page,
        page_size=page_size,
    )


def _listing(
    session: Session,
    actor: Principal,
    *,
    status: str = "",
    program_id: int | None = None,
    track: str = "",
    q: str = "",
) -> Any:
    """The SELECT (Mission, Track) behind `list_missions` and `mission_page`."""
    if status and status not in STATUSES:
        raise Invalid(f"Unknown status '{status}'. Choose one of: {', '.join(STATUSES)}.")
    stmt = select(Mission, Track).join(Track, col(Track.id) == col(Mission.track_id))
    if program_id is not None:
        get_program(session, actor, program_id)
        stmt = stmt.where(col(Mission.id).in_(_run_by([program_id])))
    else:
        stmt = stmt.where(_mine(session, actor))
    if status:
        stmt = stmt.where(Mission.status == status)
    if track:
        stmt = stmt.where(Track.key == track)
    if q.strip():
        typed = q.strip()[:200]
        stmt = stmt.where(
            or_(
                contains(col(Mission.title), typed),
                contains(col(Mission.summary), typed),
                contains(func.array_to_string(col(Mission.skills), "\n"), typed),
            )
        )
    return stmt


def _publics(session: Session, rows: Any, actor: Principal) -> list[MissionPublic]:
    """The rows as MissionPublic, each with the programmes that run it (one query)."""
    runs: dict[int, list[int]] = {}
    for pid, mid in session.exec(
        select(ProgramMission.program_id, ProgramMission.mission_id).where(
            col(ProgramMission.mission_id).in_([m.id for m, _ in rows] or [-1]),
            _programs_seen_by(actor),
        )
    ).all():
        runs.setdefault(mid, []).append(pid)
    return [
        mission_public(m, t, actor, program_ids=sorted(runs.get(m.id or 0, []))) for m, t in rows
    ]


def _run_by(program_ids: list[int]) -> Any:
    return select(ProgramMission.mission_id).where(
        col(ProgramMission.program_id).in_(program_ids or [-1])
    )


def _mine(session: Session, actor: Principal) -> Any:
    """A condition on Mission: the director's organisations' missions and those their
    programmes run (every mission for an admin)."""
    if actor.is_admin:
        return true()
    program_ids = [p.id or 0 for p in session.exec(programs_query(actor)).all()]
    orgs = actor.organizations(Role.director)
    return or_(
        col(Mission.organization_id).in_(orgs or {-1}), col(Mission.id).in_(_run_by(program_ids))
    )


def status_counts(
    session: Session, principal: Principal | None, program_id: int | None = None
) -> dict[str, int]:
    """How many of the missions `list_missions` shows are in each status."""
    actor = require_director(principal)
    if program_id is not None:
        get_program(session, actor, program_id)
        where = col(Mission.id).in_(_run_by([program_id]))
    else:
        where = _mine(session, actor)
    rows = session.exec(
        select(Mission.status, func.count()).where(where).group_by(col(Mission.status))
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(rows))
    return counts


def prerequisite_options(
    session: Session, principal: Principal | None, program_id: int, mission_id: int | None = None
) -> list[MissionRef]:
    """Missions that may be chosen as prerequisites (the programme's organisation's or the
    library's, not archived, not itself)."""
    program = get_program(session, principal, program_id)
    rows = session.exec(
        select(Mission)
        .where(
            or_(
                col(Mission.organization_id) == program.organization_id,
                col(Mission.organization_id).is_(None)
                & (col(Mission.status) == MissionStatus.published),
            ),
            Mission.status != MissionStatus.archived,
            Mission.id != (mission_id or 0),
        )
        .order_by(col(Mission.title))
    ).all()
    return [MissionRef(id=m.id or 0, title=m.title, status=m.status) for m in rows]


# -- writing -----------------------------------------------------------------------------------


def _check_publishable(brief: str, rubric: list[Any], prereqs: list[Mission]) -> None:
    problems = []
    if not brief.strip():
        problems.append("a brief")
    if not rubric:
        problems.append("at least one rubric criterion")
    if problems:
        raise Invalid(f"A published mission needs {' and '.join(problems)}.")
    drafts = [p.title for p in prereqs if p.status != MissionStatus.published]
    if drafts:
        raise Invalid(
            "Publish its prerequisites first (students could never unlock it): "
            + ", ".join(f"'{t}'" for t in drafts)
            + "."
        )


def _validated(
    session: Session,
    mission: Mission,
    changes: MissionChanges,
    track: Track,
    program_ids: list[int],
) -> tuple[dict[str, Any], list[Mission] | None]:
    """The new field values (all checked) and the new prerequisites when given.

    Nothing is set on the mission here, so a refused edit leaves it untouched.
    """
    values: dict[str, Any] = {}
    if changes.title is not None:
        values["title"] = _title(changes.title)
    if changes.summary is not None:
        values["summary"] = _limited(changes.summary, "summary", SUMMARY_MAX)
    if changes.brief is not None:
        values["brief"] = _limited(changes.brief, "brief", BRIEF_MAX)
    if changes.difficulty is not None:
        values["difficulty"] = _difficulty(changes.difficulty)
    if changes.skills is not None:
        values["skills"] = _skills(changes.skills)
    if changes.estimated_minutes is not None:
        values["estimated_minutes"] = _minutes(changes.estimated_minutes)
    if changes.rubric is not None:
        values["rubric"] = clean_rubric(changes.rubric)
    if changes.hints is not None:
        values["hints"] = _hints(changes.hints)
    if changes.nice_work_roles is not None:
        allowed = _allowed_roles(session, track, program_ids)
        values["nice_work_roles"] = _nice_roles(changes.nice_work_roles, track, allowed)
    elif changes.track is not None:
        # Moving to another track: the roles chosen must fit the new one too.
        allowed = _allowed_roles(session, track, program_ids)
        values["nice_work_roles"] = _nice_roles(mission.nice_work_roles, track, allowed)
    prereqs = None
    if changes.prerequisites is not None:
        prereqs = _check_prerequisites(session, mission, changes.prerequisites)
    return values, prereqs


def create_mission(
    session: Session,
    principal: Principal | None,
    changes: MissionChanges,
    *,
    meta: RequestMeta = NO_META,
) -> MissionPublic:
    """Create a draft mission of the organisation of a programme the principal runs (their
    only one by default); that programme runs it.

    Needs a title and a track; everything else may follow. Invalid names the first problem.
    """
    actor = require_director(principal)
    program_id = changes.program_id
    if program_id is None:
        mine = session.exec(programs_query(actor)).all()
        if len(mine) != 1:
            raise Invalid("Choose the programme the mission belongs to.")
        program_id = mine[0].id
    program: Program = get_program(session, actor, program_id or 0)
    if changes.title is None:
        raise Invalid("Give the mission a title (at least 3 characters).")
    if not changes.track:
        raise Invalid("Choose the mission's track.")
    track = _track(session, [program.id or 0], changes.track)
    mission = Mission(
        organization_id=program.organization_id,
        track_id=track.id or 0,
        slug="",
        title="",
        author_id=actor.user_id,
        status=MissionStatus.draft,
    )
    values, prereqs = _validated(session, mission, changes, track, [program.id or 0])
    for name, value in values.items():
        setattr(mission, name, value)
    mission.slug = _unique_slug(session, mission.title)
    session.add(mission)
    session.flush()
    session.add(ProgramMission(program_id=program.id or 0, mission_id=mission.id or 0))
    session.flush()
    if prereqs:
        # Checked again now that the mission has an id (a new mission can't be in a loop yet).
        _set_prerequisites(session, mission, prereqs)
    audit.record(
        session,
        "mission.created",
        mission,
        by=actor,
        meta=meta,
        title=mission.title,
        program_id=program.id,
    )
    return _detail(session, mission, actor)


def update_mission(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    changes: MissionChanges,
    *,
    meta: RequestMeta = NO_META,
) -> MissionPublic:
    """Edit a mission (only the fields given). A published mission must stay publishable, and
    its embedding is recomputed after the commit."""
    actor = require_director(principal)
    mission = _mission(session, actor, mission_id, lock=True)
    runs = running_programs(session, mission.id or 0)
    if changes.program_id is not None and changes.program_id not in runs:
        raise Invalid(
            "A mission can't move to another programme: add it to that programme instead."
        )
    if mission.status == MissionStatus.archived:
        raise Conflict("This mission is archived: restore it (publish or unpublish) to edit it.")
    track = (
        _track(session, runs, changes.track)
        if changes.track is not None
        else session.get(Track, mission.track_id)
    )
    assert track is not None
    values, prereqs = _validated(session, mission, changes, track, runs)
    if mission.status == MissionStatus.published:
        ids = [p.id or 0 for p in prereqs] if prereqs is not None else None
        current = _missions(
            session, ids if ids is not None else _prereq_ids(session, mission.id or 0), hold=True
        )
        _check_publishable(
            values.get("brief", mission.brief), values.get("rubric", mission.rubric), current
        )
    mission.track_id = track.id or 0
    for name, value in values.items():
        setattr(mission, name, value)
    mission.updated_at = utcnow()
    session.add(mission)
    if prereqs is not None:
        _set_prerequisites(session, mission, prereqs)
    session.flush()
    if mission.status == MissionStatus.published:
        jobs.mission_changed(session, mission_id)
    audit.record(
        session, "mission.updated", mission, by=actor, meta=meta, fields=",".join(changes.given())
    )
    return _detail(session, mission, actor)


def _set_status(
    session: Session, actor: Principal, mission: Mission, status: MissionStatus, meta: RequestMeta
) -> MissionPublic:
    before = mission.status
    mission.status = status
    mission.updated_at = utcnow()
    session.add(mission)
    session.flush()
    audit.record(
        session,
        STATUS_ACTIONS[status],
        mission,
        by=actor,
        meta=meta,
        before=before,
        title=mission.title,
    )
    return _detail(session, mission, actor)


def publish_mission(
    session: Session, principal: Principal | None, mission_id: int, *, meta: RequestMeta = NO_META
) -> MissionPublic:
    """Publish a draft (or archived) mission: students see it, its embedding is computed.

    Invalid: no brief, no rubric, unpublished prerequisites. Conflict: already published.
    """
    actor = require_director(principal)
    mission = _mission(session, actor, mission_id, lock=True)
    if mission.status == MissionStatus.published:
        raise Conflict("This mission is already published.")
    prereqs = _missions(session, _prereq_ids(session, mission.id or 0), hold=True)
    _check_publishable(mission.brief, mission.rubric, prereqs)
    result = _set_status(session, actor, mission, MissionStatus.published, meta)
    jobs.mission_changed(session, mission_id)
    return result


def _check_no_published_dependants(session: Session, mission: Mission, verb: str) -> None:
    needed_by = _dependants(session, mission.id or 0, MissionStatus.published)
    if needed_by:
        names = ", ".join(f"'{m.title}'" for m in needed_by[:5])
        raise Conflict(
            f"Published missions require this one ({names}): change their prerequisites or "
            f"{verb} them first."
        )


def unpublish_mission(
    session: Session, principal: Principal | None, mission_id: int, *, meta: RequestMeta = NO_META
) -> MissionPublic:
    """Take a published (or archived) mission back to draft: students no longer see it.

    Conflict: it is already a draft, or published missions require it.
    """
    actor = require_director(principal)
    mission = _mission(session, actor, mission_id, lock=True)
    if mission.status == MissionStatus.draft:
        raise Conflict("This mission is already a draft.")
    _check_no_published_dependants(session, mission, "unpublish")
    return _set_status(session, actor, mission, MissionStatus.draft, meta)


def archive_mission(
    session: Session, principal: Principal | None, mission_id: int, *, meta: RequestMeta = NO_META
) -> MissionPublic:
    """Archive a mission (hidden from students and from new prerequisites; submissions kept).

    Conflict: already archived, or published missions require it.
    """
    actor = require_director(principal)
    mission = _mission(session, actor, mission_id, lock=True)
    if mission.status == MissionStatus.archived:
        raise Conflict("This mission is already archived.")
    _check_no_published_dependants(session, mission, "archive")
    return _set_status(session, actor, mission, MissionStatus.archived, meta)


# -- which programmes run a mission -------------------------------------------------------------


def add_to_program(
    session: Session,
    principal: Principal | None,
    program_id: int,
    mission_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> MissionPublic:
    """The programme starts running the mission: one of its organisation's own, or a published
    library mission (adopted). Another organisation's mission is NotFound; Conflict when the
    programme already runs it or does not run the mission's track. Audited."""
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    mission = session.get(Mission, mission_id)
    library = mission is not None and mission.organization_id is None
    if mission is None or not (
        mission.organization_id == program.organization_id
        or (library and mission.status == MissionStatus.published)
    ):
        raise NotFound("That mission is neither this organisation's nor a published library one.")
    lock_program(session, program.id or 0)  # two adds at once: the second sees the first's row
    if session.get(ProgramMission, (program.id, mission.id)) is not None:
        raise Conflict(f"This programme already runs '{mission.title}'.")
    if session.get(ProgramTrack, (program.id, mission.track_id)) is None:
        raise Conflict("This programme does not run the mission's track: add the track first.")
    session.add(ProgramMission(program_id=program.id or 0, mission_id=mission.id or 0))
    session.flush()
    audit_mission_change(
        session, "program.mission_added", actor, program, mission, meta, library=library
    )
    return _detail(session, mission, actor)


def remove_from_program(
    session: Session,
    principal: Principal | None,
    program_id: int,
    mission_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> None:
    """The programme stops running the mission (its submissions are kept; learners no longer
    start it there). NotFound when the programme does not run it; Conflict when another
    mission the programme runs requires it, or while its learners' work on it waits for review
    (reviews.waiting_in_program): no mentor there could claim it any more. Audited."""
    actor = require_director(principal)
    # Locked: of two removals at once, the second finds the row gone (NotFound).
    program, row, mission = get_program_mission(session, actor, program_id, mission_id, lock=True)
    needed_by = [
        m.title
        for m in _dependants(session, mission_id)
        if m.status != MissionStatus.archived
        and session.get(ProgramMission, (program.id, m.id)) is not None
    ]
    if needed_by:
        names = ", ".join(f"'{t}'" for t in needed_by[:5])
        raise Conflict(f"Missions of this programme require this one ({names}): remove them first.")
    # The row locked before counting: a learner handing work in through it right now
    # (submissions.submit holds it, mission_scope.hold_takeable) is counted once committed.
    session.refresh(row, with_for_update=True)
    waiting = reviews.waiting_in_program(session, program.id or 0, mission_id)
    if waiting:
        raise Conflict(
            f"{waiting} submission of this mission is waiting for review in this programme: "
            "review it first."
            if waiting == 1
            else f"{waiting} submissions of this mission are waiting for review in this "
            "programme: review them first."
        )
    session.delete(row)
    session.flush()
    audit_mission_change(session, "program.mission_removed", actor, program, mission, meta)


def library_options(
    session: Session, principal: Principal | None, program_id: int
) -> list[MissionPublic]:
    """Published library missions of the tracks the programme runs that it does not run yet."""
    return _options(session, principal, program_id, own=False)


def addable_missions(
    session: Session, principal: Principal | None, program_id: int
) -> list[MissionPublic]:
    """What the programme may start running (add_to_program): its organisation's own missions
    (not archived) and the published library ones, of the tracks it runs, that it does not run
    yet. A mission of its own removed by mistake is offered back here."""
    return _options(session, principal, program_id, own=True)


def _options(
    session: Session, principal: Principal | None, program_id: int, *, own: bool
) -> list[MissionPublic]:
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    library = col(Mission.organization_id).is_(None) & (Mission.status == MissionStatus.published)
    ours = (col(Mission.organization_id) == program.organization_id) & (
        Mission.status != MissionStatus.archived
    )
    rows = session.exec(
        select(Mission, Track)
        .join(Track, col(Track.id) == col(Mission.track_id))
        .join(ProgramTrack, col(ProgramTrack.track_id) == col(Track.id))
        .where(
            ProgramTrack.program_id == program.id,
            (library | ours) if own else library,
            ~col(Mission.id).in_(_run_by([program.id or 0])),
        )
        .order_by(col(Track.id), col(Mission.difficulty), col(Mission.title))
    ).all()
    return [mission_public(m, t, actor) for m, t in rows]
