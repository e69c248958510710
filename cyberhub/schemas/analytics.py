"""Director analytics (issue 15, item 1): one programme's figures, block by block, as the
page and `GET /api/v1/director/programs/{id}/analytics` show them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from cyberhub.models.base import MAX_ID
from cyberhub.schemas.datetimes import IsoDatetime


class AnalyticsFilters(BaseModel):
    """What the figures are limited to. `track` is the learner's track (latest profiler
    result); `date_from` / `date_to` (inclusive) limit the time-based blocks: weekly activity,
    approvals and review turnaround. The other blocks describe the state now."""

    cohort_id: int | None = None
    track: str | None = None
    date_from: date | None = None
    date_to: date | None = None


class FunnelStep(BaseModel):
    key: str  # enrolled | profiler | submitted | approved | completed
    label: str
    learners: int
    percent: int  # of the enrolled learners


class WeekActivity(BaseModel):
    week: date  # the Monday of the ISO week (its midnight in the reader's time zone)
    label: str  # "2026-W14"
    submissions: int
    approvals: int
    active_learners: int


class ApprovalCell(BaseModel):
    track: str
    difficulty: int
    approvals: int


class TrackMix(BaseModel):
    track: str  # a track key, or "" for learners without a profiler result
    learners: int
    # 1 (low) .. 3 (high), the mean over the learners with a result; None without one.
    mean_confidence: float | None
    low_confidence: int


class BacklogBucket(BaseModel):
    key: str  # lt1d | 1to3d | 3to7d | gt7d
    label: str
    submissions: int


class MentorTurnaround(BaseModel):
    mentor_id: int
    mentor: str
    reviews: int
    median_hours: float
    p90_hours: float


class MentorLoad(BaseModel):
    mentor_id: int
    mentor: str
    mentees: int
    capacity: int  # summed over the cohorts (of the filter) the mentor serves
    percent: int


class MentorLoads(BaseModel):
    mentors: list[MentorLoad]
    unassigned_learners: int  # active learners without a mentor


class AtRiskReason(BaseModel):
    code: str  # inactive | changes_unanswered | low_confidence_no_progress | ...
    label: str  # "No activity for 9 days"


class AtRiskLearner(BaseModel):
    student_id: int
    name: str
    email: str
    cohort_id: int
    cohort: str
    mentor_id: int | None
    mentor: str
    last_activity: IsoDatetime | None
    reasons: list[AtRiskReason]
    nudged_today: bool


class CohortOption(BaseModel):
    id: int
    name: str


class ProgramAnalytics(BaseModel):
    """Every block for one programme, with the filters applied."""

    program_id: int
    program: str
    filters: AnalyticsFilters
    cohorts: list[CohortOption]  # the programme's cohorts (for the filter)
    tracks: list[str]  # the track keys the programme runs (for the filter)
    funnel: list[FunnelStep]
    weekly: list[WeekActivity]
    approvals: list[ApprovalCell]
    track_mix: list[TrackMix]
    backlog: list[BacklogBucket]
    turnaround: list[MentorTurnaround]
    mentor_load: list[MentorLoad]
    unassigned_learners: int
    at_risk: list[AtRiskLearner]
    # None: computed for this request. Else the moment the worker's snapshot describes (a big
    # programme's unfiltered view; "nudged today" is still read live).
    as_of: IsoDatetime | None = None


class AnalyticsSnapshot(BaseModel):
    """What a programme's snapshot keeps (program_analytics_snapshots.payload): the unfiltered
    figures (weeks of UTC) and the weekly activity by zone name (UTC and its directors')."""

    data: ProgramAnalytics
    weekly: dict[str, list[WeekActivity]]


class NudgeIn(BaseModel):
    cohort_id: int = Field(ge=1, le=MAX_ID)
    message: str = Field(default="", max_length=1000)


class NudgeResult(BaseModel):
    """`sent` False: the learner was already nudged today (nothing sent twice)."""

    student_id: int
    sent: bool
    detail: str


class RosterEntry(BaseModel):
    """A learner of the cohort's roster with their last activity, and when they withdrew."""

    student_id: int
    name: str
    email: str
    status: str  # active | completed | withdrawn
    enrolled_at: IsoDatetime
    withdrawn_at: IsoDatetime | None
    mentor_id: int | None
    mentor: str
    approved: int
    published: int
    progress: int
    last_activity: IsoDatetime | None


class RosterPage(BaseModel):
    """One page of a cohort's roster, searched, filtered and sorted."""

    cohort_id: int
    total: int
    page: int
    pages: int
    items: list[RosterEntry]
