"""Live updates (services/messaging/live.py) over the real (embedded) Redis: what a write
announces after commit, the one pub/sub connection per process fanned out per user, and
listeners that go away (a closed tab) leaving nothing behind."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.models.base import utcnow
from cyberhub.redis_client import get_redis
from cyberhub.services.identity import consents
from cyberhub.services.learning import enrollment, reviews, submissions
from cyberhub.services.messaging import live, notifications
from cyberhub.settings import get_settings
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    build_world,
    grant_ai,
    id_of,
    principal,
)
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]

WAIT_S = 2.0


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


async def _next(listener: live.Listener) -> frozenset[str]:
    return await asyncio.wait_for(listener.next(), WAIT_S)


async def _nothing_for(listener: live.Listener, seconds: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(listener.next(), seconds)
    except TimeoutError:
        return True
    return False


async def _connections_become(expected: int) -> bool:
    """Redis notices a closed connection a moment after the client closed it."""
    for _ in range(20):
        if await asyncio.to_thread(live.connection_count) == expected:
            return True
        await asyncio.sleep(0.1)
    return False


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    run_in_own_loop(test())


def test_a_committed_notification_reaches_only_that_users_listeners(
    session: Session, world: World
) -> None:
    student, other = world.student.id or 0, world.student2.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(student) as mine, hub.listen(other) as theirs:
            notifications.notify(session, student, kind="test", title="Hello", send_mail=False)
            assert await _nothing_for(mine), "announced before the commit"
            await asyncio.to_thread(session.commit)
            assert await _next(mine) == {live.NOTIFICATIONS}
            assert await _nothing_for(theirs)

    run(scenario)


def test_a_rolled_back_write_announces_nothing(session: Session, world: World) -> None:
    student = world.student.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(student) as mine:
            notifications.notify(session, student, kind="test", title="Gone", send_mail=False)
            session.rollback()
            session.commit()
            assert await _nothing_for(mine)

    run(scenario)


def test_a_review_tells_the_learner_their_work_and_bell_changed(
    session: Session, world: World
) -> None:
    student = world.student.id or 0
    sub = submissions.submit(
        session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
    )
    session.commit()

    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(student) as page:
            reviews.claim(session, principal(session, world.mentor), sub.id or 0)
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            reviews.review(
                session,
                principal(session, world.mentor),
                sub.id or 0,
                decision="approved",
                scores=FULL_SCORES,
                feedback="Well done.",
            )
            await asyncio.to_thread(session.commit)
            # One message per user and commit, whatever the write touched.
            assert await _next(page) == {live.SUBMISSION, live.NOTIFICATIONS}
            assert await _nothing_for(page)

    run(scenario)


def test_a_claim_given_back_tells_the_learner_however_it_ends(
    session: Session, world: World
) -> None:
    """Released by its mentor, expired, or released because its mentor left the cohort: the
    learner's open page hears of each, so it stops showing "In review"; when it was not the
    mentor's own doing, their open queue hears of it too."""
    student = world.student.id or 0
    mentor = principal(session, world.mentor)
    sub = submissions.submit(
        session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
    )
    session.commit()
    sub_id = sub.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(student) as page, hub.listen(mentor.user_id) as queue:
            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            reviews.release(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}

            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            assert await _nothing_for(queue)  # their own claims and release: their page knows
            later = utcnow() + timedelta(hours=reviews.CLAIM_HOURS + 1)
            assert reviews.expire_claims(session, later) == [sub_id]
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            # the mentor's open queue drops it from "claimed by me" (and the bell says why)
            assert live.QUEUE in await _next(queue)

            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            assert await _nothing_for(queue)
            removed = enrollment.remove_cohort_mentor(
                session,
                principal(session, world.director),
                world.cohort.id or 0,
                world.mentor.id or 0,
            )
            assert removed.released == 1
            await asyncio.to_thread(session.commit)
            assert await _next(page) == {live.SUBMISSION}
            assert live.QUEUE in await _next(queue)

    run(scenario)


def test_withdrawing_ai_consent_tells_the_learners_open_pages(
    session: Session, world: World
) -> None:
    """Withdrawn AI profiling deletes the recommendations, the work-style analysis and the
    coach's plan at once: the learner's open dashboard, insights and coaching pages hear of it,
    so they stop showing what is gone."""
    grant_ai(session, world.student)
    student = world.student.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(student) as page:
            consents.set_consent(
                session, principal(session, world.student), consents.AI_PROFILING, False
            )
            await asyncio.to_thread(session.commit)
            assert {live.RECOMMENDATIONS, live.INSIGHTS, live.COACH} <= await _next(page)

    run(scenario)


def test_many_tabs_share_one_connection_and_each_gets_its_users_changes() -> None:
    async def scenario() -> None:
        hub = live.LiveHub()
        async with (
            hub.listen(1) as a1,
            hub.listen(1) as a2,
            hub.listen(2) as b,
        ):
            listeners = [a1, a2, b]
            assert hub.listener_count == 3
            assert await asyncio.to_thread(live.connection_count) == 1
            await asyncio.to_thread(live.publish, [(1, ["submission"]), (1, ["notifications"])])
            assert await _next(a1) == {"submission", "notifications"}
            assert await _next(a2) == {"submission", "notifications"}
            assert await _nothing_for(b)
            assert all(x.user_id in (1, 2) for x in listeners)

    run(scenario)


def test_a_closed_tab_is_forgotten_and_the_last_one_closes_the_connection() -> None:
    async def scenario() -> None:
        hub = live.LiveHub()
        started = asyncio.Event()

        async def tab(user_id: int) -> None:
            async with hub.listen(user_id) as listener:
                started.set()
                while True:
                    await listener.next()

        staying = asyncio.create_task(tab(7))
        await asyncio.wait_for(started.wait(), WAIT_S)
        started.clear()
        leaving = asyncio.create_task(tab(8))
        await asyncio.wait_for(started.wait(), WAIT_S)
        assert hub.listener_count == 2

        # Reflex cancels the page's listener task when the tab disconnects or navigates.
        leaving.cancel()
        await asyncio.gather(leaving, return_exceptions=True)
        assert hub.listener_count == 1
        assert hub.connected
        assert await asyncio.to_thread(live.connection_count) == 1

        staying.cancel()
        await asyncio.gather(staying, return_exceptions=True)
        assert hub.listener_count == 0
        assert not hub.connected
        assert await _connections_become(0)
        # No task of the hub survives its last listener.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert others == []

    run(scenario)


@pytest.fixture
def redis_down(redis_url: str) -> Iterator[None]:
    """REDIS_URL points at a socket nobody listens on (restored afterwards)."""
    os.environ["REDIS_URL"] = "unix:///nonexistent/redis.sock"
    get_settings.cache_clear()
    yield
    os.environ["REDIS_URL"] = redis_url
    get_settings.cache_clear()


def test_with_redis_down_the_write_still_commits(
    session: Session, world: World, redis_down: None
) -> None:
    student = world.student.id or 0
    note = notifications.notify(session, student, kind="test", title="Kept", send_mail=False)
    session.commit()  # the publish fails after the commit: logged, not raised
    assert notifications.unread_count(session, student) == 1
    assert note.id is not None

    async def scenario() -> None:
        hub = live.LiveHub()
        # A page still opens (not live) and leaves nothing running when it goes.
        async with hub.listen(student, ready_timeout=0.3):
            assert not hub.connected
        assert hub.listener_count == 0

    run(scenario)


def test_a_lost_connection_is_made_again_and_pages_catch_up() -> None:
    async def scenario() -> None:
        hub = live.LiveHub()
        async with hub.listen(3) as page:
            # Redis drops the subscriber (a restart, a failover, a network blip).
            killed = await asyncio.to_thread(
                get_redis().execute_command, "CLIENT", "KILL", "TYPE", "pubsub"
            )
            assert killed == 1
            # Changes made while it was away can't be replayed: the page reloads everything.
            assert await asyncio.wait_for(page.next(), 5) == {live.EVERYTHING}
            assert hub.connected
            await asyncio.to_thread(live.publish, [(3, [live.SUBMISSION])])
            assert await _next(page) == {live.SUBMISSION}

    run(scenario)


def test_a_tabs_listener_ends_when_the_tab_is_gone_or_opens_another_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reflex does not always cancel a page's listener (an event chained after its parent ended
    is not in the chain's cancellation tree): the listener ends itself when its tab's websocket
    is gone, and a tab's next page replaces its previous listener."""
    import cyberhub.pages  # noqa: F401  (registers every page: the reloads each page declares)
    from cyberhub.state import live as tab_live

    open_tabs = {"tab-a"}
    monkeypatch.setattr(tab_live, "CHECK_S", 0.1)
    monkeypatch.setattr(tab_live, "tab_connected_here", lambda token: token in open_tabs)
    route = "/missions/[mission_id]"

    async def scenario() -> None:
        seen: list[list[str]] = []

        async def tab(page_route: str) -> None:
            async for reloads in tab_live.follow_tab("tab-a", 7, page_route):
                seen.append([e.fn.__qualname__ for e in reloads])  # noqa: PERF401  (why: read while it runs)

        first = asyncio.create_task(tab(route))
        for _ in range(20):
            if live.listeners_in_process() == 1 and live.hub().connected:
                break
            await asyncio.sleep(0.05)
        await asyncio.to_thread(live.publish, [(7, [live.SUBMISSION])])
        for _ in range(40):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert seen == [["MissionState.refresh_work"]]

        # The tab opens another page: its new listener replaces the first one, which returns
        # (it is not cancelled: a cancelled task could be releasing a state lock).
        second = asyncio.create_task(tab("/insights"))
        await asyncio.wait_for(first, WAIT_S)
        assert not first.cancelled()
        await asyncio.sleep(0.2)
        assert live.listeners_in_process() == 1
        assert not second.done()

        # The tab is closed: within a check or two its listener ends, and the connection with it.
        open_tabs.clear()
        await asyncio.wait_for(second, WAIT_S)
        assert live.listeners_in_process() == 0
        assert not live.hub().connected
        assert await _connections_become(0)

    run(scenario)


def test_new_work_reaches_the_open_queue_of_every_mentor_who_lists_it(
    session: Session, world: World
) -> None:
    """The learner has an assigned mentor, who alone is notified; a co-mentor of their cohort
    lists the same work in their pending queue (and may claim it), so their open queue shows it
    too. A mentor of another cohort hears nothing."""
    mentor, comentor = world.mentor.id or 0, world.comentor.id or 0
    outsider = world.other_mentor.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with (
            hub.listen(mentor) as assigned,
            hub.listen(comentor) as co,
            hub.listen(outsider) as other,
        ):
            submissions.submit(
                session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
            )
            await asyncio.to_thread(session.commit)
            assert live.QUEUE in await _next(assigned)
            assert await _next(co) == {live.QUEUE}  # listed, not notified
            assert await _nothing_for(other)

    run(scenario)


def test_a_claim_or_its_end_reaches_the_open_queues_of_the_other_mentors_who_list_it(
    session: Session, world: World
) -> None:
    """A co-mentor's open queue lists the learner's work under Pending: when the assigned mentor
    claims it, that queue hears of it (so it drops the work and offers no Claim bound to fail);
    when it is released, expires or gets changes requested, it hears again. The mentor acting
    hears nothing of their own change, a mentor of another cohort nothing at all."""
    mentor = principal(session, world.mentor)
    comentor, outsider = world.comentor.id or 0, world.other_mentor.id or 0
    sub = submissions.submit(
        session, principal(session, world.student), id_of(world.m1), answer=GOOD_ANSWER
    )
    session.commit()
    sub_id = sub.id or 0

    async def scenario() -> None:
        hub = live.LiveHub()
        async with (
            hub.listen(mentor.user_id) as own,
            hub.listen(comentor) as co,
            hub.listen(outsider) as other,
        ):
            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}
            reviews.release(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}
            assert await _nothing_for(own)

            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}
            later = utcnow() + timedelta(hours=reviews.CLAIM_HOURS + 1)
            assert reviews.expire_claims(session, later) == [sub_id]
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}
            assert live.QUEUE in await _next(own)  # their claim ended (and the bell says why)

            reviews.claim(session, mentor, sub_id)
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}
            reviews.review(
                session,
                mentor,
                sub_id,
                decision="changes_requested",
                scores=FULL_SCORES,
                feedback="Say more about the logs.",
            )
            await asyncio.to_thread(session.commit)
            assert await _next(co) == {live.QUEUE}  # now "waiting for student" there
            assert await _nothing_for(own)
            assert await _nothing_for(other)

    run(scenario)
