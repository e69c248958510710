"""Two requests changing one row at the same moment, where the rule has no lock for it: the
database's unique constraint refuses the second save, or the row the second edits was deleted
under it (found: a note or a goal edited and deleted at once). Its person gets a "someone else
saved or deleted this" message (409 from the API, the page's message), not a server error.

Each race found so far with a check-then-write rule has its own lock (programmes, missions,
tracks, cohorts, snippets...); this is the answer for one not found yet. Simulated here with
what PostgreSQL does to the loser: two organisations of one slug, and an organisation renamed
after another session deleted it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub import db
from cyberhub.models import Organization
from cyberhub.services.errors import CHANGED_AT_ONCE
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import run_for_token

pytestmark = [pytest.mark.integration]


def save_twice(session: Session, principal: Principal | None = None) -> None:
    for _ in range(2):
        session.add(Organization(name="Twice", slug="saved-twice"))
        session.flush()


def edit_what_was_deleted(session: Session, principal: Principal | None = None) -> None:
    org = Organization(name="Short-lived", slug="short-lived")
    session.add(org)
    session.commit()
    with db.session_scope() as other:  # another request deletes it meanwhile
        other.delete(other.get(Organization, org.id))
    org.name = "Renamed"
    session.flush()


RACES = {"saved-twice": save_twice, "edited-after-delete": edit_what_was_deleted}


def api_with_races(api: FastAPI) -> FastAPI:
    for name, race in RACES.items():

        def route(race: Callable[[Session], None] = race) -> None:
            with db.session_scope() as session:
                race(session)

        api.add_api_route(f"/api/v1/_{name}", route, methods=["POST"])
    return api


@pytest.mark.parametrize("race", list(RACES))
def test_the_api_answers_409_with_a_detail(db_url: str, race: str) -> None:
    from cyberhub.api import create_api

    with TestClient(api_with_races(create_api()), raise_server_exceptions=False) as client:
        r = client.post(f"/api/v1/_{race}")
    assert (r.status_code, r.json()) == (409, {"detail": CHANGED_AT_ONCE})


@pytest.mark.parametrize("race", list(RACES))
def test_a_page_shows_the_message(db_url: str, race: str) -> None:
    _, outcome = run_for_token("", RACES[race])
    assert not outcome and (outcome.error, outcome.code) == (CHANGED_AT_ONCE, "Conflict")
