"""Cohort applications and the waitlist (issue 12 item 5).

Learners (anyone signed in) see the cohorts that take applications or self-enrolment, apply or
join, and withdraw — always for themselves; applying and withdrawing need a browser or password
session (an API key never joins an organisation for its owner). Directors of the cohort's
organisation (and admins) list applications, approve or reject them, and set the cohort's
enrolment mode and capacity; anyone else gets 403, an unknown cohort or application 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cyberhub.api.deps import CurrentUser, Id, MetaDep, Page, PageSize, SessionDep, SessionUser
from cyberhub.services.learning import applications
from cyberhub.services.learning.applications import (
    ApplicationPublic,
    ApplicationsPage,
    CohortApplicationsPage,
    CohortOfferPage,
    EnrolmentSettings,
)

router = APIRouter(tags=["applications"])


class EnrolmentIn(BaseModel):
    mode: str | None = Field(default=None, max_length=16)
    capacity: int | None = Field(default=None, ge=1, le=10_000)


@router.get("/enrolment/cohorts", response_model=CohortOfferPage)
def open_cohorts(
    principal: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Page = 1,
    page_size: PageSize = applications.OFFERS_PAGE_SIZE,
) -> CohortOfferPage:
    """Cohorts you may apply to or join, with seats left, waitlist length, your status and
    place: one page, searched by the cohort's, programme's or organisation's name."""
    return applications.open_cohorts(session, principal, q=q, page=page, page_size=page_size)


@router.get("/me/applications", response_model=ApplicationsPage)
def my_applications(
    principal: CurrentUser,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = applications.APPLICATIONS_PAGE_SIZE,
) -> ApplicationsPage:
    """Your applications in every state, newest first: one page."""
    return applications.my_application_page(session, principal, page=page, page_size=page_size)


@router.post("/cohorts/{cohort_id}/applications", status_code=201, response_model=ApplicationPublic)
def apply(
    cohort_id: Id, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> ApplicationPublic:
    """Apply (application mode) or take a seat (open mode; the waitlist when full)."""
    return applications.apply(session, principal, cohort_id, meta=meta)


@router.post("/cohorts/{cohort_id}/applications/withdraw", response_model=ApplicationPublic)
def withdraw(
    cohort_id: Id, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> ApplicationPublic:
    """Withdraw your application, waitlist place or seat (the next in line gets the seat)."""
    return applications.withdraw(session, principal, cohort_id, meta=meta)


@router.get("/cohorts/{cohort_id}/applications", response_model=CohortApplicationsPage)
def list_applications(
    cohort_id: Id,
    principal: CurrentUser,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
    page: Page = 1,
    page_size: PageSize = applications.COHORT_APPLICATIONS_PAGE_SIZE,
) -> CohortApplicationsPage:
    """One page of the cohort's applications (pending, then the waitlist in order, then the
    rest; `status` keeps one state). Each says whether it can be approved (`can_approve`) and,
    once the cohort has ended, why a pending application or waitlist place can't move on
    (`held`)."""
    return applications.list_applications(
        session, principal, cohort_id, status=status, page=page, page_size=page_size
    )


@router.post(
    "/cohorts/{cohort_id}/applications/{application_id}/approve",
    response_model=ApplicationPublic,
)
def approve(
    cohort_id: Id, application_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ApplicationPublic:
    """Approve: a seat, or the waitlist when the cohort is full. The learner is told."""
    return applications.approve(session, principal, cohort_id, application_id, meta=meta)


@router.post(
    "/cohorts/{cohort_id}/applications/{application_id}/reject",
    response_model=ApplicationPublic,
)
def reject(
    cohort_id: Id, application_id: Id, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> ApplicationPublic:
    """Reject an application, a waitlist place or an enrolment (its seat goes to the next)."""
    return applications.reject(session, principal, cohort_id, application_id, meta=meta)


@router.get("/cohorts/{cohort_id}/enrolment", response_model=EnrolmentSettings)
def enrolment_settings(
    cohort_id: Id, principal: CurrentUser, session: SessionDep
) -> EnrolmentSettings:
    """The cohort's enrolment mode, capacity, seats left, pending applications and waitlist."""
    return applications.enrolment_settings(session, principal, cohort_id)


@router.put("/cohorts/{cohort_id}/enrolment", response_model=EnrolmentSettings)
def set_enrolment(
    cohort_id: Id, body: EnrolmentIn, principal: CurrentUser, session: SessionDep, meta: MetaDep
) -> EnrolmentSettings:
    """Set the enrolment mode (director, application, open) and/or the capacity; a capacity
    raised promotes the waitlist at once."""
    return applications.set_enrolment(
        session, principal, cohort_id, mode=body.mode, capacity=body.capacity, meta=meta
    )
