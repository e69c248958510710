"""Mentor review and mentoring: the typed faces of claims, reviews, the review queue, the
mentor's dashboard and home, and a cohort's progress."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.learning import AttemptFields, AttemptView
from cyberhub.schemas.paging import Paged


class Ref(BaseModel):
    """An entity named in another: its id and title."""

    id: int
    title: str


class NamedRef(BaseModel):
    """A person or cohort named in another entity: its id and name."""

    id: int
    name: str


class FileRef(BaseModel):
    name: str | None
    size: int | None


class AttemptPublic(AttemptFields):
    """An attempt as claim and release answer it."""

    file: FileRef | None


class ReviewCreate(BaseModel):
    """A mentor's decision (the body of POST /submissions/{id}/review is validated by the API)."""

    decision: str
    scores: dict[str, int]
    total: int
    feedback: str
    comments: dict[str, str] = {}


class ReviewOutcome(BaseModel):
    """What deciding a submission answers: its new status and the review."""

    id: int
    status: str
    review: ReviewCreate


class QueueItem(BaseModel):
    """One submission in a mentor's review queue."""

    id: int
    student: NamedRef
    mission: Ref
    attempt: int
    status: str
    submitted_at: IsoDatetime | None
    claim_expires_at: IsoDatetime | None
    decided_at: IsoDatetime | None
    decision: str | None
    claimed_by_me: bool
    assigned_to_me: bool


class QueuePagePublic(BaseModel):
    """One page of one bucket of the review queue."""

    bucket: str
    items: list[QueueItem]
    total: int
    page: int
    pages: int


class QueueCounts(BaseModel):
    """How many submissions each bucket of a mentor's queue holds."""

    pending: int
    claimed_by_me: int
    waiting_for_student: int
    reviewed: int


class Workload(BaseModel):
    """A mentor's figures (median over the last 30 days; None without reviews)."""

    mentees: int
    pending: int
    claimed: int
    waiting_for_student: int
    reviewed_last_7_days: int
    median_turnaround_hours: float | None


class MenteeProgress(BaseModel):
    """An assigned mentee with their progress in the cohort's programme and last activity."""

    id: int
    name: str
    email: str
    cohort: NamedRef
    approved: int
    published: int
    percent: int
    last_activity: IsoDatetime | None


class MentorFigures(BaseModel):
    """The mentor's queue counts, the oldest pending work and the workload figures."""

    queue: QueueCounts
    pending_preview: list[QueueItem]
    workload: Workload


class MentorDashboard(BaseModel):
    """GET /mentor/dashboard: mentees, queue counts, the oldest pending work, the figures."""

    mentees: list[MenteeProgress]  # the first MAX_MENTEES by name
    mentees_total: int = 0  # all of them: more than listed when some are left out
    queue: QueueCounts
    pending_preview: list[QueueItem]
    workload: Workload


class MentorCohort(BaseModel):
    """A cohort of an organization the mentor serves."""

    id: int
    name: str
    program: str
    organization: str
    dates: str
    starts_on: date
    ends_on: date
    capacity: int
    status: str


class WaitingWork(BaseModel):
    """A learner's attempt the mentor can act on now: one they hold, or one waiting for a claim."""

    submission_id: int
    mission: str
    claimed_by_me: bool


class MentorLearner(BaseModel):
    """A learner (no staff role) of the mentor's organizations, listed once (organizations joined
    by ", "), with the attempt the mentor can act on now, if any."""

    id: int
    name: str
    email: str
    organization: str
    joined: datetime
    waiting: WaitingWork | None = None


class MentorLearnersPage(Paged[MentorLearner]):
    """One page of a mentor's learners (those matching the search, if any), newest first."""


class MentorHome(BaseModel):
    """The cohorts and learners of the organizations a mentor serves."""

    organizations: list[str]
    cohorts: list[MentorCohort]
    learners: list[MentorLearner]
    learners_total: int
    learners_pages: int  # the pages of the learners list (mentor_learners)


class CohortProgress(BaseModel):
    """GET /progress/cohorts/{id}: mean progress of a cohort's students, overall and per track."""

    cohort: NamedRef
    students: int
    percent: int
    tracks: dict[str, int]


class RubricCriterion(BaseModel):
    key: str
    title: str
    description: str
    points: int


class MissionSummary(BaseModel):
    id: int
    title: str
    summary: str
    # False once archived or back in draft: its work is still reviewed, but its page no longer
    # opens for mentors (the review page names it instead of linking to the brief).
    offered: bool = True


class ClaimState(BaseModel):
    """Who holds the claim on an attempt under review, until when, and whether it expired."""

    holder: str
    mine: bool
    expires_at: datetime | None
    expired: bool


class RevealedHint(BaseModel):
    """A hint the learner chose to see on the mission, and when."""

    index: int
    hint: str
    revealed_at: datetime


class HintUse(BaseModel):
    """Which of the mission's hints the learner revealed (the learner is told their mentor sees
    it)."""

    total: int
    revealed: list[RevealedHint]


class SnippetPublic(BaseModel):
    """A reusable piece of feedback (markdown) for one mission, shared by its mentors in one
    organisation; `mine`: the viewer wrote it (only the author deletes it)."""

    id: int
    mission_id: int
    body: str
    author: str
    mine: bool
    created_at: IsoDatetime


class ReviewScreen(BaseModel):
    """What /review/{id} shows a mentor and what they may do now. `current` and `earlier` are the
    attempts as submissions.attempt_views shapes them for the shared attempt widgets."""

    id: int
    status: str
    attempt: int
    student: str
    student_id: int = 0  # their mentee page: /mentees/{student_id}
    mission: MissionSummary
    rubric: list[RubricCriterion]
    max_total: int
    current: AttemptView
    earlier: list[AttemptView]
    newer_attempt_id: int | None
    claim: ClaimState
    can_claim: bool
    # Why the viewer may not claim an attempt waiting for review ("" when they may, or it isn't
    # waiting): e.g. a director reading it who doesn't mentor the learner.
    claim_refusal: str = ""
    can_release: bool
    can_review: bool
    hints: HintUse
