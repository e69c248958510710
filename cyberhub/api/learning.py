"""Learning core API: submissions, progress and the student dashboard (mentor review is in
reviews.py, notifications in notifications.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile as StarletteUploadFile

from cyberhub.api.deps import BrowserUser, CurrentUser, Id, SessionDep, StudentUser
from cyberhub.api.input_guard import BodyTooLarge, capped_receive, declared_length
from cyberhub.api.responses import file_or_text
from cyberhub.models.base import MAX_ID
from cyberhub.schemas.learning import (
    AttemptPublic,
    HintPublic,
    HintRevealed,
    MissionStatusRow,
    ProgressPublic,
    StudentDashboard,
    SubmissionPublic,
    WorkStatus,
)
from cyberhub.services.errors import Invalid
from cyberhub.services.learning import dashboards, progress, submissions

router = APIRouter(tags=["learning"])


class WorkIn(BaseModel):
    answer: str = Field(default="", max_length=submissions.ANSWER_MAX * 2)
    # The service allows MAX_LINKS and says so; these caps only bound the request size.
    links: list[Annotated[str, Field(max_length=2000)]] = Field(default_factory=list, max_length=50)


class RevealIn(BaseModel):
    index: int | None = Field(default=None, ge=0, le=100)


# -- student: work on a mission ----------------------------------------------------------------


@router.post("/missions/{mission_id}/submit", status_code=201, response_model=AttemptPublic)
def submit(
    mission_id: Id, body: WorkIn, session: SessionDep, principal: StudentUser
) -> AttemptPublic:
    sub = submissions.submit(session, principal, mission_id, answer=body.answer, links=body.links)
    return AttemptPublic.of(sub)


@router.put("/missions/{mission_id}/draft", response_model=AttemptPublic)
def save_draft(
    mission_id: Id, body: WorkIn, session: SessionDep, principal: StudentUser
) -> AttemptPublic:
    sub = submissions.save_draft(
        session, principal, mission_id, answer=body.answer, links=body.links
    )
    return AttemptPublic.of(sub)


async def read_upload(request: Request) -> submissions.Upload:
    """The multipart field `file`, read only after the route's access rule passed (declare this
    dependency after the principal) and refused with 413 past the request-size cap."""
    limit = submissions.MAX_UPLOAD_REQUEST_BYTES
    length = declared_length(request.scope)
    if length is not None and length > limit:
        raise HTTPException(413, detail=submissions.TOO_LARGE_MESSAGE)
    capped = Request(request.scope, capped_receive(request.receive, limit))
    try:
        form = await capped.form(max_files=1, max_fields=10)
    except BodyTooLarge:
        raise HTTPException(413, detail=submissions.TOO_LARGE_MESSAGE) from None
    try:
        file = form.get("file")
        if not isinstance(file, StarletteUploadFile):
            raise Invalid('Send the file as the multipart/form-data field "file".')
        # One byte past the file limit: enough for the service to say it is too large.
        content = await file.read(submissions.MAX_UPLOAD_BYTES + 1)
        return submissions.Upload(filename=file.filename or "", content=content)
    finally:
        await form.close()


_FILE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


@router.post(
    "/missions/{mission_id}/draft/file",
    openapi_extra={"requestBody": _FILE_BODY},
    response_model=AttemptPublic,
)
def attach_file(
    mission_id: Id,
    session: SessionDep,
    principal: StudentUser,
    upload: Annotated[submissions.Upload, Depends(read_upload)],
) -> AttemptPublic:
    """Attach (or replace) the draft's file: multipart field `file`, at most 10 MB (413 beyond)."""
    return AttemptPublic.of(submissions.attach_file(session, principal, mission_id, upload))


@router.delete("/missions/{mission_id}/draft/file", response_model=AttemptPublic)
def remove_file(mission_id: Id, session: SessionDep, principal: StudentUser) -> AttemptPublic:
    """Take the file off the draft (409 when it has none); an earlier attempt keeps its own."""
    return AttemptPublic.of(submissions.remove_file(session, principal, mission_id))


@router.get("/missions/{mission_id}/work", response_model=WorkStatus)
def work_status(mission_id: Id, session: SessionDep, principal: CurrentUser) -> WorkStatus:
    return submissions.work_status(session, principal, mission_id)


@router.get("/missions/{mission_id}/history", response_model=list[SubmissionPublic])
def mission_history(
    mission_id: Id,
    session: SessionDep,
    principal: CurrentUser,
    student: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> list[SubmissionPublic]:
    student_id = student or principal.user_id
    return [d.as_public() for d in submissions.history(session, principal, student_id, mission_id)]


@router.get("/missions/{mission_id}/hints", response_model=list[HintPublic])
def revealed_hints(mission_id: Id, session: SessionDep, principal: CurrentUser) -> list[HintPublic]:
    return submissions.revealed_hints(session, principal, mission_id)


@router.post("/missions/{mission_id}/hints/reveal", response_model=HintRevealed)
def reveal_hint(
    mission_id: Id, session: SessionDep, principal: StudentUser, body: RevealIn | None = None
) -> HintRevealed:
    return submissions.reveal_hint(
        session, principal, mission_id, body.index if body is not None else None
    )


# -- submissions and review --------------------------------------------------------------------


@router.get("/submissions/{submission_id}", response_model=SubmissionPublic)
def get_submission(
    submission_id: Id, session: SessionDep, principal: CurrentUser
) -> SubmissionPublic:
    return submissions.get_submission(session, principal, submission_id).as_public()


@router.get(
    "/submissions/{submission_id}/file",
    response_class=FileResponse,
    responses=file_or_text(
        "The submission's file, always as an attachment.", "application/octet-stream"
    ),
)
def download_file(submission_id: Id, session: SessionDep, principal: BrowserUser) -> FileResponse:
    # BrowserUser: the review and mission pages link here, so the access cookie works too.
    path, name, media_type = submissions.stored_file(session, principal, submission_id)
    # Always a download (never rendered inline), and never sniffed into something else.
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


# -- progress and dashboards -------------------------------------------------------------------


@router.get("/progress", response_model=ProgressPublic)
def get_progress(
    session: SessionDep,
    principal: CurrentUser,
    user: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> ProgressPublic:
    p = progress.progress_for(session, principal, user or principal.user_id)
    return ProgressPublic(
        user=p.student_id,
        tracks=p.track_percents,
        track_details=p.tracks,
        missions=[MissionStatusRow(id=m.id, status=m.status) for m in p.missions],
        # Against the learner's scope (their programmes' missions of their track): "3 of 7";
        # null while they are in no programme.
        in_programme=p.in_programme,
        scope=p.scope.as_public() if p.scope else None,
    )


@router.get("/student/dashboard", response_model=StudentDashboard)
def student_dashboard(session: SessionDep, principal: StudentUser) -> StudentDashboard:
    return dashboards.student_dashboard(session, principal)
