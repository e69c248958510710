"""Reading the curriculum: tracks and published missions, with filters, search and paging."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import any_, func, literal, or_
from sqlmodel import Session, col, select

from cyberhub.models import Mission, MissionPrerequisite, MissionStatus, Track
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.permissions import Principal, require_signed_in

PAGE_SIZE = 12


def list_tracks(session: Session) -> list[Track]:
    """The five tracks in their canonical order (public)."""
    from cyberhub.models.learning import TRACK_KEYS

    rows = session.exec(select(Track)).all()
    return sorted(
        rows, key=lambda t: (TRACK_KEYS.index(t.key) if t.key in TRACK_KEYS else 99, t.id)
    )


@dataclass
class MissionFilter:
    track: str = ""
    difficulty: int | None = None
    skill: str = ""
    q: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class MissionPage:
    items: list[tuple[Mission, Track]]
    total: int
    page: int
    page_size: int
    skills: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def list_missions(session: Session, principal: Principal | None, f: MissionFilter) -> MissionPage:
    """Published missions for signed-in users, filtered and paginated."""
    require_signed_in(principal)
    if f.page < 1:
        raise Invalid("page must be 1 or more.")
    if not 1 <= f.page_size <= 100:
        raise Invalid("page_size must be between 1 and 100.")
    if f.difficulty is not None and not 1 <= f.difficulty <= 5:
        raise Invalid("difficulty must be between 1 and 5.")
    stmt = (
        select(Mission, Track)
        .join(Track, col(Track.id) == col(Mission.track_id))
        .where(Mission.status == MissionStatus.published)
    )
    if f.track:
        stmt = stmt.where(Track.key == f.track)
    if f.difficulty:
        stmt = stmt.where(Mission.difficulty == f.difficulty)
    if f.skill:
        stmt = stmt.where(literal(f.skill) == any_(col(Mission.skills)))
    if f.q.strip():
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(
            or_(
                col(Mission.title).ilike(like),
                col(Mission.summary).ilike(like),
                col(Mission.brief).ilike(like),
            )
        )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(Track.id), col(Mission.difficulty), col(Mission.id))
        .offset((f.page - 1) * f.page_size)
        .limit(f.page_size)
    ).all()
    return MissionPage(
        items=[(m, t) for m, t in rows], total=total, page=f.page, page_size=f.page_size
    )


def all_skills(session: Session) -> list[str]:
    skills = session.exec(
        select(func.unnest(Mission.skills))
        .where(Mission.status == MissionStatus.published)
        .distinct()
    ).all()
    return sorted(str(s) for s in skills)


@dataclass
class MissionDetail:
    mission: Mission
    track: Track
    prerequisites: list[Mission]


def get_mission(session: Session, principal: Principal | None, mission_id: int) -> MissionDetail:
    require_signed_in(principal)
    mission = session.get(Mission, mission_id)
    if mission is None or mission.status != MissionStatus.published:
        raise NotFound("That mission does not exist or is not published.")
    track = session.get(Track, mission.track_id)
    assert track is not None
    prereqs = session.exec(
        select(Mission)
        .join(MissionPrerequisite, col(MissionPrerequisite.prerequisite_id) == col(Mission.id))
        .where(MissionPrerequisite.mission_id == mission_id)
    ).all()
    return MissionDetail(mission=mission, track=track, prerequisites=list(prereqs))
