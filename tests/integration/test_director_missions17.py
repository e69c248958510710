"""Issue 17 item 8, the rules behind the director's missions list: one page at a time with the
total, search by title or skill (typed characters match themselves), filters by status, track
and difficulty — for directors only."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.services.errors import Forbidden, Invalid
from cyberhub.services.learning import authoring
from tests.factories import World, build_world, make_mission, principal

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session, prefix="dm17")
    for d in range(1, 6):
        for n in range(5):
            make_mission(session, w.program, w.leaders, title=f"Leaders {d}.{n}", difficulty=d)
    return w


def test_pages_count_every_match_and_keep_the_newest_edit_first(
    session: Session, world: World
) -> None:
    p = principal(session, world.director)
    # m1..m3, the draft and the archived mission, and 25 more; the other org's is not theirs
    first = authoring.mission_page(session, p, page_size=20)
    assert (first.total, first.pages, len(first.items)) == (30, 2, 20)
    second = authoring.mission_page(session, p, page=2, page_size=20)
    assert len(second.items) == 10
    assert not {m.id for m in first.items} & {m.id for m in second.items}
    stamps = [m.updated_at for m in first.items + second.items]
    assert stamps == sorted(stamps, reverse=True)
    assert authoring.mission_page(session, p, page=3, page_size=20).items == []
    # A stale link past the end (the list got shorter) shows the last page on the page.
    clamped = authoring.mission_page(session, p, page=9, page_size=20, last_if_past=True)
    assert (clamped.page, [m.id for m in clamped.items]) == (2, [m.id for m in second.items])


def test_filters_combine_and_the_search_reads_titles_and_skills(
    session: Session, world: World
) -> None:
    p = principal(session, world.director)
    got = authoring.mission_page(session, p, track="leaders", difficulty=3)
    assert sorted(m.title for m in got.items) == [f"Leaders 3.{n}" for n in range(5)]
    assert got.total == 5
    drafts = authoring.mission_page(session, p, status="draft")
    assert [m.title for m in drafts.items] == ["Unfinished"]
    # every factory mission lists the skill "testing"; the titles say nothing of it
    assert authoring.mission_page(session, p, q="TESTING", track="builders").total == 4
    assert authoring.mission_page(session, p, q="leaders 4.").total == 5
    # % and _ are the characters typed, not wildcards
    assert authoring.mission_page(session, p, q="%").total == 0
    assert authoring.mission_page(session, p, q="Leaders_4").total == 0


def test_only_directors_and_only_sensible_values(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        authoring.mission_page(session, principal(session, world.student))
    p = principal(session, world.director)
    with pytest.raises(Invalid):
        authoring.mission_page(session, p, page=0)
    with pytest.raises(Invalid):
        authoring.mission_page(session, p, page_size=500)
    with pytest.raises(Invalid):
        authoring.mission_page(session, p, difficulty=9)
    with pytest.raises(Invalid):
        authoring.mission_page(session, p, status="gone")


def test_the_list_says_which_missions_the_reader_may_change(session: Session, world: World) -> None:
    """A library mission a programme runs is listed to its director read-only (the page offers
    no Publish, Archive or Save on it: each was refused when clicked); their organisation's own
    missions and, for an admin, every mission are editable."""
    own = world.m1
    own.organization_id = world.org.id
    session.add(own)
    session.commit()
    p = principal(session, world.director)
    listed = {m.id: m.editable for m in authoring.mission_page(session, p, page_size=100).items}
    assert listed[own.id or 0] is True
    assert listed[world.m2.id or 0] is False  # a library mission the programme runs
    assert authoring.get_mission(session, p, world.m2.id or 0).editable is False
    assert authoring.get_mission(session, p, own.id or 0).editable is True
    with pytest.raises(Forbidden, match="only an admin"):
        authoring.publish_mission(session, p, world.m2.id or 0)
    admin = principal(session, world.admin)
    assert authoring.get_mission(session, admin, world.m2.id or 0).editable is True
    assert all(m.editable for m in authoring.mission_page(session, admin, page_size=100).items)
