"""Programmes, tracks and cohorts as a director runs them, and the cohort roster with progress.

Who may do what: a director acts only within the organizations they direct (their director role
assignments), an admin anywhere; everyone else gets Forbidden. Another organization's programme
answers Forbidden too (not NotFound): directors know other organizations exist, and a clear
"not yours" helps more than a pretend "missing".

Tracks are five global rows (models.learning.TRACK_KEYS, texts from tracks.json, edited by
admins); a programme runs all five from its creation (`program_tracks`) and its director chooses
which it keeps (add_program_track / remove_program_track: at least one, and none of whose
missions the programme still runs), each with its own description when the director sets one and
the NICE work roles it chose among the NICE Framework roles of the key
(profiler_bank.load_nice_roles()).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub.formatting import person_name, plural, when
from cyberhub.models import (
    Cohort,
    CohortMentor,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    Mission,
    MissionStatus,
    Organization,
    Program,
    ProgramMission,
    ProgramTrack,
    Role,
    RoleAssignment,
    Sponsorship,
    Track,
    User,
)
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.schemas.director import (
    CohortPublic,
    NiceRole,
    PersonRef,
    ProgramPublic,
    ProgramTrackPublic,
    ProgramWithCounts,
    RosterRow,
)
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.profiler import TrackTexts
from cyberhub.schemas.rows import from_row
from cyberhub.services import dates, locks, text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.ai.profiler_bank import load_nice_roles, load_tracks_info
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import (
    UNKNOWN_ORGANIZATION,
    Principal,
    hide_from_outsiders,
    hold_account,
    holds_role,
    managed_org_ids,
    require_role,
)
from cyberhub.services.learning.cohort_days import cohort_today, today_of, today_sql
from cyberhub.services.learning.mission_scope import program_scopes
from cyberhub.services.learning.query_parts import (
    enrollment_assignment,
    name_order,
    waits_for_a_mentor,
)
from cyberhub.services.paging import fetch_page
from cyberhub.services.slugs import check_slug, slugify
from cyberhub.services.text_match import contains

NAME_MAX = 200
DESCRIPTION_MAX = 5000
TAGLINE_MAX = 200
LIST_ITEMS_MAX = 12
LIST_ITEM_MAX = 100
CAPACITY_MAX = 10_000


# -- who may act where -------------------------------------------------------------------------


def require_director(principal: Principal | None) -> Principal:
    """Only directors and admins run programmes (403 for everyone else, before any input)."""
    return require_role(principal, Role.admin, Role.director)


UNKNOWN_PROGRAM = "That programme does not exist."
UNKNOWN_COHORT = "That cohort does not exist."


def check_org(principal: Principal, organization_id: int) -> None:
    """Raise Forbidden unless the principal may manage `organization_id`."""
    visible = managed_org_ids(principal)
    if visible is not None and organization_id not in visible:
        raise Forbidden("Directors can manage only their own organization's programmes.")


def check_org_of(principal: Principal, organization_id: int, unknown: str) -> None:
    """check_org for an object found by its id: NotFound(`unknown`) to outsiders."""
    if managed_org_ids(principal) is not None:
        hide_from_outsiders(principal, organization_id, unknown)
    check_org(principal, organization_id)


def get_program(session: Session, principal: Principal | None, program_id: int) -> Program:
    """The programme, if the principal may manage it (NotFound, as for an unknown id, when it is
    another organization's; Forbidden for a member there who does not direct it)."""
    actor = require_director(principal)
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(UNKNOWN_PROGRAM)
    check_org_of(actor, program.organization_id, UNKNOWN_PROGRAM)
    return program


def get_program_mission(
    session: Session,
    principal: Principal | None,
    program_id: int,
    mission_id: int,
    *,
    lock: bool = False,
) -> tuple[Program, ProgramMission, Mission]:
    """The programme (if the principal may manage it), its row of a mission it runs and that
    mission; NotFound when the programme does not run the mission. `lock`: row-lock the
    programme first (lock_program), for a change to the missions it runs."""
    program = get_program(session, principal, program_id)
    if lock:
        lock_program(session, program.id or 0)
    row = session.get(ProgramMission, (program.id, mission_id))
    mission = session.get(Mission, mission_id)
    if row is None or mission is None:
        raise NotFound("This programme does not run that mission.")
    return program, row, mission


def audit_mission_change(
    session: Session,
    action: str,
    actor: Principal,
    target: Program | Cohort,
    mission: Mission,
    meta: RequestMeta,
    **details: Any,
) -> None:
    """Audit a change to a mission in a programme (added, removed, required or not) or a cohort
    (its due date set or cleared): the entry names the mission by id and title."""
    audit.record(
        session,
        action,
        target,
        by=actor,
        meta=meta,
        mission_id=mission.id,
        title=mission.title,
        **details,
    )


def get_cohort(
    session: Session, principal: Principal | None, cohort_id: int, *, lock: bool = False
) -> tuple[Cohort, Program]:
    """The cohort and its programme, if the principal may manage them (NotFound to outsiders of
    its organization, as get_program).

    `lock` takes a row lock on the cohort (SELECT ... FOR UPDATE) so that seat counting and
    mentor balancing in this transaction can't race with another one on the same cohort.
    """
    actor = require_director(principal)
    cohort, program = cohort_with_program(session, cohort_id, lock=lock)
    check_org_of(actor, program.organization_id, UNKNOWN_COHORT)
    return cohort, program


def cohort_with_program(
    session: Session, cohort_id: int, *, lock: bool = False
) -> tuple[Cohort, Program]:
    """The cohort and its programme, whoever asks (NotFound when there is no such cohort): the
    callers check who may see them. `lock`: as in get_cohort."""
    # One statement, so the two rows come from one snapshot: a second read of the programme could
    # miss it when something deleting both commits in between (a reset, a test's clean-up).
    stmt = (
        select(Cohort, Program)
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .where(Cohort.id == cohort_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Cohort)
    found = session.exec(stmt).first()
    if found is None:
        raise NotFound(UNKNOWN_COHORT)
    return found[0], found[1]


def programs_query(principal: Principal) -> Any:
    stmt = select(Program)
    visible = managed_org_ids(principal)
    if visible is not None:
        stmt = stmt.where(col(Program.organization_id).in_(visible or {-1}))
    return stmt


# -- field rules -------------------------------------------------------------------------------


def clean_name(value: str, what: str, max_length: int = NAME_MAX) -> str:
    """A name on one line (services/text.line), at least 2 characters."""
    return text.line(value, what, max_length, required=False, min_length=2)


def clean_list(values: list[str] | None, what: str) -> list[str]:
    """Each entry one line (services/text.lines), de-duplicated (first wins), blanks dropped."""
    return text.lines(
        values or [], f"entry in the {what}", LIST_ITEM_MAX, most=LIST_ITEMS_MAX, plural=what
    )


def _clean_slug(slug: str) -> str:
    return check_slug((slug or "").strip().lower(), "career-accelerator")


# -- programmes --------------------------------------------------------------------------------


def program_public(p: Program, org_name: str = "") -> ProgramPublic:
    return from_row(ProgramPublic, p, organization=org_name)


def list_programs(session: Session, principal: Principal | None) -> list[ProgramWithCounts]:
    """The programmes the principal runs, with counts of tracks, cohorts, missions and students
    (the learners its cohorts seat: holds_seat, as each cohort's "enrolled")."""
    actor = require_director(principal)
    programs = session.exec(programs_query(actor).order_by(col(Program.name))).all()
    if not programs:
        return []
    ids = [p.id for p in programs]
    orgs = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_({p.organization_id for p in programs})
            )
        ).all()
    )

    def counts(stmt: Any) -> dict[int, int]:
        return dict(session.exec(stmt).all())

    tracks = counts(
        select(ProgramTrack.program_id, func.count())
        .where(col(ProgramTrack.program_id).in_(ids))
        .group_by(col(ProgramTrack.program_id))
    )
    cohorts = counts(
        select(Cohort.program_id, func.count())
        .where(col(Cohort.program_id).in_(ids))
        .group_by(col(Cohort.program_id))
    )
    missions = counts(
        select(ProgramMission.program_id, func.count())
        .join(Mission, col(Mission.id) == col(ProgramMission.mission_id))
        .where(col(ProgramMission.program_id).in_(ids), Mission.status == MissionStatus.published)
        .group_by(col(ProgramMission.program_id))
    )
    students = counts(
        select(Cohort.program_id, func.count(func.distinct(Enrollment.student_id)))
        .join(Enrollment, col(Enrollment.cohort_id) == col(Cohort.id))
        .where(col(Cohort.program_id).in_(ids), holds_seat())
        .group_by(col(Cohort.program_id))
    )
    return [
        ProgramWithCounts(
            **program_public(p, orgs.get(p.organization_id, "")).model_dump(),
            tracks=tracks.get(p.id or 0, 0),
            cohorts=cohorts.get(p.id or 0, 0),
            published_missions=missions.get(p.id or 0, 0),
            students=students.get(p.id or 0, 0),
        )
        for p in programs
    ]


def _default_org(actor: Principal, organization_id: int | None) -> int:
    if organization_id is not None:
        return organization_id
    mine = actor.organizations(Role.director)
    if len(mine) == 1:
        return next(iter(mine))
    raise Invalid("Choose the organization the programme belongs to.")


def create_program(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    organization_id: int | None = None,
    slug: str = "",
    description: str = "",
    with_tracks: bool = True,
    meta: RequestMeta = NO_META,
) -> Program:
    """Create a programme in an organization the principal directs (any, for an admin).

    The organization defaults to the director's only one. The five tracks are added with their
    standard texts unless `with_tracks` is False. Invalid names the problem; Conflict when the
    slug is taken or the organization already has a programme of that name.
    """
    actor = require_director(principal)
    org_id = _default_org(actor, organization_id)
    check_org(actor, org_id)
    if session.get(Organization, org_id) is None:
        raise NotFound(UNKNOWN_ORGANIZATION)
    name = clean_name(name, "programme's name")
    slug = _clean_slug(slug or slugify(name))
    description = text.block(description, "description", DESCRIPTION_MAX)
    _check_program_unique(session, org_id, name, slug, None)
    program = Program(organization_id=org_id, name=name, slug=slug, description=description)
    session.add(program)
    session.flush()
    assert program.id is not None
    if with_tracks:
        for key in TRACK_KEYS:
            _run_track(session, program.id, key)
    audit.record(
        session, "program.created", program, by=actor, meta=meta, name=name, organization_id=org_id
    )
    return program


def _taken_name(
    session: Session,
    model: type[Program] | type[Cohort],
    among: ColumnElement[bool] | bool,
    name: str,
    row_id: int | None,
) -> str | None:
    """The stored name of another row `among` its siblings that has `name` in any letter case
    (None: the name is free). `row_id`: the row being renamed, which doesn't count."""
    return session.exec(
        select(model.name).where(
            among, func.lower(model.name) == name.lower(), model.id != (row_id or 0)
        )
    ).first()


def _check_program_unique(
    session: Session, org_id: int, name: str, slug: str, program_id: int | None
) -> None:
    """Conflict when the organization has another programme of this name (any letter case) or
    any programme has this slug. Takes the programme-names lock until commit first, so that two
    creations or renames at once take turns and the second sees the first's programme (the
    slug's unique index would otherwise fail the second with a database error)."""
    locks.hold(session, locks.Lock.PROGRAM_NAMES)
    same_name = _taken_name(session, Program, Program.organization_id == org_id, name, program_id)
    if same_name is not None:
        raise Conflict(f"Your organization already has a programme named '{same_name}'.")
    same_slug = session.exec(
        select(Program.id).where(Program.slug == slug, Program.id != (program_id or 0))
    ).first()
    if same_slug is not None:
        raise Conflict(f"The slug '{slug}' is already used by another programme.")


def update_program(
    session: Session,
    principal: Principal | None,
    program_id: int,
    *,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    meta: RequestMeta = NO_META,
) -> Program:
    """Change a programme's name, slug or description (only the fields given)."""
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    new_name = clean_name(name, "programme's name") if name is not None else program.name
    new_slug = _clean_slug(slug) if slug is not None else program.slug
    _check_program_unique(session, program.organization_id, new_name, new_slug, program.id)
    program.name, program.slug = new_name, new_slug
    if description is not None:
        program.description = text.block(description, "description", DESCRIPTION_MAX)
    session.add(program)
    session.flush()
    audit.record(session, "program.updated", program, by=actor, meta=meta, name=program.name)
    return program


# -- tracks ------------------------------------------------------------------------------------


class ProgramTrackView(TrackTexts):
    """A track as one programme runs it: the global texts, the programme's own description
    (when it set one) and its NICE work roles. `id` is the global track's id."""

    id: int
    program_id: int
    nice_work_roles: list[str]


def ensure_track(session: Session, key: str) -> Track:
    """The global track of `key`, created from tracks.json on first use."""
    track = session.exec(select(Track).where(Track.key == key)).first()
    if track is not None:
        return track
    info = next(i for i in load_tracks_info() if i["key"] == key)
    # Two programmes may add a track no one runs yet at the same moment: the second insert does
    # nothing (it waits for the first's commit) and both read the one row.
    session.execute(
        pg_insert(Track)
        .values(
            key=key,
            name=info["name"],
            tagline=info.get("tagline", ""),
            description=info.get("description", ""),
            focus=list(info.get("focus", [])),
            careers=list(info.get("careers", [])),
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return session.exec(select(Track).where(Track.key == key)).one()


def _view(track: Track, pt: ProgramTrack) -> ProgramTrackView:
    assert track.id is not None
    return from_row(
        ProgramTrackView,
        track,
        program_id=pt.program_id,
        description=pt.description or track.description,
        nice_work_roles=list(pt.nice_work_roles or []),
    )


def _run_track(session: Session, program_id: int, key: str) -> Track:
    """Add the global track of `key` to the programme, with all its standard NICE roles."""
    track = ensure_track(session, key)
    assert track.id is not None
    session.add(
        ProgramTrack(
            program_id=program_id,
            track_id=track.id,
            nice_work_roles=[r["id"] for r in nice_roles_for(key)],
        )
    )
    session.flush()
    return track


def nice_roles_for(track_key: str) -> list[dict[str, str]]:
    """The NICE work roles a track's missions may name ({"id", "name", "category"})."""
    return load_nice_roles().get(track_key, [])


def program_nice_roles(t: ProgramTrackView) -> list[dict[str, str]]:
    """The NICE work roles this programme chose for the track (all standard ones when unset)."""
    standard = nice_roles_for(t.key)
    chosen = set(t.nice_work_roles or [])
    return [r for r in standard if r["id"] in chosen] if chosen else standard


def _clean_nice_roles(values: list[str], track_key: str) -> list[str]:
    allowed = {r["id"] for r in nice_roles_for(track_key)}
    picked = [v.strip() for v in values if v and v.strip()]
    if not picked:
        raise Invalid("Choose at least one NICE work role for this track.")
    for v in picked:
        if v not in allowed:
            names = ", ".join(r["id"] for r in nice_roles_for(track_key))
            raise Invalid(f"'{v}' is not a NICE work role of the {track_key} track: {names}.")
    # Canonical order (best fit first), each once.
    return [r["id"] for r in nice_roles_for(track_key) if r["id"] in set(picked)]


def _run_track_row(session: Session, program_id: int, track_id: int) -> tuple[Track, ProgramTrack]:
    """The track and the programme's row of it; NotFound when the programme does not run it."""
    pt = session.get(ProgramTrack, (program_id, track_id))
    track = session.get(Track, track_id)
    if pt is None or track is None:
        raise NotFound("That track is not one of this programme's.")
    return track, pt


def _own_description(description: str, track: Track) -> str:
    """The programme's own description of a track, cleaned: "" (the standard one) when it is
    empty or the standard text typed back, which is no override."""
    cleaned = text.block(description, "description", DESCRIPTION_MAX)
    return "" if cleaned == track.description else cleaned


def program_track(
    session: Session, principal: Principal | None, program_id: int, track_id: int
) -> ProgramTrackView:
    """One track as the programme runs it; NotFound when the programme does not run it."""
    program = get_program(session, principal, program_id)
    assert program.id is not None
    return _view(*_run_track_row(session, program.id, track_id))


def set_program_track(
    session: Session,
    principal: Principal | None,
    program_id: int,
    track_id: int,
    *,
    nice_work_roles: list[str] | None = None,
    description: str | None = None,
    meta: RequestMeta = NO_META,
) -> ProgramTrackView:
    """A director sets, for their programme, a track's NICE work roles (chosen from
    nice_work_roles.json, at least one) and its own description ("" = the standard one).
    Audited once, naming what changed."""
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    assert program.id is not None
    track, pt = _run_track_row(session, program.id, track_id)
    if description is not None:
        pt.description = _own_description(description, track)
    if nice_work_roles is not None:
        pt.nice_work_roles = _clean_nice_roles(nice_work_roles, track.key)
    session.add(pt)
    session.flush()
    fields = {"description": description, "nice_work_roles": nice_work_roles}
    _audit_track_updated(session, actor, track, fields, meta, program_id=program.id)
    return _view(track, pt)


def _audit_track_updated(
    session: Session,
    actor: Principal,
    track: Track,
    fields: dict[str, Any],
    meta: RequestMeta,
    **details: Any,
) -> None:
    """Audit "track.updated" once, naming the fields that changed (those given, not None)."""
    audit.record(
        session,
        "track.updated",
        track,
        by=actor,
        meta=meta,
        key=track.key,
        **details,
        changed=[k for k, v in fields.items() if v is not None],
    )


def track_public(t: ProgramTrackView, missions: int = 0) -> ProgramTrackPublic:
    return ProgramTrackPublic(
        **t.model_dump(exclude={"nice_work_roles"}),
        nice_work_roles=[NiceRole.model_validate(r) for r in program_nice_roles(t)],
        missions=missions,
    )


def list_tracks(
    session: Session, principal: Principal | None, program_id: int
) -> list[ProgramTrackView]:
    """The tracks the programme runs, in the canonical order."""
    program = get_program(session, principal, program_id)
    rows = session.exec(
        select(Track, ProgramTrack)
        .join(ProgramTrack, col(ProgramTrack.track_id) == col(Track.id))
        .where(ProgramTrack.program_id == program.id)
    ).all()
    views = [_view(t, pt) for t, pt in rows]
    return sorted(views, key=lambda t: TRACK_KEYS.index(t.key) if t.key in TRACK_KEYS else 99)


def mission_counts(session: Session, program_id: int, track_ids: list[int]) -> dict[int, int]:
    """Missions the programme runs (any status but archived) per track."""
    if not track_ids:
        return {}
    rows = session.exec(
        select(Mission.track_id, func.count())
        .join(ProgramMission, col(ProgramMission.mission_id) == col(Mission.id))
        .where(
            ProgramMission.program_id == program_id,
            col(Mission.track_id).in_(track_ids),
            Mission.status != MissionStatus.archived,
        )
        .group_by(col(Mission.track_id))
    ).all()
    return dict(rows)


def create_track(
    session: Session,
    principal: Principal | None,
    program_id: int,
    *,
    key: str,
    description: str | None = None,
    meta: RequestMeta = NO_META,
) -> ProgramTrackView:
    """The programme starts running one of the five global tracks, with its own description
    when given. Invalid for any other key; Conflict when the programme already runs it."""
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    key = (key or "").strip().lower()
    if key not in TRACK_KEYS:
        raise Invalid(f"Unknown track '{key}'. Choose one of: {', '.join(TRACK_KEYS)}.")
    assert program.id is not None
    # Two requests adding the track at once take turns: the second sees the first's row.
    lock_program(session, program.id)
    taken = session.exec(
        select(ProgramTrack.track_id)
        .join(Track, col(Track.id) == col(ProgramTrack.track_id))
        .where(ProgramTrack.program_id == program.id, Track.key == key)
    ).first()
    if taken is not None:
        raise Conflict(f"This programme already has the {key} track.")
    track = _run_track(session, program.id, key)
    pt = session.get(ProgramTrack, (program.id, track.id))
    assert pt is not None
    if description:
        pt.description = _own_description(description, track)
        session.add(pt)
        session.flush()
    audit.record(
        session, "track.created", track, by=actor, meta=meta, key=key, program_id=program.id
    )
    return _view(track, pt)


def lock_program(session: Session, program_id: int) -> None:
    """Row-lock the programme until commit before changing the tracks or missions it runs, so
    that two changes at once take turns: the second sees the first's (no two rows of one track
    or mission, and the "keeps at least one track" check can't be passed by both)."""
    session.exec(select(Program.id).where(Program.id == program_id).with_for_update()).first()


def _track_change(
    session: Session, principal: Principal | None, program_id: int, track_id: int
) -> tuple[Principal, Program, Track, ProgramTrack | None]:
    """What adding or removing a programme's track starts from: the acting director, the
    programme (row-locked, see lock_program), the global track (NotFound when there is none)
    and the programme's row of it (None: the programme does not run it)."""
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    assert program.id is not None
    track = session.get(Track, track_id)
    if track is None:
        raise NotFound("That track does not exist.")
    lock_program(session, program.id)
    return actor, program, track, session.get(ProgramTrack, (program.id, track_id))


def add_program_track(
    session: Session,
    principal: Principal | None,
    program_id: int,
    track_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> ProgramTrackView:
    """The programme starts running a global track, with its standard texts and NICE work roles.
    Idempotent: a track it already runs is returned unchanged (and not audited again)."""
    actor, program, track, pt = _track_change(session, principal, program_id, track_id)
    assert program.id is not None
    if pt is not None:
        return _view(track, pt)
    _run_track(session, program.id, track.key)
    pt = session.get(ProgramTrack, (program.id, track_id))
    assert pt is not None
    audit.record(
        session,
        "program.track_added",
        program,
        by=actor,
        meta=meta,
        track_id=track.id,
        key=track.key,
    )
    return _view(track, pt)


def remove_program_track(
    session: Session,
    principal: Principal | None,
    program_id: int,
    track_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> None:
    """The programme stops running a track. Conflict while it still runs missions of that track
    (remove them first: nothing is removed with the track) or when it is the programme's last
    track. Its description and NICE work roles there are dropped (re-adding starts from the
    standard ones). Idempotent: a track the programme does not run is a no-op. Audited."""
    actor, program, track, pt = _track_change(session, principal, program_id, track_id)
    assert program.id is not None
    if pt is None:
        return
    runs = mission_counts(session, program.id, [track_id]).get(track_id, 0)
    if runs:
        what = "1 mission" if runs == 1 else f"{runs} missions"
        raise Conflict(
            f"This programme still runs {what} of the {track.name} track: "
            "remove them from the programme first."
        )
    others = session.exec(
        select(func.count())
        .select_from(ProgramTrack)
        .where(ProgramTrack.program_id == program.id, ProgramTrack.track_id != track_id)
    ).one()
    if not others:
        raise Conflict(
            f"{track.name} is this programme's only track: a programme runs at least one. "
            "Add another track first."
        )
    session.delete(pt)
    session.flush()
    audit.record(
        session,
        "program.track_removed",
        program,
        by=actor,
        meta=meta,
        track_id=track.id,
        key=track.key,
    )


def update_track(
    session: Session,
    principal: Principal | None,
    track_id: int,
    *,
    name: str | None = None,
    tagline: str | None = None,
    description: str | None = None,
    focus: list[str] | None = None,
    careers: list[str] | None = None,
    meta: RequestMeta = NO_META,
) -> Track:
    """An admin edits a global track's texts, focus areas and careers (shared by every
    programme); its key never changes. Directors set their programme's description and NICE
    work roles with set_program_track. Audited once."""
    actor = require_director(principal)
    if not actor.is_admin:
        raise Forbidden(
            "A track's name, tagline, focus areas and careers are shared by every programme; "
            "only an admin changes them. Edit your programme's description and NICE work roles."
        )
    track = session.get(Track, track_id)
    if track is None:
        raise NotFound("That track does not exist.")
    if name is not None:
        track.name = clean_name(name, "track's name", 100)
    if tagline is not None:
        track.tagline = text.line(tagline, "tagline", TAGLINE_MAX, required=False)
    if description is not None:
        track.description = text.block(description, "description", DESCRIPTION_MAX)
    if focus is not None:
        track.focus = clean_list(focus, "focus areas")
    if careers is not None:
        track.careers = clean_list(careers, "careers")
    session.add(track)
    session.flush()
    fields = {"name": name, "tagline": tagline, "description": description, "focus": focus}
    fields |= {"careers": careers}
    _audit_track_updated(session, actor, track, fields, meta)
    return track


# -- cohorts -----------------------------------------------------------------------------------


def cohort_status(c: Cohort, today: date) -> str:
    """'upcoming' before its first day, 'running' from its first to its last day (both in), then
    'finished'; `today` is the cohort's day (cohort_days.cohort_today: in its director's zone).
    The one rule for every page and API that shows it."""
    if c.starts_on > today:
        return "upcoming"
    return "running" if today <= c.ends_on else "finished"


def cohort_not_over(now: datetime) -> ColumnElement[bool]:
    """A cohort (SQL, on Cohort) that is neither closed (certificates.close_cohort) nor past its
    last day at `now` (a day in the cohort's zone, cohort_days.today_sql): /cohorts lists it,
    and its due dates still stand (due, overdue, reminded). One rule for every reader of
    either."""
    return and_(col(Cohort.closed_at).is_(None), col(Cohort.ends_on) >= today_sql(now))


def takes_learners(session: Session, cohort: Cohort, now: datetime | None = None) -> bool:
    """Whether the cohort still seats anyone new at `now` (default: now): it is neither closed
    (services/learning/certificates.close_cohort) nor past its last day (cohort_status
    'finished' on the cohort's day, cohort_days.today_of). Neither takes enrolments,
    applications or waitlist promotions."""
    if cohort.closed_at is not None:
        return False
    return cohort_status(cohort, today_of(session, cohort, now)) != "finished"


def require_open(session: Session, cohort: Cohort) -> None:
    """Conflict when the cohort takes nobody new (takes_learners), saying why."""
    if cohort.closed_at is not None:
        raise Conflict(f"{cohort.name} is closed: it takes no more enrolments or applications.")
    if not takes_learners(session, cohort):
        raise Conflict(
            f"{cohort.name} ended on {when(cohort.ends_on, style='date')}: it takes no more "
            "enrolments or applications."
        )


def cohort_public(
    c: Cohort,
    program: Program | None = None,
    *,
    director: User | None = None,
    enrolled: int = 0,
    mentors: int = 0,
    unassigned: int = 0,
) -> CohortPublic:
    return from_row(
        CohortPublic,
        c,
        program=program.name if program else "",
        director=(director.full_name or director.email) if director else "",
        # the cohort's director (or None): their zone is the cohort's (cohort_days)
        status=cohort_status(c, cohort_today(director.time_zone if director else None)),
        enrolled=enrolled,
        seats_left=max(0, c.capacity - enrolled),
        mentors=mentors,
        unassigned=unassigned,
    )


# Who holds a seat: the active learners and those who completed, who keep theirs until the
# cohort ends (a completion frees nothing for the waitlist). Every seat count uses this rule.
SEATED = (EnrollmentStatus.active, EnrollmentStatus.completed)


def holds_seat() -> ColumnElement[bool]:
    """An enrolment that takes one of its cohort's seats (SEATED)."""
    return col(Enrollment.status).in_(SEATED)


def seats_taken(session: Session, cohort_id: int) -> int:
    """The cohort's seats taken: its active and completed enrolments."""
    return session.exec(
        select(func.count()).where(Enrollment.cohort_id == cohort_id, holds_seat())
    ).one()


def list_cohorts(
    session: Session,
    principal: Principal | None,
    program_id: int | None = None,
    *,
    cohort_id: int | None = None,
) -> list[CohortPublic]:
    """Cohorts of the principal's programmes (of one programme, or just one cohort, when given),
    with seat counts."""
    actor = require_director(principal)
    if program_id is not None:
        get_program(session, actor, program_id)
    programs = {p.id: p for p in session.exec(programs_query(actor)).all()}
    if not programs:
        return []
    ids = [program_id] if program_id is not None else list(programs)
    director = aliased(User)
    seats = (
        select(func.count())
        .where(Enrollment.cohort_id == Cohort.id, holds_seat())
        .scalar_subquery()
    )
    mentors = select(func.count()).where(CohortMentor.cohort_id == Cohort.id).scalar_subquery()
    unassigned = (
        select(func.count())
        .where(Enrollment.cohort_id == Cohort.id, waits_for_a_mentor())
        .scalar_subquery()
    )
    stmt = (
        sa_select(Cohort, director, seats, mentors, unassigned)
        .join(director, col(director.id) == col(Cohort.director_id), isouter=True)
        .where(col(Cohort.program_id).in_(ids))
    )
    if cohort_id is not None:  # the counts are subqueries per row: count one cohort only
        stmt = stmt.where(col(Cohort.id) == cohort_id)
    rows = session.execute(stmt.order_by(col(Cohort.starts_on), col(Cohort.id))).all()
    return [
        cohort_public(
            c, programs.get(c.program_id), director=d, enrolled=n, mentors=m, unassigned=u
        )
        for c, d, n, m, u in rows
    ]


def cohort_detail(session: Session, principal: Principal | None, cohort_id: int) -> CohortPublic:
    """One cohort with its counts (as in list_cohorts)."""
    cohort, program = get_cohort(session, principal, cohort_id)
    for row in list_cohorts(session, principal, program.id, cohort_id=cohort.id):
        if row.id == cohort.id:
            return row
    raise NotFound(UNKNOWN_COHORT)  # pragma: no cover - just checked


def _check_director(session: Session, org_id: int, director_id: int | None) -> User | None:
    if director_id is None:
        return None
    user = hold_account(session, director_id)
    if (
        user is None
        or not user.is_active
        or not holds_role(session, director_id, Role.director, org_id)
    ):
        raise Invalid("The cohort's director must be a director of the programme's organization.")
    return user


def _check_dates(starts_on: date, ends_on: date) -> None:
    if not (dates.plausible(starts_on) and dates.plausible(ends_on)):
        raise Invalid(
            "The cohort's dates must be between the years "
            f"{dates.EARLIEST.year} and {dates.LATEST.year}."
        )
    if ends_on < starts_on:
        raise Invalid("The cohort must end on or after the day it starts.")


def _check_not_over(session: Session, ends_on: date, director_id: int | None) -> None:
    """A cohort's last day, set or moved, is today or later, in the zone of the cohort's
    director `director_id` (cohort_days, as takes_learners): a cohort already over would take
    no learners and be listed nowhere (cohort_not_over)."""
    director = session.get(User, director_id) if director_id is not None else None
    if ends_on < cohort_today(director.time_zone if director else None):
        raise Invalid(
            "The cohort's last day can't be in the past: choose today or a later end date."
        )


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= CAPACITY_MAX:
        raise Invalid(f"Capacity must be between 1 and {CAPACITY_MAX} students.")


def check_new_capacity(session: Session, cohort_id: int, capacity: int) -> int:
    """Check a cohort's new capacity: Invalid out of 1..CAPACITY_MAX, Conflict below the students
    already enrolled or below the seats a sponsor funds there (a sponsorship funds at most the
    capacity, services/learning/sponsorships). Returns how many are enrolled."""
    _check_capacity(capacity)
    taken = seats_taken(session, cohort_id)
    if capacity < taken:
        raise Conflict(
            ("1 student is" if taken == 1 else f"{taken} students are")
            + " already enrolled: the capacity can't be lower than that."
        )
    funded = session.exec(
        select(Sponsorship.seats, Organization.name)
        .join(Organization, col(Organization.id) == col(Sponsorship.organization_id))
        .where(Sponsorship.cohort_id == cohort_id)
        .order_by(col(Sponsorship.seats).desc(), col(Organization.name))
    ).first()
    if funded is not None and capacity < funded[0]:
        raise Conflict(
            f"{funded[1]} funds {plural(funded[0], 'seat')} in this cohort: the capacity can't "
            "be lower than that. Change the sponsorship first."
        )
    return taken


def _check_cohort_name(session: Session, program_id: int, name: str, cohort_id: int | None) -> None:
    """Conflict when another cohort of the programme has this name (any letter case). Takes the
    programme's cohort-names lock until commit first, so that two creations or renames to one
    name at once take turns and the second sees the first's cohort (no unique index backs the
    case-insensitive rule)."""
    locks.hold(session, locks.Lock.PROGRAM_COHORT_NAMES, program_id)
    taken = _taken_name(session, Cohort, Cohort.program_id == program_id, name, cohort_id)
    if taken is not None:
        raise Conflict(f"This programme already has a cohort named '{taken}'.")


def create_cohort(
    session: Session,
    principal: Principal | None,
    program_id: int,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
    director_id: int | None = None,
    meta: RequestMeta = NO_META,
) -> Cohort:
    """Create a cohort of a programme. The director defaults to the acting director.

    Invalid: name, dates (ends_on >= starts_on, ends_on not before today), capacity (1..10000), a director who doesn't
    direct the organization. Conflict: the programme has a cohort of that name.
    """
    actor = require_director(principal)
    program = get_program(session, actor, program_id)
    assert program.id is not None
    name = clean_name(name, "cohort's name")
    _check_dates(starts_on, ends_on)
    if director_id is None and program.organization_id in actor.organizations(Role.director):
        director_id = actor.user_id
    _check_not_over(session, ends_on, director_id)
    _check_capacity(capacity)
    _check_director(session, program.organization_id, director_id)
    _check_cohort_name(session, program.id, name, None)
    cohort = Cohort(
        program_id=program.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        director_id=director_id,
    )
    session.add(cohort)
    session.flush()
    audit.record(
        session,
        "cohort.created",
        cohort,
        by=actor,
        meta=meta,
        name=name,
        program_id=program.id,
        capacity=capacity,
    )
    return cohort


_UNSET: Any = object()


def update_cohort(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    name: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    capacity: int | None = None,
    director_id: int | None = _UNSET,
    meta: RequestMeta = NO_META,
) -> Cohort:
    """Change a cohort (only the fields given; director_id=None removes the director).

    Invalid when a changed end date is already past. Conflict when the capacity would drop
    below the students already enrolled.
    """
    actor = require_director(principal)
    if director_id is not _UNSET and director_id is not None:
        # The new director's row before the cohort's (_check_director), the order a
        # deactivation or role revocation takes them in.
        hold_account(session, director_id)
    # Locked: a capacity cut must not race with an enrolment into the last seats.
    cohort, program = get_cohort(session, actor, cohort_id, lock=True)
    before = _edited(cohort)
    if name is not None:
        cohort.name = clean_name(name, "cohort's name")
        _check_cohort_name(session, program.id or 0, cohort.name, cohort.id)
    new_start = starts_on or cohort.starts_on
    new_end = ends_on or cohort.ends_on
    _check_dates(new_start, new_end)
    if new_end != cohort.ends_on:  # an ended cohort keeps its past last day through other edits
        # in the zone of its director after this change (the one who will run it)
        _check_not_over(
            session, new_end, cohort.director_id if director_id is _UNSET else director_id
        )
    cohort.starts_on, cohort.ends_on = new_start, new_end
    if capacity is not None:
        check_new_capacity(session, cohort_id, capacity)
        cohort.capacity = capacity
    if director_id is not _UNSET:
        _check_director(session, program.organization_id, director_id)
        cohort.director_id = director_id
    session.add(cohort)
    session.flush()
    # Seats freed (a capacity raised) or the cohort taking learners again (an ended one's last
    # day moved later, takes_learners): the waitlist moves up in this transaction.
    from cyberhub.services.learning import applications  # noqa: PLC0415  (why: applications imports this module at its top)

    applications.fill_seats(session, cohort, program, actor_id=actor.user_id, meta=meta)
    after = _edited(cohort)
    changed = {k: v for k, v in after.items() if v != before[k]}
    audit.record(
        session,
        "cohort.updated",
        cohort,
        by=actor,
        meta=meta,
        name=cohort.name,
        capacity=cohort.capacity,
        changed=",".join(changed),
        **{k: v for k, v in changed.items() if k not in ("name", "capacity")},
    )
    return cohort


def _edited(cohort: Cohort) -> dict[str, str | int | None]:
    """What update_cohort may change, as its audit entry records it (dates as ISO text)."""
    return {
        "name": cohort.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "capacity": cohort.capacity,
        "director_id": cohort.director_id,
    }


def lock_organization_cohorts(
    session: Session, organization_id: int, condition: ColumnElement[bool]
) -> list[Cohort]:
    """The cohorts of the organisation's programmes that meet `condition`, in id order, each
    locked (FOR UPDATE) as update_cohort and every seat or mentor change lock it: they take
    turns."""
    return list(
        session.exec(
            select(Cohort)
            .join(Program, col(Program.id) == col(Cohort.program_id))
            .where(condition, Program.organization_id == organization_id)
            .order_by(col(Cohort.id))
            .with_for_update(of=Cohort)
        ).all()
    )


def stop_directing_in_organization(
    session: Session,
    director_id: int,
    organization_id: int,
    *,
    actor_id: int,
    meta: RequestMeta = NO_META,
) -> int:
    """The user no longer holds the director role in the organisation (revoked, removed from it,
    left it) or their account was deactivated: the cohorts of its programmes they direct have no
    director from now on (a cohort's director is an active director of its organisation,
    _check_director's rule), so nobody shows them as its director or tells them of its
    applications. Each change is audited as a cohort update.
    Returns how many cohorts they directed."""
    cohorts = lock_organization_cohorts(
        session, organization_id, col(Cohort.director_id) == director_id
    )
    for cohort in cohorts:
        cohort.director_id = None
        session.add(cohort)
        audit.record(
            session,
            "cohort.updated",
            cohort,
            by=actor_id,
            meta=meta,
            name=cohort.name,
            director_removed=director_id,
        )
    session.flush()
    return len(cohorts)


def org_directors(
    session: Session, principal: Principal | None, program_id: int
) -> list[PersonRef]:
    """The people who may direct the programme's cohorts (directors of its organization)."""
    program = get_program(session, principal, program_id)
    rows = organization_directors(session, program.organization_id)
    return [PersonRef(id=u.id or 0, name=u.full_name or u.email, email=u.email) for u in rows]


def organization_directors(session: Session, organization_id: int) -> list[User]:
    """The active users holding the director role in the organisation, each once, by name (no
    rights check: for services that tell or list them)."""
    return list(
        session.exec(
            select(User)
            .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
            .where(
                RoleAssignment.role == Role.director,
                RoleAssignment.organization_id == organization_id,
                col(User.is_active),
            )
            .order_by(col(User.full_name), col(User.email))
        ).all()
    )


# -- roster ------------------------------------------------------------------------------------


ROSTER_PAGE_SIZE = 25  # the cohort page's roster
# The roster's learner and mentor: one alias each, so a search can name the learner's columns.
_STUDENT = aliased(User)
_MENTOR = aliased(User)


def roster(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    include_withdrawn: bool = False,
) -> list[RosterRow]:
    """The cohort's students with their mentor and progress: approved missions of their track
    among the published ones the cohort's programme runs (mission_scope.scopes, what the
    learner's own dashboard and the mentee page say). Two queries, whatever the cohort's size.
    """
    cohort, program = get_cohort(session, principal, cohort_id)
    stmt = _roster_query(cohort, include_withdrawn=include_withdrawn)
    return _roster_rows(session, program, list(session.execute(stmt).all()))


def roster_page(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    *,
    q: str = "",
    page: int = 1,
    page_size: int = ROSTER_PAGE_SIZE,
    last_if_past: bool = False,
) -> PageOf[RosterRow]:
    """One page of `roster` (the enrolled, by name), searched by name or e-mail (`q`): paged in
    the database, and progress worked out for that page's learners only, so a cohort of
    thousands opens as fast as one of ten. A page past the last is empty, or with
    `last_if_past` the last one (fetch_page)."""
    cohort, program = get_cohort(session, principal, cohort_id)
    stmt = _roster_query(cohort, include_withdrawn=False)
    typed = q.strip()[:200]
    if typed:
        stmt = stmt.where(
            or_(contains(col(_STUDENT.full_name), typed), contains(col(_STUDENT.email), typed))
        )
    found = fetch_page(session, stmt, page, page_size, last_if_past=last_if_past)
    return found.with_items(_roster_rows(session, program, list(found.items)))


def _roster_query(cohort: Cohort, *, include_withdrawn: bool) -> Any:
    """The SELECT of a cohort's roster rows (student, enrolment, mentor), by the student's name."""
    student, mentor = _STUDENT, _MENTOR
    stmt = (
        sa_select(
            col(Enrollment.student_id),
            col(student.full_name),
            col(student.email),
            col(Enrollment.status),
            col(Enrollment.enrolled_at),
            col(MentorAssignment.mentor_id),
            col(mentor.full_name),
            col(mentor.email),
        )
        .select_from(Enrollment)
        .join(student, col(student.id) == col(Enrollment.student_id))
        .join(MentorAssignment, enrollment_assignment(), isouter=True)
        .join(mentor, col(mentor.id) == col(MentorAssignment.mentor_id), isouter=True)
        .where(col(Enrollment.cohort_id) == cohort.id)
        .order_by(name_order(student), col(student.email))
    )
    if not include_withdrawn:
        stmt = stmt.where(col(Enrollment.status) != EnrollmentStatus.withdrawn)
    return stmt


def _roster_rows(session: Session, program: Program, rows: list[Any]) -> list[RosterRow]:
    """Roster rows (of `_roster_query`) with each learner's progress in `program`: one query."""
    figures = program_scopes(session, [(r[0], program.id or 0) for r in rows])
    return [
        RosterRow(
            student_id=sid,
            name=person_name(name, email),
            email=email,
            status=status,
            enrolled_at=enrolled_at,
            mentor_id=mid,
            mentor=(mname or memail or "") if mid else "",
            approved=scope.approved,
            published=scope.expected,
            progress=scope.percent,
        )
        for (sid, name, email, status, enrolled_at, mid, mname, memail), scope in zip(
            rows, figures, strict=True
        )
    ]
