"""The student dashboard's data: track context from the profiler, and where to start."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cyberhub.models import Mission, MissionStatus, ProgramTrack, Role, Track
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.schemas.learning import StarterMission, StudentHome, TrackContext
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import profiler
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning import mission_scope, progress
from cyberhub.services.learning.progress import student_programs


def student_home(
    session: Session, principal: Principal | None, track_hint: str = ""
) -> StudentHome:
    """Track context: the latest profiler result (or `track_hint` from the results page), and
    up to three missions of the track to start with (neither started nor locked)."""
    principal = require_role(principal, Role.student)
    latest = profiler.latest_result(session, principal.user_id)
    track_key = latest["primary_track"] if latest else ""
    if track_hint in TRACK_KEYS and (
        not latest or track_hint in (latest["primary_track"], latest["secondary_track"])
    ):
        track_key = track_hint
    programs = student_programs(session, principal.user_id)
    track = session.exec(select(Track).where(Track.key == track_key)).first() if track_key else None
    description = track.description if track else ""
    if track is not None and programs:
        # The learner's programme's own description of the track, when it set one.
        own = session.exec(
            select(ProgramTrack.description).where(
                col(ProgramTrack.program_id).in_(programs),
                ProgramTrack.track_id == track.id,
                ProgramTrack.description != "",
            )
        ).first()
        description = own or description
    starters: list[StarterMission] = []
    total = 0
    if track is not None:
        # The track's missions the learner may start (services/mission_scope): their
        # programmes' when enrolled, else the published missions they may see (the library).
        scope = (
            col(Mission.id).in_(mission_scope.takeable_missions(principal.user_id))
            if programs
            else mission_scope.visible_condition(principal)
        )
        base = (
            select(Mission)
            .join(Track, col(Track.id) == col(Mission.track_id))
            .where(Track.key == track.key, Mission.status == MissionStatus.published, scope)
        )
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        # Where to start: never a mission already started (or completed) or still locked.
        starters = [
            StarterMission(
                id=m.id or 0, title=m.title, difficulty=m.difficulty, minutes=m.estimated_minutes
            )
            for m in session.exec(
                base.where(progress.open_to(principal.user_id))
                .order_by(col(Mission.difficulty), col(Mission.id))
                .limit(3)
            ).all()
        ]
    return StudentHome(
        profiler_done=latest is not None,
        ai_consent=consents.has_consent(session, principal.user_id, consents.AI_PROFILING),
        result=latest,
        track=from_row(TrackContext, track, description=description) if track else None,
        track_missions=total,
        starters=starters,
    )
