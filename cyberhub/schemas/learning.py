"""The learner's side of learning, typed: the catalog, a student's work on a mission (drafts,
submissions, hints), their progress and their dashboard.

Services return these; the API declares them as `response_model` (the JSON field names and
values are the API's contract, so fields keep their order and their names); page states hold
them. Datetimes stay datetimes (`IsoDatetime`: written to JSON as before).
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict

from cyberhub.models import Submission
from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import Paged
from cyberhub.schemas.profiler import ProfilerResultData, TrackTexts


class MissionRef(BaseModel):
    """A mission named in a list (prerequisites, links)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str


# -- the catalog (/api/v1/tracks, /api/v1/missions) --------------------------------------------


class TrackPublic(TrackTexts):
    model_config = ConfigDict(from_attributes=True)


class MissionPublic(BaseModel):
    """A published mission as the catalog lists it; `track` is the track's key."""

    id: int
    slug: str
    title: str
    summary: str
    track: str
    difficulty: int
    skills: list[str]
    estimated_minutes: int


class MissionListItem(MissionPublic):
    # Its place in the learner's stored recommendations (None: not recommended).
    recommended_rank: int | None = None
    # The caller's own progress on it, as the catalog's card says it and the `status` filter
    # takes it (not_started, locked, draft, submitted, ...); None for staff.
    my_status: str | None = None


class MissionList(Paged[MissionListItem]):
    pass


class MissionDetailPublic(MissionPublic):
    """One mission with its brief and rubric (the hints stay hidden: only their count)."""

    brief: str
    rubric: list[dict[str, Any]]  # free-form criteria stored as JSON (key, title, points, ...)
    hint_count: int
    prerequisites: list[MissionRef]


# -- a student's work on a mission -------------------------------------------------------------


class DraftPublic(BaseModel):
    answer: str
    links: list[str]
    file: str | None


class WorkStatus(BaseModel):
    """What the mission page needs: locked / enrolled, the latest attempt and what is allowed."""

    status: str  # a SubmissionStatus, or "locked" / "not_started"
    locked: bool
    missing_prerequisites: list[MissionRef]
    enrolled: bool
    attempts: int
    latest_id: int | None
    can_submit: bool
    # The student may reveal the mission's hints now (submissions.MissionGate.workable, the rule
    # reveal_hint enforces): the page offers "Reveal a hint" only then.
    can_reveal_hints: bool = False
    # The latest attempt while it is a draft, or the attempt changes were requested on (what a
    # resubmission starts from).
    draft: DraftPublic | None


class HintPublic(BaseModel):
    index: int
    hint: str


class HintRevealed(BaseModel):
    """A hint just revealed, every hint revealed so far and how many are left."""

    index: int
    hint: str
    revealed: list[HintPublic]
    remaining: int


class AttemptFile(BaseModel):
    name: str | None
    size: int | None


class AttemptFields(BaseModel):
    """A submission attempt as a write answers it. The learner's routes (AttemptPublic) and the
    reviewer's claim and release (schemas/reviews.py) share these fields and their reading;
    each adds `file` with its own model, as their OpenAPI schemas have always named it."""

    id: int
    mission_id: int
    status: str
    attempt: int
    claimed_by: int | None
    claim_expires_at: IsoDatetime | None

    @classmethod
    def of(cls, s: Submission) -> Self:
        """The attempt read from its submission (`file` only when one is attached)."""
        return cls.model_validate(
            {
                "id": s.id or 0,
                "mission_id": s.mission_id,
                "status": s.status,
                "attempt": s.attempt,
                "claimed_by": s.claimed_by_id,
                "claim_expires_at": s.claim_expires_at,
                "file": {"name": s.file_name, "size": s.file_size} if s.file_path else None,
            }
        )


class AttemptPublic(AttemptFields):
    """A submission as the write routes answer (submit, draft, attach)."""

    file: AttemptFile | None


class PersonRef(BaseModel):
    id: int
    name: str


class FilePublic(BaseModel):
    name: str | None
    type: str | None
    size: int | None


class ReviewPublic(BaseModel):
    decision: str
    scores: dict[str, int]
    total: int
    max_total: int
    feedback: str
    comments: dict[str, str] = {}
    mentor_id: int | None
    created_at: IsoDatetime


class EventPublic(BaseModel):
    kind: str
    actor_id: int | None
    at: IsoDatetime


class SubmissionPublic(BaseModel):
    """One attempt with its review and timeline (GET /submissions/{id}, a mission's history)."""

    id: int
    mission: MissionRef
    student: PersonRef
    attempt: int
    status: str
    answer: str
    links: list[str]
    file: FilePublic | None
    created_at: IsoDatetime
    submitted_at: IsoDatetime | None
    claimed_by: int | None
    claim_expires_at: IsoDatetime | None
    decided_at: IsoDatetime | None
    review: ReviewPublic | None
    timeline: list[EventPublic]


# The attempts as the screens render them (components/learning.py), dates already written for
# people: TypedDicts, because the mentor's review screen (services/learning/reviews.py) extends
# them as mappings.
class ScoreView(TypedDict):
    title: str
    points: int
    max: int
    comment: str  # the mentor's comment on this criterion (markdown), "" when none


class EventView(TypedDict):
    kind: str
    label: str
    actor: str
    at: str


class AttemptView(TypedDict):
    id: int
    attempt: int
    status: str
    answer: str
    links: list[str]
    file_name: str
    file_size: str
    created_at: str
    submitted_at: str
    has_review: bool
    decision: str
    mentor: str
    reviewed_at: str
    total: int
    max_total: int
    feedback: str
    scores: list[ScoreView]
    events: list[EventView]


# The same attempts as page states hold them (Reflex vars; the widgets of components/learning.py
# read their fields by name): AttemptRow.model_validate(view) of an AttemptView. Defaults are the
# empty attempt a page shows before it loads.
class ScoreRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str = ""
    points: int = 0
    max: int = 0
    comment: str = ""


class EventRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: str = ""
    label: str = ""
    actor: str = ""
    at: str = ""


class AttemptRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int = 0
    attempt: int = 0
    status: str = ""
    answer: str = ""
    links: list[str] = []
    file_name: str = ""
    file_size: str = ""
    created_at: str = ""
    submitted_at: str = ""
    has_review: bool = False
    decision: str = ""
    mentor: str = ""
    reviewed_at: str = ""
    total: int = 0
    max_total: int = 0
    feedback: str = ""
    scores: list[ScoreRow] = []
    events: list[EventRow] = []


# -- progress and the student dashboard --------------------------------------------------------


class ScopePublic(BaseModel):
    """The headline against the learner's scope: "3 of 7" approved missions of their track."""

    track: str
    track_name: str
    approved: int
    expected: int
    percent: int
    label: str


class TrackProgress(BaseModel):
    key: str
    name: str
    approved: int
    published: int
    percent: int


class MissionStatusRow(BaseModel):
    id: int
    status: str


class ProgressPublic(BaseModel):
    """GET /progress: percents per track key, their details, each mission's status."""

    user: int
    tracks: dict[str, int]
    track_details: list[TrackProgress]
    missions: list[MissionStatusRow]
    in_programme: bool
    scope: ScopePublic | None  # None while the learner is in no programme


class CohortRef(BaseModel):
    id: int
    name: str
    program: str


class InProgressMission(BaseModel):
    mission_id: int
    title: str
    track: str
    status: str
    attempt: int
    submission_id: int | None


class FeedbackBase(BaseModel):
    """A mentor's decision on one attempt at a mission, as the learner's latest feedback lists
    it (the API's FeedbackPublic, the dashboard's row)."""

    mission_id: int
    title: str
    attempt: int
    decision: str
    total: int
    max_total: int


class FeedbackPublic(FeedbackBase):
    feedback: str
    mentor: str
    created_at: IsoDatetime


class NextAction(BaseModel):
    """One thing to do next (kind: resubmit, continue_draft, profiler, enroll, start, wait,
    browse, done), with the mission it is about and where to go."""

    kind: str
    label: str
    mission_id: int | None
    title: str
    link: str


class StudentDashboard(BaseModel):
    """GET /student/dashboard: progress per track, work in progress, feedback, the next step."""

    cohorts: list[CohortRef]
    primary_track: str | None
    tracks: list[TrackProgress]
    scope: ScopePublic | None
    in_progress: list[InProgressMission]
    latest_feedback: list[FeedbackPublic]
    next_action: NextAction
    unread_notifications: int


class StarterMission(BaseModel):
    id: int
    title: str
    difficulty: int
    minutes: int


class TrackContext(BaseModel):
    key: str
    name: str
    tagline: str
    description: str
    careers: list[str]


class StudentHome(BaseModel):
    """The dashboard's track context: the latest profiler result (or the results page's
    choice), the track and the first missions the learner may start in it."""

    profiler_done: bool
    ai_consent: bool
    result: ProfilerResultData | None
    track: TrackContext | None
    track_missions: int
    starters: list[StarterMission]
