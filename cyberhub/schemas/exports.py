"""Exports (issue 15, item 5), typed: what the service returns, the API declares and the page
holds."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from cyberhub.models.base import MAX_ID
from cyberhub.schemas.datetimes import IsoDatetime

KindName = Literal[
    "roster", "gradebook", "mentor_workload", "audit_log", "own_data", "sponsor_report"
]


class ExportRequest(BaseModel):
    """What to export. The scope is flat (the ids the kind needs), so each id is checked like
    any other id the API receives: roster takes a cohort_id or a program_id, gradebook a
    cohort_id, mentor_workload a program_id; audit_log and own_data take none; sponsor_report
    takes a cohort_id (one funded cohort) or none (every cohort the sponsor funds)."""

    kind: KindName
    program_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    cohort_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ExportPublic(BaseModel):
    """One export as its requester sees it."""

    id: int
    kind: KindName
    title: str  # e.g. "Gradebook · Spring Cohort"
    status: Literal["queued", "running", "done", "failed"]
    rows_done: int
    rows_total: int | None
    progress: int | None  # percent, when the total is known
    error: str
    file_name: str
    file_size: int | None
    created_at: IsoDatetime
    finished_at: IsoDatetime | None
    expires_at: IsoDatetime | None
    expired: bool
    download_url: str | None  # while done, not expired and not refused (`unavailable`)
    # Why a finished export's file would be refused now, as the download would say it (expired,
    # its file gone, its requester no longer has the rights it needs); "" otherwise.
    unavailable: str = ""


class ExportChoice(BaseModel):
    """A kind the user may request, with the scopes they may pick (empty: no scope needed)."""

    kind: KindName
    label: str
    scopes: list[ExportScope]


class ExportScope(BaseModel):
    """A programme or cohort the user may export (label shown in the picker)."""

    program_id: int | None = None
    cohort_id: int | None = None
    label: str


ExportChoice.model_rebuild()
