"""The AI coach's plan (issue 16 item 6): what services/coaching/coach.py stores and hands out.

Every sentence of a plan is a `CoachLine`: the text and at least one `Evidence` link (the
feedback, goal, habit, mission or profiler result it was drawn from), so the page can show
where each sentence comes from and nothing is said without a source.

The stored plan (`StoredPlan`, coach_plans.payload) names what each piece of evidence is about
as an `EvidenceRef` (a kind, and the mission's, goal's or habit's id), not as a link: the link
depends on who reads it (the learner on /coaching, or their mentor or director on
/mentees/<id>) and is made when the plan is read (services/coaching/plan_links.href_for), into
the `CoachPlanData` the pages and the API show."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from cyberhub.schemas.datetimes import IsoDatetime

EvidenceKind = Literal["feedback", "goal", "habit", "mission", "profiler", "summary", "catalog"]
# What a piece of evidence is about: a mission (its brief), the learner's feedback on a mission,
# their goal, habit, the week's figures, the career profiler (to take), its results, the catalogue.
EvidenceRefKind = Literal[
    "mission", "feedback", "goal", "habit", "week", "profiler", "profiler_results", "catalog"
]
EVIDENCE_REF_KINDS_WITH_ID = frozenset({"mission", "feedback", "goal", "habit"})
NudgeKind = Literal["streak_broken", "goal_due", "goal_overdue", "changes_waiting"]
PlanState = Literal["ready", "preparing", "off"]
LineT = TypeVar("LineT", bound=BaseModel)  # a plan's sentence: CoachLine, StoredLine
MissionT = TypeVar("MissionT", bound=BaseModel)
NudgeT = TypeVar("NudgeT", bound=BaseModel)


class EvidenceRef(BaseModel):
    """What a piece of evidence is about: a mission, the feedback on one, a goal or a habit (with
    its id), the week's figures, the career profiler, its results or the missions' catalogue.
    Its link (`Evidence.href`) is made from it for the reader (services/coaching/plan_links)."""

    kind: EvidenceRefKind
    id: int | None = None  # the mission's (mission, feedback), goal's or habit's; else None

    @model_validator(mode="after")
    def _id_when_needed(self) -> EvidenceRef:
        if (self.id is not None) != (self.kind in EVIDENCE_REF_KINDS_WITH_ID):
            needs = "needs an id" if self.id is None else "takes no id"
            raise ValueError(f"a {self.kind} reference {needs}")
        return self


class Evidence(BaseModel):
    kind: EvidenceKind
    label: str  # what the link says ("your review of “Harden a server”")
    href: str  # an in-app path, for the reader (plan_links.href_for)
    ref: EvidenceRef  # what it points at


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


class _Plan(BaseModel, Generic[LineT, MissionT, NudgeT]):
    """A plan's parts, as stored (StoredPlan) and as read (CoachPlanData)."""

    # None only in a staff reader's copy whose focus draws on work they may not see
    # (coach.read_plan); a stored plan always has one.
    focus: LineT | None
    habits: list[LineT] = Field(default_factory=list, max_length=3)
    missions: list[MissionT] = Field(default_factory=list, max_length=3)
    nudges: list[NudgeT] = Field(default_factory=list)
    changes: list[LineT] = Field(default_factory=list)  # since last week
    # What the plan was built from: "feedback" (weak rubric criteria), "goals", "profiler"
    # (a learner with no work yet), "start" (not even a profiler result).
    basis: str = ""


class CoachPlanData(_Plan[CoachLine, CoachMission, CoachNudge]):
    """The plan as one reader reads it: the stored plan with its links made for them."""


class CoachPlanPublic(BaseModel):
    """GET /api/v1/student/coaching/ai-coach and the pages: the stored plan, or why there is
    none yet ("preparing": the worker has not written it; "off": no AI-profiling consent)."""

    state: PlanState
    message: str = ""
    computed_at: IsoDatetime | None = None
    week_start: date | None = None
    plan: CoachPlanData | None = None


# --- the stored plan (coach_plans.payload) ------------------------------------------------------

# The learner's links a plan stored before references held (the links plan_links.href_for makes
# for the learner): read once into their reference. Plans are renewed at least weekly
# (coach.plans_due); these can go once every stored plan has been rewritten.
_OLD_LINKS: tuple[tuple[re.Pattern[str], EvidenceRefKind], ...] = (
    (re.compile(r"/missions/(\d+)"), "mission"),
    (re.compile(r"/missions/(\d+)#feedback"), "feedback"),
    (re.compile(r"/coaching#goal-(\d+)"), "goal"),
    (re.compile(r"/coaching#habit-(\d+)"), "habit"),
    (re.compile(r"/coaching#week"), "week"),
    (re.compile(r"/onboarding/ai-profiler"), "profiler"),
    (re.compile(r"/onboarding/ai-profiler/results"), "profiler_results"),
    (re.compile(r"/missions"), "catalog"),
)


def ref_of_old_link(href: str) -> EvidenceRef:
    """The reference a learner's link in a plan stored before references stands for."""
    for pattern, kind in _OLD_LINKS:
        if m := pattern.fullmatch(href):
            return EvidenceRef(kind=kind, id=int(m[1]) if pattern.groups else None)
    raise ValueError(f"not a link of the coach's plan: {href!r}")


class StoredEvidence(BaseModel):
    label: str
    ref: EvidenceRef

    @model_validator(mode="before")
    @classmethod
    def _old_shape(cls, data: Any) -> Any:
        """Evidence stored before references: {kind, label, href} with the learner's link."""
        if isinstance(data, dict) and "ref" not in data and isinstance(data.get("href"), str):
            return {"label": data.get("label"), "ref": ref_of_old_link(data["href"])}
        return data


class StoredLine(BaseModel):
    text: str
    evidence: list[StoredEvidence] = Field(min_length=1)


class StoredMission(BaseModel):
    mission_id: int  # (its link, the mission's page, is everyone's: made when read)
    title: str
    reason: StoredLine


class StoredNudge(BaseModel):
    kind: NudgeKind
    line: StoredLine


class StoredPlan(_Plan[StoredLine, StoredMission, StoredNudge]):
    """The plan as the worker stores it (coach_plans.payload); CoachPlanData is what it reads as."""
