"""Completion and certificates (issue 15, item 4): verify a certificate by its public code (and
its PDF), a learner's own certificates, and a director's actions — required missions of a
programme, a cohort's completions, revoke a certificate, close a cohort.

The two verification routes are public and limited per address
(`CERTIFICATE_RATE_LIMIT_PER_MINUTE`, 429 with Retry-After beyond it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from cyberhub.api.deps import CurrentUser, Id, MetaDep, Page, PageSize, SessionDep, public
from cyberhub.api.responses import file_or_text
from cyberhub.schemas.certificates import (
    CertificatePublic,
    CohortClosed,
    CohortCompletionsPage,
    CompletionCheck,
    RequiredMission,
    RequiredRequest,
    RevokeRequest,
)
from cyberhub.services.learning import certificate_pdf, certificates
from cyberhub.settings import get_settings

router = APIRouter(tags=["certificates"])

# Anything else is no code (404 from the service); the length cap keeps junk out of queries.
Code = Annotated[str, Path(max_length=64)]


# The per-address limit is the service's (certificates.verify), shared with the public page.
PUBLIC_VERIFY = [Depends(public)]


# The PDF route comes first: "/certificates/{code}" would otherwise take "<code>.pdf".
@router.get(
    "/certificates/{code}.pdf",
    dependencies=PUBLIC_VERIFY,
    response_class=Response,
    responses=file_or_text("The certificate as a PDF", "application/pdf"),
)
def certificate_pdf_file(code: Code, session: SessionDep, meta: MetaDep) -> Response:
    """The certificate as a PDF (anyone with the code; a revoked one says so)."""
    cert = certificates.verify(session, None, code, meta=meta)
    body = certificate_pdf.render(cert, get_settings().base_url)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{cert.code}.pdf"'},
    )


@router.get("/certificates/{code}", dependencies=PUBLIC_VERIFY, response_model=CertificatePublic)
def verify_certificate(code: Code, session: SessionDep, meta: MetaDep) -> CertificatePublic:
    """A certificate's public verification data (anyone with the code)."""
    return certificates.verify(session, None, code, meta=meta)


@router.get("/me/certificates", response_model=list[CertificatePublic])
def my_certificates(principal: CurrentUser, session: SessionDep) -> list[CertificatePublic]:
    """The signed-in learner's certificates, newest first."""
    return certificates.my_certificates(session, principal)


@router.post("/certificates/{certificate_id}/revoke", response_model=CertificatePublic)
def revoke_certificate(
    certificate_id: Id,
    body: RevokeRequest,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> CertificatePublic:
    """Revoke a certificate of a cohort you direct, with the reason shown on its page."""
    return certificates.revoke(session, principal, certificate_id, body.reason, meta=meta)


@router.get("/cohorts/{cohort_id}/completions", response_model=CohortCompletionsPage)
def cohort_completions(
    cohort_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = certificates.COMPLETIONS_PAGE_SIZE,
) -> CohortCompletionsPage:
    """One page of the cohort's completions and certificates, newest first (its directors)."""
    return certificates.cohort_completions(
        session, principal, cohort_id, page=page, page_size=page_size
    )


@router.post("/cohorts/{cohort_id}/completions/check", response_model=CompletionCheck)
def check_cohort_completions(
    cohort_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CompletionCheck:
    """Complete every learner of the cohort who has met the rule already (e.g. work approved
    before missions were marked required)."""
    return certificates.complete_cohort(session, principal, cohort_id, meta=meta)


@router.post("/cohorts/{cohort_id}/close", response_model=CohortClosed)
def close_cohort(
    cohort_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> CohortClosed:
    """Close the cohort: no enrolments or applications afterwards."""
    return certificates.close_cohort(session, principal, cohort_id, meta=meta)


@router.put("/programs/{program_id}/missions/{mission_id}/required", response_model=RequiredMission)
def set_required(
    program_id: Id,
    mission_id: Id,
    body: RequiredRequest,
    principal: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> RequiredMission:
    """Mark a mission the programme runs as required for completion, or not."""
    return certificates.set_required(
        session, principal, program_id, mission_id, body.required, meta=meta
    )
