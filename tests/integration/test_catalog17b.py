"""Issue 17 item 7, the rules behind the catalog's cards and the student's next steps: the
learner's own status on each mission of a catalog page (one call, library missions too), and no
completed or locked mission under "Start here" or in the recommendations the learner reads."""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from cyberhub.models import Recommendation, Submission, SubmissionStatus
from cyberhub.pages.missions.state import MissionCatalogState
from cyberhub.services.ai import recommendations
from cyberhub.services.errors import DomainError, Invalid
from cyberhub.services.learning import catalog, student_home
from cyberhub.services.learning.catalog import MissionFilter
from cyberhub.state import url_query
from cyberhub.state.service import Outcome
from cyberhub.state.session import SessionState
from tests.factories import (
    World,
    build_world,
    complete_profiler,
    grant_ai,
    id_of,
    make_mission,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration, pytest.mark.missions]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session, prefix="c17b")


def _attempt(session: Session, who: int, mission_id: int, status: str, attempt: int = 1) -> None:
    session.add(
        Submission(
            student_id=who, mission_id=mission_id, attempt=attempt, status=SubmissionStatus(status)
        )
    )
    session.commit()


def _statuses(session: Session, w: World, user_id: int) -> dict[str, str]:
    p = principal(session, session.get_one(type(w.student), user_id))
    page = catalog.list_missions(session, p, MissionFilter(page_size=100))
    titles = {m.id: m.title for m, _ in page.items}
    return {titles[mid]: status for mid, status in page.statuses.items()}


class TestMyStatusOnEachCard:
    def test_each_mission_of_the_page_has_the_learners_status(
        self, session: Session, world: World
    ) -> None:
        w = world
        sid = id_of(w.student)
        _attempt(session, sid, id_of(w.m1), "changes_requested")
        _attempt(session, sid, id_of(w.m1), "approved", attempt=2)
        _attempt(session, sid, id_of(w.m3), "submitted")
        mine = _statuses(session, w, sid)
        assert mine["Harden a server"] == "approved"  # the latest attempt
        assert mine["Scan the pipeline"] == "not_started"  # its prerequisite is approved
        assert mine["Write a policy"] == "submitted"
        # Someone else's work says nothing about student2: m2 waits for m1.
        theirs = _statuses(session, w, id_of(w.student2))
        assert theirs["Harden a server"] == "not_started"
        assert theirs["Scan the pipeline"] == "locked"
        assert set(theirs) == set(mine)  # every card of the page

    def test_a_learner_in_no_programme_sees_the_library_with_statuses(
        self, session: Session, world: World
    ) -> None:
        loner = make_user(session, "c17b.loner@example.org", "student")
        mine = _statuses(session, world, id_of(loner))
        assert mine["Harden a server"] == "not_started"
        assert mine["Scan the pipeline"] == "locked"

    def test_the_status_filter_agrees_with_the_cards(self, session: Session, world: World) -> None:
        """ "Not started" lists only what the learner can start; a locked mission is under
        "Locked", as its card says."""
        w = world
        p = principal(session, w.student2)

        def titles(status: str) -> set[str]:
            page = catalog.list_missions(session, p, MissionFilter(status=status, page_size=100))
            return {m.title for m, _ in page.items}

        assert "Scan the pipeline" not in titles("not_started")  # m2 waits for m1
        assert "Harden a server" in titles("not_started")
        assert titles("locked") == {"Scan the pipeline"}
        with_search = catalog.list_missions(
            session, p, MissionFilter(status="not_started", q="pipeline", page_size=100)
        )
        assert "Scan the pipeline" not in {m.title for m, _ in with_search.items}
        with_search = catalog.list_missions(
            session, p, MissionFilter(status="locked", q="pipeline", page_size=100)
        )
        assert "Scan the pipeline" in {m.title for m, _ in with_search.items}
        # once the prerequisite is approved it is open to start
        _attempt(session, id_of(w.student2), id_of(w.m1), "approved")
        assert "Scan the pipeline" in titles("not_started")
        assert titles("locked") == set()

    def test_staff_get_no_statuses(self, session: Session, world: World) -> None:
        p = principal(session, world.director)
        assert catalog.list_missions(session, p, MissionFilter()).statuses == {}

    def test_staff_have_no_status_to_filter_by(
        self, session: Session, world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A mentor has no progress of their own: "Locked" or "Not started" would list missions
        by nobody's work. The service refuses the filter (the API: 422 with a reason) and the
        catalog page offers "My status" to learners only, ignoring one in a mentor's address."""
        w = world
        for staff in (w.mentor, w.director):
            with pytest.raises(Invalid, match="only learners"):
                catalog.list_missions(
                    session, principal(session, staff), MissionFilter(status="locked")
                )
        got = client_for(w.mentor).get("/api/v1/missions", params={"status": "not_started"})
        assert got.status_code == 422 and "only learners" in got.json()["detail"]
        assert client_for(w.student).get("/api/v1/missions", params={"status": "locked"}).is_success

        reader = {"who": w.mentor}

        async def run_here(_: Any, fn: Any, *args: Any) -> Outcome[Any]:  # the test's session
            try:
                return Outcome(value=fn(session, principal(session, reader["who"]), *args))
            except DomainError as exc:
                return Outcome(value=None, error=exc.message, code=type(exc).__name__)

        monkeypatch.setattr(MissionCatalogState, "_try", run_here)
        root = rx.State()
        page = root.get_substate(MissionCatalogState.get_full_name().split(".")[1:])
        page.router = RouterData.from_router_data(
            {
                "pathname": "/missions",
                "asPath": "/missions?status=locked",
                "query": {"status": "locked"},
                "headers": {"origin": "http://localhost:3000"},
            }
        )
        signed_in = root.get_substate(SessionState.get_full_name().split(".")[1:])
        assert isinstance(page, MissionCatalogState) and isinstance(signed_in, SessionState)
        for who, student in ((w.mentor, False), (w.student2, True)):
            reader["who"] = who
            signed_in.roles = principal(session, who).roles
            run_in_own_loop(MissionCatalogState.event_handlers["load"].fn(page))
            assert page.is_student is student  # the "My status" select shows when True
            assert page.status == ("locked" if student else url_query.ALL)
            assert page.error == "" and page.total > 0


class TestStartHere:
    def test_completed_and_locked_missions_are_not_offered(
        self, session: Session, world: World
    ) -> None:
        w = world
        easy = make_mission(session, w.program, w.builders, title="Read the logs", difficulty=1)
        hard = make_mission(
            session,
            w.program,
            w.builders,
            title="Own the fleet",
            difficulty=4,
            prerequisites=(easy,),
        )
        sid = id_of(w.student)
        complete_profiler(session, sid, "builders")
        p = principal(session, w.student)

        def starters() -> list[str]:
            return [s.title for s in student_home.student_home(session, p).starters]

        # m2 and "Own the fleet" wait for their prerequisites.
        assert starters() == ["Harden a server", "Read the logs"]
        _attempt(session, sid, id_of(w.m1), "approved")
        # m1 is done (not offered again) and m2 opens.
        assert starters() == ["Read the logs", "Scan the pipeline"]
        _attempt(session, sid, id_of(easy), "approved")
        assert starters() == ["Scan the pipeline", "Own the fleet"]
        assert student_home.student_home(session, p).track_missions == 4  # the track, all of it
        _ = hard

    def test_a_started_mission_is_not_offered_again(self, session: Session, world: World) -> None:
        # The demo student met "Start here" listing the three missions already under "In
        # progress" (changes requested, submitted, in review): a start is for what isn't begun.
        w = world
        easy = make_mission(session, w.program, w.builders, title="Read the logs", difficulty=1)
        third = make_mission(session, w.program, w.builders, title="Patch the box", difficulty=2)
        sid = id_of(w.student)
        complete_profiler(session, sid, "builders")
        p = principal(session, w.student)

        def starters() -> list[str]:
            return [s.title for s in student_home.student_home(session, p).starters]

        assert starters() == ["Harden a server", "Read the logs", "Patch the box"]
        _attempt(session, sid, id_of(w.m1), "draft")
        _attempt(session, sid, id_of(easy), "changes_requested")
        assert starters() == ["Patch the box"]
        _attempt(session, sid, id_of(third), "submitted")
        assert starters() == []


class TestStoredRecommendations:
    def test_the_list_read_drops_what_became_completed_or_is_locked(
        self, session: Session, world: World
    ) -> None:
        w = world
        sid = id_of(w.student2)
        grant_ai(session, w.student2)
        later = make_mission(
            session, w.program, w.leaders, title="Run a tabletop", prerequisites=(w.m3,)
        )
        # The list as the worker stored it, before the learner's latest reviews; m2 (rank 2)
        # stands for a mission whose prerequisites changed since.
        rows = [(w.m1, 1, "vector"), (w.m2, 2, "vector"), (w.m3, 3, "vector")]
        rows.append((later, recommendations.UNLOCKS_RANK + 1, recommendations.UNLOCKS))
        for m, rank, source in rows:
            session.add(
                Recommendation(
                    user_id=sid,
                    mission_id=id_of(m),
                    rank=rank,
                    score=1.0 / rank,
                    reason="Fits your track.",
                    source=source,
                )
            )
        session.commit()
        p = principal(session, w.student2)

        def listed() -> tuple[list[str], list[str]]:
            got = recommendations.stored(session, p)
            return [i.title for i in got.items], [i.title for i in got.unlocks]

        # m2 is locked: not a next step; "Run a tabletop" stays under "later, for your goals".
        assert listed() == (["Harden a server", "Write a policy"], ["Run a tabletop"])
        _attempt(session, sid, id_of(w.m1), "approved")
        # m1 is completed: gone; m2 is open now: a next step.
        assert listed() == (["Scan the pipeline", "Write a policy"], ["Run a tabletop"])
        _attempt(session, sid, id_of(w.m3), "approved")
        assert listed()[0] == ["Scan the pipeline"]


def test_a_search_with_my_status_finds_every_match_not_only_the_best_fifty(
    session: Session, world: World
) -> None:
    """The search keeps its best matches (search.LIST_CAP a ranking); the "my status" filter
    applies inside that ranking, so an approved mission that ranks 56th for the words is still
    found under "Approved" (it was cut with the other matches, then the filter found nothing)."""
    w = world
    for n in range(55):
        make_mission(session, w.program, w.builders, title=f"Honeypot drill {n}")
    late = make_mission(session, w.program, w.builders, title="Deception lab")
    late.summary = "Run a honeypot and read what it caught."  # the word, but not in its title
    session.add(late)
    session.commit()
    sid = id_of(w.student)
    _attempt(session, sid, id_of(late), "approved")
    p = principal(session, w.student)

    found = catalog.list_missions(
        session, p, MissionFilter(q="honeypot", status="approved", page_size=100)
    )
    assert [m.title for m, _ in found.items] == ["Deception lab"]
    assert found.total == 1
    not_started = catalog.list_missions(
        session, p, MissionFilter(q="honeypot", status="not_started", page_size=100)
    )
    assert "Deception lab" not in {m.title for m, _ in not_started.items}
    assert not_started.total == len(not_started.items) > 0
