"""A programme chooses which of the five global tracks it runs (issue 12, item 2): a director adds
and removes tracks of their programme; a track whose missions the programme still runs, or its
last track, stays (409); what learners are expected to do follows the tracks it runs.

The world of tests/factories.py: the programme runs builders (m1, m2, a draft and an archived
mission) and leaders (m3); the other organisation's programme runs builders only.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import AuditLog, ProgramMission
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.learning import authoring, catalog, programs, progress
from tests.factories import World, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.missions, pytest.mark.admin, pytest.mark.integration]

API = "/api/v1"


def actions(session: Session, action: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


def run_keys(session: Session, w: World) -> list[str]:
    return [t.key for t in programs.list_tracks(session, principal(session, w.director), pid(w))]


def pid(w: World) -> int:
    return w.program.id or 0


def drop_leaders_missions(session: Session, w: World) -> None:
    authoring.remove_from_program(session, principal(session, w.director), pid(w), w.m3.id or 0)
    session.commit()


class TestService:
    def test_a_track_with_missions_stays_and_says_how_many(
        self, session: Session, world: World
    ) -> None:
        d = principal(session, world.director)
        with pytest.raises(Conflict, match="still runs 1 mission of the Leaders track"):
            programs.remove_program_track(session, d, pid(world), world.leaders.id or 0)
        # m1, m2 and the draft; the archived mission is not counted.
        with pytest.raises(Conflict, match="still runs 3 missions of the Builders track"):
            programs.remove_program_track(session, d, pid(world), world.builders.id or 0)
        session.rollback()
        assert run_keys(session, world) == ["builders", "leaders"]
        assert actions(session, "program.track_removed") == []

    def test_remove_then_add_back(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        leaders = world.leaders.id or 0
        programs.set_program_track(session, d, pid(world), leaders, description="Our own words")
        drop_leaders_missions(session, world)

        programs.remove_program_track(session, d, pid(world), leaders)
        session.commit()
        assert run_keys(session, world) == ["builders"]
        [removed] = actions(session, "program.track_removed")
        assert (removed.actor_id, removed.target_id) == (world.director.id, str(world.program.id))
        assert removed.details["key"] == "leaders"
        # A programme that does not run the track can't run its missions either.
        with pytest.raises(Conflict, match="add the track first"):
            authoring.add_to_program(session, d, pid(world), world.m3.id or 0)
        session.rollback()
        # Removing it again changes nothing.
        programs.remove_program_track(session, d, pid(world), leaders)
        assert len(actions(session, "program.track_removed")) == 1

        view = programs.add_program_track(session, d, pid(world), leaders)
        session.commit()
        assert run_keys(session, world) == ["builders", "leaders"]
        # Back with the standard texts and every standard NICE role of the key.
        assert view.description == world.leaders.description
        assert view.nice_work_roles == [r["id"] for r in programs.nice_roles_for("leaders")]
        again = programs.add_program_track(session, d, pid(world), leaders)
        session.commit()
        assert again == view
        assert len(actions(session, "program.track_added")) == 1
        authoring.add_to_program(session, d, pid(world), world.m3.id or 0)

    def test_a_programme_keeps_at_least_one_track(self, session: Session, world: World) -> None:
        other = principal(session, world.other_director)
        program_id = world.other_program.id or 0
        [track] = programs.list_tracks(session, other, program_id)
        authoring.remove_from_program(session, other, program_id, world.other_mission.id or 0)
        with pytest.raises(Conflict, match="only track"):
            programs.remove_program_track(session, other, program_id, track.id)
        session.rollback()
        assert len(programs.list_tracks(session, other, program_id)) == 1

    def test_only_the_programmes_director_or_an_admin(self, session: Session, world: World) -> None:
        educators = programs.ensure_track(session, "educators").id or 0
        session.commit()
        for who in (world.other_director, world.student, world.mentor):
            p = principal(session, who)
            # Another organization's director: as a programme nobody has.
            refused = NotFound if who is world.other_director else Forbidden
            with pytest.raises(refused):
                programs.add_program_track(session, p, pid(world), educators)
            with pytest.raises(refused):
                programs.remove_program_track(session, p, pid(world), world.leaders.id or 0)
        admin = principal(session, world.admin)
        programs.add_program_track(session, admin, pid(world), educators)
        assert run_keys(session, world) == ["builders", "leaders", "educators"]
        with pytest.raises(NotFound):
            programs.add_program_track(session, admin, pid(world), 99_999)
        with pytest.raises(NotFound):
            programs.remove_program_track(session, admin, 99_999, educators)

    def test_learners_still_see_each_track_once(self, session: Session, world: World) -> None:
        d = principal(session, world.director)
        drop_leaders_missions(session, world)
        programs.remove_program_track(session, d, pid(world), world.leaders.id or 0)
        session.commit()
        keys = [t.key for t in catalog.list_tracks(session)]
        assert len(keys) == len(set(keys)) and {"builders", "leaders"} <= set(keys)


class TestLearnerScope:
    def test_progress_counts_only_tracks_the_programme_runs(
        self, session: Session, world: World
    ) -> None:
        # The student has no profiler result: every track of their programme counts.
        before = progress.compute(session, world.student.id or 0)
        assert before.scope is not None and before.scope.expected == 3  # m1, m2, m3
        # A row left over from before (or written behind the services' back) for a track the
        # programme no longer runs is not expected of its learners.
        d = principal(session, world.director)
        drop_leaders_missions(session, world)
        programs.remove_program_track(session, d, pid(world), world.leaders.id or 0)
        session.add(ProgramMission(program_id=pid(world), mission_id=world.m3.id or 0))
        session.commit()
        after = progress.compute(session, world.student.id or 0)
        assert after.scope is not None and after.scope.expected == 2
        assert [t.key for t in after.tracks] == ["builders"]
        assert world.m3.id not in {m.id for m in after.missions}

        programs.add_program_track(session, d, pid(world), world.leaders.id or 0)
        session.commit()
        back = progress.compute(session, world.student.id or 0)
        assert back.scope is not None and back.scope.expected == 3


class TestApi:
    def path(self, w: World, track_id: int | None) -> str:
        return f"{API}/programs/{pid(w)}/tracks/{track_id}"

    def test_director_removes_and_adds_a_track(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        api: TestClient = client_for(world.director)
        r = api.delete(self.path(world, world.leaders.id))
        assert r.status_code == 409
        assert "1 mission" in r.json()["detail"] and "remove them" in r.json()["detail"]

        r = api.delete(f"{API}/programs/{pid(world)}/missions/{world.m3.id}")
        assert r.status_code == 200, r.text
        r = api.delete(self.path(world, world.leaders.id))
        assert r.status_code == 200, r.text
        listed = api.get(f"{API}/programs/{pid(world)}/tracks").json()
        assert [t["key"] for t in listed] == ["builders"]

        r = api.post(self.path(world, world.leaders.id))
        assert r.status_code == 200, r.text
        assert r.json()["key"] == "leaders" and r.json()["missions"] == 0
        assert api.post(self.path(world, world.leaders.id)).status_code == 200
        listed = api.get(f"{API}/programs/{pid(world)}/tracks").json()
        assert [t["key"] for t in listed] == ["builders", "leaders"]

    def test_errors_are_4xx_with_a_detail(self, world: World, client_for: ClientFor) -> None:
        api = client_for(world.director)
        for method, path, status in (
            ("POST", self.path(world, 99_999), 404),
            ("DELETE", self.path(world, 99_999), 404),
            ("POST", f"{API}/programs/{world.other_program.id}/tracks/{world.leaders.id}", 404),
            ("DELETE", f"{API}/programs/{world.other_program.id}/tracks/{world.builders.id}", 404),
            ("DELETE", f"{API}/programs/{pid(world)}/tracks/0", 422),
        ):
            r = api.request(method, path)
            assert r.status_code == status, (method, path, r.text)
            assert r.json()["detail"]
        student = client_for(world.student)
        assert student.delete(self.path(world, world.leaders.id)).status_code == 403
