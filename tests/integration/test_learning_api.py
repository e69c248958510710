"""Learning API (api/learning.py): the contract of issue 5, status codes and a full review loop."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import Submission, User
from cyberhub.settings import get_settings
from tests.factories import FULL_SCORES, GOOD_ANSWER, World, build_world, login

pytestmark = [pytest.mark.missions, pytest.mark.student, pytest.mark.integration]

API = "/api/v1"
ClientFor = Callable[[User], TestClient]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def client_for(db_url: str) -> Iterator[ClientFor]:
    """A signed-in API client per user (one app; each client keeps its own token)."""
    from cyberhub.api import create_api

    api = create_api()
    opened: dict[int, TestClient] = {}

    def make(user: User) -> TestClient:
        if user.id not in opened:
            client = TestClient(api, raise_server_exceptions=False)
            client.__enter__()
            token = login(client, user.email)["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            opened[user.id or 0] = client
        return opened[user.id or 0]

    yield make
    for client in opened.values():
        client.__exit__(None, None, None)


def submit(client: TestClient, mission_id: int | None, **body: object) -> dict:
    body = {"answer": GOOD_ANSWER, "links": ["https://github.com/a/b"], **body}
    r = client.post(f"{API}/missions/{mission_id}/submit", json=body)
    assert r.status_code == 201, r.text
    return r.json()


class TestSubmitContract:
    def test_submit_answers_201_with_id_status_attempt(
        self, world: World, client_for: ClientFor
    ) -> None:
        body = submit(client_for(world.student), world.m1.id)
        assert body["status"] == "submitted" and body["attempt"] == 1 and body["id"] > 0

    def test_anonymous_wrong_role_and_bad_input(
        self, world: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        url = f"{API}/missions/{world.m1.id}/submit"
        r = api_client.post(url, json={"answer": GOOD_ANSWER, "links": []})
        assert r.status_code == 401 and "sign in" in r.json()["detail"].lower()
        r = client_for(world.mentor).post(url, json={"answer": GOOD_ANSWER, "links": []})
        assert r.status_code == 403
        student = client_for(world.student)
        r = student.post(url, json={"answer": "short", "links": []})
        assert r.status_code == 422 and "at least 20 characters" in r.json()["detail"]
        r = student.post(url, json={"answer": GOOD_ANSWER, "links": ["ftp://x.example.org"]})
        assert r.status_code == 422 and "Link 1" in r.json()["detail"]
        r = student.post(url, json={"answer": GOOD_ANSWER, "links": "https://x.example.org"})
        assert r.status_code == 422 and "links" in r.json()["detail"]
        r = student.post(url, json={"answer": "x" * 50_000})
        assert r.status_code == 422
        r = student.post(f"{API}/missions/{world.m2.id}/submit", json={"answer": GOOD_ANSWER})
        assert r.status_code == 403 and "locked" in r.json()["detail"]
        r = student.post(
            f"{API}/missions/{world.draft_mission.id}/submit", json={"answer": GOOD_ANSWER}
        )
        assert r.status_code == 404
        submit(student, world.m1.id)
        r = student.post(url, json={"answer": GOOD_ANSWER})
        assert r.status_code == 409 and "waiting for review" in r.json()["detail"]


class TestSubmissionAccess:
    def test_object_rules(
        self, world: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        sid = submit(client_for(world.student), world.m1.id)["id"]
        url = f"{API}/submissions/{sid}"
        for user in (world.student, world.mentor, world.comentor, world.director, world.admin):
            r = client_for(user).get(url)
            assert r.status_code == 200, (user.email, r.text)
            assert r.json()["id"] == sid and r.json()["status"] == "submitted"
        assert client_for(world.student2).get(url).status_code == 404
        for user in (world.other_mentor, world.other_director, world.other_mentor_org):
            r = client_for(user).get(url)
            assert r.status_code == 403 and r.json()["detail"]
        assert api_client.get(url).status_code == 401
        assert client_for(world.admin).get(f"{API}/submissions/999999").status_code == 404


class TestHistoryOfAMissionOneCannotSee:
    def test_another_organisations_mission_and_a_draft_are_not_found(
        self, world: World, client_for: ClientFor
    ) -> None:
        """A learner's own history of a mission they may not read answered 200 [] (another
        organisation's mission, a draft), telling that the mission exists; an unknown id 404."""
        student = client_for(world.student)
        for mission in (world.other_mission, world.draft_mission):
            r = student.get(f"{API}/missions/{mission.id}/history")
            assert r.status_code == 404, mission.title
        assert student.get(f"{API}/missions/{world.m1.id}/history").json() == []


class TestReviewLoop:
    def test_submit_claim_changes_resubmit_approve(
        self, world: World, client_for: ClientFor, session: Session
    ) -> None:
        student, mentor, comentor = (
            client_for(world.student),
            client_for(world.mentor),
            client_for(world.comentor),
        )
        first = submit(student, world.m1.id)
        queue = mentor.get(f"{API}/mentor/queue", params={"bucket": "pending"}).json()
        assert [i["id"] for i in queue["items"]] == [first["id"]]

        r = mentor.post(f"{API}/submissions/{first['id']}/claim")
        assert r.status_code == 200 and r.json()["status"] == "in_review"
        assert r.json()["claimed_by"] == world.mentor.id and r.json()["claim_expires_at"]
        r = comentor.post(f"{API}/submissions/{first['id']}/claim")
        assert r.status_code == 409 and "already reviewing" in r.json()["detail"]
        assert (
            client_for(world.other_mentor)
            .post(f"{API}/submissions/{first['id']}/claim")
            .status_code
            == 403
        )
        assert student.post(f"{API}/submissions/{first['id']}/claim").status_code == 403

        r = mentor.post(
            f"{API}/submissions/{first['id']}/review",
            json={"decision": "changes_requested", "scores": {"evidence": 4}, "feedback": ""},
        )
        assert r.status_code == 422
        assert "Clarity" in r.json()["detail"] and "Write feedback" in r.json()["detail"]
        r = mentor.post(
            f"{API}/submissions/{first['id']}/review",
            json={"decision": "maybe", "scores": FULL_SCORES, "feedback": "x"},
        )
        assert r.status_code == 422 and "decision" in r.json()["detail"]
        r = comentor.post(
            f"{API}/submissions/{first['id']}/review",
            json={"decision": "approved", "scores": FULL_SCORES, "feedback": ""},
        )
        assert r.status_code == 403
        r = mentor.post(
            f"{API}/submissions/{first['id']}/review",
            json={
                "decision": "changes_requested",
                "scores": {"evidence": 4, "clarity": 3},
                "feedback": "Show the **firewall** rules.",
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "changes_requested" and r.json()["review"]["total"] == 7

        notes = student.get(f"{API}/notifications").json()
        assert notes["unread"] == 1 and notes["items"][0]["kind"] == "review_done"
        waiting = mentor.get(f"{API}/mentor/queue", params={"bucket": "waiting_for_student"})
        assert [i["id"] for i in waiting.json()["items"]] == [first["id"]]

        second = submit(student, world.m1.id, answer=GOOD_ANSWER + " Rules attached.")
        assert second["attempt"] == 2 and second["id"] != first["id"]
        history = student.get(f"{API}/missions/{world.m1.id}/history").json()
        assert [(h["attempt"], h["status"]) for h in history] == [
            (1, "changes_requested"),
            (2, "submitted"),
        ]
        assert history[0]["review"]["feedback"] == "Show the **firewall** rules."
        mentor_view = mentor.get(
            f"{API}/missions/{world.m1.id}/history", params={"student": world.student.id}
        )
        assert len(mentor_view.json()) == 2
        assert (
            client_for(world.student2)
            .get(f"{API}/missions/{world.m1.id}/history", params={"student": world.student.id})
            .status_code
            == 404
        )

        before = student.get(f"{API}/progress").json()["tracks"]["builders"]
        assert mentor.post(f"{API}/submissions/{second['id']}/claim").status_code == 200
        r = mentor.post(
            f"{API}/submissions/{second['id']}/review",
            json={"decision": "approved", "scores": FULL_SCORES, "feedback": "Great."},
        )
        assert r.status_code == 200 and r.json()["status"] == "approved"
        after = student.get(f"{API}/progress").json()
        assert (before, after["tracks"]["builders"]) == (0, 50)
        assert {"id": world.m1.id, "status": "approved"} in after["missions"]
        assert {"id": world.m2.id, "status": "not_started"} in after["missions"]
        notes = student.get(f"{API}/notifications").json()
        assert notes["unread"] == 2 and "is approved" in notes["items"][0]["title"]
        reviewed = mentor.get(f"{API}/mentor/queue", params={"bucket": "reviewed"}).json()
        assert {i["id"] for i in reviewed["items"]} == {first["id"], second["id"]}
        r = mentor.post(f"{API}/submissions/{second['id']}/claim")
        assert r.status_code == 409

    def test_release(self, world: World, client_for: ClientFor) -> None:
        sid = submit(client_for(world.student), world.m1.id)["id"]
        mentor, comentor = client_for(world.mentor), client_for(world.comentor)
        assert mentor.post(f"{API}/submissions/{sid}/claim").status_code == 200
        assert comentor.post(f"{API}/submissions/{sid}/release").status_code == 403
        r = mentor.post(f"{API}/submissions/{sid}/release")
        assert r.status_code == 200 and r.json()["status"] == "submitted"
        assert r.json()["claimed_by"] is None
        assert mentor.post(f"{API}/submissions/{sid}/release").status_code == 409
        assert comentor.post(f"{API}/submissions/{sid}/claim").status_code == 200


class TestProgressAndDashboards:
    def test_progress_contract_and_rules(self, world: World, client_for: ClientFor) -> None:
        r = client_for(world.student).get(f"{API}/progress")
        assert r.status_code == 200
        body = r.json()
        assert body["tracks"] == {"builders": 0, "leaders": 0}
        assert body["missions"] == [
            {"id": world.m1.id, "status": "not_started"},
            {"id": world.m2.id, "status": "locked"},
            {"id": world.m3.id, "status": "not_started"},
        ]
        url = f"{API}/progress?user={world.student.id}"
        for user in (world.mentor, world.director, world.admin):
            assert client_for(user).get(url).status_code == 200
        for user in (world.student2, world.other_director, world.other_mentor):
            assert client_for(user).get(url).status_code == 403
        assert client_for(world.admin).get(f"{API}/progress?user=999999").status_code == 404
        assert client_for(world.admin).get(f"{API}/progress?user=abc").status_code == 422

    def test_cohort_progress(self, world: World, client_for: ClientFor) -> None:
        url = f"{API}/progress/cohorts/{world.cohort.id}"
        r = client_for(world.director).get(url)
        assert r.status_code == 200 and r.json()["students"] == 2
        assert client_for(world.other_director).get(url).status_code == 404

    def test_dashboards(self, world: World, client_for: ClientFor, api_client: TestClient) -> None:
        student, mentor = client_for(world.student), client_for(world.mentor)
        submit(student, world.m1.id)
        r = student.get(f"{API}/student/dashboard")
        assert r.status_code == 200
        data = r.json()
        assert data["next_action"]["kind"] == "start"  # m3 is still to start
        assert data["in_progress"][0]["status"] == "submitted"
        assert mentor.get(f"{API}/student/dashboard").status_code == 403
        r = mentor.get(f"{API}/mentor/dashboard")
        assert r.status_code == 200 and r.json()["queue"]["pending"] == 1
        assert r.json()["mentees"][0]["id"] == world.student.id
        assert student.get(f"{API}/mentor/dashboard").status_code == 403
        assert api_client.get(f"{API}/mentor/dashboard").status_code == 401
        assert api_client.get(f"{API}/student/dashboard").status_code == 401
        r = mentor.get(f"{API}/mentor/workload")
        assert r.status_code == 200 and r.json()["pending"] == 1

    def test_queue_bad_bucket_and_paging(self, world: World, client_for: ClientFor) -> None:
        mentor = client_for(world.mentor)
        r = mentor.get(f"{API}/mentor/queue", params={"bucket": "all"})
        assert r.status_code == 422 and "bucket must be one of" in r.json()["detail"]
        assert mentor.get(f"{API}/mentor/queue", params={"page": 0}).status_code == 422
        r = mentor.get(f"{API}/mentor/queue")
        assert r.json() == {"bucket": "pending", "items": [], "total": 0, "page": 1, "pages": 1}


class TestNotifications:
    def test_list_count_and_mark_read(
        self, world: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        submit(client_for(world.student), world.m1.id)
        submit(client_for(world.student), world.m3.id)
        mentor = client_for(world.mentor)
        body = mentor.get(f"{API}/notifications").json()
        assert (body["total"], body["unread"]) == (2, 2)
        assert all(i["kind"] == "submission_received" and not i["read"] for i in body["items"])
        first = body["items"][-1]["id"]
        r = mentor.post(f"{API}/notifications/read", json={"ids": [first]})
        assert r.status_code == 200 and r.json() == {"marked": 1, "unread": 1}
        unread = mentor.get(f"{API}/notifications", params={"unread": True}).json()
        assert first not in [i["id"] for i in unread["items"]] and unread["total"] == 1
        # Someone else's ids change nothing.
        r = client_for(world.comentor).post(f"{API}/notifications/read", json={"all": True})
        assert r.json()["marked"] == 0
        r = mentor.post(f"{API}/notifications/read", json={"all": True})
        assert r.json() == {"marked": 1, "unread": 0}
        assert mentor.post(f"{API}/notifications/read", json={}).status_code == 422
        assert api_client.get(f"{API}/notifications").status_code == 401


class TestHintsAndFiles:
    def test_reveal_hints(self, world: World, client_for: ClientFor) -> None:
        student = client_for(world.student)
        url = f"{API}/missions/{world.m1.id}/hints/reveal"
        r = student.post(url)
        assert r.status_code == 200 and r.json()["hint"] == "First hint."
        assert student.post(url, json={"index": 0}).json()["remaining"] == 1
        assert student.post(url).json()["hint"] == "Second hint."
        assert student.post(url).status_code == 409
        assert [h["index"] for h in student.get(f"{API}/missions/{world.m1.id}/hints").json()] == [
            0,
            1,
        ]
        assert client_for(world.mentor).post(url).status_code == 403
        assert student.post(url, json={"index": -1}).status_code == 422

    def test_upload_then_the_mentor_downloads(
        self,
        world: World,
        client_for: ClientFor,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        session: Session,
    ) -> None:
        monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
        student = client_for(world.student)
        url = f"{API}/missions/{world.m1.id}/draft/file"
        r = student.post(url, files={"file": ("evil.exe", b"MZ\x90", "application/octet-stream")})
        assert r.status_code == 422 and "PDF, PNG" in r.json()["detail"]
        r = student.post(url, files={"file": ("report.pdf", b"%PDF-1.7 data", "application/pdf")})
        assert r.status_code == 200 and r.json()["status"] == "draft"
        assert r.json()["file"] == {"name": "report.pdf", "size": 13}
        r = student.put(f"{API}/missions/{world.m1.id}/draft", json={"answer": "wip", "links": []})
        assert r.status_code == 200 and r.json()["file"]["name"] == "report.pdf"
        sid = submit(student, world.m1.id)["id"]
        r = client_for(world.mentor).get(f"{API}/submissions/{sid}/file")
        assert r.status_code == 200 and r.content == b"%PDF-1.7 data"
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"].startswith("attachment")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert (
            client_for(world.other_mentor).get(f"{API}/submissions/{sid}/file").status_code == 403
        )
        sub = session.get(Submission, sid)
        assert sub is not None and (tmp_path / str(sub.file_path)).is_file()

    def test_work_status(self, world: World, client_for: ClientFor) -> None:
        r = client_for(world.student).get(f"{API}/missions/{world.m2.id}/work")
        assert r.status_code == 200 and r.json()["locked"] is True
