"""The mentee page's state: one learner's overview, times already in the viewer's zone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from cyberhub.components.counts import plural
from cyberhub.formatting import when
from cyberhub.schemas.ai import RecommendationPublic
from cyberhub.schemas.coaching import HabitPublic
from cyberhub.schemas.learning import TrackProgress
from cyberhub.schemas.mentees import MenteeAttempt, MenteeCohort, MenteeOverview, MenteeProfile
from cyberhub.schemas.rows import from_row
from cyberhub.services.identity.browser_sessions import home_for
from cyberhub.services.learning import mentees
from cyberhub.state.forms import url_id
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState

ROUTE = "/mentees/[user_id]"


@dataclass(frozen=True)
class CohortRow:
    cohort: str
    program: str
    status: str
    since: str  # "enrolled on 3 Nov 2026", "completed on …", "withdrawn on …", or ""
    enrolled: str
    mentors: str


@dataclass(frozen=True)
class AttemptRow:
    submission_id: int
    mission_id: int
    mission: str
    attempt: int
    status: str
    submitted: str
    decided: str
    score: str  # "7 / 10", or "" before a review
    reviewer: str
    review_link: str  # the review page while it waits for a mentor, else ""


@dataclass(frozen=True)
class GoalRow:
    id: int
    title: str
    why: str
    status: str
    percent: int
    progress: str  # "2 of 3 missions approved"
    target: str  # the target date, "" when none


@dataclass(frozen=True)
class HabitRow:
    id: int
    title: str
    cadence: str
    current: str  # "1 day", "3 weeks"
    longest: str


def habit_row(h: HabitPublic) -> HabitRow:
    """A habit's row: its streaks counted in days or weeks, in the right number."""
    s = h.streak
    return from_row(
        HabitRow,
        h,
        cadence=h.cadence_label,
        current=plural(s.current, s.unit),
        longest=plural(s.longest, s.unit),
    )


def cohort_row(c: MenteeCohort, tz: str) -> CohortRow:
    """A cohort's row: its status dated by its own day (enrolled, completed or withdrawn on),
    never by another's (a withdrawn enrolment keeps its completion date)."""
    day = {
        "active": ("enrolled", c.enrolled_at),
        "completed": ("completed", c.completed_at),
        "withdrawn": ("withdrawn", c.withdrawn_at),
    }.get(c.status)
    since = f"{day[0]} on {when(day[1], tz, 'date')}" if day and day[1] else ""
    return from_row(
        CohortRow,
        c,
        since=since,
        enrolled=when(c.enrolled_at, tz, "date"),
        mentors=", ".join(c.mentors) or "No mentor assigned",
    )


@dataclass(frozen=True)
class ReflectionRow:
    prompt: str
    body: str
    feeling: str  # "Mood 4/5 · energy 3/5", or ""
    written: str


WAITING = ("submitted", "in_review")


def attempt_rows(m: MenteeOverview, tz: str) -> list[AttemptRow]:
    """The attempts' rows; a waiting one links to its review page for a reader who may open it
    (a mentor; the director reads it without)."""
    return [_attempt(a, tz, m.can_review) for a in m.attempts]


def _attempt(a: MenteeAttempt, tz: str, reviewer: bool) -> AttemptRow:
    return from_row(
        AttemptRow,
        a,
        submitted=when(a.submitted_at, tz, empty="—"),
        decided=when(a.decided_at, tz, empty="—"),
        score=f"{a.total} / {a.max_points}" if a.total is not None else "",
        review_link=f"/review/{a.submission_id}" if reviewer and a.status in WAITING else "",
    )


class MenteeState(ServiceState, rx.State):
    loading: bool = True
    # A mentor reviews from this page (the "Review queue" link); a director only reads it.
    can_review: bool = False
    home: str = "/dashboard/mentor"  # the viewer's own home: where "Back" goes from an error
    name: str = ""
    email: str = ""
    profiled: bool = False
    profile: MenteeProfile = MenteeProfile(track="")
    profiled_on: str = ""
    track_label: str = ""
    track_percent: int = 0
    tracks: list[TrackProgress] = []
    cohorts: list[CohortRow] = []
    attempts: list[AttemptRow] = []
    waiting: int = 0
    # "The 50 newest of 63 attempts." when older ones are left out of the table, else "".
    attempts_note: str = ""
    recommendations_enabled: bool = False
    recommendations: list[RecommendationPublic] = []
    goals: list[GoalRow] = []
    habits: list[HabitRow] = []
    reflections: list[ReflectionRow] = []

    def _show(self, m: MenteeOverview, tz: str) -> None:
        self.name, self.email, self.can_review = m.name, m.email, m.can_review
        self.profiled = m.profile is not None
        self.profile = m.profile or MenteeProfile(track="")
        self.profiled_on = when(m.profile.completed_at, tz, "date") if m.profile else ""
        self.track_label, self.track_percent, self.tracks = m.track_label, m.track_percent, m.tracks
        self.cohorts = [cohort_row(c, tz) for c in m.cohorts]
        self.attempts = attempt_rows(m, tz)
        self.waiting = m.waiting
        shown = len(m.attempts)
        self.attempts_note = (
            f"The {shown} newest of {plural(m.attempts_total, 'attempt')}."
            if m.attempts_total > shown
            else ""
        )
        self.recommendations_enabled = m.recommendations_enabled
        self.recommendations = m.recommendations
        self.goals = [
            from_row(
                GoalRow,
                g,
                progress=g.progress_label,
                target=when(g.target_date, tz, "date"),
            )
            for g in m.goals
        ]
        self.habits = [habit_row(h) for h in m.habits]
        self.reflections = [
            from_row(
                ReflectionRow,
                r,
                feeling=" · ".join(
                    f"{name} {value}/5"
                    for name, value in (("Mood", r.mood), ("energy", r.energy))
                    if value is not None
                ),
                written=when(r.created_at, tz),
            )
            for r in m.shared_reflections
        ]

    @rx.event
    async def load(self) -> Any:
        self.loading, self.error = True, ""
        yield  # the spinner at once, not the last learner's page while this one loads
        await self.refresh()

    @rx.event
    async def refresh(self) -> None:
        """Read it again in place (a mentor's queue changed: an attempt may be new or reviewed)."""
        self.home = home_for((await self.get_state(SessionState)).roles)
        user_id = url_id(self, "user_id")
        if user_id is None:
            self.error, self.loading = mentees.NOT_YOURS, False
            return
        found = await self._try(mentees.mentee, user_id)
        if found:
            self._show(found.value, await self._time_zone())
            self.error = ""  # a refresh that failed before (an outage, access lost) is over
        else:
            self.error = found.error
        self.loading = False
