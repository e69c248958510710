"""POST /api/v1/embeddings: vectors of arbitrary texts from the platform's embedding model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from cyberhub.api.deps import CurrentUser
from cyberhub.schemas.ai import EmbeddingsPublic
from cyberhub.services.ai import query_embedder


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[
    str,
    StringConstraints(min_length=1, max_length=query_embedder.MAX_TEXT_LENGTH),
    AfterValidator(_not_blank),
]


class EmbeddingsIn(BaseModel):
    texts: list[Text] = Field(min_length=1, max_length=query_embedder.MAX_TEXTS)


router = APIRouter(tags=["ai"])


@router.post("/embeddings", response_model=EmbeddingsPublic)
def create_embeddings(body: EmbeddingsIn, principal: CurrentUser) -> EmbeddingsPublic:
    """Unit vectors (384 dimensions) of 1-64 texts, in the order given. Signed-in users or API
    keys with the `write` scope; 30 calls per user per minute (429 with Retry-After beyond).
    Nothing is stored and no consent is needed: embedding texts you send is not profiling."""
    return query_embedder.embed_texts(principal, body.texts)
