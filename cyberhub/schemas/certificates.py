"""Completion and certificates (issue 15, item 4), typed: what services return, the API declares
as `response_model` and pages hold."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from cyberhub.schemas.datetimes import IsoDatetime
from cyberhub.schemas.paging import Paged


class CertificatePublic(BaseModel):
    """A certificate as its public verification page shows it (no e-mail, no ids of people)."""

    code: str
    name: str  # the learner's name
    track: str  # the track's name
    track_key: str
    cohort: str
    program: str
    organization: str  # the issuing organisation
    missions: list[str]  # titles of the approved missions, as at issue
    issued_at: IsoDatetime
    # The certificate's dates: the days it was issued and revoked in its holder's time zone
    # then (the day they completed, where they were), stored when decided, the same for every
    # reader, on its PDF and on every page (a document bears one date, whatever the reader's
    # zone, and it does not move when its holder later changes theirs).
    issued_on: date
    revoked: bool = False
    revoked_at: IsoDatetime | None = None
    revoked_on: date | None = None
    revoke_reason: str = ""
    url: str  # the public page, e.g. /certificates/<code>
    pdf_url: str  # /api/v1/certificates/<code>.pdf


class CohortCompletion(BaseModel):
    """One completion in a cohort, for its director: who, when, and the certificate."""

    certificate_id: int
    student_id: int
    name: str
    email: str
    completed_at: IsoDatetime | None
    certificate: CertificatePublic


class CohortCompletionsPage(Paged[CohortCompletion]):
    """One page of a cohort's completions, newest first."""


class RevokeRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class RequiredRequest(BaseModel):
    required: bool


class RequiredMission(BaseModel):
    """A mission of a programme and whether completing the programme requires it."""

    program_id: int
    mission_id: int
    title: str
    required: bool


class CohortClosed(BaseModel):
    cohort_id: int
    name: str
    closed_at: IsoDatetime


class CompletionCheck(BaseModel):
    """How many learners of the cohort completed when the rule was run for all of them."""

    cohort_id: int
    completed: int
