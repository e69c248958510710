"""The programme page's route and the service calls its state runs in worker threads."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.models import Track
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Invalid
from cyberhub.services.identity import organizations
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog, programs
from cyberhub.state.forms import parse_id, whole_number

ROUTE = "/dashboard/director"


def _dates(starts_on: str, ends_on: str) -> str:
    return f"{when(starts_on, style='date')} – {when(ends_on, style='date')}"


def _csv(values: list[str]) -> str:
    return ", ".join(values)


def _day(value: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise Invalid(f"Enter the {what} as a date (YYYY-MM-DD).") from None


def _track_row(t: programs.ProgramTrackView, program_id: int) -> dict[str, Any]:
    chosen = programs.program_nice_roles(t)
    return {
        "id": t.id,
        "program_id": program_id,
        "key": t.key,
        "name": t.name,
        "tagline": t.tagline,
        "description": t.description,
        "careers": _csv(t.careers),
        "focus": _csv(t.focus),
        "nice": _csv([r["name"] for r in chosen]),
        # Every standard role of the key, checked when this programme uses it.
        "nice_options": [
            {"id": r["id"], "name": r["name"], "checked": r in chosen}
            for r in programs.nice_roles_for(t.key)
        ],
    }


def _track_choices(
    every: list[Track], runs: list[programs.ProgramTrackView], program: dict[str, Any]
) -> list[dict[str, Any]]:
    """The five global tracks, each with whether the programme runs it (and, when it does, what
    the edit dialog needs)."""
    by_id = {t.id: t for t in runs}
    rows = []
    for track in every:
        view = by_id.get(track.id)
        row = _track_row(view, program["id"]) if view else {"id": track.id, "name": track.name}
        rows.append(
            {
                **row,
                "runs": view is not None,
                "program_id": program["id"],
                "program": program["name"],
            }
        )
    return rows


def _home(session: Session, principal: Principal | None) -> dict[str, Any]:
    # The page's rows are the JSON faces plus what the page adds (track rows, dates).
    items = [p.model_dump(mode="json") for p in programs.list_programs(session, principal)]
    cohorts = [c.model_dump(mode="json") for c in programs.list_cohorts(session, principal)]
    every = catalog.list_tracks(session)
    for p in items:
        runs = programs.list_tracks(session, principal, p["id"])
        p["track_rows"] = [_track_row(t, p["id"]) for t in runs]
        p["track_choices"] = _track_choices(every, runs, p)
        p["cohort_rows"] = [
            {**c, "dates": _dates(c["starts_on"], c["ends_on"])}
            for c in cohorts
            if c["program_id"] == p["id"]
        ]
    orgs = organizations.list_organizations(session, principal)
    return {
        "programs": items,
        "organizations": [{"id": str(o.id), "name": o.name} for o in orgs],
    }


def _create_program(
    session: Session, principal: Principal | None, form: dict[str, str], org: str, meta: RequestMeta
) -> str:
    p = programs.create_program(
        session,
        principal,
        name=form["name"],
        organization_id=parse_id(org),
        description=form["description"],
        meta=meta,
    )
    return p.name


def _update_program(
    session: Session, principal: Principal | None, form: dict[str, Any], meta: RequestMeta
) -> None:
    programs.update_program(
        session,
        principal,
        int(form["id"]),
        name=form["name"],
        description=form["description"],
        meta=meta,
    )


def _update_track(
    session: Session, principal: Principal | None, form: dict[str, Any], meta: RequestMeta
) -> None:
    """The programme's own description and NICE work roles of a (global) track."""
    programs.set_program_track(
        session,
        principal,
        int(form["program_id"]),
        int(form["id"]),
        description=form["description"],
        nice_work_roles=list(form["nice_work_roles"]),
        meta=meta,
    )


def _change_track(
    session: Session,
    principal: Principal | None,
    action: str,
    program_id: int,
    track_id: int,
    meta: RequestMeta,
) -> None:
    """The programme starts ("add") or stops running a global track."""
    if action == "add":
        programs.add_program_track(session, principal, program_id, track_id, meta=meta)
    else:
        programs.remove_program_track(session, principal, program_id, track_id, meta=meta)


def _create_cohort(
    session: Session,
    principal: Principal | None,
    program: str,
    form: dict[str, str],
    meta: RequestMeta,
) -> int:
    program_id = parse_id(program)
    if program_id is None:
        raise Invalid("Choose the programme of the cohort.")
    c = programs.create_cohort(
        session,
        principal,
        program_id,
        name=form["name"],
        starts_on=_day(form["starts_on"], "start date"),
        ends_on=_day(form["ends_on"], "end date"),
        capacity=whole_number(form["capacity"], "capacity"),
        meta=meta,
    )
    return c.id or 0
