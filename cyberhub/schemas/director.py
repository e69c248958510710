"""The director's side: programmes, their tracks, cohorts, enrolments, mentors, the roster and
authored missions, as the JSON API answers them (`/api/v1/programs`, `/cohorts`,
`/director/missions`, ...)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import PageCount, Paged
from cyberhub.schemas.profiler import TrackTexts


class ProgramPublic(BaseModel):
    """A programme; the list adds its counts (tracks, cohorts, published missions, students)."""

    id: int
    organization_id: int
    organization: str
    name: str
    slug: str
    description: str
    created_at: IsoDatetime


class ProgramWithCounts(ProgramPublic):
    tracks: int
    cohorts: int
    published_missions: int
    students: int


class NiceRole(BaseModel):
    """A NICE framework work role a track's missions may name."""

    name: str
    id: str
    category: str


class ProgramTrackPublic(TrackTexts):
    """A global track as one programme runs it (its description and NICE roles)."""

    id: int
    program_id: int
    nice_work_roles: list[NiceRole]
    missions: int


class TrackPublic(TrackTexts):
    """A global track's texts (PATCH /tracks/{id}, as the catalog shows them)."""


class ProgramTrackRemoved(BaseModel):
    program_id: int
    track_id: int
    removed: bool


class CohortPublic(BaseModel):
    """A cohort with its seats, mentors and students still without a mentor."""

    id: int
    program_id: int
    program: str
    name: str
    starts_on: date
    ends_on: date
    capacity: int
    director_id: int | None
    director: str
    status: str
    enrolled: int
    seats_left: int
    mentors: int
    unassigned: int
    closed_at: IsoDatetime | None = None  # a closed cohort takes no more enrolments


class PersonRef(BaseModel):
    """Someone who may be chosen (e.g. a cohort's director)."""

    id: int
    name: str
    email: str


class RosterRow(BaseModel):
    """A student of the cohort with their mentor and progress."""

    student_id: int
    name: str
    email: str
    status: str
    enrolled_at: IsoDatetime
    mentor_id: int | None
    mentor: str
    approved: int
    published: int
    progress: int


class EnrollmentPublic(BaseModel):
    """A student's enrolment in a cohort (`new_account`: an invited account was created)."""

    id: int
    cohort_id: int
    student_id: int
    email: str
    name: str
    status: str
    enrolled_at: IsoDatetime
    new_account: bool


class EnrollmentsPage(Paged[EnrollmentPublic]):
    """One page of a cohort's enrolments (withdrawn ones too), newest first."""


class CsvImported(BaseModel):
    imported: int
    new_accounts: int
    students: list[EnrollmentPublic]


class CsvRowProblem(BaseModel):
    row: int
    email: str
    error: str


class CsvImportRefused(BaseModel):
    """422 of an import: every failing row (none when the file itself is refused); nothing was
    imported."""

    detail: str
    rows: list[CsvRowProblem] = []


class CohortMentorPublic(BaseModel):
    """A mentor serving the cohort: capacity, current mentees and free places."""

    mentor_id: int
    name: str
    email: str
    capacity: int
    mentees: int
    free: int


class CohortMentorRemoved(BaseModel):
    mentor_id: int
    name: str
    unassigned: int
    released: int


class AssignmentPublic(BaseModel):
    """A student's mentor in a cohort."""

    cohort_id: int
    student_id: int
    mentor_id: int
    mentor: str
    assigned_at: IsoDatetime


class Balanced(BaseModel):
    assignments: list[AssignmentPublic]
    unassigned: int


class MissionRef(BaseModel):
    """A mission named by another (a prerequisite, an option)."""

    id: int
    title: str
    status: str


class MissionPublic(BaseModel):
    """A mission as its author sees it. `rubric` stays the stored JSON criteria
    ({key, title, description, points})."""

    id: int
    organization_id: int | None
    library: bool
    # whether the caller may edit, publish, unpublish or archive it (a library one: admins only)
    editable: bool
    program_ids: list[int]
    slug: str
    title: str
    summary: str
    brief: str
    track: str
    track_name: str
    difficulty: int
    skills: list[str]
    estimated_minutes: int
    rubric: list[dict[str, Any]]
    max_points: int
    hints: list[str]
    nice_work_roles: list[str]
    prerequisites: list[MissionRef]
    status: str
    author_id: int | None
    created_at: IsoDatetime
    updated_at: IsoDatetime


class MissionListPage(PageCount, BaseModel):
    """One page of the director's missions list (services/learning/authoring.mission_page)."""

    items: list[MissionPublic]
    total: int  # the missions matching the search and filters, all pages
    page: int
    page_size: int


class MissionList(Paged[MissionPublic]):
    """GET /director/missions: one page of the missions, and how many of them (all pages, before
    the status filter) are in each status."""

    counts: dict[str, int]


class ProgramMissionRemoved(BaseModel):
    program_id: int
    mission_id: int
    removed: bool
