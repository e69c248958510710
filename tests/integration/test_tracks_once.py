"""Issue #12, acceptance 1: with two programmes in the database every track is listed once,
and a learner's track counts only their programme's missions (never "0 of 9" from duplicates)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import ProgramTrack, Track, User
from cyberhub.services.learning import catalog, programs, progress, student_home
from cyberhub.services.learning.catalog import MissionFilter
from tests.factories import (
    enroll,
    id_of,
    make_cohort,
    make_mission,
    make_org,
    make_user,
    principal,
)

pytestmark = [pytest.mark.missions, pytest.mark.integration]

TRACK_ORDER = ["builders", "leaders", "entrepreneurs", "researchers", "educators"]


@pytest.fixture
def second_programme(session: Session, demo: list[int], admin_user):
    """A second organisation's programme, made through the services (it runs the five tracks)."""
    org = make_org(session, "Mombasa Cyber Academy")
    program = programs.create_program(
        session,
        principal(session, admin_user),
        name="Coastal Defenders",
        organization_id=org.id,
    )
    session.commit()
    return program


def test_the_database_holds_every_track_once_run_by_both_programmes(
    session: Session, second_programme: object
) -> None:
    keys = session.exec(select(Track.key)).all()
    assert sorted(keys) == sorted(TRACK_ORDER)
    runs = session.exec(select(ProgramTrack.program_id, ProgramTrack.track_id)).all()
    assert len(runs) == 10 and len({p for p, _ in runs}) == 2


def test_catalog_tracks_page_and_filter_show_each_track_once(
    session: Session, second_programme: object, student_user: User
) -> None:
    # /tracks, the landing page and the catalog's track filter all list catalog.list_tracks.
    tracks = catalog.list_tracks(session)
    assert [t.key for t in tracks] == TRACK_ORDER
    assert len({t.name for t in tracks}) == 5
    # The catalog itself, as the student searches it, shows each mission once.
    page = catalog.list_missions(
        session, principal(session, student_user), MissionFilter(page_size=100)
    )
    ids = [m.id for m, _ in page.items]
    assert 0 < len(ids) == len(set(ids)) == page.total


def test_api_tracks_lists_each_track_once(api_client: TestClient, second_programme: object) -> None:
    r = api_client.get("/api/v1/tracks")
    assert r.status_code == 200
    assert [t["key"] for t in r.json()] == TRACK_ORDER


def test_the_track_filter_finds_missions_of_both_programmes(
    session: Session,
    demo: list[int],
    second_programme,
    student_user,
) -> None:
    builders = session.exec(select(Track).where(Track.key == "builders")).one()
    # A library mission (the factory's default) adopted by programme B: everyone sees it.
    mission = make_mission(session, second_programme, builders, title="Coastal firewall")
    found = catalog.list_missions(
        session, principal(session, student_user), MissionFilter(track="builders", page_size=100)
    )
    titles = [m.title for m, _ in found.items]
    assert mission.title in titles and len(titles) > 1
    assert {t.key for _, t in found.items} == {"builders"}


def test_track_counts_only_the_learners_programme(
    session: Session, demo: list[int], second_programme
) -> None:
    """A learner of programme B sees B's builders missions (2), not every programme's."""
    builders = session.exec(select(Track).where(Track.key == "builders")).one()
    for n in (1, 2):
        make_mission(session, second_programme, builders, title=f"Coastal mission {n}")
    learner = make_user(session, "coastal.learner@example.org", "student")
    enroll(session, make_cohort(session, second_programme), learner)
    p = principal(session, learner)

    home = student_home.student_home(session, p, track_hint="builders").model_dump()
    assert home["track_missions"] == 2
    assert {s["title"] for s in home["starters"]} == {"Coastal mission 1", "Coastal mission 2"}

    mine = progress.progress_for(session, p, id_of(learner))
    assert [t.key for t in mine.tracks] == TRACK_ORDER
    assert [(t.approved, t.published) for t in mine.tracks] == [(0, 2)] + [(0, 0)] * 4
    assert mine.scope is not None and mine.scope.label == "0 of 2"


def test_a_learner_in_no_programme_sees_the_library_and_no_share_of_it_as_progress(
    session: Session, demo: list[int], second_programme
) -> None:
    builders = session.exec(select(Track).where(Track.key == "builders")).one()
    make_mission(session, second_programme, builders, title="Coastal mission")
    loner = make_user(session, "loner@example.org", "student")
    p = principal(session, loner)
    published_builders = catalog.list_missions(
        session, p, MissionFilter(track="builders", page_size=100)
    ).total
    assert published_builders > 0
    home = student_home.student_home(session, p, track_hint="builders").model_dump()
    assert home["track_missions"] == published_builders  # what they may browse
    mine = progress.progress_for(session, p, id_of(loner))
    assert mine.tracks == [] and mine.missions == [] and mine.scope is None
    assert not mine.in_programme


def test_migration_0011_down_and_up_keeps_every_track_and_mission(
    session: Session, db_url: str, second_programme
) -> None:
    """On the demo data plus a second programme, at 0012 (per-programme tracks): down to 0010
    and back loses nothing, and every track gets its standard NICE work roles back."""
    from sqlalchemy import text

    from cyberhub import migrate
    from cyberhub.services.ai.profiler_bank import load_nice_roles

    def snapshot() -> tuple[list[tuple[int, int, str, str]], list[tuple[int, int]]]:
        tracks = session.execute(
            text("SELECT id, program_id, key, description FROM tracks ORDER BY id")
        ).all()
        missions = session.execute(text("SELECT id, track_id FROM missions ORDER BY id")).all()
        session.commit()
        return [tuple(t) for t in tracks], [tuple(m) for m in missions]

    migrate.downgrade(db_url, "0012")
    before = snapshot()
    assert len(before[0]) == 10 and before[1]
    migrate.downgrade(db_url, "0010")
    assert snapshot() == before
    migrate.upgrade(db_url, "0011")
    assert snapshot() == before
    standard = {k: [r["id"] for r in v] for k, v in load_nice_roles().items()}
    rows = session.execute(text("SELECT key, nice_work_roles FROM tracks")).all()
    session.commit()
    assert all(roles == standard[key] for key, roles in rows)
    migrate.upgrade(db_url, "head")
