"""auth/consents: the signed-in user's consents (current state, documents, history) and changes.

The documents themselves are public (GET auth/consents/documents): sign-up links to them.
A consent is the person's own decision: API keys are refused here (403).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from cyberhub.api.deps import MetaDep, SessionDep, SessionUser, public
from cyberhub.schemas.identity import ConsentDocumentsPublic, ConsentsPublic, ConsentStatesPublic
from cyberhub.services.identity import consents

router = APIRouter(prefix="/auth/consents", tags=["consents"])


class ConsentIn(BaseModel):
    kind: Literal["terms", "privacy", "ai_profiling", "marketing", "sponsor_sharing"]
    granted: bool


@router.get("", response_model=ConsentsPublic)
def current(principal: SessionUser, session: SessionDep) -> ConsentsPublic:
    """Per kind {granted, version, at}, the current documents, and the history (newest first)."""
    return ConsentsPublic(
        consents=consents.current_consents(session, principal.user_id),
        documents=consents.documents(session),
        history=consents.history(session, principal),
    )


@router.post("", response_model=ConsentStatesPublic)
def change(
    body: ConsentIn, principal: SessionUser, session: SessionDep, meta: MetaDep
) -> ConsentStatesPublic:
    """Grant or withdraw one consent; terms and privacy cannot be withdrawn (422)."""
    state = consents.set_consent(session, principal, body.kind, body.granted, meta)
    return ConsentStatesPublic(consents=state)


@router.get("/documents", response_model=ConsentDocumentsPublic, dependencies=[Depends(public)])
def documents(session: SessionDep) -> ConsentDocumentsPublic:
    """The current version of every consent document (anyone may read them)."""
    return ConsentDocumentsPublic(documents=consents.documents(session))
