"""The links of the AI coach's plan (services/coaching/coach.py). The stored plan says what each
piece of evidence is about (schemas/coach.EvidenceRef: a mission, the feedback on one, a goal, a
habit, the week's figures, the profiler, its results, the catalogue); the link is made for
whoever reads it (href_for), when the plan is read: the learner on /coaching, or their mentor or
director on the mentee page (/mentees/<id>).

Apart from coach.py so that the learner's data export (admin/export_writers.py) can show the plan
as the learner reads it without importing the coach (which imports the AI jobs, which import the
exports)."""

from __future__ import annotations

from typing import Any, assert_never

from cyberhub.schemas.coach import (
    CoachLine,
    CoachMission,
    CoachNudge,
    CoachPlanData,
    Evidence,
    EvidenceKind,
    EvidenceRef,
    StoredLine,
    StoredPlan,
)
from cyberhub.services.learning.submissions import feedback_link, mission_link

COACHING = "/coaching"
PROFILER_RESULTS = "/onboarding/ai-profiler/results"
PROFILER = "/onboarding/ai-profiler"
CATALOG = "/missions"
# The mentee page (/mentees/<id>), where staff read the plan: its parts show what the learner's
# own links point at (href_for).
MENTEE = "/mentees/{user_id}"


def href_for(ref: EvidenceRef, mentee: int | None) -> str:
    """Where a piece of the plan's evidence links for its reader: the learner (`mentee` None)
    goes to their own pages; staff reading learner `mentee`'s plan on the mentee page go to its
    part showing the same (their goal, habit, the week's figures, profile, attempts), as the
    learner's own pages are the reader's own for anyone else (/coaching, the profiler) or show
    the reader's work (a mission's feedback panel). A mission's brief and the catalogue are
    everyone's: the same link for all."""
    n = ref.id or 0  # (the kinds naming a mission, goal or habit always have its id: EvidenceRef)
    if mentee is not None:
        page = MENTEE.format(user_id=mentee)
        match ref.kind:
            case "feedback":
                return f"{page}#attempts"
            case "goal" | "habit":
                return f"{page}#{ref.kind}-{n}"
            case "week":
                return f"{page}#week"
            case "profiler" | "profiler_results":
                return f"{page}#profile"
    match ref.kind:
        case "mission":
            return mission_link(n)
        case "feedback":
            return feedback_link(n)
        case "goal" | "habit":
            return f"{COACHING}#{ref.kind}-{n}"
        case "week":
            return f"{COACHING}#week"
        case "profiler":
            return PROFILER
        case "profiler_results":
            return PROFILER_RESULTS
        case "catalog":
            return CATALOG
        case _:
            assert_never(ref.kind)


def _evidence_kind(ref: EvidenceRef) -> EvidenceKind:
    """What the plan's page and API call a piece of evidence about `ref`."""
    if ref.kind == "week":
        return "summary"
    if ref.kind == "profiler_results":
        return "profiler"
    return ref.kind


def linked(plan: StoredPlan, mentee: int | None) -> CoachPlanData:
    """The plan with its evidence linked for its reader (href_for)."""

    def line(stored: StoredLine) -> CoachLine:
        return CoachLine(
            text=stored.text,
            evidence=[
                Evidence(
                    kind=_evidence_kind(e.ref),
                    label=e.label,
                    href=href_for(e.ref, mentee),
                    ref=e.ref,
                )
                for e in stored.evidence
            ],
        )

    return CoachPlanData(
        focus=line(plan.focus) if plan.focus else None,
        habits=[line(h) for h in plan.habits],
        missions=[
            CoachMission(
                mission_id=m.mission_id,
                title=m.title,
                href=mission_link(m.mission_id),
                reason=line(m.reason),
            )
            for m in plan.missions
        ],
        nudges=[CoachNudge(kind=n.kind, line=line(n.line)) for n in plan.nudges],
        changes=[line(c) for c in plan.changes],
        basis=plan.basis,
    )


def as_the_learner_reads(payload: dict[str, Any]) -> CoachPlanData:
    """A stored plan (CoachPlan.payload) as its learner reads it, with their own links (their
    data export)."""
    return linked(StoredPlan.model_validate(payload), None)
