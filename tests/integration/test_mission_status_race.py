"""Two directors change missions linked by a prerequisite at the same moment: one publishes a
mission while the other unpublishes (or archives) its prerequisite. Each check passed on its own
and both committed, leaving a published mission whose prerequisite learners can't see, so they
could never unlock it. Now the second waits for the first and answers from what it committed.

Each director has their own session; the first holds its transaction open while the second runs
in a thread, then commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session

from cyberhub.db import get_engine
from cyberhub.models import Mission, MissionStatus
from cyberhub.services.errors import Conflict, Invalid
from cyberhub.services.identity.permissions import Principal, load_principal
from cyberhub.services.learning import authoring
from tests.factories import World, id_of, make_mission

pytestmark = [pytest.mark.integration]

Action = Callable[[Session, Principal | None], object]


def _second(user_id: int, action: Action) -> tuple[threading.Thread, list[str]]:
    """`action` in its own session and thread (committed when it succeeds); its outcome."""
    outcome: list[str] = []

    def run() -> None:
        with Session(get_engine(), expire_on_commit=False) as s:
            who = load_principal(s, user_id)
            try:
                action(s, who)
                s.commit()
                outcome.append("done")
            except (Conflict, Invalid) as exc:
                s.rollback()
                outcome.append(type(exc).__name__)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _missions(session: Session, world: World) -> tuple[Mission, Mission]:
    """A published prerequisite and a draft mission needing it, of the organisation."""
    first = make_mission(session, world.program, world.builders, owner=world.org, title="Basics")
    then = make_mission(
        session,
        world.program,
        world.builders,
        owner=world.org,
        title="Advanced",
        status=MissionStatus.draft,
        prerequisites=(first,),
    )
    return first, then


def _statuses(session: Session, *missions: Mission) -> list[str]:
    out = []
    for m in missions:
        row = session.get(Mission, id_of(m), populate_existing=True)
        assert row is not None
        out.append(str(row.status))
    return out


@pytest.mark.parametrize("verb", ["unpublish", "archive"])
def test_publishing_first_then_unpublishing_its_prerequisite(
    session: Session, world: World, verb: str
) -> None:
    first, then = _missions(session, world)
    d = world.p(session, world.director)
    session.commit()
    authoring.publish_mission(session, d, id_of(then))  # not committed yet
    take_back = authoring.unpublish_mission if verb == "unpublish" else authoring.archive_mission
    thread, outcome = _second(id_of(world.director), lambda s, who: take_back(s, who, id_of(first)))
    thread.join(timeout=2)  # it waits for the publication (or, before the fix, is done)
    session.commit()
    thread.join(timeout=20)
    assert outcome == ["Conflict"]
    assert _statuses(session, first, then) == ["published", "published"]


def test_unpublishing_first_then_publishing_what_needs_it(session: Session, world: World) -> None:
    first, then = _missions(session, world)
    d = world.p(session, world.director)
    session.commit()
    authoring.unpublish_mission(session, d, id_of(first))  # not committed yet
    thread, outcome = _second(
        id_of(world.director), lambda s, who: authoring.publish_mission(s, who, id_of(then))
    )
    thread.join(timeout=2)
    session.commit()
    thread.join(timeout=20)
    assert outcome == ["Invalid"]
    assert _statuses(session, first, then) == ["draft", "draft"]
