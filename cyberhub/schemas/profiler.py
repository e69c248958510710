"""The AI career profiler, typed: the questions as learners see them, a session's progress, a
result and an answer under review.

A result stays a `TypedDict` (`ProfilerResultData`): the recommendation, embedding, interest
and scope services read the learner's latest result as a mapping, and its persona, reasoning
and score components are free-form JSON stored as JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from typing_extensions import TypedDict

from cyberhub.schemas.datetimes import IsoDatetime


class OptionPublic(BaseModel):
    id: str
    text: str


class QuestionPublic(BaseModel):
    """A question without its track weights (those stay on the server)."""

    id: str
    category: str
    text: str
    options: list[OptionPublic]


class ProfilerProgress(BaseModel):
    """Where the learner stands in a session: answers so far, the question to show, counts."""

    id: int
    status: str
    version: str
    answered: int
    total: int
    current_index: int
    answers: dict[str, str]  # question id -> option id
    unanswered: list[str]
    started_at: IsoDatetime
    completed_at: IsoDatetime | None


class ProfilerStarted(ProfilerProgress):
    resumed: bool  # True: the learner's unfinished session, not a new one


class ProfilerResultData(TypedDict):
    session_id: int
    version: str
    primary_track: str
    secondary_track: str
    tie: list[str]
    confidence: str
    confidence_explanation: str
    scores: dict[str, float]
    reasoning: dict[str, str]
    persona: dict[str, Any]  # free-form JSON built by profiler_scoring.build_persona
    components: dict[str, Any]  # the scoring's components, stored as JSON
    completed_at: str  # ISO 8601


class TrackData(TypedDict):
    """A track as data/tracks.json describes it (read by key by the persona and the AI
    services)."""

    key: str
    name: str
    tagline: str
    description: str
    focus: list[str]
    careers: list[str]


class AnswerReview(BaseModel):
    question_id: str
    category: str
    text: str
    answer: str | None  # the chosen option's text; None when unanswered


class NiceWorkRole(BaseModel):
    name: str
    id: str
    category: str


class TrackTexts(BaseModel):
    """A track's texts (those of TrackData), the fields every public view of a track starts
    with: the catalog's, the profiler's and the director's read of it answer them alike."""

    key: str
    name: str
    tagline: str
    description: str
    focus: list[str]
    careers: list[str]


class TrackInfo(TrackTexts):
    """A track's description from tracks.json with its NICE Framework work roles."""

    nice_work_roles: list[NiceWorkRole]
