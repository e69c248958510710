"""Issue 15 acceptance 1: on the demo data, every block of the director's analytics has
figures (the demo director's programme, no filter)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from cyberhub.models import Program, User
from cyberhub.schemas.analytics import AnalyticsFilters
from cyberhub.services.admin import demo as demo_data
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import analytics

pytestmark = [pytest.mark.integration]


@pytest.fixture
def demo_session(pg_admin_url: str, redis_url: str) -> Iterator[Session]:
    # redis_url: the demo's jobs and debounce keys go to the tests' Redis, not to one started
    # under .data/ that outlived the run.
    from tests.factories import create_database, libpq

    name = f"demo_analytics_{os.getpid()}"
    url = create_database(pg_admin_url, name)
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        demo_data.load_demo_data(s)
        s.commit()
        yield s
    engine.dispose()
    with psycopg.connect(libpq(pg_admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_block_has_figures_on_the_demo(demo_session: Session) -> None:
    s = demo_session
    director = s.exec(select(User).where(User.email == "director@cyberhub.example")).one()
    p = load_principal(s, director.id or 0)
    program_ids = [pr.id for pr in s.exec(select(Program)).all()]
    best = max(
        (analytics.program_analytics(s, p, pid or 0, AnalyticsFilters()) for pid in program_ids),
        key=lambda a: a.funnel[0].learners,
    )
    assert best.funnel[0].learners > 0
    assert all(step.learners > 0 for step in best.funnel), best.funnel
    assert any(w.submissions and w.approvals and w.active_learners for w in best.weekly)
    assert best.approvals and best.track_mix
    assert any(m.mean_confidence for m in best.track_mix)
    assert sum(b.submissions for b in best.backlog) > 0
    assert best.turnaround and best.mentor_load
    assert any(m.mentees for m in best.mentor_load)
    assert best.at_risk, "the demo should show at least one at-risk learner"


def test_the_page_names_each_track_as_every_other_page_does(demo_session: Session) -> None:
    # A first run showed "builders", "leaders" (the keys) in the approvals and track-mix tables
    # and in the Track filter, where the sponsor's page and the catalog say "Builders".
    from cyberhub.pages.director_analytics import data

    s = demo_session
    director = s.exec(select(User).where(User.email == "director@cyberhub.example")).one()
    view = data.load(s, load_principal(s, director.id or 0), 0, data.ALL, data.ALL, "", "")
    assert view.data is not None
    names = {"Builders", "Leaders", "Entrepreneurs", "Researchers", "Educators"}
    assert {c.track for c in view.data.approvals} <= names
    assert {m.track for m in view.data.track_mix} <= names | {""}
    assert {t["name"] for t in view.tracks} == names
    assert {t["key"] for t in view.tracks} == {n.lower() for n in names}  # the address keeps keys
