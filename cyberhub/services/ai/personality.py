"""Work-style analysis: a few dimensions, each with a lean, an honest confidence and the evidence.

Computed in the worker (actor `analyze_personality`), stored in PersonalityProfile, only read by
the app. The method is deliberately simple enough to explain to the learner:

1. Sources: the answers of the learner's latest completed profiler (the chosen option's text)
   and sentences from their reflections (the coaching reflections, private ones included: the
   learner's own writing, for their own analysis; newest first, capped). Staff who may read the
   learner read a second analysis, made the same way of the answers and the reflections shared
   with the mentor alone: nothing they see is made from a private reflection.
2. Each dimension has two poles, each described by a few first-person anchor sentences written
   as mirror pairs ("I prefer working with other people" / "I prefer working alone"). Every
   vector is centred on the mean of all anchors first: that removes what the anchors share (the
   "I like …" wording), which otherwise pulls any sentence written like them towards every pole.
3. An item's affinity to a pole is the mean of its best two anchor similarities. An item speaks
   to a dimension only when that dimension is among the ones it is most about (its best pole is
   within RELEVANT_WITHIN of the item's best pole overall, and at least MIN_RELEVANCE): a sentence
   about people and planning moves those two dimensions, not all five. Its vote is the difference
   between the two poles (minus the bank's average difference, the model's bias), scaled to
   -1..+1 and ignored below MIN_MARGIN.
4. A dimension's score is 50 + 50 * sum(votes) / (votes + PRIOR_ITEMS), in 0..100. Its label
   says how much evidence there is and whether it agrees: fewer than MIN_EVIDENCE votes is "Not
   enough evidence yet"; votes that cancel out (agreement = |sum| / sum of |vote| below
   BALANCED_BELOW) is "Balanced"; otherwise "Leans …" or "Strongly …", with a confidence from the
   amount and agreement of the evidence (never a precise-looking number on its own).
5. Evidence: the items that voted in the direction of the lean (both directions when balanced),
   with the question and chosen answer, or the reflection excerpt.

Deterministic (same sources and embedder: same result) and idempotent: the source hashes (the
learner's and staff's) cover the answers, the reflections and the analysis version; unchanged
hashes (and model) are skipped.
Consent-gated: without "AI profiling" nothing is computed and a stored analysis is deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete as sa_delete
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.models import PersonalityProfile, ProfilerAnswer
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Reflection, Visibility
from cyberhub.schemas.ai import (
    BasedOn,
    Confidence,
    DimensionPublic,
    ProfilerEvidence,
    ReflectionEvidence,
    ScoredDimension,
    WorkStylePublic,
    WorkStyleStored,
)
from cyberhub.services.ai import profiler
from cyberhub.services.ai.ai_locks import lock_learner_for_ai
from cyberhub.services.ai.embeddings import Embedder
from cyberhub.services.ai.profiler_bank import CURRENT_VERSION, QuestionBank, load_bank
from cyberhub.services.coaching import ai_sources
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning.learning_access import viewable_learner
from cyberhub.services.rendering import markdown_to_text

VERSION = "2"
TOP_ANCHORS = 2  # a pole's affinity: the mean of the item's best two anchor similarities
# An item speaks to the dimensions whose best pole is this close to its best pole overall.
RELEVANT_WITHIN = 0.06
MIN_RELEVANCE = 0.15  # below this (centred cosine) an item speaks to no dimension at all
MIN_MARGIN = 0.04  # a pole difference smaller than this is no vote either way
VOTE_SCALE = 0.15  # a pole difference of 0.15 or more is a full vote (+1 or -1)
# The score is pulled towards 50 as if this many neutral votes were added: two sentences alone
# can't make a "Strongly ...".
PRIOR_ITEMS = 2
MIN_EVIDENCE = 2  # fewer votes than this: "Not enough evidence yet"
BALANCED_BELOW = 0.34  # agreement below this: the evidence pulls both ways, "Balanced"
STRONG_FROM = 30  # a score <= 20 or >= 80 (with enough agreeing evidence) is "Strongly ..."
HIGH_CONFIDENCE = (8, 0.8)  # at least 8 votes, 80 % agreement
MEDIUM_CONFIDENCE = (4, 0.6)
NOT_ENOUGH = "Not enough evidence yet"
BALANCED = "Balanced"
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
# Reflections whose sentences are all shorter than MIN_SENTENCE_WORDS give nothing to read.
TOO_SHORT = (
    "Your reflections are too short to analyse yet: write one with a sentence of at least "
    f"{MIN_SENTENCE_WORDS} words (or take the career profiler), and your work-style analysis "
    "will follow."
)
BEING_PREPARED = (
    "Your work-style analysis is being prepared: it appears here by itself when it is ready."
)
NONE_YET = "No work-style analysis has been made yet: ask for one and it is ready in seconds."
CHANGED = (
    "Your answers or reflections changed since this analysis; an updated one is being prepared."
)


@dataclass(frozen=True)
class Dimension:
    """One work-style axis: a high and a low pole, each described by a few anchor sentences.
    Shown as a scale from the low pole (left, 0) to the high pole (right, 100)."""

    key: str
    high: str  # the high pole's adjective ("hands-on")
    low: str
    high_poles: tuple[str, ...]
    low_poles: tuple[str, ...]
    high_sentence: str  # what leaning this way means, for the learner
    low_sentence: str
    balanced_sentence: str
    ask: str = ""  # what to write about for evidence ("whether you learn by doing or reading")

    @property
    def name(self) -> str:
        """The title, in the order of the scale: left (low) end first."""
        return f"{self.low.capitalize()} or {self.high}"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        key="hands_on",
        high="hands-on",
        low="conceptual",
        high_poles=(
            "I learn best by doing: building, setting up and fixing things myself.",
            "I like tinkering with computers, code and tools until they work.",
            "I prefer hands-on labs, prototypes and practical experiments.",
            "I would rather try it out and break things than read about it.",
            "I enjoy configuring routers, servers and my home lab.",
            "Writing a small script and testing it is how I understand a problem.",
        ),
        low_poles=(
            "I learn best by understanding the theory before I act.",
            "I like reading and studying to understand why something works.",
            "I prefer thinking about ideas, principles and the big picture.",
            "I would rather read about it and think it through than try it out.",
            "I enjoy analysing concepts, models and frameworks.",
            "Working out the reasoning on paper is how I understand a problem.",
        ),
        high_sentence="You learn best by doing: building, configuring and trying things out.",
        low_sentence="You like to understand the ideas and the why before you get your hands dirty.",
        balanced_sentence="You mix trying things out with thinking them through.",
        ask="whether you learn by trying things out or by reading and thinking first",
    ),
    Dimension(
        key="collaborative",
        high="collaborative",
        low="independent",
        high_poles=(
            "I prefer working with other people in a team.",
            "I like talking problems through with my teammates and deciding together.",
            "Group projects and pairing with a classmate help me most.",
            "I enjoy sharing the work and coordinating with others.",
            "I get my energy from discussing ideas with a group.",
        ),
        low_poles=(
            "I prefer working alone.",
            "I like figuring problems out by myself, independently.",
            "Quiet solo work, with nobody interrupting me, helps me most.",
            "I enjoy doing the whole task on my own.",
            "I get my energy from focusing deeply by myself.",
        ),
        high_sentence="You draw energy from working with others and deciding together.",
        low_sentence="You do your best work on your own, with room to focus.",
        balanced_sentence="You are as comfortable working alone as in a team.",
        ask="whether you like to work with others or on your own",
    ),
    Dimension(
        key="structured",
        high="structured",
        low="exploratory",
        high_poles=(
            "I like to plan the work first, with clear steps and a schedule.",
            "I prefer organising tasks, priorities and deadlines.",
            "Following a checklist and a well-defined process suits me.",
            "I like to know the plan and track progress against it.",
            "I make a plan before I start and stick to it.",
        ),
        low_poles=(
            "I like to explore without a plan and see where it goes.",
            "I prefer improvising and changing direction as I go.",
            "Open questions with no fixed process suit me.",
            "I like following my curiosity wherever it leads.",
            "I start right away and figure out the way as I go.",
        ),
        high_sentence="You like a clear plan, defined steps and knowing where things stand.",
        low_sentence="You are drawn to open questions and happy to find the way as you go.",
        balanced_sentence="You plan when it helps and improvise when it does not.",
        ask="whether you plan your work or find the way as you go",
    ),
    Dimension(
        key="bold",
        high="bold",
        low="cautious",
        high_poles=(
            "I like taking risks on new ideas, even if they might fail.",
            "I prefer moving fast and launching something new.",
            "I enjoy challenging how things are usually done.",
            "I take the initiative and bet on an opportunity.",
            "I would rather try something bold than play it safe.",
        ),
        low_poles=(
            "I like being careful and avoiding risks.",
            "I prefer checking and testing everything so nothing breaks.",
            "I enjoy protecting things and preventing problems before they happen.",
            "I wait until I am sure before I act.",
            "I would rather play it safe than try something bold.",
        ),
        high_sentence="You are willing to take a chance on a new idea and move fast.",
        low_sentence="You weigh the risks and prefer to make things safe before moving on.",
        balanced_sentence="You take risks when they are worth it and play safe when they are not.",
        ask="whether you take chances on new ideas or prefer to play it safe",
    ),
    Dimension(
        key="people",
        high="people-focused",
        low="systems-focused",
        high_poles=(
            "I am most interested in people: helping, teaching and explaining things to them.",
            "I care about the users, customers and communities affected.",
            "I enjoy communication, trust and relationships between people.",
            "I like working with people more than with machines.",
            "I like explaining things to other people so that they understand.",
        ),
        low_poles=(
            "I am most interested in technology: machines, networks and code.",
            "I care about how software and infrastructure work on the inside.",
            "I enjoy logs, data, configurations and technical details.",
            "I like working with machines more than with people.",
            "I like digging into how a system is built.",
        ),
        high_sentence="You are most interested in the people involved: users, teams, learners.",
        low_sentence="You are most interested in how the technology itself works.",
        balanced_sentence="You care about the people and the technology in equal measure.",
        ask="whether the people involved or the technology itself interests you more",
    ),
)


# -- pure core -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One piece of evidence: a profiler answer or a sentence from a reflection."""

    source: str  # "profiler" | "reflection"
    text: str  # what is embedded
    question: str = ""
    note_id: int | None = None  # the reflection's id (reflections table, since 0022)


@dataclass
class Calibration:
    """Centred anchor vectors and the baseline's bias, for one embedder + bank."""

    centre: np.ndarray  # (d,) the mean of every anchor: the wording they share
    high: list[np.ndarray]  # per dimension: (anchors, d), centred and normalized
    low: list[np.ndarray]
    bias: np.ndarray  # (dimensions,) the baseline's mean pole difference
    option_vectors: dict[str, np.ndarray]  # option text -> raw vector (answers need no encode)


_cache: dict[tuple[str, str, str], Calibration] = {}
_cache_lock = threading.Lock()


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return np.asarray(m / np.where(norms == 0, 1.0, norms))


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dimensions))
    return _unit(np.asarray(embedder.encode(texts), dtype=np.float64))


def _affinities(
    vecs: np.ndarray, cal_high: list[np.ndarray], cal_low: list[np.ndarray], centre: np.ndarray
) -> np.ndarray:
    """(items, dimensions, 2): each item's affinity to each dimension's high and low pole."""
    v = _unit(vecs - centre)
    out = np.zeros((len(vecs), len(cal_high), 2))
    for j, (h, lo) in enumerate(zip(cal_high, cal_low, strict=True)):
        for k, anchors in enumerate((h, lo)):
            sims = np.sort(v @ anchors.T, axis=1)[:, -min(TOP_ANCHORS, len(anchors)) :]
            out[:, j, k] = sims.mean(axis=1)
    return out


def calibrate(
    embedder: Embedder,
    baseline: list[str],
    dimensions: tuple[Dimension, ...] = DIMENSIONS,
) -> Calibration:
    """Embed the anchors (centred on their mean) and the baseline texts (the bank's options),
    and measure the baseline's average pole difference: the model's bias, removed from votes."""
    anchors = [p for d in dimensions for p in (*d.high_poles, *d.low_poles)]
    vectors = _encode(embedder, anchors + baseline)
    anchor_vecs, base_vecs = vectors[: len(anchors)], vectors[len(anchors) :]
    centre = anchor_vecs.mean(axis=0)
    centred = _unit(anchor_vecs - centre)
    high, low, i = [], [], 0
    for d in dimensions:
        high.append(centred[i : i + len(d.high_poles)])
        i += len(d.high_poles)
        low.append(centred[i : i + len(d.low_poles)])
        i += len(d.low_poles)
    bias = np.zeros(len(dimensions))
    if len(baseline):
        aff = _affinities(base_vecs, high, low, centre)
        bias = (aff[:, :, 0] - aff[:, :, 1]).mean(axis=0)
    return Calibration(
        centre=centre,
        high=high,
        low=low,
        bias=bias,
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


def votes(items: list[Item], embedder: Embedder, calibration: Calibration) -> np.ndarray:
    """(items, dimensions): each item's vote on each dimension, -1 (low pole) .. +1 (high pole);
    0 when the item does not speak to that dimension."""
    known = calibration.option_vectors
    todo = [it.text for it in items if it.text not in known]
    fresh = dict(zip(todo, _encode(embedder, todo), strict=True))
    vecs = np.array([known[it.text] if it.text in known else fresh[it.text] for it in items])
    aff = _affinities(vecs, calibration.high, calibration.low, calibration.centre)
    relevance = aff.max(axis=2)  # (items, dimensions)
    best = relevance.max(axis=1, keepdims=True)
    speaks = (relevance >= best - RELEVANT_WITHIN) & (relevance >= MIN_RELEVANCE)
    margin = aff[:, :, 0] - aff[:, :, 1] - calibration.bias
    speaks &= np.abs(margin) >= MIN_MARGIN
    return np.where(speaks, np.clip(margin / VOTE_SCALE, -1.0, 1.0), 0.0)


@dataclass(frozen=True)
class Verdict:
    """A dimension's reading of its votes."""

    score: int
    label: str
    confidence: Confidence
    counted: int  # items that spoke to the dimension
    agreeing: int  # of those, how many point the way of the label (all of them when balanced)


def verdict(d: Dimension, vs: np.ndarray) -> Verdict:
    """Score, label and confidence from one dimension's votes (0 = the item did not speak)."""
    spoken = vs[vs != 0]
    n, total, weight = len(spoken), float(spoken.sum()), float(np.abs(spoken).sum())
    score = int(round(50 + 50 * total / (n + PRIOR_ITEMS)))
    if n < MIN_EVIDENCE:
        return Verdict(50, NOT_ENOUGH, "none", n, n)
    agreement = abs(total) / weight
    if agreement < BALANCED_BELOW:
        return Verdict(score, BALANCED, "low" if n < MEDIUM_CONFIDENCE[0] else "medium", n, n)
    agreeing = int((np.sign(spoken) == np.sign(total)).sum())
    confidence: Confidence = "low"
    if n >= HIGH_CONFIDENCE[0] and agreement >= HIGH_CONFIDENCE[1]:
        confidence = "high"
    elif n >= MEDIUM_CONFIDENCE[0] and agreement >= MEDIUM_CONFIDENCE[1]:
        confidence = "medium"
    pole = d.high if total > 0 else d.low
    strong = abs(score - 50) >= STRONG_FROM and confidence != "low"
    return Verdict(score, f"{'Strongly' if strong else 'Leans'} {pole}", confidence, n, agreeing)


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _evidence(item: Item, vote: float, d: Dimension) -> ProfilerEvidence | ReflectionEvidence:
    towards, strength = d.high if vote > 0 else d.low, round(float(vote), 2)
    if item.source == "profiler":
        return ProfilerEvidence(
            towards=towards, strength=strength, question=item.question, answer=item.text
        )
    return ReflectionEvidence(
        towards=towards, strength=strength, excerpt=_excerpt(item.text), note_id=item.note_id
    )


def _description(d: Dimension, v: Verdict) -> str:
    if v.label == NOT_ENOUGH:
        return (
            "Too little of what you answered or wrote speaks to this yet. A reflection on "
            f"{d.ask} would tell us more."
        )
    if v.label == BALANCED:
        return d.balanced_sentence
    return d.high_sentence if v.score > 50 else d.low_sentence


def score_items(
    items: list[Item],
    embedder: Embedder,
    calibration: Calibration,
    dimensions: tuple[Dimension, ...] = DIMENSIONS,
) -> list[ScoredDimension]:
    """Score every dimension from the items; each with its label, confidence and evidence."""
    if not items:
        return []
    all_votes = votes(items, embedder, calibration)
    out = []
    for j, d in enumerate(dimensions):
        vs = all_votes[:, j]
        v = verdict(d, vs)
        if v.label in (BALANCED, NOT_ENOUGH):
            # Both sides, so a balanced (or thin) result still shows what pulled each way.
            order = [int(np.argmax(vs)), int(np.argmin(vs))]
            chosen = [i for i in dict.fromkeys(order) if vs[i] != 0]
        else:
            sign = 1.0 if v.score > 50 else -1.0
            ranked = sorted(range(len(items)), key=lambda i: (-sign * vs[i], i))
            chosen = [i for i in ranked if sign * vs[i] > 0][:MAX_EVIDENCE]
        out.append(
            ScoredDimension(
                key=d.key,
                name=d.name,
                high=d.high,
                low=d.low,
                score=v.score,
                label=v.label,
                description=_description(d, v),
                confidence=v.confidence,
                evidence_items=v.counted,
                agreeing_items=v.agreeing,
                evidence=[_evidence(items[i], float(vs[i]), d) for i in chosen],
                model=embedder.name,
            )
        )
    return out


# -- sources ---------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_LIST_MARKER = re.compile(r"^(?:- |\d+\. )")


def sentences(body: str) -> list[str]:
    """The sentences of a reflection worth embedding (a few words at least, capped), as plain
    text: a reflection is markdown, and its evidence is quoted where a `**` would show as typed."""
    out = []
    for raw in _SENTENCE.split(markdown_to_text(body)):
        s = _LIST_MARKER.sub("", " ".join(raw.split()))
        if len(s.split()) >= MIN_SENTENCE_WORDS:
            out.append(s[:MAX_SENTENCE_CHARS])
        if len(out) == MAX_SENTENCES_PER_REFLECTION:
            break
    return out


@dataclass
class Sources:
    bank: QuestionBank
    answers: list[tuple[str, str]]  # (question id, option id) of the latest completed profiler
    reflections: list[tuple[int, str]]  # (reflection id, body), newest first

    @property
    def empty(self) -> bool:
        """Nothing to analyse: no profiler answers and no reflection sentence long enough
        (an analysis of none would come back with no dimension, and be asked for again)."""
        return not self.answers and not any(sentences(body) for _, body in self.reflections)

    @property
    def empty_message(self) -> str:
        """What the learner is told while `empty`: what to write when they did write."""
        return TOO_SHORT if self.reflections else NOTHING_TO_ANALYSE

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


def sources(session: Session, user_id: int, *, for_staff: bool = False) -> Sources:
    """What the analysis of this learner is made of (cheap: no model involved); `for_staff`:
    the analysis staff read, of the reflections shared with the mentor alone."""
    latest = profiler.latest_result(session, user_id)
    answers: list[tuple[str, str]] = []
    bank = load_bank(CURRENT_VERSION)
    if latest:
        bank = load_bank(latest.get("version") or CURRENT_VERSION)
        rows = session.exec(
            select(ProfilerAnswer).where(ProfilerAnswer.session_id == latest["session_id"])
        ).all()
        answers = sorted((a.question_id, a.option_id) for a in rows)
    # The learner's own reflections, private ones included unless for staff
    # (services/coaching/ai_sources.py).
    notes = ai_sources.own_reflections(session, user_id, MAX_REFLECTIONS, shared_only=for_staff)
    return Sources(bank=bank, answers=answers, reflections=[(n.id, n.body) for n in notes])


# -- the worker's entry point ----------------------------------------------------------------


class _Remembered:
    """An embedder that encodes each text once (the learner's and staff's analyses share
    their sentences)."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner, self.name, self.dimensions = embedder, embedder.name, embedder.dimensions
        self.known: dict[str, list[float]] = {}

    def encode(self, texts: list[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.known))
        if todo:
            self.known.update(zip(todo, self.inner.encode(todo), strict=True))
        return [self.known[t] for t in texts]


def _scored(src: Sources, embedder: Embedder) -> list[ScoredDimension]:
    """The analysis of `src`: each dimension with its model and what it is based on (stored
    as JSON in PersonalityProfile.dimensions). Nothing to analyse: none."""
    if src.empty:
        return []
    based_on = BasedOn(answers=len(src.answers), reflections=len(src.reflections))
    scored = score_items(src.items(), embedder, calibration_for(embedder, src.bank))
    return [d.model_copy(update={"based_on": based_on}) for d in scored]


def _delete(session: Session, user_id: int) -> None:
    session.execute(sa_delete(PersonalityProfile).where(col(PersonalityProfile.user_id) == user_id))


def analyze(session: Session, user_id: int, embedder: Embedder) -> str:
    """Compute and store the learner's analysis. Returns what happened: "updated", "current"
    (sources and model unchanged: nothing done), "empty" (nothing to analyse; a stale analysis
    is deleted) or "no_consent" (nothing computed; a stored analysis is deleted)."""
    # One analysis (or vector, or list) of a learner at a time.
    if not lock_learner_for_ai(session, user_id):
        _delete(session, user_id)
        return "no_consent"
    src = sources(session, user_id)
    if src.empty:  # (then staff's, a part of it, is empty too)
        _delete(session, user_id)
        return "empty"
    staff = sources(session, user_id, for_staff=True)
    digest, staff_digest = src.digest, staff.digest
    current = session.get(PersonalityProfile, user_id, with_for_update=True)
    if (
        current is not None
        and current.source_hash == digest
        and current.staff_source_hash == staff_digest
        and current.version == VERSION
        and all(
            d.get("model") == embedder.name
            for d in (*current.dimensions, *current.staff_dimensions)
        )
    ):
        return "current"
    remembered = _Remembered(embedder)
    dims = [d.model_dump() for d in _scored(src, remembered)]
    staff_dims = [d.model_dump() for d in _scored(staff, remembered)]
    if current is None:
        current = PersonalityProfile(user_id=user_id, version=VERSION, source_hash=digest)
    else:
        current.version, current.source_hash = VERSION, digest
        current.computed_at = utcnow()
    current.dimensions, current.staff_source_hash = dims, staff_digest
    current.staff_dimensions = staff_dims
    session.add(current)
    session.flush()
    return "updated"


# -- the app and the API ----------------------------------------------------------------------


def _target(session: Session, principal: Principal | None, user_id: int | None) -> int:
    return viewable_learner(session, principal, user_id, "work-style analysis")


def _for_staff(
    session: Session, user_id: int, dims: list[DimensionPublic]
) -> list[DimensionPublic]:
    """The staff analysis as staff read it: made of the shared reflections alone; evidence
    quoting one made private (or deleted) since is left out until it is made again."""
    shared = set(
        session.exec(
            select(Reflection.id).where(
                Reflection.user_id == user_id, Reflection.visibility == Visibility.mentor
            )
        ).all()
    )
    return [
        d.model_copy(
            update={
                "evidence": [
                    e
                    for e in d.evidence
                    if not isinstance(e, ReflectionEvidence) or e.note_id in shared
                ]
            }
        )
        for d in dims
    ]


def request_analysis(session: Session, principal: Principal | None) -> WorkStylePublic:
    """Queue an analysis of the caller (after commit) and return their overview, now "queued".
    Forbidden without AI-profiling consent; Conflict when there is nothing to analyse yet."""
    actor = require_signed_in(principal)
    consents.require_ai_consent(session, actor.user_id)
    out = overview(session, actor, None)
    if out.status == "empty":
        raise Conflict(out.message)
    jobs.analysis_asked(session, actor.user_id)
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
    staff = target != actor.user_id  # staff read the analysis of what was shared with them
    if not consents.has_consent(session, target, consents.AI_PROFILING):
        message = consents.ai_consent_missing(target, actor.user_id)
        return WorkStylePublic(user_id=target, version=VERSION, status="off", message=message)
    src = sources(session, target, for_staff=staff)
    if src.empty:
        # Staff are told there is nothing yet; the learner what to write (TOO_SHORT).
        message = NOTHING_TO_ANALYSE if staff else src.empty_message
        return WorkStylePublic(user_id=target, version=VERSION, status="empty", message=message)
    profile = session.get(PersonalityProfile, target)
    kept: list[dict[str, Any]] = []
    source_hash = ""
    if profile is not None:
        kept = profile.staff_dimensions if staff else profile.dimensions
        source_hash = profile.staff_source_hash if staff else profile.source_hash
    # An analysis made by an older method is not shown (its labels meant something else): the
    # page asks for a new one, as when there is none.
    if profile is None or not kept or profile.version != VERSION:
        return WorkStylePublic(user_id=target, version=VERSION, status="none", message=NONE_YET)
    first = kept[0]
    changed = source_hash != src.digest
    dims = [DimensionPublic.model_validate(d) for d in kept]
    if staff:
        dims = _for_staff(session, target, dims)
    return WorkStylePublic(
        user_id=target,
        dimensions=dims,
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
