"""The student dashboard's state and what it loads (one transaction per load)."""

from __future__ import annotations

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.learning import (
    CohortRef,
    FeedbackBase,
    NextAction,
    ScopePublic,
    StarterMission,
    TrackContext,
    TrackProgress,
)
from cyberhub.services import rendering
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import dashboards, student_home
from cyberhub.state.service import ServiceState

EXCERPT = 160


class InProgressRow(BaseModel):
    mission_id: int
    title: str
    track_name: str
    status: str
    attempt: int


class FeedbackRow(FeedbackBase):
    """A latest review, shaped for display: the reader's time, a short flat excerpt."""

    mentor: str
    when: str
    excerpt: str


NO_TRACK = TrackContext(key="", name="", tagline="", description="", careers=[])
NO_SCOPE = ScopePublic(track="", track_name="", approved=0, expected=0, percent=0, label="")
NO_ACTION = NextAction(kind="", label="", mission_id=None, title="", link="/missions")


class Home(BaseModel):
    """Everything the dashboard shows (the two services' data, shaped for display)."""

    profiler_done: bool = False
    track: TrackContext | None = None
    confidence: str = ""
    starters: list[StarterMission] = []
    cohorts: list[CohortRef] = []
    tracks: list[TrackProgress] = []
    scope: ScopePublic | None = None
    in_progress: list[InProgressRow] = []
    feedback: list[FeedbackRow] = []
    next_action: NextAction = NO_ACTION


def load_home(session: Session, principal: Principal | None, hint: str) -> Home:
    """The track context and the board, dates in the learner's time zone."""
    home = student_home.student_home(session, principal, hint)
    board = dashboards.student_dashboard(session, principal)
    tz = principal.time_zone if principal else None
    names = {t.key: t.name for t in board.tracks}
    return Home(
        profiler_done=home.profiler_done,
        track=home.track,
        confidence=str(home.result["confidence"]) if home.result else "",
        starters=home.starters,
        cohorts=board.cohorts,
        tracks=board.tracks,
        scope=board.scope,
        in_progress=[
            InProgressRow(
                **m.model_dump(exclude={"track", "submission_id"}),
                track_name=names.get(m.track, m.track),
            )
            for m in board.in_progress
        ],
        feedback=[
            FeedbackRow(
                **f.model_dump(exclude={"feedback", "created_at"}),
                when=when(f.created_at, tz),
                excerpt=rendering.markdown_quote(f.feedback, EXCERPT),  # safe_markdown shows it
            )
            for f in board.latest_feedback
        ],
        next_action=board.next_action,
    )


class StudentDashboardState(ServiceState, rx.State):
    home: Home = Home()
    loading: bool = True

    @rx.var
    def welcome(self) -> bool:
        return self.router.url.query_parameters.get("welcome") == "true"

    @rx.var
    def has_track(self) -> bool:
        return self.home.track is not None

    @rx.var
    def track(self) -> TrackContext:
        return self.home.track or NO_TRACK

    @rx.var
    def has_scope(self) -> bool:
        """False while the learner is in no programme (the headline's empty state)."""
        return self.home.scope is not None

    @rx.var
    def scope(self) -> ScopePublic:
        return self.home.scope or NO_SCOPE

    @rx.event
    async def load(self) -> None:
        self.loading = True
        hint = self.router.url.query_parameters.get("track", "")
        if loaded := await self._call(load_home, hint):
            self.home, self.error = loaded.value, ""
        self.loading = False
