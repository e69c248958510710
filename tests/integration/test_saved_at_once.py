"""A row two requests save at the same moment, where a rule's check-then-write has no lock yet:
the database's unique constraint refuses the second, and its person gets a "someone else saved
this" message (409 from the API, the page's message) instead of a server error.

Each race found so far has its own lock (programmes, missions, tracks, cohorts, snippets...);
this is the answer for one that is not found yet. Simulated here with two organisations of one
slug, which PostgreSQL refuses exactly as it refuses the loser of a race."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub import db
from cyberhub.models import Organization
from cyberhub.services.errors import SAVED_AT_ONCE
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.service import run_for_token

pytestmark = [pytest.mark.integration]


def save_twice(session: Session, principal: Principal | None = None) -> None:
    for _ in range(2):
        session.add(Organization(name="Twice", slug="saved-twice"))
        session.flush()


def api_with_a_race(api: FastAPI) -> FastAPI:
    @api.post("/api/v1/_saved-twice")
    def saved_twice() -> None:
        with db.session_scope() as session:
            save_twice(session)

    return api


def test_the_api_answers_409_with_a_detail(db_url: str) -> None:
    from cyberhub.api import create_api

    with TestClient(api_with_a_race(create_api()), raise_server_exceptions=False) as client:
        r = client.post("/api/v1/_saved-twice")
    assert (r.status_code, r.json()) == (409, {"detail": SAVED_AT_ONCE})


def test_a_page_shows_the_message(db_url: str) -> None:
    _, outcome = run_for_token("", save_twice)
    assert not outcome and (outcome.error, outcome.code) == (SAVED_AT_ONCE, "Conflict")
