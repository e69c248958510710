"""The AI coach's plan (issue 16 item 6): what services/coaching/coach.py stores and hands out.

Every sentence of a plan is a `CoachLine`: the text and at least one `Evidence` link (the
feedback, goal, habit, mission or profiler result it was drawn from), so the page can show
where each sentence comes from and nothing is said without a source."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from cyberhub.schemas.datetimes import IsoDatetime

EvidenceKind = Literal["feedback", "goal", "habit", "mission", "profiler", "summary", "catalog"]
NudgeKind = Literal["streak_broken", "goal_due", "goal_overdue", "changes_waiting"]
PlanState = Literal["ready", "preparing", "off"]


class Evidence(BaseModel):
    kind: EvidenceKind
    label: str  # what the link says ("your review of “Harden a server”")
    href: str  # an in-app path


class CoachLine(BaseModel):
    text: str
    evidence: list[Evidence] = Field(min_length=1)


class CoachMission(BaseModel):
    mission_id: int
    title: str
    href: str
    reason: CoachLine


class CoachNudge(BaseModel):
    kind: NudgeKind
    line: CoachLine


class CoachPlanData(BaseModel):
    """The stored plan (coach_plans.payload)."""

    # None only in a staff reader's copy whose focus draws on work they may not see
    # (coach.read_plan); a stored plan always has one.
    focus: CoachLine | None
    habits: list[CoachLine] = Field(default_factory=list, max_length=3)
    missions: list[CoachMission] = Field(default_factory=list, max_length=3)
    nudges: list[CoachNudge] = Field(default_factory=list)
    changes: list[CoachLine] = Field(default_factory=list)  # since last week
    # What the plan was built from: "feedback" (weak rubric criteria), "goals", "profiler"
    # (a learner with no work yet), "start" (not even a profiler result).
    basis: str = ""


class CoachPlanPublic(BaseModel):
    """GET /api/v1/student/coaching/ai-coach and the pages: the stored plan, or why there is
    none yet ("preparing": the worker has not written it; "off": no AI-profiling consent)."""

    state: PlanState
    message: str = ""
    computed_at: IsoDatetime | None = None
    week_start: date | None = None
    plan: CoachPlanData | None = None
