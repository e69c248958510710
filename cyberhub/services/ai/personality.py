"""Work-style analysis: a few dimensions, each with a score, a label and the evidence behind it.

Computed in the worker (actor `analyze_personality`), stored in PersonalityProfile, only read by
the app. The method is deliberately simple enough to explain to the learner:

1. Sources: the answers of the learner's latest completed profiler (the chosen option's text)
   and sentences from their reflections (newest first, capped).
2. Each dimension has two poles, each described by a few sentences. The pole vector is the
   normalized mean of their embeddings (cached per embedder, analysis version and bank version).
3. An item's raw contribution is sim(item, high pole) - sim(item, low pole). Sentence models have
   a bias towards one pole's wording whatever the text, so contributions are standardised
   against every option of the question bank (z = (raw - mean) / sd): "0" is the average answer.
4. score = 50 + 50 * tanh(K * mean z), in 0..100; 50 is balanced.
5. Evidence: the items that pushed hardest in the direction of the lean (both directions when
   balanced), with the question and chosen answer, or the reflection excerpt.

Deterministic (same sources and embedder: same result) and idempotent: the source hash covers
the answers, the reflections and the analysis version; an unchanged hash (and model) is skipped.
Consent-gated: without "AI profiling" nothing is computed and a stored analysis is deleted.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import PersonalityProfile, ProfilerAnswer, User
from cyberhub.models.base import utcnow
from cyberhub.schemas.ai import (
    BasedOn,
    DimensionPublic,
    ProfilerEvidence,
    ReflectionEvidence,
    ScoredDimension,
    WorkStylePublic,
    WorkStyleStored,
)
from cyberhub.services.ai import profiler
from cyberhub.services.ai.ai_locks import lock_learner
from cyberhub.services.ai.embeddings import Embedder
from cyberhub.services.ai.profiler_bank import CURRENT_VERSION, QuestionBank, load_bank
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import learner_notes
from cyberhub.services.learning.learning_access import viewable_learner

VERSION = "1"
# Steepness of the score curve: a mean z of 0.3 is ~65, 0.6 is ~77, 1.0 is ~88.
K = 1.0
# Evidence needed before a score moves far from the middle: the mean is taken as if this many
# neutral items were added (three reflection sentences alone can't make a "Strongly ...").
PRIOR_ITEMS = 4
# Floor for the bank's standard deviation (a model that barely separates the poles must not
# turn noise into strong leans).
SD_FLOOR = 0.02
BALANCED_WITHIN = 10  # 40..60 is "Balanced"
STRONG_FROM = 30  # <= 20 or >= 80 is "Strongly ..."
MAX_EVIDENCE = 3
MAX_REFLECTIONS = 20
MAX_SENTENCES_PER_REFLECTION = 6
MIN_SENTENCE_WORDS = 3
MAX_SENTENCE_CHARS = 300
EXCERPT_CHARS = 200

NOTHING_TO_ANALYSE = (
    "There is nothing to analyse yet: take the career profiler or write a reflection, and your "
    "work-style analysis will follow."
)
BEING_PREPARED = "Your work-style analysis is being prepared. Refresh in a few seconds."
NONE_YET = "No work-style analysis has been made yet: ask for one and it is ready in seconds."
CHANGED = (
    "Your answers or reflections changed since this analysis; an updated one is being prepared."
)


@dataclass(frozen=True)
class Dimension:
    """One work-style axis: a high and a low pole, each described by a few sentences."""

    key: str
    high: str  # the high pole's adjective ("hands-on")
    low: str
    high_poles: tuple[str, ...]
    low_poles: tuple[str, ...]
    high_sentence: str  # what leaning this way means, for the learner
    low_sentence: str
    balanced_sentence: str

    @property
    def name(self) -> str:
        return f"{self.high.capitalize()} vs {self.low}"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        key="hands_on",
        high="hands-on",
        low="conceptual",
        high_poles=(
            "I build, set up and fix things myself.",
            "Tinkering with computers, code and tools until they work.",
            "Learning by doing: prototypes, labs and practical experiments.",
        ),
        low_poles=(
            "I think ideas, theory and concepts through before acting.",
            "Reading and studying to understand why something works.",
            "Reflecting on principles, models and the big picture.",
        ),
        high_sentence="You learn best by doing: building, configuring and trying things out.",
        low_sentence="You like to understand the ideas and the why before you get your hands dirty.",
        balanced_sentence="You mix trying things out with thinking them through.",
    ),
    Dimension(
        key="collaborative",
        high="collaborative",
        low="independent",
        high_poles=(
            "Working with a team and talking things through with other people.",
            "Coordinating with others, sharing the work and deciding together.",
            "Group projects, meetings and helping teammates.",
        ),
        low_poles=(
            "Working alone with deep focus, on my own.",
            "Figuring things out by myself, independently.",
            "Quiet solo work without needing anyone else.",
        ),
        high_sentence="You draw energy from working with others and deciding together.",
        low_sentence="You do your best work on your own, with room to focus.",
        balanced_sentence="You are as comfortable working alone as in a team.",
    ),
    Dimension(
        key="structured",
        high="structured",
        low="exploratory",
        high_poles=(
            "Following a clear plan with steps, roles and priorities.",
            "Organising the work, listing risks and tracking progress.",
            "Rules, procedures and a well-defined process.",
        ),
        low_poles=(
            "Exploring open questions and unknowns out of curiosity.",
            "Trying new ideas quickly and improvising as I go.",
            "Enjoying uncertainty and experimenting without a fixed plan.",
        ),
        high_sentence="You like a clear plan, defined steps and knowing where things stand.",
        low_sentence="You are drawn to open questions and happy to find the way as you go.",
        balanced_sentence="You plan when it helps and improvise when it does not.",
    ),
    Dimension(
        key="bold",
        high="bold",
        low="cautious",
        high_poles=(
            "Taking risks and betting on a new idea, even if it might fail.",
            "Moving fast to launch something new and seize an opportunity.",
            "Taking the initiative and challenging how things are usually done.",
        ),
        low_poles=(
            "Being careful and preventing problems before they happen.",
            "Checking, testing and protecting things so they stay safe.",
            "Avoiding risk and making sure nothing breaks.",
        ),
        high_sentence="You are willing to take a chance on a new idea and move fast.",
        low_sentence="You weigh the risks and prefer to make things safe before moving on.",
        balanced_sentence="You take risks when they are worth it and play safe when they are not.",
    ),
    Dimension(
        key="people",
        high="people-focused",
        low="systems-focused",
        high_poles=(
            "Helping people, teaching and explaining so that others understand.",
            "The needs of customers, users, staff and communities.",
            "Communication, trust and relationships between people.",
        ),
        low_poles=(
            "Machines, networks, code and technical systems.",
            "How software and infrastructure work on the inside.",
            "Logs, data, configurations and technical details.",
        ),
        high_sentence="You are most interested in the people involved: users, teams, learners.",
        low_sentence="You are most interested in how the technology itself works.",
        balanced_sentence="You care about the people and the technology in equal measure.",
    ),
)


# -- pure core -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One piece of evidence: a profiler answer or a sentence from a reflection."""

    source: str  # "profiler" | "reflection"
    text: str  # what is embedded
    question: str = ""
    note_id: int | None = None


@dataclass
class Calibration:
    """Pole vectors and the bank's contribution statistics, for one embedder + bank."""

    high: np.ndarray  # (dimensions, d)
    low: np.ndarray
    mean: np.ndarray  # (dimensions,)
    sd: np.ndarray
    option_vectors: dict[str, np.ndarray]  # option text -> vector (answers need no new encode)


_cache: dict[tuple[str, str, str], Calibration] = {}
_cache_lock = threading.Lock()


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return np.asarray(m / np.where(norms == 0, 1.0, norms))


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dimensions))
    return _unit(np.asarray(embedder.encode(texts), dtype=np.float64))


def calibrate(
    embedder: Embedder,
    baseline: list[str],
    dimensions: tuple[Dimension, ...] = DIMENSIONS,
) -> Calibration:
    """Embed the poles (mean of each pole's sentences) and the baseline texts (the bank's
    options) and measure how the baseline contributes, to standardise against it."""
    poles = [p for d in dimensions for p in (*d.high_poles, *d.low_poles)]
    vectors = _encode(embedder, poles + baseline)
    pole_vecs, base_vecs = vectors[: len(poles)], vectors[len(poles) :]
    high, low, i = [], [], 0
    for d in dimensions:
        high.append(pole_vecs[i : i + len(d.high_poles)].mean(axis=0))
        i += len(d.high_poles)
        low.append(pole_vecs[i : i + len(d.low_poles)].mean(axis=0))
        i += len(d.low_poles)
    h, lo = _unit(np.array(high)), _unit(np.array(low))
    raw = base_vecs @ h.T - base_vecs @ lo.T if len(baseline) else np.zeros((0, len(dimensions)))
    mean = raw.mean(axis=0) if len(baseline) else np.zeros(len(dimensions))
    sd = np.maximum(raw.std(axis=0) if len(baseline) else np.zeros(len(dimensions)), SD_FLOOR)
    return Calibration(
        high=h,
        low=lo,
        mean=mean,
        sd=sd,
        option_vectors=dict(zip(baseline, base_vecs, strict=True)),
    )


def calibration_for(embedder: Embedder, bank: QuestionBank) -> Calibration:
    """The cached calibration for this embedder, analysis version and question bank."""
    key = (embedder.name, VERSION, bank.version)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            options = sorted({o.text for q in bank.questions for o in q.options})
            found = _cache[key] = calibrate(embedder, options)
        return found


def _label(d: Dimension, score: int) -> str:
    if abs(score - 50) < BALANCED_WITHIN:
        return "Balanced"
    pole = d.high if score > 50 else d.low
    return f"{'Strongly' if abs(score - 50) >= STRONG_FROM else 'Leans'} {pole}"


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _evidence(item: Item, z: float, d: Dimension) -> ProfilerEvidence | ReflectionEvidence:
    towards, strength = d.high if z > 0 else d.low, round(float(z), 2)
    if item.source == "profiler":
        return ProfilerEvidence(
            towards=towards, strength=strength, question=item.question, answer=item.text
        )
    return ReflectionEvidence(
        towards=towards, strength=strength, excerpt=_excerpt(item.text), note_id=item.note_id
    )


def score_items(
    items: list[Item],
    embedder: Embedder,
    calibration: Calibration,
    dimensions: tuple[Dimension, ...] = DIMENSIONS,
) -> list[ScoredDimension]:
    """Score every dimension from the items; each with its label, description and evidence."""
    if not items:
        return []
    known = calibration.option_vectors
    todo = [it.text for it in items if it.text not in known]
    fresh = dict(zip(todo, _encode(embedder, todo), strict=True))
    vecs = np.array([known[it.text] if it.text in known else fresh[it.text] for it in items])
    z = ((vecs @ calibration.high.T - vecs @ calibration.low.T) - calibration.mean) / calibration.sd
    out = []
    for j, d in enumerate(dimensions):
        zs = z[:, j]
        mean = float(zs.sum()) / (len(items) + PRIOR_ITEMS)
        score = int(round(50 + 50 * math.tanh(K * mean)))
        label = _label(d, score)
        if label == "Balanced":
            sentence = d.balanced_sentence
            # Both sides, so a balanced result still shows what pulled each way.
            order = [int(np.argmax(zs)), int(np.argmin(zs))]
            chosen = [i for i in dict.fromkeys(order) if abs(zs[i]) > 0]
        else:
            sentence = d.high_sentence if score > 50 else d.low_sentence
            sign = 1.0 if score > 50 else -1.0
            ranked = sorted(range(len(items)), key=lambda i: (-sign * zs[i], i))
            chosen = [i for i in ranked if sign * zs[i] > 0][:MAX_EVIDENCE]
        out.append(
            ScoredDimension(
                key=d.key,
                name=d.name,
                high=d.high,
                low=d.low,
                score=score,
                label=label,
                description=sentence,
                evidence=[_evidence(items[i], float(zs[i]), d) for i in chosen],
                model=embedder.name,
            )
        )
    return out


# -- sources ---------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(body: str) -> list[str]:
    """The sentences of a reflection worth embedding (a few words at least, capped)."""
    out = []
    for raw in _SENTENCE.split(body):
        s = " ".join(raw.split())
        if len(s.split()) >= MIN_SENTENCE_WORDS:
            out.append(s[:MAX_SENTENCE_CHARS])
        if len(out) == MAX_SENTENCES_PER_REFLECTION:
            break
    return out


@dataclass
class Sources:
    bank: QuestionBank
    answers: list[tuple[str, str]]  # (question id, option id) of the latest completed profiler
    reflections: list[tuple[int, str]]  # (note id, body), newest first

    @property
    def empty(self) -> bool:
        return not self.answers and not self.reflections

    @property
    def digest(self) -> str:
        payload = {
            "version": VERSION,
            "bank": self.bank.version,
            "answers": self.answers,
            "reflections": self.reflections,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def items(self) -> list[Item]:
        out: list[Item] = []
        for qid, oid in self.answers:
            q = self.bank.question(qid)
            o = q.option(oid) if q else None
            if q is not None and o is not None:
                out.append(Item(source="profiler", text=o.text, question=q.text))
        for note_id, body in self.reflections:
            out += [Item(source="reflection", text=s, note_id=note_id) for s in sentences(body)]
        return out


def sources(session: Session, user_id: int) -> Sources:
    """What the analysis of this learner is made of (cheap: no model involved)."""
    latest = profiler.latest_result(session, user_id)
    answers: list[tuple[str, str]] = []
    bank = load_bank(CURRENT_VERSION)
    if latest:
        bank = load_bank(latest.get("version") or CURRENT_VERSION)
        rows = session.exec(
            select(ProfilerAnswer).where(ProfilerAnswer.session_id == latest["session_id"])
        ).all()
        answers = sorted((a.question_id, a.option_id) for a in rows)
    notes = session.exec(learner_notes.newest_first(user_id, "reflection", MAX_REFLECTIONS)).all()
    return Sources(bank=bank, answers=answers, reflections=[(n.id or 0, n.body) for n in notes])


# -- the worker's entry point ----------------------------------------------------------------


def _delete(session: Session, user_id: int) -> None:
    session.execute(sa_delete(PersonalityProfile).where(col(PersonalityProfile.user_id) == user_id))


def analyze(session: Session, user_id: int, embedder: Embedder) -> str:
    """Compute and store the learner's analysis. Returns what happened: "updated", "current"
    (sources and model unchanged: nothing done), "empty" (nothing to analyse; a stale analysis
    is deleted) or "no_consent" (nothing computed; a stored analysis is deleted)."""
    lock_learner(session, user_id)  # one analysis (or vector, or list) of a learner at a time
    if session.get(User, user_id) is None:
        raise NotFound(f"User {user_id} does not exist.")
    if not consents.has_consent(session, user_id, consents.AI_PROFILING):
        _delete(session, user_id)
        return "no_consent"
    src = sources(session, user_id)
    if src.empty:
        _delete(session, user_id)
        return "empty"
    digest = src.digest
    current = session.get(PersonalityProfile, user_id, with_for_update=True)
    if (
        current is not None
        and current.source_hash == digest
        and current.version == VERSION
        and all(d.get("model") == embedder.name for d in current.dimensions)
    ):
        return "current"
    based_on = BasedOn(answers=len(src.answers), reflections=len(src.reflections))
    scored = score_items(src.items(), embedder, calibration_for(embedder, src.bank))
    # Stored as JSON (PersonalityProfile.dimensions): each dimension with its model and sources.
    dims = [d.model_copy(update={"based_on": based_on}).model_dump() for d in scored]
    if current is None:
        current = PersonalityProfile(
            user_id=user_id, version=VERSION, source_hash=digest, dimensions=dims
        )
    else:
        current.version, current.source_hash, current.dimensions = VERSION, digest, dims
        current.computed_at = utcnow()
    session.add(current)
    session.flush()
    return "updated"


# -- the app and the API ----------------------------------------------------------------------


def _target(session: Session, principal: Principal | None, user_id: int | None) -> int:
    return viewable_learner(session, principal, user_id, "work-style analysis")


def request_analysis(session: Session, principal: Principal | None) -> WorkStylePublic:
    """Queue an analysis of the caller (after commit) and return their overview, now "queued".
    Forbidden without AI-profiling consent; Conflict when there is nothing to analyse yet."""
    actor = require_signed_in(principal)
    consents.require_ai_consent(session, actor.user_id)
    out = overview(session, actor, None)
    if out.status == "empty":
        raise Conflict(NOTHING_TO_ANALYSE)
    jobs.analysis_requested(session, actor.user_id)
    return out.model_copy(update={"status": "queued", "message": BEING_PREPARED})


def overview(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> WorkStylePublic:
    """The stored analysis with its state, for the learner (or staff who may see them).

    status: "off" (no AI-profiling consent), "empty" (nothing to analyse), "none" (something to
    analyse but no analysis yet), "pending" (the answers or reflections changed since the stored
    analysis; an update is queued whenever they change), "ready". Never computes anything."""
    actor = require_signed_in(principal)
    target = _target(session, actor, user_id)
    if not consents.has_consent(session, target, consents.AI_PROFILING):
        message = consents.AI_CONSENT_MISSING
        if target != actor.user_id:
            message = "This learner has not given consent to AI profiling."
        return WorkStylePublic(user_id=target, version=VERSION, status="off", message=message)
    src = sources(session, target)
    if src.empty:
        return WorkStylePublic(
            user_id=target, version=VERSION, status="empty", message=NOTHING_TO_ANALYSE
        )
    profile = session.get(PersonalityProfile, target)
    if profile is None or not profile.dimensions:
        return WorkStylePublic(user_id=target, version=VERSION, status="none", message=NONE_YET)
    first = profile.dimensions[0]
    changed = profile.source_hash != src.digest or profile.version != VERSION
    return WorkStylePublic(
        user_id=target,
        dimensions=[DimensionPublic.model_validate(d) for d in profile.dimensions],
        computed_at=profile.computed_at,
        version=VERSION,
        model=first.get("model"),
        based_on=BasedOn.model_validate(first.get("based_on") or {}),
        status="pending" if changed else "ready",
        message=CHANGED if changed else "",
    )


def stored(
    session: Session, principal: Principal | None, user_id: int | None = None
) -> WorkStyleStored:
    """The API's read: the stored analysis. Forbidden without consent, NotFound when there is
    none (the message says whether there is nothing to analyse or none has been made yet)."""
    out = overview(session, principal, user_id)
    if out.status == "off":
        raise Forbidden(out.message)
    if not out.dimensions:
        raise NotFound(out.message)
    return WorkStyleStored(**dict(out), pending=out.status == "pending")
