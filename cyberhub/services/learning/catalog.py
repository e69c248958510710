"""Reading the curriculum: tracks and published missions, with filters, search and paging."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, any_, func, literal
from sqlalchemy.dialects.postgresql import distinct_on
from sqlmodel import Session, col, select

from cyberhub.models import (
    Mission,
    MissionPrerequisite,
    MissionStatus,
    Recommendation,
    Role,
    Submission,
    SubmissionStatus,
    Track,
)
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.schemas.paging import PageOf, page_count
from cyberhub.services.ai import search
from cyberhub.services.errors import Invalid, NotFound
from cyberhub.services.identity.permissions import Principal, require_signed_in
from cyberhub.services.learning import mission_scope, progress
from cyberhub.services.paging import check_page, fetch_page

PAGE_SIZE = 12


def list_tracks(session: Session) -> list[Track]:
    """The five global tracks in their canonical order (public), each once."""
    rows = session.exec(select(Track)).all()
    return sorted(rows, key=lambda t: TRACK_KEYS.index(t.key) if t.key in TRACK_KEYS else 99)


@dataclass
class MissionFilter:
    track: str = ""
    difficulty: int | None = None
    skill: str = ""
    q: str = ""
    status: str = ""  # the caller's own progress: one of STATUS_FILTERS
    sort: str = ""  # "" (track, then difficulty) or "recommended" (the caller's stored list first)
    page: int = 1
    page_size: int = PAGE_SIZE
    # a page past the last gives the last (a page's stale link), not an empty one (the API's)
    last_if_past: bool = False


# "My status" filter values, the same words the cards show (progress.mission_statuses): no
# attempt yet and open to start, no attempt yet and locked (a prerequisite is not approved), any
# open attempt (progress.IN_PROGRESS), or one latest-attempt status.
STATUS_FILTERS = (
    progress.NOT_STARTED,
    progress.LOCKED,
    "in_progress",
    *progress.IN_PROGRESS,
    SubmissionStatus.approved,
)
SORTS = ("", "recommended")
# The ranks of a stored recommendation list (the worker's; "unlocks after" rows rank above it).
LIST_RANKS = 10


def _status_condition(student_id: int, status: str) -> Any:
    """A condition on Mission: the student's latest attempt at it has `status` (see
    STATUS_FILTERS; "not_started" and "locked": no attempt, and locked or not, as the card says).
    A condition, not a join, so the search applies it inside its rankings, before it keeps their
    best matches."""
    if status in (progress.NOT_STARTED, progress.LOCKED):
        tried = select(Submission.mission_id).where(Submission.student_id == student_id)
        locked = col(Mission.id).in_(progress.locked_missions(student_id))
        return and_(col(Mission.id).not_in(tried), locked if status == progress.LOCKED else ~locked)
    latest = (
        select(Submission.mission_id, Submission.status)
        .where(Submission.student_id == student_id)
        .order_by(col(Submission.mission_id), col(Submission.attempt).desc())
        .ext(distinct_on(col(Submission.mission_id)))
        .subquery("latest")
    )
    wanted = progress.IN_PROGRESS if status == "in_progress" else (status,)
    return col(Mission.id).in_(select(latest.c.mission_id).where(latest.c.status.in_(wanted)))


@dataclass
class MissionPage(PageOf[tuple[Mission, Track]]):
    skills: list[str] = field(default_factory=list)
    # mission id -> its rank in the caller's stored recommendation list (the missions on this
    # page that are in it), the same list the dashboard card and the API show
    recommended: dict[int, int] = field(default_factory=dict)
    # mission id -> the caller's own status on it (services/learning/progress.mission_statuses)
    # for every mission on this page when the caller is a student; empty for staff
    statuses: dict[int, str] = field(default_factory=dict)


def list_missions(session: Session, principal: Principal | None, f: MissionFilter) -> MissionPage:
    """The published missions the user may see (services/mission_scope), filtered and paginated.

    Without `q`: by track, then difficulty; with `sort="recommended"` the caller's stored
    recommendations come first, in their order. With `q`: the hybrid search's ranking (full
    text + meaning, services/ai/search.py), best first, within the same filters. A student also
    gets their own status on each mission of the page (`statuses`).
    """
    actor = require_signed_in(principal)
    if f.status and f.status not in STATUS_FILTERS:
        raise Invalid("status must be one of: " + ", ".join(STATUS_FILTERS) + ".")
    if f.status and not actor.has_role(Role.student):
        # Staff have no progress of their own: "locked" or "not started" would describe nobody.
        raise Invalid("status filters by your own progress, which only learners have.")
    check_page(f.page, f.page_size)
    if f.difficulty is not None and not 1 <= f.difficulty <= 5:
        raise Invalid("difficulty must be between 1 and 5.")
    if f.sort not in SORTS:
        raise Invalid("sort must be empty or 'recommended'.")
    visible = mission_scope.visible_condition(actor)
    stmt = (
        select(Mission, Track)
        .join(Track, col(Track.id) == col(Mission.track_id))
        .where(Mission.status == MissionStatus.published, visible)
    )
    if f.track:
        stmt = stmt.where(Track.key == f.track)
    if f.difficulty:
        stmt = stmt.where(Mission.difficulty == f.difficulty)
    if f.skill:
        stmt = stmt.where(literal(f.skill) == any_(col(Mission.skills)))
    if f.status:
        visible = and_(visible, _status_condition(actor.user_id, f.status))
        stmt = stmt.where(visible)
    if f.q.strip():
        page = _search_page(session, stmt, f, visible)
    else:
        order: list[Any] = [col(Track.id), col(Mission.difficulty), col(Mission.id)]
        if f.sort == "recommended":
            mine = (
                select(Recommendation.mission_id, Recommendation.rank)
                .where(
                    Recommendation.user_id == actor.user_id,
                    col(Recommendation.rank) <= LIST_RANKS,
                )
                .subquery("mine")
            )
            stmt = stmt.outerjoin(mine, mine.c.mission_id == col(Mission.id))
            order.insert(0, mine.c.rank.asc().nulls_last())
        # (one row a mission: a learner has one recommendation a mission at most)
        found = fetch_page(
            session, stmt.order_by(*order), f.page, f.page_size, last_if_past=f.last_if_past
        )
        page = MissionPage(
            items=[(m, t) for m, t in found.items],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
        )
    ids = [m.id or 0 for m, _ in page.items]
    page.recommended = _ranks(session, actor.user_id, ids)
    if actor.has_role(Role.student):
        page.statuses = progress.mission_statuses(session, actor.user_id, ids)
    return page


def _ranks(session: Session, user_id: int, mission_ids: list[int]) -> dict[int, int]:
    """Where each of these missions stands in the user's stored recommendation list."""
    if not mission_ids:
        return {}
    rows = session.exec(
        select(Recommendation.mission_id, Recommendation.rank).where(
            Recommendation.user_id == user_id,
            col(Recommendation.mission_id).in_(mission_ids),
            col(Recommendation.rank) <= LIST_RANKS,
        )
    ).all()
    return {int(mid): int(rank) for mid, rank in rows}


def _search_page(session: Session, stmt: Any, f: MissionFilter, visible: Any) -> MissionPage:
    """The hybrid search's ranking (services/ai/search.py), filtered, paginated over the ranks.
    `visible` holds the status filter too: every filter applies inside the rankings."""
    scope = search.Scope(track=f.track, difficulty=f.difficulty, skill=f.skill, visible=visible)
    ranked = search.hybrid(session, f.q, scope).ids
    if not ranked:
        return MissionPage(items=[], total=0, page=f.page, page_size=f.page_size)
    # The filters are already inside both rankings; applying them again costs nothing.
    rows = session.exec(stmt.where(col(Mission.id).in_(ranked))).all()
    position = {mid: i for i, mid in enumerate(ranked)}
    ordered = sorted(rows, key=lambda row: position[row[0].id])
    page = min(f.page, page_count(len(ordered), f.page_size)) if f.last_if_past else f.page
    start = (page - 1) * f.page_size
    return MissionPage(
        items=[(m, t) for m, t in ordered[start : start + f.page_size]],
        total=len(ordered),
        page=page,
        page_size=f.page_size,
    )


def all_skills(session: Session, principal: Principal | None = None) -> list[str]:
    """The skills of the published missions the principal may see."""
    skills = session.exec(
        select(func.unnest(Mission.skills))
        .where(
            Mission.status == MissionStatus.published,
            mission_scope.visible_condition(principal),
        )
        .distinct()
    ).all()
    return sorted(str(s) for s in skills)


@dataclass
class MissionDetail:
    mission: Mission
    track: Track
    prerequisites: list[Mission]


def get_mission(session: Session, principal: Principal | None, mission_id: int) -> MissionDetail:
    """A published mission the user may see, or one archived or back in draft they handed work
    in for (mission_scope.keeps_reading); NotFound otherwise (another organisation's missions
    are not named to outsiders)."""
    actor = require_signed_in(principal)
    mission = session.get(Mission, mission_id)
    if mission is None or not (
        (
            mission.status == MissionStatus.published
            and mission_scope.can_see(session, actor, mission_id)
        )
        or mission_scope.keeps_reading(session, actor.user_id, mission)
    ):
        raise NotFound("That mission does not exist or is not published.")
    track = session.get(Track, mission.track_id)
    assert track is not None
    prereqs = session.exec(
        select(Mission)
        .join(MissionPrerequisite, col(MissionPrerequisite.prerequisite_id) == col(Mission.id))
        .where(
            MissionPrerequisite.mission_id == mission_id,
            mission_scope.visible_condition(actor),
        )
    ).all()
    return MissionDetail(mission=mission, track=track, prerequisites=list(prereqs))
