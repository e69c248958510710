"""The director's JSON API: every endpoint answers anonymous 401, student 403, a director of
another organization 404 (as an unknown id), bad input 422 with a message, and succeeds for the
director."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import (
    AuditLog,
    CohortMentor,
    Enrollment,
    MentorAssignment,
    Role,
    RoleAssignment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    User,
)
from cyberhub.services.learning import authoring, reviews, submissions
from tests.factories import (
    GOOD_ANSWER,
    World,
    build_world,
    enroll,
    login,
    make_user,
    principal,
    serve,
)

pytestmark = [pytest.mark.missions, pytest.mark.admin, pytest.mark.integration]

API = "/api/v1"
TODAY = date.today()


@dataclass
class Clients:
    world: World
    anon: TestClient
    student: TestClient
    director: TestClient
    other: TestClient
    admin: TestClient


@pytest.fixture
def api(session: Session, db_url: str) -> Iterator[Clients]:
    from cyberhub.api import create_api

    world = build_world(session)
    # The programme's missions are its organisation's own (factory missions are library ones,
    # which only admins edit).
    for m in (world.m1, world.m2, world.m3, world.draft_mission, world.archived_mission):
        m.organization_id = world.org.id
        session.add(m)
    session.commit()
    with ExitStack() as stack:

        def client(user: User | None) -> TestClient:
            c = stack.enter_context(TestClient(create_api(), raise_server_exceptions=False))
            if user is not None:
                c.headers["Authorization"] = f"Bearer {login(c, user.email)['access_token']}"
            return c

        yield Clients(
            world=world,
            anon=client(None),
            student=client(world.student),
            director=client(world.director),
            other=client(world.other_director),
            admin=client(world.admin),
        )


def call(client: TestClient, method: str, path: str, body: Any = None) -> Any:
    if isinstance(body, str):
        return client.request(
            method, API + path, content=body.encode(), headers={"Content-Type": "text/csv"}
        )
    return client.request(method, API + path, json=body)


def endpoints(w: World) -> list[tuple[str, str, Any]]:
    """Every director endpoint with a valid request."""
    pid, cid, sid = w.program.id, w.cohort.id, w.student2.id
    day = TODAY.isoformat()
    return [
        ("GET", "/programs", None),
        ("POST", "/programs", {"name": "Night School", "organization_id": w.org.id}),
        ("PATCH", f"/programs/{pid}", {"name": "Renamed"}),
        ("GET", f"/programs/{pid}/tracks", None),
        ("POST", f"/programs/{pid}/tracks", {"key": "educators"}),
        ("PATCH", f"/tracks/{w.builders.id}", {"tagline": "Build it well"}),
        (
            "PUT",
            f"/programs/{pid}/tracks/{w.builders.id}",
            {"nice_work_roles": ["DD-WRL-003"], "description": "Ours."},
        ),
        ("GET", "/cohorts", None),
        (
            "POST",
            "/cohorts",
            {"program_id": pid, "name": "Winter", "starts_on": day, "ends_on": day},
        ),
        ("GET", f"/cohorts/{cid}", None),
        ("PATCH", f"/cohorts/{cid}", {"capacity": 50}),
        ("GET", f"/cohorts/{cid}/roster", None),
        ("GET", f"/cohorts/{cid}/enrollments", None),
        ("POST", f"/cohorts/{cid}/enrollments", {"email": "new@example.org"}),
        ("POST", f"/cohorts/{cid}/enrollments/import", "email,full_name\nz@example.org,Z\n"),
        ("DELETE", f"/cohorts/{cid}/enrollments/{sid}", None),
        ("GET", f"/cohorts/{cid}/mentors", None),
        ("POST", f"/cohorts/{cid}/mentors", {"email": w.comentor.email, "capacity": 4}),
        ("POST", f"/cohorts/{cid}/mentors/assign", {"student_id": sid, "mentor_id": w.comentor.id}),
        ("POST", f"/cohorts/{cid}/mentors/balance", None),
        ("DELETE", f"/cohorts/{cid}/mentors/{w.comentor.id}", None),
        ("GET", "/director/missions", None),
        (
            "POST",
            "/director/missions",
            {"program_id": pid, "title": "New one", "track": "builders"},
        ),
        ("GET", f"/director/missions/{w.m1.id}", None),
        ("PATCH", f"/director/missions/{w.m1.id}", {"summary": "Sharper"}),
        ("POST", f"/director/missions/{w.draft_mission.id}/publish", None),
        ("POST", f"/director/missions/{w.m3.id}/unpublish", None),
        ("POST", f"/director/missions/{w.m3.id}/archive", None),
    ]


# Lists answer a director of another organization with their own (empty here) items.
LISTS = {"/programs", "/cohorts", "/director/missions"}


class TestAccessRules:
    def test_anonymous_gets_401_everywhere(self, api: Clients) -> None:
        for method, path, body in endpoints(api.world):
            r = call(api.anon, method, path, body)
            assert r.status_code == 401, (method, path, r.text)
            assert r.json()["detail"]

    def test_a_student_gets_403_everywhere(self, api: Clients) -> None:
        for method, path, body in endpoints(api.world):
            r = call(api.student, method, path, body)
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["detail"]

    def test_a_mentor_gets_403(self, api: Clients) -> None:
        with TestClient(
            api.director.app, raise_server_exceptions=False
        ) as mentor:  # same app, another user
            token = login(mentor, api.world.mentor.email)["access_token"]
            mentor.headers["Authorization"] = f"Bearer {token}"
            assert call(mentor, "GET", "/programs").status_code == 403
            assert call(mentor, "GET", f"/cohorts/{api.world.cohort.id}/roster").status_code == 403

    def test_a_director_of_another_organization_finds_nothing(
        self, api: Clients, session: Session
    ) -> None:
        """Its programmes, cohorts and missions answer 404 as ids nobody has (a 403 told them
        they existed); creating a programme there or editing a shared track stay 403. Once they
        hold a role in the organization (they mentor there), they hear why again: 403."""
        w = api.world
        refused = {("POST", "/programs"), ("PATCH", f"/tracks/{w.builders.id}")}
        for method, path, body in endpoints(w):
            r = call(api.other, method, path, body)
            if method == "GET" and path in LISTS:
                assert r.status_code == 200, (path, r.text)
                continue  # their own lists: checked below
            expected = 403 if (method, path) in refused else 404
            assert r.status_code == expected, (method, path, r.text)
            assert r.json()["detail"]
            if expected == 404:
                assert r.json()["detail"].endswith("does not exist."), (method, path, r.text)
        session.add(
            RoleAssignment(
                user_id=w.other_director.id or 0, role=Role.mentor, organization_id=w.org.id
            )
        )
        session.commit()
        for path in (f"/cohorts/{w.cohort.id}/roster", f"/programs/{w.program.id}/tracks"):
            r = call(api.other, "GET", path)
            assert r.status_code == 403 and "own organization" in r.json()["detail"], r.text
        # Their lists hold only their organization's programmes, cohorts and missions.
        programs = call(api.other, "GET", "/programs").json()
        assert [p["id"] for p in programs] == [w.other_program.id]
        assert call(api.other, "GET", "/cohorts").json() == []
        titles = [m["title"] for m in call(api.other, "GET", "/director/missions").json()["items"]]
        assert titles == ["Coast mission"]

    def test_bad_input_gets_422_with_a_message(self, api: Clients, session: Session) -> None:
        w = api.world
        pid, cid = w.program.id, w.cohort.id
        bare = authoring.create_mission(
            session,
            principal(session, w.director),
            authoring.MissionChanges(title="Bare", track="builders"),
        )
        session.commit()
        bad: list[tuple[str, str, Any, str]] = [
            ("POST", "/programs", {"name": "x" * 201, "organization_id": w.org.id}, "name"),
            ("POST", "/programs", {"name": "A", "organization_id": w.org.id}, "at least 2"),
            ("PATCH", f"/programs/{pid}", {"slug": "Not A Slug"}, "lower-case"),
            ("GET", "/programs/abc/tracks", None, "program_id"),
            ("POST", f"/programs/{pid}/tracks", {"key": "wizards"}, "Unknown track"),
            (
                "PUT",
                f"/programs/{pid}/tracks/{w.builders.id}",
                {"nice_work_roles": ["OG-WRL-001"]},
                "not a NICE work role of the builders track",
            ),
            (
                "PUT",
                f"/programs/{pid}/tracks/{w.builders.id}",
                {"nice_work_roles": []},
                "at least one NICE work role",
            ),
            ("GET", "/cohorts?program_id=abc", None, "program_id"),
            (
                "POST",
                "/cohorts",
                {
                    "program_id": pid,
                    "name": "Backwards",
                    "starts_on": TODAY.isoformat(),
                    "ends_on": (TODAY - timedelta(days=1)).isoformat(),
                },
                "end on or after",
            ),
            ("POST", "/cohorts", {"program_id": pid, "name": "No dates"}, "starts_on"),
            ("GET", "/cohorts/abc", None, "cohort_id"),
            ("PATCH", f"/cohorts/{cid}", {"capacity": 0}, "Capacity"),
            ("GET", "/cohorts/abc/roster", None, "cohort_id"),
            ("GET", "/cohorts/abc/enrollments", None, "cohort_id"),
            ("POST", f"/cohorts/{cid}/enrollments", {"email": "nope"}, "doesn't look right"),
            ("POST", f"/cohorts/{cid}/enrollments/import", "email\nnope\n", "Nothing was imported"),
            ("POST", f"/cohorts/{cid}/enrollments/import", "who\nx\n", "header"),
            ("DELETE", f"/cohorts/{cid}/enrollments/abc", None, "student_id"),
            ("GET", "/cohorts/abc/mentors", None, "cohort_id"),
            ("POST", f"/cohorts/{cid}/mentors", {"email": w.comentor.email, "capacity": 0}, "1"),
            (
                "POST",
                f"/cohorts/{cid}/mentors/assign",
                {"student_id": w.outsider_student.id, "mentor_id": w.comentor.id},
                "not enrolled",
            ),
            ("POST", "/cohorts/abc/mentors/balance", None, "cohort_id"),
            ("DELETE", f"/cohorts/{cid}/mentors/abc", None, "mentor_id"),
            ("GET", "/director/missions?status=deleted", None, "Unknown status"),
            (
                "POST",
                "/director/missions",
                {"program_id": pid, "title": "ab", "track": "builders"},
                "at least 3",
            ),
            ("GET", "/director/missions/abc", None, "mission_id"),
            ("PATCH", f"/director/missions/{w.m1.id}", {"difficulty": 9}, "Difficulty"),
            ("POST", f"/director/missions/{bare.id}/publish", None, "needs a brief"),
            ("POST", "/director/missions/abc/unpublish", None, "mission_id"),
            ("POST", "/director/missions/abc/archive", None, "mission_id"),
        ]
        for method, path, body, message in bad:
            r = call(api.director, method, path, body)
            assert r.status_code == 422, (method, path, r.text)
            assert message in r.json()["detail"], (method, path, r.json())
        # A global track's texts are an admin's: a director gets 403 before any input check.
        r = call(api.admin, "PATCH", f"/tracks/{w.builders.id}", {"name": " "})
        assert r.status_code == 422 and "at least 2" in r.json()["detail"]
        bad.append(("PATCH", f"/tracks/{w.builders.id}", None, "admin"))
        covered = {(m, p.split("?")[0]) for m, p, _b, _x in bad}
        assert len(covered) >= len(endpoints(w)) - 1  # GET /programs takes no input

    def test_missing_things_are_404(self, api: Clients) -> None:
        for method, path in [
            ("GET", "/cohorts/999999"),
            ("PATCH", "/programs/999999"),
            ("GET", "/director/missions/999999"),
            ("DELETE", f"/cohorts/{api.world.cohort.id}/enrollments/999999"),
            ("DELETE", f"/cohorts/{api.world.cohort.id}/mentors/999999"),
            # A real mentor of the organization, but not one serving this cohort.
            ("DELETE", f"/cohorts/{api.world.cohort.id}/mentors/{api.world.other_mentor.id}"),
            ("DELETE", f"/cohorts/999999/mentors/{api.world.mentor.id}"),
        ]:
            r = call(api.director, method, path, {} if method == "PATCH" else None)
            assert r.status_code == 404, (method, path, r.text)


class TestProgramsAndTracks:
    def test_create_list_and_rename_a_programme(self, api: Clients) -> None:
        r = call(api.director, "POST", "/programs", {"name": "Night School"})
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["slug"] == "night-school" and created["organization_id"] == api.world.org.id
        listed = {p["name"]: p for p in call(api.director, "GET", "/programs").json()}
        assert listed["Night School"]["tracks"] == 5
        r = call(api.director, "PATCH", f"/programs/{created['id']}", {"description": "Evenings"})
        assert r.status_code == 200 and r.json()["description"] == "Evenings"
        r = call(api.director, "POST", "/programs", {"name": "Night School", "slug": "night-2"})
        assert r.status_code == 409

    def test_a_director_chooses_the_nice_roles_of_their_programmes_track(
        self, api: Clients, session: Session
    ) -> None:
        w = api.world
        path = f"/programs/{w.program.id}/tracks/{w.builders.id}"
        standard = [
            r["id"]
            for r in call(api.director, "GET", f"/programs/{w.program.id}/tracks").json()[0][
                "nice_work_roles"
            ]
        ]
        assert len(standard) >= 3
        chosen = [standard[2], standard[0]]
        r = call(api.director, "PUT", path, {"nice_work_roles": chosen, "description": "Ours."})
        assert r.status_code == 200, r.text
        assert [x["id"] for x in r.json()["nice_work_roles"]] == [standard[0], standard[2]]
        listed = call(api.director, "GET", f"/programs/{w.program.id}/tracks").json()[0]
        assert [x["id"] for x in listed["nice_work_roles"]] == [standard[0], standard[2]]
        assert listed["description"] == "Ours."
        entry = session.exec(
            select(AuditLog).where(
                AuditLog.action == "track.updated", AuditLog.target_id == w.builders.id
            )
        ).one()
        assert entry.actor_id == w.director.id
        # Another organization's director and a student change nothing.
        assert call(api.other, "PUT", path, {"nice_work_roles": [standard[1]]}).status_code == 404
        assert call(api.student, "PUT", path, {"nice_work_roles": [standard[1]]}).status_code == 403
        # A track that is not this programme's is not found through it.
        r = call(
            api.other,
            "PUT",
            f"/programs/{w.other_program.id}/tracks/{w.leaders.id}",
            {"nice_work_roles": [standard[1]]},
        )
        assert r.status_code == 404 and r.json()["detail"]
        listed = call(api.director, "GET", f"/programs/{w.program.id}/tracks").json()[0]
        assert [x["id"] for x in listed["nice_work_roles"]] == [standard[0], standard[2]]
        # Mission authoring offers only the programme's roles for that track.
        r = call(
            api.director,
            "PATCH",
            f"/director/missions/{w.m1.id}",
            {"nice_work_roles": [standard[1]]},
        )
        assert r.status_code == 422 and "not a NICE work role" in r.json()["detail"]
        r = call(
            api.director,
            "PATCH",
            f"/director/missions/{w.m1.id}",
            {"nice_work_roles": [standard[2]]},
        )
        assert r.status_code == 200, r.text

    def test_tracks_of_a_programme(self, api: Clients) -> None:
        w = api.world
        r = call(api.director, "GET", f"/programs/{w.program.id}/tracks")
        assert r.status_code == 200
        tracks = r.json()
        assert [t["key"] for t in tracks] == ["builders", "leaders"]
        assert tracks[0]["missions"] == 3  # m1, m2, the draft (not the archived one)
        assert tracks[0]["nice_work_roles"][0]["id"] == "DD-WRL-003"
        r = call(api.director, "POST", f"/programs/{w.program.id}/tracks", {"key": "educators"})
        assert r.status_code == 201 and r.json()["name"] == "Educators"
        assert (
            call(
                api.director, "POST", f"/programs/{w.program.id}/tracks", {"key": "educators"}
            ).status_code
            == 409
        )
        r = call(
            api.admin,
            "PATCH",
            f"/tracks/{w.builders.id}",
            {"careers": ["Security Engineer"], "description": "They build."},
        )
        assert r.status_code == 200
        assert r.json()["careers"] == ["Security Engineer"]
        assert r.json()["description"] == "They build."


class TestCohorts:
    def test_create_read_update_cohort(self, api: Clients) -> None:
        w = api.world
        body = {
            "program_id": w.program.id,
            "name": "Winter",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=30)).isoformat(),
            "capacity": 8,
        }
        r = call(api.director, "POST", "/cohorts", body)
        assert r.status_code == 201, r.text
        c = r.json()
        assert c["director_id"] == w.director.id and c["seats_left"] == 8
        assert c["status"] == "running"
        listed = call(api.director, "GET", f"/cohorts?program_id={w.program.id}").json()
        assert {x["name"] for x in listed} == {"Spring", "Evening", "Winter"}
        r = call(api.director, "PATCH", f"/cohorts/{c['id']}", {"director_id": None})
        assert r.status_code == 200 and r.json()["director_id"] is None
        r = call(api.director, "PATCH", f"/cohorts/{c['id']}", {"capacity": 9})
        assert r.json()["capacity"] == 9 and r.json()["director_id"] is None
        r = call(api.director, "PATCH", f"/cohorts/{w.cohort.id}", {"capacity": 1})
        assert r.status_code == 409 and "already enrolled" in r.json()["detail"]
        assert call(api.director, "GET", f"/cohorts/{c['id']}").json()["name"] == "Winter"

    def test_roster(self, api: Clients) -> None:
        w = api.world
        r = call(api.director, "GET", f"/cohorts/{w.cohort.id}/roster")
        assert r.status_code == 200
        data = r.json()
        assert (data["cohort_id"], data["total"], data["page"], data["pages"]) == (
            w.cohort.id,
            2,
            1,
            1,
        )
        rows = {s["email"]: s for s in data["items"]}
        assert set(rows) == {w.student.email, w.student2.email}
        assert rows[w.student.email]["mentor_id"] == w.mentor.id
        assert rows[w.student.email]["progress"] == 0 and rows[w.student.email]["published"] == 3
        # An admin may read every roster.
        assert call(api.admin, "GET", f"/cohorts/{w.cohort.id}/roster").status_code == 200

    def test_the_roster_is_paged_and_searched_as_its_page_is(self, api: Clients) -> None:
        """The API answers one page ({items, total, page, pages}), searched by name or e-mail,
        with the page's parameters; a bad sort or page size is a 4xx saying why."""
        w, roster = api.world, f"/cohorts/{api.world.cohort.id}/roster"
        first = call(api.director, "GET", f"{roster}?page_size=1&sort=name").json()
        second = call(api.director, "GET", f"{roster}?page_size=1&sort=name&page=2").json()
        assert (first["total"], first["pages"], len(first["items"])) == (2, 2, 1)
        assert second["page"] == 2 and len(second["items"]) == 1
        assert {first["items"][0]["email"], second["items"][0]["email"]} == {
            w.student.email,
            w.student2.email,
        }
        found = call(api.director, "GET", f"{roster}?q={w.student2.email.upper()}").json()
        assert [s["email"] for s in found["items"]] == [w.student2.email]
        assert found["total"] == 1
        bad_sort = call(api.director, "GET", f"{roster}?sort=shoe_size")
        assert 400 <= bad_sort.status_code < 500 and "Sort by" in bad_sort.json()["detail"]
        assert call(api.director, "GET", f"{roster}?page_size=101").status_code == 422


class TestEnrollments:
    def test_enroll_one_list_and_withdraw(self, api: Clients, session: Session) -> None:
        w = api.world
        cid = w.cohort.id
        r = call(api.director, "POST", f"/cohorts/{cid}/enrollments", {"email": "Neo@Example.org"})
        assert r.status_code == 201, r.text
        new = r.json()
        assert new["email"] == "neo@example.org" and new["new_account"] is True
        again = call(
            api.director, "POST", f"/cohorts/{cid}/enrollments", {"email": "neo@example.org"}
        )
        assert again.status_code == 409
        listed = call(api.director, "GET", f"/cohorts/{cid}/enrollments").json()["items"]
        assert {e["email"] for e in listed} == {
            w.student.email,
            w.student2.email,
            "neo@example.org",
        }
        r = call(api.director, "DELETE", f"/cohorts/{cid}/enrollments/{new['student_id']}")
        assert r.status_code == 200 and r.json()["status"] == "withdrawn"

    def test_the_enrolments_come_a_page_at_a_time_newest_first(
        self, api: Clients, session: Session
    ) -> None:
        """A cohort's enrolments grow without end: 25 a page, newest first; page 2 holds the
        rest; a page past the last is empty with the total; a bad page is a 422."""
        w = api.world
        cid = w.cohort.id
        newcomers = [make_user(session, f"n{i:02d}@example.org") for i in range(25)]
        for person in newcomers:
            enroll(session, w.cohort, person)
        path = f"/cohorts/{cid}/enrollments"
        first = call(api.director, "GET", path).json()
        assert (first["total"], first["page"], first["pages"]) == (27, 1, 2)
        assert [e["email"] for e in first["items"]] == [p.email for p in reversed(newcomers)]
        second = call(api.director, "GET", f"{path}?page=2").json()
        assert {e["email"] for e in second["items"]} == {w.student.email, w.student2.email}
        beyond = call(api.director, "GET", f"{path}?page=3").json()
        assert beyond["items"] == [] and beyond["total"] == 27
        refused = call(api.director, "GET", f"{path}?page=0")
        assert refused.status_code == 422 and refused.json()["detail"].startswith("page:")
        assert call(api.other, "GET", f"{path}?page=2").status_code == 404

    def test_csv_import_as_text_multipart_and_json(self, api: Clients, session: Session) -> None:
        cid = api.world.cohort.id
        path = f"{API}/cohorts/{cid}/enrollments/import"
        r = api.director.post(
            path,
            content=b"email,full_name\nt1@example.org,Text One\n",
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        assert r.json()["imported"] == 1 and r.json()["new_accounts"] == 1
        r = api.director.post(
            path,
            files={
                "file": ("people.csv", b"email,full_name\nf1@example.org,File One\n", "text/csv")
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["imported"] == 1
        r = api.director.post(path, json={"csv": "email\nj1@example.org\n"})
        assert r.status_code == 200, r.text
        r = api.director.post(path, json={"nope": 1})
        assert r.status_code == 422 and "text/csv" in r.json()["detail"]
        r = api.director.post(path, files={"other": ("x.csv", b"email\n", "text/csv")})
        assert r.status_code == 422 and "'file'" in r.json()["detail"]
        r = api.director.post(
            path, content=b"email\n\xff\xfe\n", headers={"Content-Type": "text/csv"}
        )
        assert r.status_code == 422 and "UTF-8" in r.json()["detail"]
        big = b"email\n" + b"a" * 1_000_001
        r = api.director.post(path, content=big, headers={"Content-Type": "text/csv"})
        assert r.status_code == 422 and "too large" in r.json()["detail"]

    def test_csv_import_with_a_bad_row_reports_it_and_imports_nothing(
        self, api: Clients, session: Session
    ) -> None:
        w = api.world
        text = "email,full_name\nada@example.org,Ada\nbroken-address,Bad\ngrace@example.org,Grace\n"
        r = call(api.director, "POST", f"/cohorts/{w.cohort.id}/enrollments/import", text)
        assert r.status_code == 422
        body = r.json()
        assert body["detail"].startswith("Nothing was imported")
        assert [(x["row"], x["email"]) for x in body["rows"]] == [(3, "broken-address")]
        assert "doesn't look right" in body["rows"][0]["error"]
        session.expire_all()
        assert session.exec(select(User).where(User.email == "ada@example.org")).first() is None
        count = len(
            session.exec(select(Enrollment).where(Enrollment.cohort_id == w.cohort.id)).all()
        )
        assert count == 2
        fixed = text.replace("broken-address", "broken@example.org")
        r = call(api.director, "POST", f"/cohorts/{w.cohort.id}/enrollments/import", fixed)
        assert r.status_code == 200 and r.json()["imported"] == 3


class TestMentors:
    def test_add_assign_and_balance(self, api: Clients, session: Session) -> None:
        w = api.world
        cid = w.cohort.id
        r = call(
            api.director,
            "POST",
            f"/cohorts/{cid}/mentors",
            {"email": w.comentor.email, "capacity": 2},
        )
        assert r.status_code == 200 and r.json()["capacity"] == 2
        mentors = {
            m["email"]: m for m in call(api.director, "GET", f"/cohorts/{cid}/mentors").json()
        }
        assert mentors[w.mentor.email]["mentees"] == 1
        r = call(
            api.director,
            "POST",
            f"/cohorts/{cid}/mentors/assign",
            {"student_id": w.student2.id, "mentor_id": w.other_mentor.id},
        )
        assert r.status_code == 422 and "doesn't serve" in r.json()["detail"]
        r = call(api.director, "POST", f"/cohorts/{cid}/mentors/balance")
        assert r.status_code == 200
        out = r.json()
        assert out["unassigned"] == 0
        # student2 goes to comentor: both have room, comentor has fewer mentees (0 vs 1).
        assert [(a["student_id"], a["mentor_id"]) for a in out["assignments"]] == [
            (w.student2.id, w.comentor.id)
        ]
        session.expire_all()
        assert len(session.exec(select(MentorAssignment)).all()) == 2
        r = call(
            api.director,
            "POST",
            f"/cohorts/{cid}/mentors/assign",
            {"student_id": w.student2.id, "mentor_id": w.mentor.id},
        )
        assert r.status_code == 200 and r.json()["mentor_id"] == w.mentor.id

    def test_remove_a_mentor_frees_their_mentees_and_stuck_claims(
        self, api: Clients, session: Session
    ) -> None:
        w = api.world
        cid = w.cohort.id
        # The mentor also serves the evening cohort, where student2 and the outsider study too.
        serve(session, w.other_cohort, w.mentor)
        enroll(session, w.other_cohort, w.student2)

        def claimed(student: User) -> Submission:
            sub = submissions.submit(
                session, principal(session, student), w.m1.id or 0, answer=GOOD_ANSWER
            )
            session.commit()
            out = reviews.claim(session, principal(session, w.mentor), sub.id or 0)
            session.commit()
            return out

        stuck = claimed(w.student)  # mentored only through this cohort: released
        kept = claimed(w.student2)  # still mentored via the evening cohort: kept
        elsewhere = claimed(w.outsider_student)  # not in this cohort at all: untouched
        r = call(api.director, "DELETE", f"/cohorts/{cid}/mentors/{w.mentor.id}")
        assert r.status_code == 200, r.text
        assert r.json() == {
            "mentor_id": w.mentor.id,
            "name": w.mentor.full_name or w.mentor.email,
            "unassigned": 1,
            "released": 1,
        }
        session.expire_all()
        assert session.get(CohortMentor, (cid, w.mentor.id)) is None
        assert session.get(CohortMentor, (w.other_cohort.id, w.mentor.id)) is not None
        left = session.exec(select(MentorAssignment).where(MentorAssignment.cohort_id == cid))
        assert left.all() == []
        roster = call(api.director, "GET", f"/cohorts/{cid}/roster").json()["items"]
        assert {x["student_id"]: x["mentor_id"] for x in roster} == {
            w.student.id: None,
            w.student2.id: None,
        }
        mentors = call(api.director, "GET", f"/cohorts/{cid}/mentors").json()
        assert [m["email"] for m in mentors] == [w.comentor.email]
        back = session.get(Submission, stuck.id)
        assert back is not None
        assert (back.status, back.claimed_by_id, back.claim_expires_at) == (
            SubmissionStatus.submitted,
            None,
            None,
        )
        events = session.exec(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == stuck.id)
            .order_by(col(SubmissionEvent.id))
        ).all()
        assert [e.kind for e in events] == ["submitted", "claimed", "released"]
        assert events[-1].actor_id == w.director.id
        for sub in (kept, elsewhere):
            still = session.get(Submission, sub.id)
            assert still is not None
            assert (still.status, still.claimed_by_id) == (SubmissionStatus.in_review, w.mentor.id)
        entry = session.exec(
            select(AuditLog).where(AuditLog.action == "cohort.mentor_removed")
        ).one()
        assert entry.actor_id == w.director.id and entry.target_id == str(cid)
        assert entry.details == {"mentor_id": w.mentor.id, "unassigned": 1, "released": 1}
        # The work is back in the queue now: another mentor of the cohort can take it at once.
        again = reviews.claim(session, principal(session, w.comentor), stuck.id or 0)
        assert again.claimed_by_id == w.comentor.id
        session.rollback()
        # Removing twice: they no longer serve the cohort.
        r = call(api.director, "DELETE", f"/cohorts/{cid}/mentors/{w.mentor.id}")
        assert r.status_code == 404 and "doesn't serve" in r.json()["detail"]
        # Adding them back works, with no mentees; balancing gives the student a mentor again.
        r = call(
            api.director,
            "POST",
            f"/cohorts/{cid}/mentors",
            {"email": w.mentor.email, "capacity": 3},
        )
        assert r.status_code == 200 and r.json()["mentees"] == 0
        r = call(api.director, "POST", f"/cohorts/{cid}/mentors/balance")
        assert r.status_code == 200 and r.json()["unassigned"] == 0
        assert {a["student_id"] for a in r.json()["assignments"]} == {w.student.id, w.student2.id}

    def test_only_the_organizations_director_removes_a_mentor(
        self, api: Clients, session: Session
    ) -> None:
        w = api.world
        path = f"/cohorts/{w.cohort.id}/mentors/{w.mentor.id}"
        for client, status in ((api.anon, 401), (api.student, 403), (api.other, 404)):
            r = call(client, "DELETE", path)
            assert r.status_code == status, r.text
            assert r.json()["detail"]
        session.expire_all()
        assert session.get(CohortMentor, (w.cohort.id, w.mentor.id)) is not None
        assert len(session.exec(select(MentorAssignment)).all()) == 1
        r = call(api.admin, "DELETE", path)  # an admin may, like every director route
        assert r.status_code == 200 and r.json()["unassigned"] == 1


class TestMissionAuthoring:
    def test_write_publish_unpublish_archive(self, api: Clients) -> None:
        w = api.world
        body = {
            "program_id": w.program.id,
            "title": "Phishing triage",
            "track": "builders",
            "summary": "Sort the reported mails.",
            "brief": "# Triage\n\nClassify **ten** reported mails.",
            "difficulty": 2,
            "skills": ["Email security"],
            "estimated_minutes": 45,
            "prerequisites": [w.m1.id],
            "nice_work_roles": ["DD-WRL-003"],
            "rubric": [{"title": "Accuracy", "points": 10}, {"title": "Speed", "points": 5}],
            "hints": ["Look at the headers."],
        }
        r = call(api.director, "POST", "/director/missions", body)
        assert r.status_code == 201, r.text
        m = r.json()
        assert m["status"] == "draft" and [c["key"] for c in m["rubric"]] == ["accuracy", "speed"]
        assert m["prerequisites"] == [
            {"id": w.m1.id, "title": "Harden a server", "status": "published"}
        ]
        drafts = call(api.director, "GET", "/director/missions?status=draft").json()
        assert "Phishing triage" in [x["title"] for x in drafts["items"]]
        assert drafts["counts"]["draft"] == 2
        # Students don't see drafts in the catalog.
        assert call(api.student, "GET", f"/missions/{m['id']}").status_code == 404
        r = call(api.director, "PATCH", f"/director/missions/{m['id']}", {"difficulty": 3})
        assert r.status_code == 200 and r.json()["difficulty"] == 3
        r = call(api.director, "POST", f"/director/missions/{m['id']}/publish")
        assert r.status_code == 200 and r.json()["status"] == "published"
        assert call(api.student, "GET", f"/missions/{m['id']}").status_code == 200
        again = call(api.director, "POST", f"/director/missions/{m['id']}/publish")
        assert again.status_code == 409
        r = call(api.director, "POST", f"/director/missions/{m['id']}/unpublish")
        assert r.status_code == 200 and r.json()["status"] == "draft"
        r = call(api.director, "POST", f"/director/missions/{m['id']}/archive")
        assert r.status_code == 200 and r.json()["status"] == "archived"
        assert call(api.director, "GET", f"/director/missions/{m['id']}").json()["status"] == (
            "archived"
        )
        r = call(api.director, "POST", f"/director/missions/{w.m1.id}/archive")
        assert r.status_code == 409 and "require this one" in r.json()["detail"]
