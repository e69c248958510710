"""Migration 0037: a list of recommendations stored before it counts as computed (its learner
is not told "being prepared" again, nor queued a new computation); a learner with none stays
"never computed", so their first read queues one."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cyberhub import migrate
from cyberhub.services.ai import recommendations
from tests.factories import World, grant_ai, id_of, principal

pytestmark = [pytest.mark.integration, pytest.mark.ai]


def test_lists_stored_before_count_as_computed(session: Session, world: World, db_url: str) -> None:
    grant_ai(session, world.student, world.student2)
    recommendations.compute(session, id_of(world.student))
    session.commit()
    migrate.downgrade(db_url, "0036")
    migrate.upgrade(db_url, "0037")
    session.expire_all()
    computed = session.execute(
        text("SELECT user_id FROM recommendation_runs ORDER BY user_id")
    ).scalars()
    assert list(computed) == [id_of(world.student)]
    shown = recommendations.stored(session, principal(session, world.student))
    assert shown.items and shown.computed_at is not None
    never = recommendations.stored(session, principal(session, world.student2))
    assert (never.computed_at, never.message) == (None, recommendations.PREPARING)
