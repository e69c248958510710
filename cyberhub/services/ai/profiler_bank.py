"""The AI profiler's data: versioned question banks, track descriptions and NICE work roles.

A question bank lives in ``cyberhub/data/profiler_questions_v{version}.json`` and is validated
here once per version (then cached). Every option carries a weight 0-3 towards each of the five
tracks; the weights never leave the server (see :func:`public_questions`). Invalid data raises
``ValueError`` with a message naming what is wrong, so a broken bank fails loudly at start-up or
in the tests rather than producing silently skewed profiles.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cyberhub.models.learning import TRACK_KEYS
from cyberhub.schemas.profiler import OptionPublic, QuestionPublic, TrackData
from cyberhub.schemas.rows import from_row

DATA = Path(__file__).resolve().parents[2] / "data"

CURRENT_VERSION = "1"
# The seed asks for "12+ scenario-based questions"; the issue wants 16-24 in the real bank.
MIN_QUESTIONS = 12
CATEGORY_COUNT = 4
MAX_OPTION_WEIGHT = 3.0
_VERSION_RE = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Frozen):
    key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    weight: float = Field(gt=0, le=10)


class Option(_Frozen):
    id: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=300)
    weights: dict[str, float]

    @field_validator("weights")
    @classmethod
    def _five_tracks(cls, weights: dict[str, float]) -> dict[str, float]:
        if set(weights) != set(TRACK_KEYS):
            missing = sorted(set(TRACK_KEYS) - set(weights))
            extra = sorted(set(weights) - set(TRACK_KEYS))
            raise ValueError(
                f"weights must name exactly the five tracks (missing {missing}, unknown {extra})"
            )
        for track, value in weights.items():
            if not 0 <= value <= MAX_OPTION_WEIGHT:
                raise ValueError(f"weight for {track} must be between 0 and {MAX_OPTION_WEIGHT:g}")
        if max(weights.values()) <= 0:
            raise ValueError("an option must favour at least one track (all weights are 0)")
        # Canonical track order, whatever order the file used.
        return {t: float(weights[t]) for t in TRACK_KEYS}

    @property
    def top_tracks(self) -> tuple[str, ...]:
        """The track(s) this option favours most, in canonical order."""
        best = max(self.weights.values())
        return tuple(t for t in TRACK_KEYS if self.weights[t] == best)


class Question(_Frozen):
    id: str = Field(min_length=1, max_length=32)
    category: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=500)
    options: tuple[Option, ...] = Field(min_length=2, max_length=6)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def max_weight(self, track: str) -> float:
        """The most this question can give ``track`` (before the category weight)."""
        return max(o.weights[track] for o in self.options)


class QuestionBank(_Frozen):
    version: str = Field(min_length=1, max_length=20)
    categories: tuple[Category, ...]
    questions: tuple[Question, ...]

    @model_validator(mode="after")
    def _consistent(self) -> QuestionBank:
        keys = [c.key for c in self.categories]
        if len(keys) != CATEGORY_COUNT:
            raise ValueError(f"a bank needs exactly {CATEGORY_COUNT} categories, got {len(keys)}")
        _no_duplicates("category key", keys)
        _no_duplicates("question id", [q.id for q in self.questions])
        _no_duplicates("option id", [o.id for q in self.questions for o in q.options])
        for q in self.questions:
            if q.category not in keys:
                raise ValueError(f"question {q.id} has unknown category {q.category!r}")
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def category_weight(self, key: str) -> float:
        return next(c.weight for c in self.categories if c.key == key)

    def category_name(self, key: str) -> str:
        return next(c.name for c in self.categories if c.key == key)


def _no_duplicates(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what} {v!r}")
        seen.add(v)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def parse_bank(data: Any, *, min_questions: int = MIN_QUESTIONS) -> QuestionBank:
    """Validate a bank given as plain data (a parsed JSON file).

    ``min_questions`` exists so tests can build tiny hand-computable banks; real banks keep the
    default. Raises ``ValueError`` naming the first problem found.
    """
    try:
        bank = QuestionBank.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"Invalid question bank: {_first_error(exc)}") from exc
    if len(bank.questions) < min_questions:
        raise ValueError(
            f"Invalid question bank: {len(bank.questions)} questions, at least {min_questions} needed"
        )
    return bank


def load_bank(version: str = CURRENT_VERSION) -> QuestionBank:
    """The validated question bank of ``version`` (read once, then cached)."""
    return _load_bank(version)


@lru_cache(maxsize=8)  # keyed on the version alone, so load_bank() and load_bank("1") share
def _load_bank(version: str) -> QuestionBank:
    if not _VERSION_RE.match(version):
        raise ValueError(f"Unknown question bank version {version!r}")
    path = DATA / f"profiler_questions_v{version}.json"
    if not path.is_file():
        raise ValueError(f"Unknown question bank version {version!r}")
    bank = parse_bank(json.loads(path.read_text(encoding="utf-8")))
    if bank.version != version:
        raise ValueError(f"{path.name} declares version {bank.version!r}, expected {version!r}")
    return bank


def public_questions(bank: QuestionBank) -> list[QuestionPublic]:
    """The questions as the learner sees them: ids, category, texts; never the track weights."""
    return [
        from_row(QuestionPublic, q, options=[from_row(OptionPublic, o) for o in q.options])
        for q in bank.questions
    ]


# --- Tracks and NICE Framework work roles --------------------------------------------------


class NiceRole(_Frozen):
    name: str = Field(min_length=1, max_length=120)
    id: str = Field(pattern=r"^[A-Z]{2}-WRL-\d{3}$")
    category: str = Field(min_length=1, max_length=80)


class NiceRolesFile(_Frozen):
    source: str = Field(min_length=1)
    version: str = Field(min_length=1, max_length=20)
    tracks: dict[str, tuple[NiceRole, ...]]

    @field_validator("tracks")
    @classmethod
    def _every_track(
        cls, tracks: dict[str, tuple[NiceRole, ...]]
    ) -> dict[str, tuple[NiceRole, ...]]:
        if set(tracks) != set(TRACK_KEYS):
            raise ValueError("tracks must map exactly the five tracks")
        for track, roles in tracks.items():
            if not 3 <= len(roles) <= 5:
                raise ValueError(f"{track} needs 3 to 5 NICE work roles, has {len(roles)}")
        return tracks


@lru_cache(maxsize=1)
def load_nice_file() -> NiceRolesFile:
    """nice_work_roles.json, validated (source, framework version, roles per track)."""
    raw = json.loads((DATA / "nice_work_roles.json").read_text(encoding="utf-8"))
    try:
        return NiceRolesFile.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(f"Invalid nice_work_roles.json: {_first_error(exc)}") from exc


def load_nice_roles() -> dict[str, list[dict[str, str]]]:
    """Track key -> NICE work roles as plain dicts ``{"name", "id", "category"}``, best fit first."""
    return {
        track: [r.model_dump() for r in roles] for track, roles in load_nice_file().tracks.items()
    }


def load_tracks_info() -> list[TrackData]:
    """The five tracks' descriptions and careers from tracks.json, in canonical order."""
    rows: list[TrackData] = json.loads((DATA / "tracks.json").read_text(encoding="utf-8"))
    by_key = {r["key"]: r for r in rows}
    missing = [t for t in TRACK_KEYS if t not in by_key]
    if missing:
        raise ValueError(f"tracks.json lacks tracks {missing}")
    return [by_key[t] for t in TRACK_KEYS]
