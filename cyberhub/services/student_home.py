"""The student dashboard's data: track context from the profiler, and where to start."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import Mission, MissionStatus, Role, Track
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services import consents, profiler
from cyberhub.services.permissions import Principal, require_role
from cyberhub.services.progress import student_programs


def student_home(
    session: Session, principal: Principal | None, track_hint: str = ""
) -> dict[str, Any]:
    """Track context: the latest profiler result (or `track_hint` from the results page)."""
    principal = require_role(principal, Role.student)
    latest = profiler.latest_result(session, principal.user_id)
    track_key = latest["primary_track"] if latest else ""
    if track_hint in TRACK_KEYS and (
        not latest or track_hint in (latest["primary_track"], latest["secondary_track"])
    ):
        track_key = track_hint
    programs = student_programs(session, principal.user_id)
    # A programme's own texts where the learner is in one, else the reference (oldest) row.
    track_stmt = select(Track).where(Track.key == track_key)
    if programs:
        track_stmt = track_stmt.order_by(col(Track.program_id).in_(programs).desc())
    track = session.exec(track_stmt.order_by(col(Track.id))).first() if track_key else None
    starters: list[dict[str, Any]] = []
    total = 0
    if track is not None:
        # Every programme has its own row per track key: count by key, within the learner's
        # programmes when they are in one (else the whole published catalog).
        base = (
            select(Mission)
            .join(Track, col(Track.id) == col(Mission.track_id))
            .where(Track.key == track.key, Mission.status == MissionStatus.published)
        )
        if programs:
            base = base.where(col(Mission.program_id).in_(programs))
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        starters = [
            {
                "id": m.id,
                "title": m.title,
                "difficulty": m.difficulty,
                "minutes": m.estimated_minutes,
            }
            for m in session.exec(
                base.order_by(col(Mission.difficulty), col(Mission.id)).limit(3)
            ).all()
        ]
    return {
        "profiler_done": latest is not None,
        "ai_consent": consents.has_consent(session, principal.user_id, consents.AI_PROFILING),
        "result": latest,
        "track": (
            {
                "key": track.key,
                "name": track.name,
                "tagline": track.tagline,
                "description": track.description,
                "careers": track.careers,
            }
            if track
            else None
        ),
        "track_missions": total,
        "starters": starters,
    }
