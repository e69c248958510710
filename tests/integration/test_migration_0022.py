"""Migration 0022 (the Coaching OS): the /insights notes come along — each goal note becomes an
active goal (its first line the title, the whole note its why, manual progress 0 %), each
reflection note a private reflection, with their dates; down and up again loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from tests.factories import make_user

pytestmark = [pytest.mark.coaching, pytest.mark.integration]

WRITTEN = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql)).all()]
    session.commit()
    return out


def test_notes_become_goals_and_private_reflections(session: Session, db_url: str) -> None:
    learner = make_user(session, "noter@example.org", "student")
    migrate.downgrade(db_url, "0018")
    notes = [
        ("goal", "  Pass my first CTF by June  \nBecause I want a SOC job.", WRITTEN),
        ("goal", "\n\n   ", WRITTEN),  # nothing on its first line: a title is still needed
        ("reflection", "Scanning was harder than I thought.", WRITTEN),
    ]
    for kind, body, at in notes:
        session.execute(
            text(
                "INSERT INTO learner_notes (user_id, kind, body, created_at, updated_at) "
                "VALUES (:u, :k, :b, :t, :t)"
            ),
            {"u": learner.id, "k": kind, "b": body, "t": at},
        )
    session.commit()
    migrate.upgrade(db_url, "0022")
    goals = rows(
        session,
        "SELECT title, why, status, progress_source, manual_percent, created_at, note_id "
        "FROM goals ORDER BY id",
    )
    assert [g[:5] for g in goals] == [
        ("Pass my first CTF by June", notes[0][1], "active", "manual", 0),
        ("My goal", notes[1][1], "active", "manual", 0),
    ]
    assert all(g[5] == WRITTEN and g[6] is not None for g in goals)
    assert rows(session, "SELECT body, visibility, prompt, mood FROM reflections") == [
        (notes[2][1], "private", "", None)
    ]
    # The notes stay (the learner's vector and work-style analysis read them).
    assert rows(session, "SELECT count(*) FROM learner_notes") == [(3,)]
    migrate.downgrade(db_url, "0018")
    migrate.upgrade(db_url, "head")
    assert rows(session, "SELECT count(*) FROM goals") == [(2,)]
