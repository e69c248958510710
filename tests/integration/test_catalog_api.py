"""Curriculum API: public tracks, and the mission catalog for signed-in learners."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import Mission, MissionStatus

pytestmark = [pytest.mark.missions, pytest.mark.integration]

TRACK_ORDER = ["builders", "leaders", "entrepreneurs", "researchers", "educators"]


def mission_id(session: Session, slug: str) -> int:
    found = session.exec(select(Mission.id).where(Mission.slug == slug)).one()
    assert found is not None
    return found


def missions(client: TestClient, **params: str | int) -> dict:
    r = client.get("/api/v1/missions", params=params)
    assert r.status_code == 200, r.text
    return r.json()


class TestTracks:
    def test_tracks_are_public_in_canonical_order(
        self, api_client: TestClient, demo: list[int]
    ) -> None:
        r = api_client.get("/api/v1/tracks")
        assert r.status_code == 200
        tracks = r.json()
        assert [t["key"] for t in tracks] == TRACK_ORDER
        for t in tracks:
            assert t["name"] and t["tagline"] and t["description"]
            assert len(t["careers"]) >= 1 and all(isinstance(c, str) and c for c in t["careers"])
            assert t["focus"]

    def test_no_tracks_before_any_curriculum_exists(self, api_client: TestClient) -> None:
        r = api_client.get("/api/v1/tracks")
        assert r.status_code == 200 and r.json() == []


class TestMissionList:
    def test_anonymous_is_told_to_sign_in(self, api_client: TestClient, demo: list[int]) -> None:
        r = api_client.get("/api/v1/missions")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert "sign in" in r.json()["detail"].lower()
        assert api_client.get(f"/api/v1/missions/{demo[0]}").status_code == 401

    def test_bad_token_is_401(self, api_client: TestClient, demo: list[int]) -> None:
        r = api_client.get("/api/v1/missions", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 401

    def test_student_sees_every_published_mission(
        self, student_client: TestClient, demo: list[int]
    ) -> None:
        body = missions(student_client)
        assert body["total"] == len(demo) >= 30
        assert body["page"] == 1
        assert len(body["items"]) == 12  # the default page size
        assert body["pages"] == -(-body["total"] // 12)
        item = body["items"][0]
        assert set(item) == {
            "id",
            "slug",
            "title",
            "summary",
            "track",
            "difficulty",
            "skills",
            "estimated_minutes",
            "recommended_rank",  # its place in the learner's stored list, or null
            "my_status",  # the caller's progress on it, as the card says; null for staff
        }
        # Briefs and rubrics are for the detail page, not the list.
        assert "brief" not in item and "rubric" not in item

    def test_list_is_ordered_by_track_then_difficulty(
        self, student_client: TestClient, demo: list[int]
    ) -> None:
        items = missions(student_client, page_size=100)["items"]
        keys = [(TRACK_ORDER.index(m["track"]), m["difficulty"]) for m in items]
        assert keys == sorted(keys)

    def test_filter_by_track(self, student_client: TestClient, demo: list[int]) -> None:
        body = missions(student_client, track="researchers", page_size=100)
        assert body["total"] == len(body["items"]) >= 5
        assert {m["track"] for m in body["items"]} == {"researchers"}

    def test_unknown_track_finds_nothing(self, student_client: TestClient, demo: list[int]) -> None:
        body = missions(student_client, track="wizards")
        assert body["total"] == 0 and body["items"] == [] and body["pages"] == 1

    def test_filter_by_difficulty(self, student_client: TestClient, demo: list[int]) -> None:
        body = missions(student_client, difficulty=5, page_size=100)
        assert body["total"] >= 1
        assert {m["difficulty"] for m in body["items"]} == {5}

    def test_filter_by_skill(self, student_client: TestClient, demo: list[int]) -> None:
        body = missions(student_client, skill="Docker", page_size=100)
        assert body["total"] >= 2
        assert all("Docker" in m["skills"] for m in body["items"])

    def test_search_matches_title_summary_and_brief_case_insensitively(
        self, student_client: TestClient, demo: list[int]
    ) -> None:
        by_title = missions(student_client, q="kubernetes")
        assert [m["slug"] for m in by_title["items"]] == [
            "harden-kubernetes-with-pss-and-network-policies"
        ]
        # "Lynis" is only in a brief.
        by_brief = missions(student_client, q="LYNIS")
        assert [m["slug"] for m in by_brief["items"]] == ["harden-a-linux-web-server"]
        assert missions(student_client, q="no-such-thing-anywhere")["total"] == 0

    def test_filters_combine(self, student_client: TestClient, demo: list[int]) -> None:
        body = missions(student_client, track="builders", difficulty=2, page_size=100)
        assert body["total"] >= 1
        assert all(m["track"] == "builders" and m["difficulty"] == 2 for m in body["items"])
        assert missions(student_client, track="leaders", skill="Docker")["total"] == 0

    def test_pagination(self, student_client: TestClient, demo: list[int]) -> None:
        first = missions(student_client, page_size=5)
        total = first["total"]
        assert first["pages"] == -(-total // 5) and len(first["items"]) == 5
        seen: list[int] = []
        for page in range(1, first["pages"] + 1):
            body = missions(student_client, page_size=5, page=page)
            assert body["page"] == page
            seen += [m["id"] for m in body["items"]]
        assert len(seen) == len(set(seen)) == total  # every mission exactly once
        beyond = missions(student_client, page_size=5, page=first["pages"] + 1)
        assert beyond["items"] == [] and beyond["total"] == total

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"difficulty": 9}, "difficulty"),
            ({"difficulty": 0}, "difficulty"),
            ({"difficulty": "hard"}, "difficulty"),
            ({"page": 0}, "page"),
            ({"page_size": 101}, "page_size"),
            ({"q": "x" * 201}, "q"),
        ],
    )
    def test_bad_parameters_are_422_naming_the_field(
        self,
        student_client: TestClient,
        demo: list[int],
        params: dict,
        field: str,
    ) -> None:
        r = student_client.get("/api/v1/missions", params=params)
        assert r.status_code == 422
        body = r.json()
        assert body["detail"].startswith(f"{field}:")
        assert [e["field"] for e in body["errors"]] == [field]

    def test_unpublished_missions_are_hidden(
        self, student_client: TestClient, demo: list[int], session: Session
    ) -> None:
        draft = session.get(Mission, mission_id(session, "harden-a-linux-web-server"))
        assert draft is not None
        draft.status = MissionStatus.draft
        session.add(draft)
        session.commit()
        body = missions(student_client, page_size=100)
        assert body["total"] == len(demo) - 1
        assert draft.id not in {m["id"] for m in body["items"]}
        assert student_client.get(f"/api/v1/missions/{draft.id}").status_code == 404


class TestMissionDetail:
    def test_detail_has_brief_rubric_and_prerequisites(
        self, student_client: TestClient, demo: list[int], session: Session
    ) -> None:
        mid = mission_id(session, "build-a-minimal-container-image")
        prereq = mission_id(session, "harden-a-linux-web-server")
        r = student_client.get(f"/api/v1/missions/{mid}")
        assert r.status_code == 200, r.text
        m = r.json()
        assert m["id"] == mid and m["track"] == "builders"
        assert m["title"].startswith("Shrink and harden a Docker image")
        assert len(m["brief"]) > 500 and "\n\n" in m["brief"]
        assert len(m["rubric"]) >= 3
        for criterion in m["rubric"]:
            assert {"key", "title", "description", "points"} <= set(criterion)
        assert sum(c["points"] for c in m["rubric"]) == 100
        assert m["hint_count"] >= 1
        assert m["prerequisites"] == [
            {"id": prereq, "title": "Harden an Ubuntu web server against the CIS benchmark"}
        ]

    def test_a_first_mission_has_no_prerequisites(
        self, student_client: TestClient, demo: list[int], session: Session
    ) -> None:
        mid = mission_id(session, "harden-a-linux-web-server")
        assert student_client.get(f"/api/v1/missions/{mid}").json()["prerequisites"] == []

    def test_several_prerequisites_are_all_listed(
        self, student_client: TestClient, demo: list[int], session: Session
    ) -> None:
        mid = mission_id(session, "write-an-incident-response-plan")
        expected = {
            mission_id(session, "write-an-acceptable-use-policy"),
            mission_id(session, "build-a-risk-register"),
        }
        body = student_client.get(f"/api/v1/missions/{mid}").json()
        assert {p["id"] for p in body["prerequisites"]} == expected

    def test_unknown_mission_is_404(self, student_client: TestClient, demo: list[int]) -> None:
        r = student_client.get("/api/v1/missions/999999")
        assert r.status_code == 404
        assert "does not exist" in r.json()["detail"]

    def test_non_integer_id_is_422(self, student_client: TestClient, demo: list[int]) -> None:
        r = student_client.get("/api/v1/missions/abc")
        assert r.status_code == 422
        assert r.json()["detail"].startswith("mission_id:")

    def test_mentor_and_admin_can_read_missions_too(
        self, mentor_client: TestClient, demo: list[int]
    ) -> None:
        assert mentor_client.get(f"/api/v1/missions/{demo[0]}").status_code == 200


class TestStatusFilter:
    """The catalog's "My status" filter: the caller's own latest attempt per mission."""

    def test_filter_by_my_progress(self, session: Session, api_client: TestClient) -> None:
        from cyberhub.services.learning import submissions
        from tests.factories import GOOD_ANSWER, build_world, login, principal

        w = build_world(session, prefix="cat")
        submissions.submit(session, principal(session, w.student), w.m1.id or 0, answer=GOOD_ANSWER)
        session.commit()
        token = login(api_client, w.student.email)["access_token"]
        api_client.headers["Authorization"] = f"Bearer {token}"

        def titles(status: str) -> set[str]:
            return {m["title"] for m in missions(api_client, status=status, page_size=100)["items"]}

        assert titles("in_progress") == {"Harden a server"}
        assert titles("submitted") == {"Harden a server"}
        assert titles("approved") == set()
        assert "Harden a server" not in titles("not_started")
        assert "Write a policy" in titles("not_started")
        # its prerequisite (m1) is waiting for review: locked, as its card says, not "not started"
        assert "Scan the pipeline" not in titles("not_started")
        assert "Scan the pipeline" in titles("locked")
        assert "Write a policy" not in titles("locked")
        # each item says the caller's status, as its card on the page does
        mine = {m["title"]: m["my_status"] for m in missions(api_client, page_size=100)["items"]}
        assert mine["Harden a server"] == "submitted"
        assert mine["Scan the pipeline"] == "locked"
        assert mine["Write a policy"] == "not_started"
        r = api_client.get("/api/v1/missions", params={"status": "finished"})
        assert r.status_code == 422 and "status must be one of" in r.json()["detail"]


class TestRecommendedOrder:
    """The catalog's "recommended" order reads the same stored list as the dashboard card."""

    def test_the_callers_stored_list_comes_first_in_its_order(
        self,
        session: Session,
        student_client: TestClient,
        student_user,
        demo: list[int],
    ) -> None:
        from cyberhub.models import Recommendation

        picked = [demo[7], demo[2], demo[20]]  # the worker's list, best first
        for rank, mid in enumerate(picked, start=1):
            session.add(
                Recommendation(
                    user_id=student_user.id,
                    mission_id=mid,
                    rank=rank,
                    score=1.0 / rank,
                    reason="Matches your goal.",
                    source="vector",
                )
            )
        # an "unlocks after" row (ranked after the list) is not part of the list
        session.add(
            Recommendation(
                user_id=student_user.id,
                mission_id=demo[30],
                rank=101,
                score=0.1,
                reason="Unlocks after …",
                source="unlocks",
            )
        )
        session.commit()
        page = missions(student_client, sort="recommended", page_size=5)
        ids = [m["id"] for m in page["items"]]
        assert ids[:3] == picked
        assert [m["recommended_rank"] for m in page["items"][:3]] == [1, 2, 3]
        assert all(m["recommended_rank"] is None for m in page["items"][3:])
        assert page["total"] == len(demo)  # an order, not a filter
        # the default order is unchanged, and still says which ones are recommended
        default = missions(student_client, page_size=100)["items"]
        assert {m["id"]: m["recommended_rank"] for m in default if m["recommended_rank"]} == {
            demo[7]: 1,
            demo[2]: 2,
            demo[20]: 3,
        }
        assert demo[30] not in {m["id"] for m in default if m["recommended_rank"]}

    def test_without_a_list_the_order_is_the_usual_one_and_bad_sorts_are_422(
        self, student_client: TestClient, demo: list[int]
    ) -> None:
        usual = [m["id"] for m in missions(student_client, page_size=100)["items"]]
        recommended = missions(student_client, sort="recommended", page_size=100)["items"]
        assert [m["id"] for m in recommended] == usual
        r = student_client.get("/api/v1/missions", params={"sort": "random"})
        assert r.status_code == 422 and "detail" in r.json()
