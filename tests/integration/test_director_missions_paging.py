"""GET /director/missions answers one page at a time ({items, total, page, pages, counts}), as the
director's missions page lists them and the other lists do, instead of every mission of every
programme at once; searched, and filtered by status, programme, track and difficulty."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import MissionStatus
from cyberhub.services.learning import authoring
from tests.factories import bearer, build_world, make_mission, make_program, make_track

pytestmark = [pytest.mark.missions, pytest.mark.integration]

API = "/api/v1"


def test_a_director_s_missions_come_a_page_at_a_time_newest_edit_first(session: Session) -> None:
    w = build_world(session)
    size = authoring.LIST_PAGE_SIZE
    own = [
        make_mission(
            session,
            w.program,
            w.builders,
            title=f"Own mission {i:02d}",
            difficulty=1 + i % 2,
            owner=w.org,
        )
        for i in range(size + 2)
    ]
    # The world's 3 published library missions, its draft and its archived one are run by the
    # programme too; another programme of the organisation runs one mission of its own.
    second = make_program(session, w.org, "Second programme")
    make_mission(
        session, second, make_track(session, second, "builders"), title="Lone one", owner=w.org
    )
    total = len(own) + 5 + 1
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, w.director.email)
        first = client.get(f"{API}/director/missions").json()
        assert (first["total"], first["page"], first["pages"]) == (total, 1, 2)
        assert len(first["items"]) == size
        assert first["counts"] == {
            MissionStatus.draft: 1,
            MissionStatus.published: total - 2,
            MissionStatus.archived: 1,
        }
        second_page = client.get(f"{API}/director/missions", params={"page": 2}).json()
        assert len(second_page["items"]) == total - size
        listed = [m["title"] for m in first["items"] + second_page["items"]]
        assert sorted(listed) == sorted(
            [m.title for m in own]
            + ["Harden a server", "Scan the pipeline", "Write a policy"]
            + ["Unfinished", "Retired", "Lone one"]
        )
        small = client.get(f"{API}/director/missions", params={"page_size": 5}).json()
        assert (len(small["items"]), small["pages"]) == (5, -(-total // 5))
        # Search and filters narrow the total, not only the page.
        found = client.get(f"{API}/director/missions", params={"q": "Own mission 1"}).json()
        assert found["total"] == 10 and found["pages"] == 1
        hard = client.get(
            f"{API}/director/missions", params={"difficulty": 2, "q": "Own mission"}
        ).json()
        assert hard["total"] == (size + 2) // 2
        assert {m["difficulty"] for m in hard["items"]} == {2}
        runs = client.get(f"{API}/director/missions", params={"program_id": second.id}).json()
        assert [m["title"] for m in runs["items"]] == ["Lone one"] and runs["total"] == 1
        beyond = client.get(f"{API}/director/missions", params={"page": 9}).json()
        assert beyond["items"] == [] and beyond["total"] == total
        for params, field in (
            ({"page": 0}, "page"),
            ({"page_size": 101}, "page_size"),
            ({"difficulty": 6}, "difficulty"),
        ):
            refused = client.get(f"{API}/director/missions", params=params)
            assert refused.status_code == 422, refused.text
            assert refused.json()["detail"].startswith(f"{field}:")
