"""Learning core API: submissions, progress, the student dashboard and notifications (mentor
review is in reviews.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, model_validator
from starlette.datastructures import UploadFile as StarletteUploadFile

from cyberhub.api.deps import BrowserUser, CurrentUser, Id, SessionDep, require_roles
from cyberhub.api.input_guard import BodyTooLarge, capped_receive, declared_length
from cyberhub.models import Submission
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import dashboards, progress, submissions
from cyberhub.services.messaging import notifications

router = APIRouter(tags=["learning"])

StudentUser = Annotated[Principal, Depends(require_roles("student"))]


class WorkIn(BaseModel):
    answer: str = Field(default="", max_length=submissions.ANSWER_MAX * 2)
    # The service allows MAX_LINKS and says so; these caps only bound the request size.
    links: list[Annotated[str, Field(max_length=2000)]] = Field(default_factory=list, max_length=50)


class RevealIn(BaseModel):
    index: int | None = Field(default=None, ge=0, le=100)


class ReadIn(BaseModel):
    ids: list[int] = Field(default_factory=list, max_length=notifications.MAX_IDS)
    all: bool = False

    @model_validator(mode="after")
    def one_of(self) -> ReadIn:
        if not self.all and not self.ids:
            raise ValueError('send "ids": [...] or "all": true')
        return self


def attempt_json(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "mission_id": s.mission_id,
        "status": s.status,
        "attempt": s.attempt,
        "claimed_by": s.claimed_by_id,
        "claim_expires_at": s.claim_expires_at.isoformat() if s.claim_expires_at else None,
        "file": {"name": s.file_name, "size": s.file_size} if s.file_path else None,
    }


# -- student: work on a mission ----------------------------------------------------------------


@router.post("/missions/{mission_id}/submit", status_code=201)
def submit(
    mission_id: Id, body: WorkIn, session: SessionDep, principal: StudentUser
) -> dict[str, Any]:
    sub = submissions.submit(session, principal, mission_id, answer=body.answer, links=body.links)
    return attempt_json(sub)


@router.put("/missions/{mission_id}/draft")
def save_draft(
    mission_id: Id, body: WorkIn, session: SessionDep, principal: StudentUser
) -> dict[str, Any]:
    sub = submissions.save_draft(
        session, principal, mission_id, answer=body.answer, links=body.links
    )
    return attempt_json(sub)


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


@router.post("/missions/{mission_id}/draft/file", openapi_extra={"requestBody": _FILE_BODY})
def attach_file(
    mission_id: Id,
    session: SessionDep,
    principal: StudentUser,
    upload: Annotated[submissions.Upload, Depends(read_upload)],
) -> dict[str, Any]:
    """Attach (or replace) the draft's file: multipart field `file`, at most 10 MB (413 beyond)."""
    return attempt_json(submissions.attach_file(session, principal, mission_id, upload))


@router.get("/missions/{mission_id}/work")
def work_status(mission_id: Id, session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    return submissions.work_status(session, principal, mission_id)


@router.get("/missions/{mission_id}/history")
def mission_history(
    mission_id: Id,
    session: SessionDep,
    principal: CurrentUser,
    student: int | None = Query(default=None, ge=1),
) -> list[dict[str, Any]]:
    student_id = student or principal.user_id
    return [d.as_json() for d in submissions.history(session, principal, student_id, mission_id)]


@router.get("/missions/{mission_id}/hints")
def revealed_hints(
    mission_id: Id, session: SessionDep, principal: CurrentUser
) -> list[dict[str, Any]]:
    return submissions.revealed_hints(session, principal, mission_id)


@router.post("/missions/{mission_id}/hints/reveal")
def reveal_hint(
    mission_id: Id, session: SessionDep, principal: StudentUser, body: RevealIn | None = None
) -> dict[str, Any]:
    return submissions.reveal_hint(
        session, principal, mission_id, body.index if body is not None else None
    )


# -- submissions and review --------------------------------------------------------------------


@router.get("/submissions/{submission_id}")
def get_submission(
    submission_id: Id, session: SessionDep, principal: CurrentUser
) -> dict[str, Any]:
    return submissions.get_submission(session, principal, submission_id).as_json()


@router.get("/submissions/{submission_id}/file")
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


@router.get("/progress")
def get_progress(
    session: SessionDep, principal: CurrentUser, user: int | None = Query(default=None, ge=1)
) -> dict[str, Any]:
    p = progress.progress_for(session, principal, user or principal.user_id)
    return {
        "user": p.student_id,
        "tracks": p.track_percents,
        "track_details": p.tracks,
        "missions": [{"id": m.id, "status": m.status} for m in p.missions],
        # Against the learner's scope (their programmes' missions of their track): "3 of 7";
        # null while they are in no programme.
        "in_programme": p.in_programme,
        "scope": p.scope.as_json() if p.scope else None,
    }


@router.get("/student/dashboard")
def student_dashboard(session: SessionDep, principal: StudentUser) -> dict[str, Any]:
    return dashboards.student_dashboard(session, principal)


# -- notifications -----------------------------------------------------------------------------


@router.get("/notifications")
def list_notifications(
    session: SessionDep,
    principal: CurrentUser,
    page: int = Query(default=1, ge=1),
    page_size: int = Query(default=notifications.PAGE_SIZE, ge=1, le=100),
    unread: bool = False,
) -> dict[str, Any]:
    result = notifications.list_for(
        session, principal, page, page_size=page_size, unread_only=unread
    )
    return {
        "items": [notifications.as_json(n) for n in result.items],
        "total": result.total,
        "unread": result.unread,
        "page": result.page,
        "pages": result.pages,
    }


@router.post("/notifications/read")
def mark_read(body: ReadIn, session: SessionDep, principal: CurrentUser) -> dict[str, Any]:
    if body.all and body.ids:
        raise Invalid('Send either "ids" or "all", not both.')
    changed = notifications.mark_read(session, principal, "all" if body.all else body.ids)
    return {"marked": changed, "unread": notifications.unread_count(session, principal.user_id)}
