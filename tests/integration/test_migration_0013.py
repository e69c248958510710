"""Migration 0013 (global tracks, content ownership) on the demo data plus a second
organisation: from 0012 up and back down loses nothing and links every row where it belongs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.services.learning import authoring, programs
from cyberhub.services.learning.authoring import MissionChanges
from tests.factories import make_org, make_user, principal

pytestmark = [pytest.mark.missions, pytest.mark.integration]


def rows(session: Session, sql: str) -> list[tuple[Any, ...]]:
    out = [tuple(r) for r in session.execute(text(sql)).all()]
    session.commit()
    return out


def snapshot_0012(session: Session) -> dict[str, Any]:
    """What 0012 holds, independent of track ids (a downgrade recreates per-programme rows)."""
    return {
        "tracks": sorted(
            rows(
                session,
                "SELECT program_id, key, name, description, nice_work_roles::text FROM tracks",
            )
        ),
        "missions": sorted(
            rows(
                session,
                "SELECT m.id, m.program_id, t.key, t.program_id, m.author_id, m.title "
                "FROM missions m JOIN tracks t ON t.id = m.track_id",
            )
        ),
        "prerequisites": sorted(rows(session, "SELECT * FROM mission_prerequisites")),
        "cohorts": sorted(rows(session, "SELECT id, program_id FROM cohorts")),
    }


@pytest.fixture
def at_0012(session: Session, db_url: str, demo: list[int], admin_user) -> dict[str, Any]:
    """The demo data, a second organisation's programme with an authored mission, at 0012, with
    the second programme's own description and NICE roles on its builders track."""
    org = make_org(session, "Mombasa Cyber Academy")
    director = make_user(session, "coast.director@example.org", "director", organization_id=org.id)
    d = principal(session, director)
    program = programs.create_program(
        session, principal(session, admin_user), name="Coastal", organization_id=org.id
    )
    session.commit()
    authoring.create_mission(
        session,
        d,
        MissionChanges(program_id=program.id, title="Harden the harbour Wi-Fi", track="builders"),
    )
    session.commit()
    migrate.downgrade(db_url, "0012")
    session.execute(
        text(
            "UPDATE tracks SET description = 'Our own words', nice_work_roles = '[\"DD-WRL-003\"]' "
            "WHERE program_id = :p AND key = 'builders'"
        ),
        {"p": program.id},
    )
    session.commit()
    return {"program_id": program.id, "org_id": org.id, "before": snapshot_0012(session)}


def test_upgrade_merges_tracks_and_links_every_mission_then_downgrade_restores(
    session: Session, db_url: str, at_0012: dict[str, Any]
) -> None:
    before = at_0012["before"]
    coastal, coastal_org = at_0012["program_id"], at_0012["org_id"]
    assert len(before["tracks"]) == 10 and len(before["missions"]) >= 31
    lowest = dict(rows(session, "SELECT key, min(id) FROM tracks GROUP BY key"))

    migrate.upgrade(db_url, "0013")

    # One global row per key: the lowest id of each key survives.
    assert dict(rows(session, "SELECT key, id FROM tracks")) == lowest
    runs = rows(
        session,
        "SELECT pt.program_id, t.key, pt.description, pt.nice_work_roles::text "
        "FROM program_tracks pt JOIN tracks t ON t.id = pt.track_id",
    )
    assert len(runs) == 10
    demo_program = next(p for p, _k, _d, _n in runs if p != coastal)
    own = {(p, k): (desc, nice) for p, k, desc, nice in runs}
    assert own[(coastal, "builders")] == ("Our own words", '["DD-WRL-003"]')
    assert own[(demo_program, "builders")][0] == ""  # the global description
    # Every mission kept its id, title and track key; the programme runs it; the seeded
    # (author-less) ones are library missions, the authored one belongs to its organisation.
    after = rows(
        session,
        "SELECT m.id, pm.program_id, t.key, m.organization_id, m.author_id, m.title "
        "FROM missions m JOIN tracks t ON t.id = m.track_id "
        "JOIN program_missions pm ON pm.mission_id = m.id",
    )
    assert sorted((i, p, k, a, t) for i, p, k, _o, a, t in after) == sorted(
        (i, p, k, a, t) for i, p, k, _tp, a, t in before["missions"]
    )
    for _i, _p, _k, org, author, title in after:
        assert org == (coastal_org if author is not None else None), title
    assert sorted(rows(session, "SELECT * FROM mission_prerequisites")) == before["prerequisites"]

    migrate.downgrade(db_url, "0012")
    assert snapshot_0012(session) == before
    migrate.upgrade(db_url, "head")
