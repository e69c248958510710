"""The AI coach (issue 16 item 6): a weekly plan per learner, computed by the worker, read by
/coaching, the mentee page and GET /api/v1/student/coaching/ai-coach.

`compute_plan` is retrieval and rules over the learner's own data, no generated prose:

- the **focus** of the week: the weakest criteria of their latest rubric feedback (and the hint
  of that mission closest to them in meaning), else a goal near its date, else their least
  advanced goal, else the profiler's track, else "take the profiler";
- 1–3 **habits**: practise the weak criterion, restart a broken streak, a habit for a goal with
  none, a weekly session on the profiler's track;
- 3 **missions**: those nearest in meaning to the weak criteria (the embedding model over the
  mission vectors), then the learner's stored recommendations, then the recommender's ranking
  computed afresh (a learner whose list is not stored yet);
- **nudges**: a streak that broke, a goal due soon with little progress, requested changes
  left unanswered;
- **what changed** since last week (services/coaching/summary.py).

Every sentence carries at least one piece of evidence (schemas/coach.CoachLine), stored as what
it is about (schemas/coach.EvidenceRef) and linked for its reader when read (plan_links.href_for).
Without AI-profiling consent nothing is read or stored, and a stored plan is deleted (here, and
by embeddings.purge_learner when the consent is withdrawn). Writes take the learner's AI lock
(Lock.LEARNER_AI, services/locks.py), so two computations for one learner take turns.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import Date, DateTime, String, column, func, or_, values
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cyberhub.embedding_model import Embedder, get_embedder
from cyberhub.formatting import when, zone
from cyberhub.models import (
    Mission,
    Recommendation,
    Review,
    Submission,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Cadence, CoachPlan, Goal, GoalMission, ProgressSource
from cyberhub.schemas.coach import (
    CoachPlanData,
    CoachPlanPublic,
    EvidenceRef,
    NudgeKind,
    StoredEvidence,
    StoredLine,
    StoredMission,
    StoredNudge,
    StoredPlan,
)
from cyberhub.schemas.coaching import GoalPublic, HabitPublic, WeekSummary
from cyberhub.services.ai import profiler, ranking, recommendations
from cyberhub.services.ai.ai_jobs import ai_learners
from cyberhub.services.ai.ai_locks import lock_learner_for_ai
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES
from cyberhub.services.coaching import access, goals, habits, plan_links, summary
from cyberhub.services.coaching.streaks import local_day, streak, week_start
from cyberhub.services.errors import NotFound
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import progress
from cyberhub.services.learning.learning_access import can_read_learner
from cyberhub.services.learning.submissions import missions_seen, work_seen
from cyberhub.services.messaging import live
from cyberhub.services.rendering import markdown_excerpt

NOT_YOURS = "No learner of yours has that id."  # the mentee page's words (mentees.NOT_YOURS)
AI_OFF = (
    "The coach's plan is off because AI profiling is not turned on. Turn it on under "
    "Settings → Privacy & consents, and the coach prepares a plan within a minute."
)
AI_OFF_STAFF = "This learner has not turned on AI profiling, so the coach makes no plan for them."
PREPARING = "The coach is preparing this week's plan; it appears here when it is ready."
WEAK_RATIO = 0.75  # a criterion scored below 75 % of its points is weak
GOAL_DUE_DAYS = 14  # a goal this close to its date ...
GOAL_LOW_PERCENT = 50  # ... and below this progress gets a nudge
UNANSWERED_DAYS = 2  # requested changes waiting this long get a nudge
MIN_HINT_SIMILARITY = 0.25  # a hint less related than this is not pointed at
QUOTE_MAX = 140
# nudges quoting a goal's progress (a staff reader sees them only when they see its missions)
GOAL_FIGURE_NUDGES = ("goal_due", "goal_overdue")


# --- what a plan is built from ------------------------------------------------------------------


@dataclass
class Feedback:
    """The learner's latest review, with the criteria it scored weakly."""

    review_id: int
    mission_id: int
    mission_title: str
    decision: str
    feedback: str
    weak: list[tuple[str, int, int, str]]  # (criterion title, score, points, comment)
    hints: list[str]


@dataclass
class Inputs:
    user_id: int
    today: date
    feedback: Feedback | None
    habits: list[HabitPublic]
    checkins: dict[int, list[date]]
    goals: list[GoalPublic]
    waiting: list[tuple[int, str, datetime]]  # changes requested: (mission id, title, when)
    profiler_track: str | None
    profiler_session: int | None
    recommendations_at: datetime | None
    week: WeekSummary

    def fingerprint(self, model: str) -> str:
        """A hash of everything the plan reads: the same inputs give the same plan."""
        raw = json.dumps(
            {
                "model": model,
                "today": self.today.isoformat(),
                "feedback": self.feedback.__dict__ if self.feedback else None,
                "habits": [(h.id, h.title, h.cadence, h.per_week) for h in self.habits],
                "checkins": sorted((k, sorted(map(str, v))) for k, v in self.checkins.items()),
                # (`overdue` follows from `today` and the target, `achieved_at` from the status:
                # left out, so the plans written before they were added stay current.)
                "goals": [
                    g.model_dump(mode="json", exclude={"overdue", "achieved_at"})
                    for g in self.goals
                ],
                "waiting": [(m, t, w.isoformat()) for m, t, w in self.waiting],
                "profiler": [self.profiler_track, self.profiler_session],
                "recs": self.recommendations_at.isoformat() if self.recommendations_at else None,
                "week": self.week.model_dump(mode="json"),
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(raw.encode()).hexdigest()


def _latest_feedback(session: Session, user_id: int) -> Feedback | None:
    row = session.exec(
        select(Review, Submission, Mission)
        .join(Submission, col(Submission.id) == col(Review.submission_id))
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .where(Submission.student_id == user_id)
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
    ).first()
    if row is None:
        return None
    review, sub, mission = row
    weak = []
    for criterion in mission.rubric:
        key = str(criterion.get("key", ""))
        points = int(str(criterion.get("points", 0) or 0))
        score = review.scores.get(key)
        if points <= 0 or score is None or score >= WEAK_RATIO * points:
            continue
        title = str(criterion.get("title") or key)
        weak.append((title, int(score), points, (review.comments or {}).get(key, "")))
    weak.sort(key=lambda w: w[1] / w[2])
    return Feedback(
        review_id=review.id or 0,
        mission_id=sub.mission_id,
        mission_title=mission.title,
        decision=review.decision,
        feedback=review.feedback,
        weak=weak,
        hints=[str(h) for h in mission.hints],
    )


def _waiting_changes(session: Session, user_id: int) -> list[tuple[int, str, datetime]]:
    """Missions whose latest attempt has changes requested (oldest decision first)."""
    latest = (
        select(Submission.mission_id, func.max(Submission.attempt).label("attempt"))
        .where(Submission.student_id == user_id)
        .group_by(col(Submission.mission_id))
        .subquery()
    )
    rows = session.exec(
        select(Submission.mission_id, Mission.title, Submission.decided_at)
        .join(
            latest,
            (latest.c.mission_id == col(Submission.mission_id))
            & (latest.c.attempt == col(Submission.attempt)),
        )
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .where(
            Submission.student_id == user_id,
            Submission.status == SubmissionStatus.changes_requested,
        )
        .order_by(col(Submission.decided_at))
    ).all()
    return [(mid, title, at) for mid, title, at in rows if at is not None]


def gather(session: Session, user_id: int) -> Inputs:
    """Everything a plan is built from (plain SQL, no model)."""
    habit_rows = habits.habits_public(session, user_id)
    result = profiler.latest_result(session, user_id)
    recs_at = session.exec(
        select(func.max(Recommendation.computed_at)).where(Recommendation.user_id == user_id)
    ).one()
    return Inputs(
        user_id=user_id,
        today=access.today(session, user_id),
        feedback=_latest_feedback(session, user_id),
        habits=habit_rows,
        checkins=habits.checkin_days(session, [h.id for h in habit_rows]),
        goals=goals.goals_public(session, user_id),
        waiting=_waiting_changes(session, user_id),
        profiler_track=result["primary_track"] if result else None,
        profiler_session=result["session_id"] if result else None,
        recommendations_at=recs_at,
        week=summary.week_of(session, user_id),
    )


# --- building the plan --------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A mentor's markdown as a one-line plain quote: the plan's lines are plain text, where a
    `**` or a list's `-` would show as typed."""
    return markdown_excerpt(text, QUOTE_MAX)


def _feedback_evidence(fb: Feedback) -> StoredEvidence:
    return StoredEvidence(
        label=f"your review of “{fb.mission_title}”",
        ref=EvidenceRef(kind="feedback", id=fb.mission_id),
    )


def _goal_evidence(goal: GoalPublic) -> StoredEvidence:
    return StoredEvidence(label=f"goal “{goal.title}”", ref=EvidenceRef(kind="goal", id=goal.id))


def _habit_evidence(habit: HabitPublic) -> StoredEvidence:
    return StoredEvidence(
        label=f"habit “{habit.title}”", ref=EvidenceRef(kind="habit", id=habit.id)
    )


def _mission_evidence(mission_id: int, title: str) -> StoredEvidence:
    return StoredEvidence(
        label=f"mission “{title}”", ref=EvidenceRef(kind="mission", id=mission_id)
    )


def _profiler_evidence(track: str) -> StoredEvidence:
    return StoredEvidence(
        label=f"your profiler result ({TRACK_NAMES.get(track, track)})",
        ref=EvidenceRef(kind="profiler_results"),
    )


def _weak_text(fb: Feedback) -> str:
    """What the feedback asks for, as one text to match by meaning."""
    parts = [f"{title}. {comment}".strip() for title, _, _, comment in fb.weak]
    if fb.feedback:
        parts.append(fb.feedback)
    return "\n".join(parts)[:2000]


def _progress_words(goal: GoalPublic) -> str:
    """The goal's progress in a sentence: its label ("1 of 2 missions approved"), or for a goal
    measured by the learner's own estimate "40 % by your estimate" (its label, "40 % (your
    estimate)", already holds the percentage and its own brackets)."""
    if goal.progress_source == "manual":
        return f"{goal.percent} % by your estimate"
    return goal.progress_label


def _stands_at(goal: GoalPublic) -> str:
    """ "20 % (1 of 5 missions approved)", or "20 % by your estimate"."""
    if goal.progress_source == "manual":
        return _progress_words(goal)
    return f"{goal.percent} % ({goal.progress_label})"


def _due_goals(inputs: Inputs) -> list[GoalPublic]:
    """Active goals due within GOAL_DUE_DAYS and under GOAL_LOW_PERCENT, the soonest due first
    (the focus takes the first)."""
    soon = inputs.today + timedelta(days=GOAL_DUE_DAYS)
    due = [
        (g.target_date, g)
        for g in inputs.goals
        if g.target_date is not None
        and inputs.today <= g.target_date <= soon
        and g.percent < GOAL_LOW_PERCENT
    ]
    return [g for _, g in sorted(due, key=lambda d: d[0])]


def _overdue_goals(inputs: Inputs) -> list[GoalPublic]:
    """Active goals past their target date (the day after it, in the learner's zone: the
    "Overdue since" of /coaching), the longest overdue first."""
    late = [
        (g.target_date, g)
        for g in inputs.goals
        if g.target_date is not None and g.target_date < inputs.today
    ]
    return [g for _, g in sorted(late, key=lambda d: d[0])]


def _broken_streaks(inputs: Inputs) -> list[tuple[HabitPublic, int, date]]:
    """Habits whose run of at least two periods ended: (habit, its length, the last day)."""
    out = []
    for h in inputs.habits:
        days = inputs.checkins.get(h.id, [])
        if not days or h.streak.current > 0:
            continue
        last = max(days)
        run = streak(Cadence(h.cadence), h.per_week, days, last).current
        if run >= 2:
            out.append((h, run, last))
    return out


def _nudge(kind: NudgeKind, text: str, evidence: StoredEvidence) -> StoredNudge:
    """A nudge of `kind`: one sentence and what it rests on."""
    return StoredNudge(kind=kind, line=StoredLine(text=text, evidence=[evidence]))


def _nudges(inputs: Inputs) -> list[StoredNudge]:
    nudges = []
    for h, run, last in _broken_streaks(inputs):
        unit = "day" if h.streak.unit == "day" else "week"
        nudges.append(
            _nudge(
                "streak_broken",
                f"Your {run}-{unit} streak on “{h.title}” broke: the last check-in was for "
                f"{last.isoformat()}. One check-in starts it again.",
                _habit_evidence(h),
            )
        )
    for g in _due_goals(inputs):
        days = (g.target_date - inputs.today).days if g.target_date else 0
        due_in = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        nudges.append(
            _nudge(
                "goal_due",
                f"“{g.title}” is due {due_in} and stands at {_stands_at(g)}.",
                _goal_evidence(g),
            )
        )
    nudges.extend(
        _nudge(
            "goal_overdue",
            f"“{g.title}” was due on {when(g.target_date, style='date')} and stands "
            f"at {_stands_at(g)}: set a new date, or finish it.",
            _goal_evidence(g),
        )
        for g in _overdue_goals(inputs)
    )
    now = utcnow()
    for mission_id, title, at in inputs.waiting:
        waited = (now - at).days
        if waited < UNANSWERED_DAYS:
            continue
        nudges.append(
            _nudge(
                "changes_waiting",
                f"Your mentor asked for changes on “{title}” {waited} days ago and is waiting "
                "for your next attempt.",
                StoredEvidence(
                    label=f"the requested changes on “{title}”",
                    ref=EvidenceRef(kind="feedback", id=mission_id),
                ),
            )
        )
    return nudges


# The texts of a learner's latest feedback stay the same across the recomputations a check-in or
# a goal triggers: their vectors are kept per worker process (the model call is most of the cost).
_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
VECTOR_CACHE_SIZE = 2048


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Unit vectors of `texts`, in one model call for those not encoded recently."""
    missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _VECTORS]
    if missing:
        for t, v in zip(missing, embedder.encode(missing), strict=True):
            _VECTORS[(embedder.name, t)] = np.array(v, dtype=np.float32)
    for t in texts:
        _VECTORS.move_to_end((embedder.name, t))
    while len(_VECTORS) > VECTOR_CACHE_SIZE:
        _VECTORS.popitem(last=False)
    return np.stack([_VECTORS[(embedder.name, t)] for t in texts])


def _best_hint(query: np.ndarray, hints: np.ndarray) -> int | None:
    """The index of the reviewed mission's hint nearest in meaning to what the feedback asks."""
    if not len(hints):
        return None
    sims = hints @ query
    best = int(np.argmax(sims))
    return best if float(sims[best]) >= MIN_HINT_SIMILARITY else None


def _goal_focus(goal: GoalPublic, why: str) -> tuple[StoredLine, str]:
    """The week's focus on one goal, `why` ending the sentence."""
    text = f"Focus this week on your goal “{goal.title}”{why}"
    return StoredLine(text=text, evidence=[_goal_evidence(goal)]), "goals"


def _focus(inputs: Inputs, hint: int | None) -> tuple[StoredLine, str]:
    fb = inputs.feedback
    if fb and fb.weak:
        title, score, points, comment = fb.weak[0]
        said = _quote(comment or fb.feedback)
        text = (
            f"Focus this week on “{title}”: your review of “{fb.mission_title}” scored it "
            f"{score} of {points}" + (f" and said “{said}”." if said else ".")
        )
        evidence = [_feedback_evidence(fb)]
        if hint is not None:
            text += f" Hint {hint + 1} of that mission is about the same thing."
            evidence.append(
                StoredEvidence(
                    label=f"hint {hint + 1} of “{fb.mission_title}”",
                    ref=EvidenceRef(kind="mission", id=fb.mission_id),
                )
            )
        return StoredLine(text=text, evidence=evidence), "feedback"
    due = _due_goals(inputs)
    if due:
        g = due[0]
        return _goal_focus(g, f": it is due on {g.target_date} and stands at {g.percent} %.")
    if inputs.goals:
        g = min(inputs.goals, key=lambda g: g.percent)
        return _goal_focus(g, f", the least advanced of your active goals ({_progress_words(g)}).")
    if inputs.profiler_track:
        name = TRACK_NAMES.get(inputs.profiler_track, inputs.profiler_track)
        return (
            StoredLine(
                text=f"Start with the {name} track, where your profiler answers placed you: "
                "the missions below are its first steps.",
                evidence=[_profiler_evidence(inputs.profiler_track)],
            ),
            "profiler",
        )
    return (
        StoredLine(
            text="There is no review, goal or profiler result to plan from yet: take the career "
            "profiler and the coach plans your first week from its result.",
            evidence=[
                StoredEvidence(label="the career profiler", ref=EvidenceRef(kind="profiler"))
            ],
        ),
        "start",
    )


def _habits(inputs: Inputs) -> list[StoredLine]:
    out: list[StoredLine] = []
    fb = inputs.feedback
    if fb and fb.weak:
        title = fb.weak[0][0]
        out.append(
            StoredLine(
                text=f"A short daily practice of “{title}”: after each work session, check "
                f"your notes against what your review of “{fb.mission_title}” asked for.",
                evidence=[_feedback_evidence(fb)],
            )
        )
    for h, _, _ in _broken_streaks(inputs)[:1]:
        out.append(
            StoredLine(
                text=f"Restart “{h.title}” ({h.cadence_label.lower()}): check in today.",
                evidence=[_habit_evidence(h)],
            )
        )
    for g in inputs.goals:
        if not g.habits and len(out) < 3:
            out.append(
                StoredLine(
                    # Not "link it to the goal": habits are linked only when a goal is set,
                    # and this goal's progress comes from its missions or the learner's estimate.
                    text=f"A weekly habit towards “{g.title}”: set a time each week to work on it.",
                    evidence=[_goal_evidence(g)],
                )
            )
            break
    if not out and inputs.profiler_track:
        name = TRACK_NAMES.get(inputs.profiler_track, inputs.profiler_track)
        out.append(
            StoredLine(
                text=f"One mission session a week on the {name} track, as a weekly habit.",
                evidence=[_profiler_evidence(inputs.profiler_track)],
            )
        )
    if not out:
        out.append(
            StoredLine(
                text="One session a week on a mission of your choice, as a weekly habit.",
                evidence=[StoredEvidence(label="the missions", ref=EvidenceRef(kind="catalog"))],
            )
        )
    return out[:3]


def _feedback_missions(
    session: Session, inputs: Inputs, query: np.ndarray, facts: recommendations.LearnerFacts
) -> list[StoredMission]:
    fb = inputs.feedback
    assert fb is not None
    locked = set(session.execute(progress.locked_missions(inputs.user_id)).scalars())
    skip = set(facts.approved) | facts.dismissed | locked | {fb.mission_id}
    found = recommendations.nearest_missions(session, query, facts, limit=20)
    title = fb.weak[0][0]
    out = []
    for c in found:
        if c.id in skip:
            continue
        out.append(
            StoredMission(
                mission_id=c.id,
                title=c.title,
                reason=StoredLine(
                    text=f"Practises “{title}”, which your review of “{fb.mission_title}” asked "
                    "you to improve: of the missions open to you, it is the closest in meaning.",
                    evidence=[_mission_evidence(c.id, c.title), _feedback_evidence(fb)],
                ),
            )
        )
        if len(out) == 2:  # leave room for the recommender's first pick
            break
    return out


def _recommended(session: Session, user_id: int, k: int) -> list[StoredMission]:
    """The learner's stored recommendations; when none are stored yet, the recommender's
    ranking computed now (not stored: that is recommendations.compute's job)."""
    rows = session.exec(
        select(Recommendation, Mission.title)
        .join(Mission, col(Mission.id) == col(Recommendation.mission_id))
        .where(
            Recommendation.user_id == user_id,
            Recommendation.source != recommendations.UNLOCKS,
            # the rows the learner's list still shows (a list stored before a change may hold
            # missions since archived, set aside, started, or of a programme they left)
            *recommendations.still_shown(user_id),
        )
        .order_by(col(Recommendation.rank))
        .limit(k)
    ).all()
    picks = [(r.mission_id, title, r.reason) for r, title in rows]
    if not picks:
        cands, ctx, _ = recommendations.candidates(session, user_id, k)
        picks = [(c.id, c.title, c.reason) for c in ranking.rank(cands, ctx, k).main]
    return [
        StoredMission(
            mission_id=mid,
            title=title,
            reason=StoredLine(
                text=reason or f"Next on your recommendations: “{title}”.",
                evidence=[_mission_evidence(mid, title)],
            ),
        )
        for mid, title, reason in picks
    ]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _changes(week: WeekSummary | summary.WeekFigures) -> list[StoredLine]:
    """What changed since last week, one sentence per figure that moved."""
    ev = [StoredEvidence(label="this week's summary", ref=EvidenceRef(kind="week"))]
    figures = (
        (week.checkins, "check-in", "check-ins", "You made {n} this week ({last} last week)."),
        (week.submissions, "mission", "missions", "You handed in {n} ({last} last week)."),
        (week.approvals, "mission", "missions", "{n} approved this week ({last} last week)."),
        (week.reflections, "reflection", "reflections", "You wrote {n} ({last} last week)."),
        (week.goals_achieved, "goal", "goals", "{n} achieved this week ({last} last week)."),
    )
    out = []
    for fig, one, many, pattern in figures:
        if fig.this_week == 0 and fig.last_week == 0:
            continue
        n = _plural(fig.this_week, one, many)
        text = pattern.format(n=n, last=fig.last_week)
        out.append(StoredLine(text=text[0].upper() + text[1:], evidence=ev))
    return out


def build_plan(session: Session, inputs: Inputs, embedder: Embedder) -> StoredPlan:
    """The plan for `inputs` (reads the mission vectors; encodes the feedback and hints)."""
    fb = inputs.feedback
    hint: int | None = None
    missions: list[StoredMission] = []
    if fb and fb.weak:
        vectors = _encode(embedder, [_weak_text(fb), *fb.hints])
        query = vectors[0]
        hint = _best_hint(query, vectors[1:])
        facts = recommendations.learner_facts(session, inputs.user_id)
        missions = _feedback_missions(session, inputs, query, facts)
    seen = {m.mission_id for m in missions}
    for m in _recommended(session, inputs.user_id, 3 + len(seen)):
        if len(missions) >= 3:
            break
        if m.mission_id not in seen:
            missions.append(m)
            seen.add(m.mission_id)
    focus, basis = _focus(inputs, hint)
    return StoredPlan(
        focus=focus,
        habits=_habits(inputs),
        missions=missions[:3],
        nudges=_nudges(inputs),
        changes=_changes(inputs.week),
        basis=basis,
    )


# --- the worker's side ----------------------------------------------------------------------------


def purge(session: Session, user_id: int) -> None:
    """Delete a learner's plan (AI consent withdrawn)."""
    session.execute(sa_delete(CoachPlan).where(col(CoachPlan.user_id) == user_id))


def compute_plan(
    session: Session, user_id: int, embedder: Embedder | None = None
) -> CoachPlanData | None:
    """Build and store the learner's plan for this week; the stored one when nothing it reads
    changed (no model call then). None, with nothing stored (and a stored plan deleted),
    without AI-profiling consent. Returned as the learner reads it (their own links)."""
    if not lock_learner_for_ai(session, user_id):
        purge(session, user_id)
        return None
    embedder = embedder or get_embedder()
    inputs = gather(session, user_id)
    fingerprint = inputs.fingerprint(embedder.name)
    stored = session.get(CoachPlan, user_id)
    if stored is not None and stored.input_fingerprint == fingerprint:
        return plan_links.linked(StoredPlan.model_validate(stored.payload), None)
    plan = build_plan(session, inputs, embedder)
    row = stored or CoachPlan(
        user_id=user_id, week_start=inputs.week.week_start, input_fingerprint=fingerprint
    )
    row.week_start, row.input_fingerprint = inputs.week.week_start, fingerprint
    row.payload = plan.model_dump(mode="json")
    row.computed_at = utcnow()
    session.add(row)
    session.flush()
    live.changed(session, user_id, live.COACH)
    return plan_links.linked(plan, None)


def plans_due(session: Session, now: datetime | None = None) -> list[int]:
    """The learners whose plan the sweep renews: those with AI profiling on (ai_learners) whose
    plan was written on a day before their current one — a day begins at midnight in the
    learner's own zone, and with it a week on Monday — or who have none (their job was lost).
    A plan counts days from the day it was written ("due in 2 days", "asked for changes 3 days
    ago", "check in today"): renewed only weekly, it said so all week."""
    learners = ai_learners().order_by(None).subquery()
    zones = session.exec(
        select(User.time_zone).distinct().where(col(User.id).in_(sa_select(learners.c.id)))
    ).all()
    if not zones:
        return []
    now = now or utcnow()
    days = values(
        column("zone", String),
        column("monday", Date),
        column("midnight", DateTime(timezone=True)),
        name="days",
    ).data([(name, *_day_began(now, name)) for name in zones])
    stmt = (
        sa_select(col(User.id))
        .join(learners, learners.c.id == col(User.id))
        .join(days, days.c.zone.is_not_distinct_from(col(User.time_zone)))
        .join(CoachPlan, col(CoachPlan.user_id) == col(User.id), isouter=True)
        .where(
            or_(
                col(CoachPlan.user_id).is_(None),
                col(CoachPlan.week_start) < days.c.monday,
                col(CoachPlan.computed_at) < days.c.midnight,
            )
        )
        .order_by(col(User.id))
    )
    return [int(uid) for uid in session.execute(stmt).scalars().all()]


def _day_began(now: datetime, zone_name: str | None) -> tuple[date, datetime]:
    """(The Monday of the week, the midnight that began the day) `now` falls in, in the zone."""
    tz = zone(zone_name)
    today = local_day(now, tz)
    return week_start(today), datetime.combine(today, time.min, tzinfo=tz)


# --- reading ------------------------------------------------------------------------------------


def read_plan(session: Session, principal: Principal | None, user_id: int) -> CoachPlanPublic:
    """The stored plan, for the learner and for staff who may read them (the mentee page's
    rule: the same NotFound for an unknown id and a learner without a relationship); staff
    read only its lines about missions they may see (_as_seen_by), linked to the mentee page
    (plan_links.href_for)."""
    actor = require_signed_in(principal)
    if session.get(User, user_id) is None or not can_read_learner(session, actor, user_id):
        raise NotFound(NOT_YOURS)
    if not consents.has_consent(session, user_id, consents.AI_PROFILING):
        return CoachPlanPublic(
            state="off", message=AI_OFF if actor.user_id == user_id else AI_OFF_STAFF
        )
    row = session.get(CoachPlan, user_id)
    if row is None:
        return CoachPlanPublic(state="preparing", message=PREPARING)
    staff = actor.user_id != user_id
    plan = StoredPlan.model_validate(row.payload)
    # Only missions the learner may still start: one started, archived, dismissed or no longer
    # theirs since the plan was written leaves it at once, as it leaves the recommendations.
    offered = recommendations.still_offered(session, user_id, [m.mission_id for m in plan.missions])
    plan = plan.model_copy(
        update={"missions": [m for m in plan.missions if m.mission_id in offered]}
    )
    if staff:
        plan = _as_seen_by(session, actor, user_id, plan, row.week_start)
    return CoachPlanPublic(
        state="ready",
        computed_at=row.computed_at,
        week_start=row.week_start,
        plan=plan_links.linked(plan, user_id if staff else None),
    )


def _missions_named(line: StoredLine) -> set[int]:
    """The missions a line's evidence is about (a mission, the feedback on one)."""
    return {
        e.ref.id
        for e in line.evidence
        if e.ref.kind in ("mission", "feedback") and e.ref.id is not None
    }


def _goal_figure_missions(session: Session, user_id: int, line: StoredLine) -> set[int]:
    """The missions counted in the progress of the learner's goals a line is about (goals
    measured by missions): a line quoting such a goal's progress ("stands at 50 %", "1 of 2
    missions approved") counts their approvals."""
    goal_ids = {e.ref.id for e in line.evidence if e.ref.kind == "goal"}
    if not goal_ids:
        return set()
    return set(
        session.exec(
            select(GoalMission.mission_id)
            .join(Goal, col(Goal.id) == col(GoalMission.goal_id))
            .where(
                col(GoalMission.goal_id).in_(goal_ids),
                Goal.user_id == user_id,
                Goal.progress_source == ProgressSource.missions,
            )
        ).all()
    )


def _as_seen_by(
    session: Session, reader: Principal, user_id: int, plan: StoredPlan, monday: date
) -> StoredPlan:
    """The plan as staff read it: only the lines whose every mission is one whose work by the
    learner they may see (submissions.work_seen, the mentee page's rule for attempts), so a
    review, mission or request from another organisation is never quoted to them. Lines naming
    no mission stay; a line quoting a goal's progress (the focus on a goal, a goal due soon)
    counts as naming the missions that progress is counted from. What changed since last week
    (the plan's week, `monday`) is counted again for them: missions handed in and approved only
    among those whose work they see."""
    seen: dict[int, bool] = {}

    def figures_of(line: StoredLine, quotes_progress: bool) -> set[int]:
        return _goal_figure_missions(session, user_id, line) if quotes_progress else set()

    def shown(line: StoredLine, *more: int) -> bool:
        for mid in _missions_named(line) | set(more):
            if mid not in seen:
                seen[mid] = work_seen(session, reader, user_id, mid)
            if not seen[mid]:
                return False
        return True

    focus = plan.focus
    if focus and not shown(focus, *figures_of(focus, plan.basis == "goals")):
        focus = None
    return plan.model_copy(
        update={
            "focus": focus,
            "habits": [h for h in plan.habits if shown(h)],
            "missions": [m for m in plan.missions if shown(m.reason, m.mission_id)],
            "nudges": [
                n
                for n in plan.nudges
                if shown(n.line, *figures_of(n.line, n.kind in GOAL_FIGURE_NUDGES))
            ],
            "changes": _changes(
                summary.figures(
                    session,
                    user_id,
                    monday,
                    reader=summary.Reader.staff,
                    missions=missions_seen(session, reader, user_id),
                )
            ),
        }
    )


def my_plan(session: Session, principal: Principal | None) -> CoachPlanPublic:
    """The signed-in learner's own plan."""
    actor = access.learner(principal)
    return read_plan(session, actor, actor.user_id)
