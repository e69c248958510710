"""One learner as their mentor or programme director sees them (services/learning/mentees.py)."""

from __future__ import annotations

from pydantic import BaseModel

from cyberhub.schemas.ai import RecommendationPublic
from cyberhub.schemas.coaching import GoalPublic, HabitPublic, ReflectionPublic
from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.learning import TrackProgress


class MenteeCohort(BaseModel):
    """A cohort of the learner's that the viewer is related to (not other organisations')."""

    cohort_id: int
    cohort: str
    program: str
    status: str  # active | completed | withdrawn | waitlisted …
    enrolled_at: IsoDatetime
    completed_at: IsoDatetime | None = None  # kept when a completed enrolment is withdrawn
    withdrawn_at: IsoDatetime | None = None  # set while withdrawn
    mentors: list[str]  # the learner's assigned mentors in that cohort


class MenteeAttempt(BaseModel):
    """One attempt at a mission (drafts are the learner's own: not listed)."""

    submission_id: int
    mission_id: int
    mission: str
    attempt: int
    status: str  # submitted | in_review | changes_requested | approved
    submitted_at: IsoDatetime | None = None
    decided_at: IsoDatetime | None = None
    total: int | None = None  # the review's points, when reviewed
    max_points: int = 0
    reviewer: str = ""


class MenteeProfile(BaseModel):
    """The profiler's latest result, as far as the mentor needs it."""

    track: str  # the primary track's name
    secondary: str = ""
    confidence: str = ""  # high | medium | low
    confidence_explanation: str = ""
    persona_title: str = ""
    narrative: str = ""
    strengths: list[str] = []
    growth_areas: list[str] = []
    completed_at: IsoDatetime | None = None


class MenteeOverview(BaseModel):
    """GET /mentees/{id}: everything a related mentor or director reads about one learner."""

    user_id: int
    name: str
    email: str
    profile: MenteeProfile | None = None  # None: the profiler is not done yet
    track_label: str = ""  # "3 of 7 Builders missions approved"
    track_percent: int = 0
    tracks: list[TrackProgress] = []
    cohorts: list[MenteeCohort] = []
    attempts: list[MenteeAttempt] = []  # the newest ones (services/learning/mentees)
    attempts_total: int = 0  # all the reader may see: more than listed when some are left out
    waiting: int = 0  # attempts waiting for a review (submitted or in review)
    # The reader may open the review page (/review/<id>: mentors): a waiting attempt links there.
    can_review: bool = False
    recommendations_enabled: bool = False  # the learner's AI-profiling consent
    recommendations: list[RecommendationPublic] = []
    # Coaching (issue 16): their goals with progress, habits with streaks, and only the
    # reflections they chose to share with their mentor (never a private one).
    goals: list[GoalPublic] = []
    habits: list[HabitPublic] = []
    shared_reflections: list[ReflectionPublic] = []
