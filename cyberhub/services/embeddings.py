"""What gets embedded, and storing vectors idempotently (same text + model: nothing to do)."""

from __future__ import annotations

import hashlib

from sqlmodel import Session

from cyberhub.models import Mission, MissionEmbedding
from cyberhub.models.base import utcnow
from cyberhub.services.errors import NotFound


class Embedder:
    """Turns texts into unit vectors. The worker's is the real model; tests use a fake."""

    name: str = "embedder"
    dimensions: int = 384

    def encode(self, texts: list[str]) -> list[list[float]]:  # pragma: no cover - interface
        raise NotImplementedError


def mission_text(mission: Mission) -> str:
    skills = ", ".join(mission.skills)
    return f"{mission.title}. {mission.summary} Skills: {skills}.\n{mission.brief}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def embed_mission(session: Session, mission_id: int, embedder: Embedder) -> bool:
    """Store the mission's vector. Returns False when the stored one is already current."""
    mission = session.get(Mission, mission_id)
    if mission is None:
        raise NotFound(f"Mission {mission_id} does not exist.")
    text = mission_text(mission)
    digest = text_hash(text)
    current = session.get(MissionEmbedding, mission_id, with_for_update=True)
    if current is not None and current.text_hash == digest and current.model == embedder.name:
        return False
    [vector] = embedder.encode([text])
    if current is None:
        current = MissionEmbedding(
            mission_id=mission_id, model=embedder.name, text_hash=digest, embedding=vector
        )
    else:
        current.model, current.text_hash, current.embedding = embedder.name, digest, vector
        current.updated_at = utcnow()
    session.add(current)
    return True
