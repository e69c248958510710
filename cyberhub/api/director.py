"""The director's API: programmes, tracks, cohorts, enrolments, mentors, roster, mission authoring.

Every route takes the signed-in user (401 without one); the services allow directors within their
own organizations and admins anywhere (403 for everyone else; another organization's programme,
cohort or mission is 404, as an id nobody has). `GET /tracks` and `GET /missions`
stay the learners' catalog (api/catalog.py): a programme's tracks are under
`/programs/{id}/tracks`, and authoring is under `/director/missions`.

`POST /cohorts/{id}/enrollments/import` takes the CSV as the request body (text/csv), as a
multipart upload (field `file`) or as JSON `{"csv": "..."}`. It answers 200 `{"imported", ...}`,
or 422 `{"detail", "rows": [{"row", "email", "error"}]}` when any row fails: nothing is imported.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints

from cyberhub.api.catalog import track_json as catalog_track_json
from cyberhub.api.deps import (
    CurrentUser,
    Id,
    MetaDep,
    Page,
    PageSize,
    QueryId,
    RowId,
    SessionDep,
)
from cyberhub.schemas.analytics import RosterPage
from cyberhub.schemas.director import (
    AssignmentPublic,
    Balanced,
    CohortMentorPublic,
    CohortMentorRemoved,
    CohortPublic,
    CsvImported,
    CsvImportRefused,
    EnrollmentPublic,
    EnrollmentsPage,
    MissionList,
    MissionPublic,
    ProgramMissionRemoved,
    ProgramPublic,
    ProgramTrackPublic,
    ProgramTrackRemoved,
    ProgramWithCounts,
    TrackPublic,
)
from cyberhub.services.errors import Invalid
from cyberhub.services.learning import analytics, authoring, enrollment, programs
from cyberhub.services.learning.enrollment import CSV_MAX_BYTES, CsvImportError

router = APIRouter(tags=["director"])

Short = Annotated[str, StringConstraints(max_length=100)]
Skill = Annotated[str, StringConstraints(max_length=80)]
Hint = Annotated[str, StringConstraints(max_length=1000)]
RoleId = Annotated[str, StringConstraints(max_length=120)]


# -- bodies ------------------------------------------------------------------------------------
# ProgramIn, ProgramPatch, TrackPatch, ProgramTrackPut and CohortIn are their services' keyword
# arguments, field for field: the routes pass them on whole (`**body.model_dump()`).


class ProgramIn(BaseModel):
    name: str = Field(max_length=200)
    organization_id: RowId | None = None
    slug: str = Field(default="", max_length=100)
    description: str = Field(default="", max_length=5000)
    with_tracks: bool = True


class ProgramPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    slug: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=5000)


class TrackIn(BaseModel):
    key: str = Field(max_length=32)
    description: str | None = Field(default=None, max_length=5000)


class TrackPatch(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    tagline: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    focus: list[Short] | None = Field(default=None, max_length=12)
    careers: list[Short] | None = Field(default=None, max_length=12)


class ProgramTrackPut(BaseModel):
    nice_work_roles: list[Short] | None = Field(default=None, max_length=12)
    description: str | None = Field(default=None, max_length=5000)


class CohortIn(BaseModel):
    program_id: RowId
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    capacity: int = Field(default=30)
    director_id: RowId | None = None


class CohortPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    capacity: int | None = None
    director_id: RowId | None = None  # sent as null: the cohort has no director


class EnrollIn(BaseModel):
    email: str = Field(max_length=320)
    full_name: str = Field(default="", max_length=200)


class MentorIn(BaseModel):
    email: str = Field(max_length=320)
    capacity: int = 10


class AssignIn(BaseModel):
    student_id: RowId
    mentor_id: RowId


class CriterionIn(BaseModel):
    key: str = Field(default="", max_length=60)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    points: int


class MissionIn(BaseModel):
    program_id: RowId | None = None
    track: str | None = Field(default=None, max_length=32)
    title: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=400)
    brief: str | None = Field(default=None, max_length=50_000)
    difficulty: int | None = None
    skills: list[Skill] | None = Field(default=None, max_length=20)
    estimated_minutes: int | None = None
    prerequisites: list[RowId] | None = Field(default=None, max_length=10)
    nice_work_roles: list[RoleId] | None = Field(default=None, max_length=10)
    rubric: list[CriterionIn] | None = Field(default=None, max_length=12)
    hints: list[Hint] | None = Field(default=None, max_length=10)

    def changes(self) -> authoring.MissionChanges:
        data = self.model_dump(exclude={"rubric"})
        rubric = [c.model_dump() for c in self.rubric] if self.rubric is not None else None
        return authoring.MissionChanges(**data, rubric=rubric)


# -- programmes and tracks ---------------------------------------------------------------------


@router.get("/programs", response_model=list[ProgramWithCounts])
def list_programs(principal: CurrentUser, session: SessionDep) -> list[ProgramWithCounts]:
    """The programmes you run (every programme for an admin), with counts."""
    return programs.list_programs(session, principal)


@router.post("/programs", status_code=201, response_model=ProgramPublic)
def create_program(
    body: ProgramIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ProgramPublic:
    """Create a programme (with the five tracks unless `with_tracks` is false)."""
    p = programs.create_program(session, principal, **body.model_dump(), meta=meta)
    return programs.program_public(p)


@router.patch("/programs/{program_id}", response_model=ProgramPublic)
def update_program(
    program_id: Id, body: ProgramPatch, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ProgramPublic:
    p = programs.update_program(session, principal, program_id, **body.model_dump(), meta=meta)
    return programs.program_public(p)


@router.get("/programs/{program_id}/tracks", response_model=list[ProgramTrackPublic])
def list_program_tracks(
    program_id: Id, principal: CurrentUser, session: SessionDep
) -> list[ProgramTrackPublic]:
    """The programme's tracks with their NICE work roles and mission counts."""
    tracks = programs.list_tracks(session, principal, program_id)
    counts = programs.mission_counts(session, program_id, [t.id for t in tracks])
    return [programs.track_public(t, counts.get(t.id or 0, 0)) for t in tracks]


@router.post("/programs/{program_id}/tracks", status_code=201, response_model=ProgramTrackPublic)
def create_track(
    program_id: Id, body: TrackIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ProgramTrackPublic:
    """The programme starts running one of the five global tracks (its own description
    optional)."""
    t = programs.create_track(
        session, principal, program_id, key=body.key, description=body.description, meta=meta
    )
    return programs.track_public(t)


@router.patch("/tracks/{track_id}", response_model=TrackPublic)
def update_track(
    track_id: Id, body: TrackPatch, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """An admin edits a global track's texts (shared by every programme); directors get 403
    and set their programme's description with PUT /programs/{id}/tracks/{track_id}."""
    t = programs.update_track(session, principal, track_id, **body.model_dump(), meta=meta)
    return catalog_track_json(t)


@router.put("/programs/{program_id}/tracks/{track_id}", response_model=ProgramTrackPublic)
def set_program_track(
    program_id: Id,
    track_id: Id,
    body: ProgramTrackPut,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> ProgramTrackPublic:
    """The programme's NICE work roles (from nice_work_roles.json) and description of a track."""
    t = programs.set_program_track(
        session, principal, program_id, track_id, **body.model_dump(), meta=meta
    )
    return programs.track_public(t)


@router.post("/programs/{program_id}/tracks/{track_id}", response_model=ProgramTrackPublic)
def add_program_track(
    program_id: Id, track_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ProgramTrackPublic:
    """The programme runs the global track (standard texts and NICE roles); idempotent."""
    t = programs.add_program_track(session, principal, program_id, track_id, meta=meta)
    counts = programs.mission_counts(session, program_id, [t.id])
    return programs.track_public(t, counts.get(t.id, 0))


@router.delete("/programs/{program_id}/tracks/{track_id}", response_model=ProgramTrackRemoved)
def remove_program_track(
    program_id: Id, track_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """The programme stops running the track: 409 while it runs missions of that track or when
    it is its last track; a track it does not run is a no-op."""
    programs.remove_program_track(session, principal, program_id, track_id, meta=meta)
    return {"program_id": program_id, "track_id": track_id, "removed": True}


# -- cohorts -----------------------------------------------------------------------------------


@router.get("/cohorts", response_model=list[CohortPublic])
def list_cohorts(
    principal: CurrentUser, session: SessionDep, program_id: QueryId | None = None
) -> list[CohortPublic]:
    """Cohorts of your programmes (of one with `program_id`), with seats and mentor counts."""
    return programs.list_cohorts(session, principal, program_id)


@router.post("/cohorts", status_code=201, response_model=CohortPublic)
def create_cohort(
    body: CohortIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CohortPublic:
    c = programs.create_cohort(session, principal, **body.model_dump(), meta=meta)
    return programs.cohort_detail(session, principal, c.id or 0)


@router.get("/cohorts/{cohort_id}", response_model=CohortPublic)
def get_cohort(cohort_id: Id, principal: CurrentUser, session: SessionDep) -> CohortPublic:
    return programs.cohort_detail(session, principal, cohort_id)


@router.patch("/cohorts/{cohort_id}", response_model=CohortPublic)
def update_cohort(
    cohort_id: Id, body: CohortPatch, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CohortPublic:
    """Change a cohort; `"director_id": null` removes its director, omitting it keeps it."""
    # The body's fields are the service's keyword arguments; director_id only when it is sent.
    changes = body.model_dump(exclude={"director_id"} - body.model_fields_set)
    programs.update_cohort(session, principal, cohort_id, **changes, meta=meta)
    return programs.cohort_detail(session, principal, cohort_id)


@router.get("/cohorts/{cohort_id}/roster", response_model=RosterPage)
def roster(
    cohort_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "name",
    include_withdrawn: bool = False,
    page: Page = 1,
    page_size: PageSize = analytics.ROSTER_PAGE_SIZE,
) -> RosterPage:
    """One page of the cohort's roster as its page shows it: each learner with their mentor,
    progress (approved / published missions), last activity and withdrawal date; searched by
    name or e-mail (`q`), filtered by `status` (active, completed, withdrawn), sorted (`sort`:
    name, progress, last_activity, enrolled). Withdrawn learners only with
    `include_withdrawn=true` or `status=withdrawn`."""
    return analytics.cohort_roster(
        session,
        principal,
        cohort_id,
        q=q,
        status=status,
        sort=sort,
        page=page,
        page_size=page_size,
        include_withdrawn=include_withdrawn,
    )


# -- enrolments --------------------------------------------------------------------------------


@router.get("/cohorts/{cohort_id}/enrollments", response_model=EnrollmentsPage)
def list_enrollments(
    cohort_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = enrollment.ENROLLMENTS_PAGE_SIZE,
) -> EnrollmentsPage:
    """The cohort's enrolments (withdrawn ones too), newest first: one page."""
    return enrollment.enrollment_page(session, principal, cohort_id, page=page, page_size=page_size)


@router.post("/cohorts/{cohort_id}/enrollments", status_code=201, response_model=EnrollmentPublic)
def enroll(
    cohort_id: Id, body: EnrollIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> EnrollmentPublic:
    """Enrol one person by email; an unknown address gets an invited, passwordless account."""
    return enrollment.enroll(
        session, principal, cohort_id, body.email, full_name=body.full_name, meta=meta
    )


async def csv_text(request: Request) -> str:
    """The CSV of an import request: the raw body, a multipart `file`, or JSON {"csv"}."""
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid("Attach the CSV file in the form field 'file'.")
        data = await upload.read(CSV_MAX_BYTES + 1)
    else:
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > CSV_MAX_BYTES:
                break  # refused below, without reading the rest
        if len(data) <= CSV_MAX_BYTES and ctype.startswith("application/json"):
            try:
                payload = json.loads(data or b"null")
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or not isinstance(payload.get("csv"), str):
                raise Invalid('Send the CSV as text/csv, or as JSON {"csv": "..."}.')
            data = payload["csv"].encode()
    if len(data) > CSV_MAX_BYTES:
        raise Invalid(f"The file is too large: at most {CSV_MAX_BYTES // 1000} kB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The file must be UTF-8 text (save it as 'CSV UTF-8').") from None


@router.post(
    "/cohorts/{cohort_id}/enrollments/import",
    response_model=CsvImported,
    responses={422: {"model": CsvImportRefused, "description": "Rows that fail; none imported"}},
)
def import_enrollments(
    cohort_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
    text: Annotated[str, Depends(csv_text)],
) -> CsvImported | JSONResponse:
    """Enrol every student of a CSV (header `email,full_name`): all of them or none."""
    try:
        return enrollment.import_csv(session, principal, cohort_id, text, meta=meta)
    except CsvImportError as exc:
        session.rollback()  # nothing half-imported, whatever was touched while checking
        return JSONResponse({"detail": exc.message, "rows": exc.rows}, status_code=422)


@router.delete("/cohorts/{cohort_id}/enrollments/{student_id}", response_model=EnrollmentPublic)
def unenroll(
    cohort_id: Id, student_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> EnrollmentPublic:
    """Withdraw a student from the cohort (their seat and mentor slot are freed)."""
    return enrollment.unenroll(session, principal, cohort_id, student_id, meta=meta)


# -- mentors -----------------------------------------------------------------------------------


@router.get("/cohorts/{cohort_id}/mentors", response_model=list[CohortMentorPublic])
def list_mentors(
    cohort_id: Id, principal: CurrentUser, session: SessionDep
) -> list[CohortMentorPublic]:
    return enrollment.list_mentors(session, principal, cohort_id)


@router.post("/cohorts/{cohort_id}/mentors", response_model=CohortMentorPublic)
def set_mentor(
    cohort_id: Id, body: MentorIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CohortMentorPublic:
    """Let a mentor of the organization serve the cohort with a capacity (or change it)."""
    return enrollment.set_cohort_mentor(
        session, principal, cohort_id, body.email, body.capacity, meta=meta
    )


@router.post("/cohorts/{cohort_id}/mentors/assign", response_model=AssignmentPublic)
def assign_mentor(
    cohort_id: Id, body: AssignIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> AssignmentPublic:
    return enrollment.assign_mentor(
        session, principal, cohort_id, body.student_id, body.mentor_id, meta=meta
    )


@router.post("/cohorts/{cohort_id}/mentors/balance", response_model=Balanced)
def balance_mentors(
    cohort_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> Balanced:
    """Give every unassigned student the least-loaded mentor with room."""
    return enrollment.balance_mentors(session, principal, cohort_id, meta=meta)


@router.delete("/cohorts/{cohort_id}/mentors/{mentor_id}", response_model=CohortMentorRemoved)
def remove_mentor(
    cohort_id: Id, mentor_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CohortMentorRemoved:
    """Stop a mentor serving the cohort: their mentees become unassigned, stuck claims freed."""
    return enrollment.remove_cohort_mentor(session, principal, cohort_id, mentor_id, meta=meta)


# -- mission authoring -------------------------------------------------------------------------


@router.get("/director/missions", response_model=MissionList)
def list_missions(
    principal: CurrentUser,
    session: SessionDep,
    status: Annotated[str, Query(max_length=16)] = "",
    program_id: QueryId | None = None,
    track: Annotated[str, Query(max_length=32)] = "",
    difficulty: Annotated[int | None, Query(ge=1, le=5)] = None,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Page = 1,
    page_size: PageSize = authoring.LIST_PAGE_SIZE,
) -> MissionList:
    """One page of the missions of your organisations and programmes in every status, newest
    edit first: searched by title, summary or skill (`q`), filtered by `status`, `program_id`
    (the missions it runs), `track` and `difficulty`; with how many are in each status."""
    found = authoring.mission_page(
        session,
        principal,
        status=status,
        program_id=program_id,
        track=track,
        difficulty=difficulty,
        q=q,
        page=page,
        page_size=page_size,
    )
    return MissionList(
        items=found.items,
        total=found.total,
        page=found.page,
        pages=found.pages,
        counts=authoring.status_counts(session, principal, program_id),
    )


@router.post("/director/missions", status_code=201, response_model=MissionPublic)
def create_mission(
    body: MissionIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    """Create a draft mission (title and track required)."""
    return authoring.create_mission(session, principal, body.changes(), meta=meta)


@router.get("/director/missions/{mission_id}", response_model=MissionPublic)
def get_mission(mission_id: Id, principal: CurrentUser, session: SessionDep) -> MissionPublic:
    return authoring.get_mission(session, principal, mission_id)


@router.patch("/director/missions/{mission_id}", response_model=MissionPublic)
def update_mission(
    mission_id: Id, body: MissionIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    return authoring.update_mission(session, principal, mission_id, body.changes(), meta=meta)


@router.post("/director/missions/{mission_id}/publish", response_model=MissionPublic)
def publish_mission(
    mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    return authoring.publish_mission(session, principal, mission_id, meta=meta)


@router.post("/director/missions/{mission_id}/unpublish", response_model=MissionPublic)
def unpublish_mission(
    mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    return authoring.unpublish_mission(session, principal, mission_id, meta=meta)


@router.post("/director/missions/{mission_id}/archive", response_model=MissionPublic)
def archive_mission(
    mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    return authoring.archive_mission(session, principal, mission_id, meta=meta)


# -- which missions a programme runs -------------------------------------------------------------


@router.get("/programs/{program_id}/library", response_model=list[MissionPublic])
def library_missions(
    program_id: Id, principal: CurrentUser, session: SessionDep
) -> list[MissionPublic]:
    """Published CyberHub library missions of the programme's tracks it does not run yet."""
    return authoring.library_options(session, principal, program_id)


@router.post(
    "/programs/{program_id}/missions/{mission_id}", status_code=201, response_model=MissionPublic
)
def add_program_mission(
    program_id: Id, mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> MissionPublic:
    """The programme runs the mission: its organisation's own or a published library one."""
    return authoring.add_to_program(session, principal, program_id, mission_id, meta=meta)


@router.delete("/programs/{program_id}/missions/{mission_id}", response_model=ProgramMissionRemoved)
def remove_program_mission(
    program_id: Id, mission_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> dict[str, Any]:
    """The programme stops running the mission (submissions are kept)."""
    authoring.remove_from_program(session, principal, program_id, mission_id, meta=meta)
    return {"program_id": program_id, "mission_id": mission_id, "removed": True}
