"""Mentor review API: claim, release and review a submission (scores and an optional comment per
criterion); the mission's feedback snippets; the mentor's dashboard, queue and workload; a
cohort's progress."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StrictInt

from cyberhub.api.deps import CurrentUser, Id, MentorUser, Page, PageSize, SessionDep
from cyberhub.schemas.reviews import (
    AttemptPublic,
    CohortProgress,
    HintUse,
    MentorDashboard,
    QueuePagePublic,
    ReviewCreate,
    ReviewOutcome,
    SnippetPublic,
    Workload,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.learning import mentoring, progress, reviews, snippets

router = APIRouter(tags=["learning"])


class ReviewIn(BaseModel):
    decision: Literal["approved", "changes_requested"]
    # Strict: a whole number as JSON has it (the service refuses true, "4" and 4.0, which
    # pydantic would otherwise turn into 1 and 4 before the service could say so).
    scores: dict[Annotated[str, Field(max_length=100)], StrictInt] = Field(
        default_factory=dict, max_length=50
    )
    feedback: str = Field(default="", max_length=reviews.FEEDBACK_MAX * 2)
    # An optional comment (markdown) per rubric criterion key.
    comments: dict[
        Annotated[str, Field(max_length=100)],
        Annotated[str, Field(max_length=reviews.COMMENT_MAX * 2)],
    ] = Field(default_factory=dict, max_length=50)


class SnippetIn(BaseModel):
    body: str = Field(max_length=snippets.SNIPPET_MAX * 2)


class SnippetDeleted(BaseModel):
    id: int
    status: Literal["deleted"] = "deleted"


@router.post("/submissions/{submission_id}/claim", response_model=AttemptPublic)
def claim(submission_id: Id, session: SessionDep, principal: MentorUser) -> AttemptPublic:
    return AttemptPublic.of(reviews.claim(session, principal, submission_id))


@router.post("/submissions/{submission_id}/release", response_model=AttemptPublic)
def release(submission_id: Id, session: SessionDep, principal: MentorUser) -> AttemptPublic:
    return AttemptPublic.of(reviews.release(session, principal, submission_id))


@router.post("/submissions/{submission_id}/review", response_model=ReviewOutcome)
def review(
    submission_id: Id, body: ReviewIn, session: SessionDep, principal: MentorUser
) -> ReviewOutcome:
    # The body's fields are the service's keyword arguments.
    result = reviews.review(session, principal, submission_id, **body.model_dump())
    return ReviewOutcome(
        id=submission_id,
        status=result.decision,
        review=from_row(ReviewCreate, result, comments=dict(result.comments or {})),
    )


@router.get("/submissions/{submission_id}/hints", response_model=HintUse)
def hints_used(submission_id: Id, session: SessionDep, principal: MentorUser) -> HintUse:
    """The hints the learner revealed on the submission's mission, out of how many."""
    return reviews.hints_used(session, principal, submission_id)


@router.get("/submissions/{submission_id}/snippets", response_model=list[SnippetPublic])
def list_snippets(
    submission_id: Id, session: SessionDep, principal: MentorUser
) -> list[SnippetPublic]:
    """The feedback snippets for the submission's mission, shared by its mentors in the
    organisation of the learner's programme."""
    return snippets.list_snippets(session, principal, submission_id)


@router.post("/submissions/{submission_id}/snippets", response_model=SnippetPublic, status_code=201)
def create_snippet(
    submission_id: Id, body: SnippetIn, session: SessionDep, principal: MentorUser
) -> SnippetPublic:
    return snippets.create_snippet(session, principal, submission_id, body.body)


@router.delete("/snippets/{snippet_id}", response_model=SnippetDeleted)
def delete_snippet(snippet_id: Id, session: SessionDep, principal: MentorUser) -> SnippetDeleted:
    """Delete a snippet you saved."""
    snippets.delete_snippet(session, principal, snippet_id)
    return SnippetDeleted(id=snippet_id)


@router.get("/progress/cohorts/{cohort_id}", response_model=CohortProgress)
def get_cohort_progress(
    cohort_id: Id, session: SessionDep, principal: CurrentUser
) -> CohortProgress:
    return progress.cohort_progress(session, principal, cohort_id)


@router.get("/mentor/dashboard", response_model=MentorDashboard)
def mentor_dashboard(session: SessionDep, principal: MentorUser) -> MentorDashboard:
    return mentoring.mentor_dashboard(session, principal)


@router.get("/mentor/queue", response_model=QueuePagePublic)
def mentor_queue(
    session: SessionDep,
    principal: MentorUser,
    bucket: str = Query(default="pending", max_length=32),
    page: Page = 1,
    page_size: PageSize = reviews.PAGE_SIZE,
) -> QueuePagePublic:
    result = reviews.queue(session, principal, bucket=bucket, page=page, page_size=page_size)
    return from_row(QueuePagePublic, result)


@router.get("/mentor/workload", response_model=Workload)
def mentor_workload(session: SessionDep, principal: MentorUser) -> Workload:
    return reviews.workload(session, principal)
