"""/api/v1/profiling: the AI career profiler (seed 001's endpoint list)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from cyberhub.api.deps import CurrentUser, Id, MetaDep, SessionDep, public
from cyberhub.schemas.profiler import (
    AnswerReview,
    NiceWorkRole,
    ProfilerProgress,
    ProfilerResultData,
    ProfilerStarted,
    QuestionPublic,
    TrackInfo,
)
from cyberhub.services.ai import profiler
from cyberhub.services.ai.profiler_bank import load_nice_roles, load_tracks_info

router = APIRouter(prefix="/profiling", tags=["profiling"])


class RespondIn(BaseModel):
    question_id: str = Field(max_length=40)
    option_id: str = Field(max_length=40)


@router.post("/session/start", response_model=ProfilerStarted)
def start(session: SessionDep, principal: CurrentUser, meta: MetaDep) -> ProfilerStarted:
    """Start a session, or resume the unfinished one."""
    return profiler.start(session, principal, meta)


@router.get("/session/{session_id}/progress", response_model=ProfilerProgress)
def get_progress(session_id: Id, session: SessionDep, principal: CurrentUser) -> ProfilerProgress:
    return profiler.progress(session, principal, session_id)


@router.get("/questions", dependencies=[Depends(public)], response_model=list[QuestionPublic])
def get_questions() -> list[QuestionPublic]:
    """The questions with their options; the track weights stay on the server."""
    return profiler.questions()


@router.post("/session/{session_id}/respond", response_model=ProfilerProgress)
def respond(
    session_id: Id, body: RespondIn, session: SessionDep, principal: CurrentUser
) -> ProfilerProgress:
    return profiler.respond(
        session, principal, session_id, question_id=body.question_id, option_id=body.option_id
    )


@router.post(
    "/session/{session_id}/complete",
    response_model=ProfilerResultData,
    responses={409: {"description": "Questions still unanswered: `detail` and `unanswered`."}},
)
def complete(
    session_id: Id, session: SessionDep, principal: CurrentUser, meta: MetaDep
) -> ProfilerResultData | JSONResponse:
    try:
        return profiler.complete(session, principal, session_id, meta)
    except profiler.UnansweredQuestions as exc:
        return JSONResponse({"detail": exc.message, "unanswered": exc.missing}, status_code=409)


@router.get("/session/{session_id}/results", response_model=ProfilerResultData)
def get_results(session_id: Id, session: SessionDep, principal: CurrentUser) -> ProfilerResultData:
    return profiler.results(session, principal, session_id)


@router.get("/session/{session_id}/answers", response_model=list[AnswerReview])
def get_answers(session_id: Id, session: SessionDep, principal: CurrentUser) -> list[AnswerReview]:
    """Each question with the chosen answer, to review an attempt."""
    return profiler.review_answers(session, principal, session_id)


@router.get("/history", response_model=list[ProfilerResultData])
def get_history(session: SessionDep, principal: CurrentUser) -> list[ProfilerResultData]:
    """Completed results, newest first."""
    return profiler.history(session, principal)


@router.delete("/session/{session_id}", status_code=204, response_class=Response)
def delete(session_id: Id, session: SessionDep, principal: CurrentUser, meta: MetaDep) -> None:
    """Delete a session and its answers."""
    profiler.delete_session(session, principal, session_id, meta)


@router.get("/tracks", dependencies=[Depends(public)], response_model=list[TrackInfo])
def tracks() -> list[TrackInfo]:
    """The five tracks with descriptions, careers and NICE Framework work roles."""
    nice = load_nice_roles()
    return [
        TrackInfo(**t, nice_work_roles=[NiceWorkRole(**r) for r in nice.get(t["key"], [])])
        for t in load_tracks_info()
    ]
