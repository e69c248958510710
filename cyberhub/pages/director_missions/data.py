"""The missions page's constants and the service calls its state runs in worker threads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session

from cyberhub.schemas.director import MissionListPage, MissionPublic
from cyberhub.services import text as free_text
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import authoring, catalog, programs
from cyberhub.services.learning.authoring import MissionChanges
from cyberhub.state.forms import parse_id, whole_number
from cyberhub.state.url_query import ALL  # noqa: F401  (re-exported for the page's modules)

ROUTE = "/director/missions"
ACTIONS = {
    "publish": ("Publish", "Students of the programme can see and start it at once."),
    "unpublish": ("Unpublish", "It goes back to draft: students no longer see it."),
    "archive": ("Archive", "It is hidden from students and from new prerequisites."),
}
DIFFICULTIES = [str(d) for d in range(1, 6)]
EMPTY_FORM = {
    "program": "",
    "track": "",
    "title": "",
    "summary": "",
    "difficulty": "1",
    "minutes": "60",
    "skills": "",
}


@dataclass
class ListQuery:
    """The list's search, filters and page, as the URL has them ("" / None: any)."""

    q: str = ""
    status: str = ""
    track: str = ""
    difficulty: int | None = None
    page: int = 1


# The fields of a mission the list (listing.py) shows; updated_at becomes "updated" (state.py).
# Only these are kept: the whole mission (brief, rubric, hints: ~4 kB each) is read when one is
# opened for editing. Everything kept is pickled into Redis and read back on every event of the
# page, and sent whole to the browser on each filter or page (issue 18: 80 kB → 18 kB).
LISTED = {"id", "title", "summary", "track_name", "difficulty", "status", "updated_at", "editable"}


@dataclass
class Listing:
    """What the list shows: one page of missions, the status counts and the pickers' choices."""

    found: MissionListPage
    counts: dict[str, int]
    programs: list[dict[str, Any]]  # id, name, tracks (key, name, nice roles): the form's pickers
    tracks: list[dict[str, str]]  # the track filter's choices

    @property
    def first(self) -> int:
        return (self.found.page - 1) * self.found.page_size + 1 if self.found.total else 0

    @property
    def last(self) -> int:
        return min(self.found.page * self.found.page_size, self.found.total)


def _load(session: Session, principal: Principal | None, f: ListQuery) -> Listing:
    # ListQuery's fields are mission_page's search, filters and page, by the same names.
    found = authoring.mission_page(session, principal, **asdict(f), last_if_past=True)
    progs = [
        {
            "id": str(p.id),
            "name": p.name,
            "tracks": [
                {
                    "key": t.key,
                    "name": t.name,
                    "nice": [
                        {"id": r["id"], "name": r["name"]} for r in programs.program_nice_roles(t)
                    ],
                }
                for t in programs.list_tracks(session, principal, p.id)
            ],
        }
        for p in programs.list_programs(session, principal)
    ]
    return Listing(
        found=found,
        counts=authoring.status_counts(session, principal),
        programs=progs,
        tracks=[{"id": t.key, "name": t.name} for t in catalog.list_tracks(session)],
    )


def _prereq_options(
    session: Session, principal: Principal | None, program_id: int, mission_id: int
) -> list[dict[str, Any]]:
    options = authoring.prerequisite_options(session, principal, program_id, mission_id or None)
    return [o.model_dump() for o in options]


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
                "points": whole_number(row.get("points", ""), f"points of rubric criterion {n}"),
            }
        )
    return MissionChanges(
        program_id=parse_id(form["program"]),
        track=form["track"] or None,
        title=form["title"],
        summary=form["summary"],
        brief=form.get("brief", ""),
        difficulty=whole_number(form["difficulty"], "difficulty"),
        estimated_minutes=whole_number(form["minutes"], "estimated minutes"),
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


# The fields the form checks itself, each with its message under it (the same rules as
# services/learning/authoring.py); a message goes as soon as its field is fixed.
CHECKED_FIELDS = ("title", "minutes")


def _field_error(name: str, value: str) -> str:
    """What is wrong with one checked field ("" when nothing is)."""
    if name == "title":
        length = len(" ".join(value.split()))
        if length < 3:
            return "Give the mission a title (at least 3 characters)."
        if length > authoring.TITLE_MAX:
            return f"The title must be at most {authoring.TITLE_MAX} characters."
    if name == "minutes":
        text = value.strip()
        if not free_text.digits(text):
            return "Enter the estimated minutes as a whole number."
        if not 1 <= int(text) <= authoring.MINUTES_MAX:
            return f"Estimated minutes must be between 1 and {authoring.MINUTES_MAX}."
    return ""


def _field_errors(form: dict[str, str]) -> dict[str, str]:
    return {n: e for n in CHECKED_FIELDS if (e := _field_error(n, form.get(n, "")))}
