"""The AI domain's public faces: the work-style analysis (services/ai/personality.py),
recommendations (services/ai/recommendations.py), mission search (services/ai/search.py) and
embeddings (services/ai/query_embedder.py). Field names and order are the API's JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cyberhub.schemas.datetimes import IsoDatetime

# -- work-style analysis -----------------------------------------------------------------------


class ProfilerEvidence(BaseModel):
    """A career-profiler answer that pulled a dimension one way."""

    source: Literal["profiler"] = "profiler"
    towards: str  # the pole it pulls towards ("hands-on")
    strength: float  # its vote, -1 (low pole) .. +1 (high pole): sign = direction
    question: str
    answer: str


class ReflectionEvidence(BaseModel):
    """A sentence of one of the learner's reflections that pulled a dimension one way."""

    source: Literal["reflection"] = "reflection"
    towards: str
    strength: float
    excerpt: str
    note_id: int | None = None  # the reflection's id (/api/v1/coaching/reflections since 0022)


Evidence = Annotated[ProfilerEvidence | ReflectionEvidence, Field(discriminator="source")]


# How much to trust a dimension's label: "none" (not enough evidence yet), then by the amount
# and the agreement of the evidence.
Confidence = Literal["none", "low", "medium", "high"]


class DimensionPublic(BaseModel):
    """One work-style axis for one learner, a scale from `low` (0, left) to `high` (100, right):
    score (50 balanced or unknown), label ("Leans …", "Balanced", "Not enough evidence yet"),
    confidence, how many items spoke to it and how many of those agree with the label."""

    key: str
    name: str
    high: str
    low: str
    score: int
    label: str
    description: str
    evidence: list[Evidence] = []
    confidence: Confidence = "none"
    evidence_items: int = 0
    agreeing_items: int = 0


class BasedOn(BaseModel):
    answers: int = 0
    reflections: int = 0


class ScoredDimension(DimensionPublic):
    """A dimension as the worker stores it: with the model that scored it and its sources."""

    model: str
    based_on: BasedOn | None = None


WorkStyleStatus = Literal["off", "empty", "none", "queued", "pending", "ready"]


class WorkStylePublic(BaseModel):
    """A learner's analysis and its state: "off" (no AI-profiling consent), "empty" (nothing to
    analyse), "none" (not made yet), "queued", "pending" (sources changed), "ready"."""

    user_id: int
    dimensions: list[DimensionPublic] = []
    computed_at: IsoDatetime | None = None
    version: str
    model: str | None = None
    based_on: BasedOn = BasedOn()
    status: WorkStyleStatus
    message: str = ""


class WorkStyleStored(WorkStylePublic):
    """The API's read of a stored analysis; `pending` while an update is on its way."""

    pending: bool = False


# -- recommendations ---------------------------------------------------------------------------


class RecommendationPublic(BaseModel):
    """One recommended mission with the reason it was chosen."""

    model_config = ConfigDict(from_attributes=True)

    mission_id: int
    title: str
    score: float
    reason: str
    difficulty: int
    track: str  # the track's key
    track_name: str = ""
    source: str = ""  # "vector" | "profile" | "fallback" | "unlocks"


class RecommendationBrief(BaseModel):
    """A recommendation in GET /recommendations."""

    mission_id: int
    title: str
    score: float
    reason: str
    difficulty: int
    track: str


class UnlockBrief(BaseModel):
    """A locked mission matching a goal in GET /recommendations/unlocks: what unlocks it."""

    mission_id: int
    title: str
    reason: str
    difficulty: int
    track: str


class RecommendationList(BaseModel):
    """A learner's stored list; `enabled` is False without AI-profiling consent."""

    enabled: bool
    message: str = ""
    items: list[RecommendationPublic] = []
    unlocks: list[RecommendationPublic] = []  # "unlocks after …": kept apart from the list
    computed_at: IsoDatetime | None = None


class RefreshQueued(BaseModel):
    status: Literal["queued"] = "queued"
    user: int  # whose list is being recomputed


class Dismissed(BaseModel):
    mission_id: int
    status: Literal["dismissed"] = "dismissed"


class DismissalUndone(BaseModel):
    """A "not interested" taken back: the mission may be recommended again."""

    mission_id: int
    status: Literal["restored"] = "restored"


# -- search and embeddings ---------------------------------------------------------------------


class MissionHitPublic(BaseModel):
    """A mission found by search. `matched` names the rankings it came from ("text": its words,
    "vector": its meaning); `score` is the fused RRF score."""

    id: int
    title: str
    summary: str
    track: str  # the track's key
    difficulty: int
    score: float
    matched: list[str]


class EmbeddingsPublic(BaseModel):
    """Unit vectors of the texts sent, in their order, and the model that made them."""

    model: str
    dimensions: int
    vectors: list[list[float]]
