"""Exports (issue 15, item 5): request one, follow its progress, download it (its requester only,
until it expires: 410 afterwards). The rules are in services/admin/exports.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from cyberhub.api.deps import CurrentUser, Id, MetaDep, SessionDep
from cyberhub.api.responses import file_or_text
from cyberhub.schemas.exports import ExportChoice, ExportPublic, ExportRequest
from cyberhub.services.admin import exports
from cyberhub.services.errors import Gone

router = APIRouter(tags=["exports"])


@router.post("/exports", response_model=ExportPublic, status_code=202)
def request_export(
    body: ExportRequest, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ExportPublic:
    """Ask for an export; a worker job writes it (follow it with GET /exports/{export_id})."""
    return exports.request_export(session, principal, body, meta=meta)


@router.get("/exports", response_model=list[ExportPublic])
def my_exports(principal: CurrentUser, session: SessionDep) -> list[ExportPublic]:
    """Your exports, newest first."""
    return exports.my_exports(session, principal)


@router.get("/exports/choices", response_model=list[ExportChoice])
def export_choices(principal: CurrentUser, session: SessionDep) -> list[ExportChoice]:
    """The kinds of export you may request, with the programmes and cohorts you may pick."""
    return exports.choices(session, principal)


@router.get("/exports/{export_id}", response_model=ExportPublic)
def get_export(export_id: Id, principal: CurrentUser, session: SessionDep) -> ExportPublic:
    """One of your exports: status, progress, and its download link once done."""
    return exports.get_export(session, principal, export_id)


@router.get(
    "/exports/{export_id}/download",
    response_class=FileResponse,
    responses=file_or_text(
        "The export's file (CSV, or a zip for your own data), as an attachment.",
        "text/csv",
        "application/zip",
    ),
)
def download_export(
    export_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> StreamingResponse:
    """Download one of your finished exports (streamed from disk; audited)."""
    file = exports.open_download(session, principal, export_id, meta=meta)
    # Opened here, streamed from the open file: the sweep may delete an expiring file at any
    # moment, which FileResponse (it opens the path only as it sends) turned into a 500. Once
    # open, the file is read whole even if its name goes meanwhile.
    try:
        handle = file.path.open("rb")
    except FileNotFoundError:
        raise Gone(exports.FILE_GONE) from None
    return StreamingResponse(
        _chunks(handle),
        media_type=file.media_type,
        headers={
            # A name of our own making (kind, id, date): no quoting needed.
            "Content-Disposition": f'attachment; filename="{file.name}"',
            "Content-Length": str(os.fstat(handle.fileno()).st_size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def _chunks(handle: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    with handle:
        while block := handle.read(size):
            yield block
