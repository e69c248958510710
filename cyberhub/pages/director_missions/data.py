"""The missions page's constants and the service calls its state runs in worker threads."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cyberhub.schemas.director import MissionPublic
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import authoring, programs
from cyberhub.services.learning.authoring import MissionChanges
from cyberhub.state.forms import parse_id

ROUTE = "/director/missions"
ALL = "all"
ACTIONS = {
    "publish": ("Publish", "Students of the programme can see and start it at once."),
    "unpublish": ("Unpublish", "It goes back to draft: students no longer see it."),
    "archive": ("Archive", "It is hidden from students and from new prerequisites."),
}
EMPTY_FORM = {
    "program": "",
    "track": "",
    "title": "",
    "summary": "",
    "brief": "",
    "difficulty": "1",
    "minutes": "60",
    "skills": "",
}


def _load(session: Session, principal: Principal | None, status: str) -> dict[str, Any]:
    items = [
        m.model_dump(mode="json")
        for m in authoring.list_missions(session, principal, status=status)
    ]
    counts = authoring.status_counts(session, principal)
    progs = []
    for p in programs.list_programs(session, principal):
        tracks = programs.list_tracks(session, principal, p.id)
        progs.append(
            {
                "id": str(p.id),
                "name": p.name,
                "tracks": [
                    {
                        "key": t.key,
                        "name": t.name,
                        "nice": [
                            {"id": r["id"], "name": r["name"]}
                            for r in programs.program_nice_roles(t)
                        ],
                    }
                    for t in tracks
                ],
            }
        )
    return {"items": items, "counts": counts, "programs": progs}


def _mission(session: Session, principal: Principal | None, mission_id: int) -> MissionPublic:
    return authoring.get_mission(session, principal, mission_id)


def _prereq_options(
    session: Session, principal: Principal | None, program_id: int, mission_id: int
) -> list[dict[str, Any]]:
    options = authoring.prerequisite_options(session, principal, program_id, mission_id or None)
    return [o.model_dump() for o in options]


def _int(value: str, what: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a whole number.") from None


def _changes(
    form: dict[str, str],
    rubric: list[dict[str, str]],
    hints: list[str],
    prereqs: list[int],
    nice: list[str],
) -> MissionChanges:
    criteria = []
    for n, row in enumerate(rubric, start=1):
        if not any(str(v).strip() for v in row.values()):
            continue  # an untouched empty row
        criteria.append(
            {
                "key": row.get("key", ""),
                "title": row.get("title", ""),
                "description": row.get("description", ""),
                "points": _int(row.get("points", ""), f"points of rubric criterion {n}"),
            }
        )
    return MissionChanges(
        program_id=parse_id(form["program"]),
        track=form["track"] or None,
        title=form["title"],
        summary=form["summary"],
        brief=form["brief"],
        difficulty=_int(form["difficulty"], "difficulty"),
        estimated_minutes=_int(form["minutes"], "estimated minutes"),
        skills=[s.strip() for s in form["skills"].split(",") if s.strip()],
        rubric=criteria,
        hints=hints,
        prerequisites=prereqs,
        nice_work_roles=nice,
    )


def _save(
    session: Session,
    principal: Principal | None,
    mission_id: int,
    changes: MissionChanges,
    meta: RequestMeta,
) -> MissionPublic:
    if mission_id:
        changes.program_id = None  # a mission never moves programme
        return authoring.update_mission(session, principal, mission_id, changes, meta=meta)
    return authoring.create_mission(session, principal, changes, meta=meta)


def _transition(
    session: Session, principal: Principal | None, action: str, mission_id: int, meta: RequestMeta
) -> MissionPublic:
    do = {
        "publish": authoring.publish_mission,
        "unpublish": authoring.unpublish_mission,
        "archive": authoring.archive_mission,
    }[action]
    return do(session, principal, mission_id, meta=meta)
