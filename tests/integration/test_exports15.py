"""Exports (issue 15, item 5): who may request which kind, the job (idempotent, streaming), the
download (requester only, 410 after expiry), formula-safe CSV cells, a learner's own data."""

from __future__ import annotations

import csv
import io
import threading
import time
import tracemalloc
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dramatiq.middleware import Shutdown, TimeLimitExceeded
from sqlalchemy import text
from sqlmodel import Session, col, select

from cyberhub import db, jobs
from cyberhub.models import (
    AuditLog,
    Export,
    ExportStatus,
    JobFailure,
    Review,
    Role,
    RoleAssignment,
    Submission,
    SubmissionStatus,
)
from cyberhub.models.base import utcnow
from cyberhub.redis_client import JOBS_KEY, get_redis
from cyberhub.schemas.exports import ExportRequest
from cyberhub.services.admin import export_writers, exports
from cyberhub.services.ai import ai_jobs
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.settings import get_settings
from tests.factories import FULL_SCORES, World, enroll, id_of, make_cohort, make_user, serve
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]

API = "/api/v1"


@pytest.fixture(autouse=True)
def data_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # After db_url (which clears the settings cache): files go to this test's folder.
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path


def _request(session: Session, w: World, user: Any, kind: str, **scope: int) -> int:
    out = exports.request_export(session, w.p(session, user), ExportRequest(kind=kind, **scope))
    session.commit()
    return out.id


def _run(export_id: int) -> ExportStatus | None:
    return exports.run_export(db.session_scope, export_id)


def _sent_job_runs(session: Session, stub_broker: Any, stub_worker: Any, export_id: int) -> Export:
    """Commit (the sweep's job is sent after it), let the paused worker run it: the export is done."""
    session.commit()
    stub_worker.resume()
    stub_broker.join("default", timeout=20_000)
    stub_worker.join()
    session.expire_all()
    export = session.get(Export, export_id)
    assert export is not None and export.status == ExportStatus.done
    return export


def _submit(session: Session, student_id: int, mission_id: int, answer: str, **kw: Any) -> int:
    now = utcnow()
    sub = Submission(
        student_id=student_id,
        mission_id=mission_id,
        answer=answer,
        status=kw.get("status", SubmissionStatus.submitted),
        attempt=kw.get("attempt", 1),
        submitted_at=now,
    )
    session.add(sub)
    session.flush()
    if "scores" in kw:
        session.add(
            Review(
                submission_id=sub.id or 0,
                mentor_id=kw["mentor_id"],
                decision="approved",
                scores=kw["scores"],
                total=sum(kw["scores"].values()),
                feedback=kw.get("feedback", "Well done."),
            )
        )
    session.commit()
    return sub.id or 0


def _no_longer_mentors(session: Session, w: World) -> None:
    """The world's mentor leaves every cohort and mentee (committed): they may export nothing."""
    for table in ("cohort_mentors", "mentor_assignments"):
        session.execute(text(f"DELETE FROM {table} WHERE mentor_id = :m"), {"m": w.mentor.id})
    session.commit()


def _csv(client: Any, export_id: int) -> list[list[str]]:
    r = client.get(f"{API}/exports/{export_id}/download")
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    return list(csv.reader(io.StringIO(r.text)))


class TestWhoMayExportWhat:
    def test_roster_is_for_the_programmes_directors_and_admins(
        self, session: Session, world: World
    ) -> None:
        w = world
        assert _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        assert _request(session, w, w.director, "roster", program_id=w.program.id or 0)
        assert _request(session, w, w.admin, "roster", cohort_id=w.cohort.id or 0)
        for user in (w.student, w.mentor):
            with pytest.raises(Forbidden):
                _request(session, w, user, "roster", cohort_id=w.cohort.id or 0)
        # Another organization's cohort or programme: as one nobody has.
        with pytest.raises(NotFound, match="That cohort does not exist"):
            _request(session, w, w.other_director, "roster", cohort_id=w.cohort.id or 0)
        with pytest.raises(NotFound, match="That programme does not exist"):
            _request(session, w, w.other_director, "roster", program_id=w.program.id or 0)
        with pytest.raises(NotFound):
            _request(session, w, w.director, "roster", cohort_id=999_999)
        with pytest.raises(Invalid):
            _request(session, w, w.director, "roster")

    def test_gradebook_for_directors_and_the_cohorts_mentors_only(
        self, session: Session, world: World
    ) -> None:
        w = world
        for user in (w.director, w.mentor, w.comentor, w.admin):
            assert _request(session, w, user, "gradebook", cohort_id=w.cohort.id or 0)
        for user in (w.other_mentor, w.student):
            with pytest.raises(Forbidden):
                _request(session, w, user, "gradebook", cohort_id=w.cohort.id or 0)
        for user in (w.other_mentor_org, w.other_director):  # another organization's: unknown
            with pytest.raises(NotFound):
                _request(session, w, user, "gradebook", cohort_id=w.cohort.id or 0)

    def test_a_director_who_mentors_elsewhere_is_offered_that_cohorts_gradebook(
        self, session: Session, world: World
    ) -> None:
        w = world  # other_director directs Coast Campus and mentors the Spring cohort here
        session.add(
            RoleAssignment(
                user_id=id_of(w.other_director), role=Role.mentor, organization_id=w.org.id
            )
        )
        session.commit()
        serve(session, w.cohort, w.other_director)
        offered = {
            c.kind: {s.cohort_id for s in c.scopes}
            for c in exports.choices(session, w.p(session, w.other_director))
        }
        assert w.cohort.id in offered["gradebook"]
        assert w.cohort.id not in offered["roster"]  # only the gradebook: they mentor there
        assert _request(session, w, w.other_director, "gradebook", cohort_id=w.cohort.id or 0)

    def test_workload_for_directors_audit_log_for_admins_own_data_for_anyone(
        self, session: Session, world: World
    ) -> None:
        w = world
        assert _request(session, w, w.director, "mentor_workload", program_id=w.program.id or 0)
        with pytest.raises(Forbidden):
            _request(session, w, w.mentor, "mentor_workload", program_id=w.program.id or 0)
        assert _request(session, w, w.admin, "audit_log")
        for user in (w.director, w.mentor, w.student):
            with pytest.raises(Forbidden):
                _request(session, w, user, "audit_log")
        assert _request(session, w, w.student, "own_data")
        # It said "The my data export takes no programme or cohort."
        with pytest.raises(Invalid, match=r"^Your data export takes no programme or cohort\.$"):
            _request(session, w, w.student, "own_data", cohort_id=w.cohort.id or 0)
        with pytest.raises(Invalid, match=r"^The audit log export takes no programme or cohort"):
            _request(session, w, w.admin, "audit_log", program_id=w.program.id or 0)

    def test_the_request_is_audited_and_limited(self, session: Session, world: World) -> None:
        w = world
        for _ in range(exports.MAX_ACTIVE):
            _request(session, w, w.student, "own_data")
        with pytest.raises(exports.Conflict):
            _request(session, w, w.student, "own_data")
        actions = session.exec(
            select(AuditLog.action).where(AuditLog.actor_id == w.student.id)
        ).all()
        assert actions.count("export.requested") == exports.MAX_ACTIVE

    def test_two_requests_at_once_keep_to_the_limit(self, session: Session, world: World) -> None:
        """One place left and two requests at the same moment (two tabs): one is taken, the
        other is told to wait; both passed the count before, leaving MAX_ACTIVE + 1 running."""
        w = world
        for _ in range(exports.MAX_ACTIVE - 1):
            _request(session, w, w.student, "own_data")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def ask() -> None:
            with Session(db.get_engine(), expire_on_commit=False) as s:
                who = w.p(s, w.student)
                s.commit()
                try:
                    barrier.wait(timeout=10)
                    exports.request_export(s, who, ExportRequest(kind="own_data"))
                    time.sleep(0.2)  # the transaction stays open a moment, as under load
                    s.commit()
                    outcomes.append("queued")
                except exports.Conflict:
                    s.rollback()
                    outcomes.append("wait")

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(outcomes) == ["queued", "wait"]
        active = session.exec(
            select(Export.id).where(
                Export.requested_by_id == w.student.id,
                col(Export.status).in_([ExportStatus.queued, ExportStatus.running]),
            )
        ).all()
        assert len(active) == exports.MAX_ACTIVE


class TestApi:
    def test_request_follow_download_and_nobody_else(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        director = client_for(w.director)
        r = director.post(f"{API}/exports", json={"kind": "roster", "cohort_id": w.cohort.id})
        assert r.status_code == 202, r.text
        export_id = r.json()["id"]
        assert r.json()["status"] == "queued" and r.json()["download_url"] is None
        assert _run(export_id) == ExportStatus.done
        r = director.get(f"{API}/exports/{export_id}")
        body = r.json()
        assert body["status"] == "done" and body["progress"] == 100
        assert body["download_url"] == f"/api/v1/exports/{export_id}/download"
        assert [e["id"] for e in director.get(f"{API}/exports").json()] == [export_id]
        rows = _csv(director, export_id)
        assert rows[0] == list(export_writers.ROSTER_HEADER)
        assert sorted(r[2] for r in rows[1:]) == sorted([w.student.email, w.student2.email])
        # Anyone else — even an admin or the same organisation's staff — gets 404, no detail.
        for user in (w.admin, w.mentor, w.student, w.other_director):
            client = client_for(user)
            for url in (f"/exports/{export_id}", f"/exports/{export_id}/download"):
                r = client.get(API + url)
                assert r.status_code == 404 and r.json()["detail"] == exports.NOT_FOUND
            assert client.get(f"{API}/exports").json() == []
        downloads = session.exec(
            select(AuditLog).where(AuditLog.action == "export.downloaded")
        ).all()
        assert [(a.actor_id, a.target_id) for a in downloads] == [(w.director.id, str(export_id))]

    def test_a_file_is_not_handed_out_once_its_rights_are_gone(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """A director removed from the organisation (or a mentor from the cohort) after the
        file was written no longer downloads its learners' names and e-mails: the download
        checks the requester's rights of today, as the job did when it wrote the file."""
        w = world
        # The director also mentors the cohort: once no longer its director, they see only
        # their mentees, so the gradebook of every learner they asked for as director is refused.
        session.add(
            RoleAssignment(user_id=id_of(w.director), role=Role.mentor, organization_id=w.org.id)
        )
        serve(session, w.cohort, w.director)
        roster = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        everyone = _request(session, w, w.director, "gradebook", cohort_id=w.cohort.id or 0)
        gradebook = _request(session, w, w.mentor, "gradebook", cohort_id=w.cohort.id or 0)
        own = _request(session, w, w.mentor, "own_data")
        for export_id in (roster, everyone, gradebook, own):
            assert _run(export_id) == ExportStatus.done
        director, mentor = client_for(w.director), client_for(w.mentor)
        assert director.get(f"{API}/exports/{roster}/download").status_code == 200
        session.execute(
            text("DELETE FROM role_assignments WHERE user_id = :u AND role = 'director'"),
            {"u": w.director.id},
        )
        for table in ("cohort_mentors", "mentor_assignments"):
            session.execute(text(f"DELETE FROM {table} WHERE mentor_id = :m"), {"m": w.mentor.id})
        session.commit()
        for client, export_id in ((director, roster), (mentor, gradebook)):
            r = client.get(f"{API}/exports/{export_id}/download")
            assert r.status_code == 403 and "can't export" in r.json()["detail"], r.text
        r = director.get(f"{API}/exports/{everyone}/download")
        assert r.status_code == 403 and "only those you mentor" in r.json()["detail"], r.text
        assert mentor.get(f"{API}/exports/{own}/download").status_code == 200  # still theirs
        downloads = session.exec(
            select(AuditLog.target_id).where(AuditLog.action == "export.downloaded")
        ).all()
        assert sorted(downloads) == sorted([str(roster), str(own)])

    def test_the_list_offers_no_download_that_would_be_refused(
        self, session: Session, world: World, client_for: ClientFor, data_dir: Path
    ) -> None:
        """A finished export whose download would answer 403 (its requester lost the rights it
        needs) or 410 (its file is gone) is listed without a download link, with the reason the
        download would give; one still downloadable keeps its link."""
        w = world
        roster = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        gradebook = _request(session, w, w.mentor, "gradebook", cohort_id=w.cohort.id or 0)
        own = _request(session, w, w.mentor, "own_data")
        mine = _request(session, w, w.student, "own_data")
        for export_id in (roster, gradebook, own, mine):
            assert _run(export_id) == ExportStatus.done
        session.execute(
            text("DELETE FROM role_assignments WHERE user_id = :u AND role = 'director'"),
            {"u": w.director.id},
        )
        for table in ("cohort_mentors", "mentor_assignments"):
            session.execute(text(f"DELETE FROM {table} WHERE mentor_id = :m"), {"m": w.mentor.id})
        session.commit()
        gone = session.get(Export, mine)
        assert gone is not None and gone.file_path
        (data_dir / gone.file_path).unlink()
        director, mentor, student = (client_for(u) for u in (w.director, w.mentor, w.student))
        for client, export_id, code in (
            (director, roster, 403),
            (mentor, gradebook, 403),
            (student, mine, 410),
        ):
            refused = client.get(f"{API}/exports/{export_id}/download")
            assert refused.status_code == code, refused.text
            [listed] = [e for e in client.get(f"{API}/exports").json() if e["id"] == export_id]
            one = client.get(f"{API}/exports/{export_id}").json()
            for body in (listed, one):
                assert body["status"] == "done" and body["download_url"] is None, body
                assert body["unavailable"] == refused.json()["detail"], body
        kept = mentor.get(f"{API}/exports/{own}").json()
        assert kept["download_url"] and kept["unavailable"] == ""
        assert mentor.get(kept["download_url"]).status_code == 200

    def test_a_file_removed_as_it_is_downloaded_answers_410_not_500(
        self,
        session: Session,
        world: World,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The sweep removes an expiring file just after the download's checks passed: the
        answer is 410 with a detail, not a 500."""
        w = world
        export_id = _request(session, w, w.student, "own_data")
        assert _run(export_id) == ExportStatus.done
        checked = exports.open_download

        def then_swept(*args: Any, **kw: Any) -> exports.Download:
            found = checked(*args, **kw)
            found.path.unlink()
            return found

        monkeypatch.setattr(exports, "open_download", then_swept)
        r = client_for(w.student).get(f"{API}/exports/{export_id}/download")
        assert r.status_code == 410 and "no longer available" in r.json()["detail"], r.text

    def test_bad_requests_are_4xx_with_a_detail(self, world: World, client_for: ClientFor) -> None:
        w = world
        student = client_for(w.student)
        for body in (
            {"kind": "everything"},
            {"kind": "roster"},
            {"kind": "roster", "cohort_id": 0},
            {"kind": "roster", "cohort_id": 2**40},
            {"kind": "audit_log"},
            {"kind": "own_data", "program_id": w.program.id},
        ):
            r = student.post(f"{API}/exports", json=body)
            assert 400 <= r.status_code < 500 and r.json()["detail"], (body, r.text)
        assert student.get(f"{API}/exports/2147483647/download").status_code == 404

    def test_an_expired_export_answers_410(
        self, session: Session, world: World, client_for: ClientFor, data_dir: Path
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")
        _run(export_id)
        student = client_for(w.student)
        not_ready = _request(session, w, w.student, "own_data")
        assert student.get(f"{API}/exports/{not_ready}/download").status_code == 409
        assert student.get(f"{API}/exports/{export_id}/download").status_code == 200
        session.execute(
            text("UPDATE exports SET expires_at = now() - interval '1 minute' WHERE id = :id"),
            {"id": export_id},
        )
        session.commit()
        r = student.get(f"{API}/exports/{export_id}/download")
        assert r.status_code == 410 and "expired" in r.json()["detail"]
        listed = student.get(f"{API}/exports/{export_id}").json()
        assert listed["expired"] is True and listed["download_url"] is None
        # The sweep deletes the file and the row.
        path = data_dir / (session.get(Export, export_id).file_path or "")  # type: ignore[union-attr]
        assert path.is_file()
        result = exports.sweep(session)
        session.commit()
        assert result.deleted == 1 and not path.exists()
        session.expire_all()
        assert session.get(Export, export_id) is None
        assert session.get(Export, not_ready) is not None  # queued: kept


class TestTheJob:
    def test_a_second_run_does_nothing_even_at_the_same_time(
        self, session: Session, world: World
    ) -> None:
        w = world
        export_id = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        results: list[ExportStatus | None] = []
        start = threading.Barrier(2)

        def run() -> None:
            start.wait()
            results.append(_run(export_id))

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results, key=str) == sorted([ExportStatus.done, None], key=str)
        assert _run(export_id) is None  # and later deliveries too
        files = list((get_settings().data_dir / "exports").iterdir())
        assert len(files) == 1 and files[0].suffix == ".csv"

    def test_rights_are_checked_again_when_the_job_runs(
        self, session: Session, world: World
    ) -> None:
        w = world
        export_id = _request(session, w, w.mentor, "gradebook", cohort_id=w.cohort.id or 0)
        _no_longer_mentors(session, w)
        assert _run(export_id) == ExportStatus.failed
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and "can't export" in export.error and export.file_path is None

    def test_a_failed_export_leaves_the_list_like_a_finished_one(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        """A failed export is listed with its reason for EXPORT_TTL_HOURS, then the sweep
        removes it as it removes an expired file; it did not, and failed rows stayed in their
        requester's list (and the table) for good."""
        w = world
        export_id = _request(session, w, w.mentor, "gradebook", cohort_id=w.cohort.id or 0)
        _no_longer_mentors(session, w)
        assert _run(export_id) == ExportStatus.failed
        assert exports.sweep(session).deleted == 0
        session.commit()
        [listed] = exports.my_exports(session, w.p(session, w.mentor))
        assert listed.status == "failed" and "can't export" in listed.error
        # Its download says it failed (not "not ready yet", as if it were still coming).
        r = client_for(w.mentor).get(f"{API}/exports/{export_id}/download")
        assert r.status_code == 409 and r.json()["detail"].startswith("This export failed"), r.text
        assert listed.error in r.json()["detail"]
        session.execute(
            text(
                "UPDATE exports SET finished_at = finished_at - make_interval(hours => :h),"
                " expires_at = expires_at - make_interval(hours => :h) WHERE id = :id"
            ),
            {"id": export_id, "h": get_settings().export_ttl_hours},
        )
        session.commit()
        assert exports.sweep(session).deleted == 1
        session.commit()
        assert exports.my_exports(session, w.p(session, w.mentor)) == []

    def test_an_export_whose_worker_keeps_dying_is_failed_by_the_sweep(
        self, session: Session, world: World
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")
        session.execute(
            text(
                "UPDATE exports SET status = 'running', created_at = now() - interval '3 hours',"
                " started_at = now() - interval '10 minutes',"
                " heartbeat_at = now() - interval '5 minutes' WHERE id = :id"
            ),
            {"id": export_id},
        )
        session.commit()
        assert exports.sweep(session).stale == 1
        session.commit()
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.failed
        assert export.error == exports.STALE_MESSAGE

    def test_an_export_whose_job_keeps_failing_before_it_starts_is_failed_by_the_sweep(
        self, session: Session, world: World, stub_broker: Any
    ) -> None:
        """A queued export whose job fails before the claim every time (a bug, in the admin's
        failed jobs) is told to its requester after STALE_AFTER, instead of "queued" forever
        with the sweep sending its job again every few minutes; a younger one is sent again."""
        w = world
        old = _request(session, w, w.student, "own_data")
        young = _request(session, w, w.mentor, "own_data")
        session.execute(
            text("UPDATE exports SET created_at = now() - interval '3 hours' WHERE id = :id"),
            {"id": old},
        )
        session.execute(
            text("UPDATE exports SET created_at = now() - interval '5 minutes' WHERE id = :id"),
            {"id": young},
        )
        session.commit()
        for export_id in (old, young):
            jobs.export_job_started(export_id)  # their jobs ran (and failed)
        stub_broker.flush_all()
        result = exports.sweep(session)
        session.commit()
        assert (result.stale, result.resent) == (1, 1)
        session.expire_all()
        failed = session.get(Export, old)
        assert failed is not None and failed.status == ExportStatus.failed
        assert failed.error == exports.NEVER_STARTED_MESSAGE
        assert session.get(Export, young).status == ExportStatus.queued  # type: ignore[union-attr]

    def test_a_running_export_whose_worker_died_is_taken_over_and_finished(
        self,
        session: Session,
        world: World,
        stub_broker: Any,
        stub_worker: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """The worker was killed mid-export: its row says "running", its heartbeat went silent.
        The redelivered job (or the sweep's) takes it over instead of finding it claimed."""
        w = world
        stub_worker.pause()
        export_id = _request(session, w, w.student, "own_data")
        stub_broker.flush_all()
        # A live run (fresh heartbeat) is not taken over: a second delivery watches it a while,
        # then leaves it be.
        monkeypatch.setattr(exports, "WATCH_FOR_S", 0.3)
        monkeypatch.setattr(exports, "WATCH_EVERY_S", 0.1)
        with db.session_scope() as s:
            assert exports.claim(s, export_id)
        assert _run(export_id) is None
        assert exports.sweep(session).resent == 0
        session.commit()
        # Its worker dies: no heartbeat for longer than TAKEOVER_AFTER.
        session.execute(
            text(
                "UPDATE exports SET heartbeat_at = now() - interval '61 seconds',"
                " started_at = now() - interval '5 minutes', rows_done = 40 WHERE id = :id"
            ),
            {"id": export_id},
        )
        session.commit()
        assert exports.sweep(session) == exports.SweepResult(deleted=0, stale=0, resent=1)
        export = _sent_job_runs(session, stub_broker, stub_worker, export_id)
        assert export.file_path and (get_settings().data_dir / export.file_path).is_file()

    def test_a_redelivered_job_takes_over_the_run_whose_heartbeat_stops(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Dramatiq redelivers a killed worker's message within ~30 s: that delivery watches the
        row, and takes it over once its heartbeat has been silent for TAKEOVER_AFTER."""
        w = world
        export_id = _request(session, w, w.student, "own_data")
        monkeypatch.setattr(exports, "WATCH_EVERY_S", 0.1)
        with db.session_scope() as s:
            assert exports.claim(s, export_id)
            s.execute(
                text(
                    "UPDATE exports SET heartbeat_at = now() - interval '29 seconds' WHERE id = :id"
                ),
                {"id": export_id},
            )
        assert _run(export_id) == ExportStatus.done

    def test_a_frozen_run_that_wakes_after_a_takeover_keeps_nothing(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch, data_dir: Path
    ) -> None:
        """A worker froze mid-export (not dead) past TAKEOVER_AFTER; another delivery took the
        export over and finished it. When the frozen run wakes and finishes too, the taker's
        file stands: the frozen run writes nothing to the row and removes its own file."""
        w = world
        export_id = _request(session, w, w.student, "own_data")
        write = exports._write
        frozen: list[Path] = []
        taker: list[ExportStatus | None] = []

        def freezes_then_wakes(s: Session, export: Export, path: Path, **kw: Any) -> int:
            if not frozen:  # the first run: it freezes, and its heartbeat goes silent
                frozen.append(path)
                with db.session_scope() as other:
                    other.execute(
                        text(
                            "UPDATE exports SET heartbeat_at = now() - interval '61 seconds'"
                            " WHERE id = :id"
                        ),
                        {"id": export_id},
                    )
                taker.append(_run(export_id))  # meanwhile, a redelivery takes it over
            return write(s, export, path, **kw)

        monkeypatch.setattr(exports, "_write", freezes_then_wakes)
        assert _run(export_id) is None  # the frozen run, awake: it lost its claim
        assert taker == [ExportStatus.done]
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.done and export.file_path
        assert sorted(p.name for p in (data_dir / "exports").iterdir()) == [
            Path(export.file_path).name
        ]

    def test_the_running_job_writes_its_heartbeat(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")
        monkeypatch.setattr(exports, "HEARTBEAT_EVERY_S", 0.05)
        beats: list[Any] = []

        def slow_write(_session: Any, _export: Any, path: Path, **_kw: Any) -> int:
            path.write_text("")
            for _ in range(3):
                time.sleep(0.2)
                with db.session_scope() as s:
                    export = s.get(Export, export_id)
                    assert export is not None
                    beats.append(export.heartbeat_at)
            return 0

        monkeypatch.setattr(exports, "_write", slow_write)
        assert _run(export_id) == ExportStatus.done
        assert all(beats) and beats[0] < beats[1] < beats[2]

    def test_a_bug_before_the_claim_sends_no_job_again(
        self,
        session: Session,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
        stub_broker: Any,
    ) -> None:
        """An error that is neither a stop nor an outage (a bug) before the run claims the
        export fails the job (for the admin's failed jobs) and sends none again: a job sent at
        once would fail again, as fast as it ran. The export stays queued for the sweep."""
        export_id = _request(session, world, world.student, "own_data")
        stub_broker.flush_all()

        def broken(_session: Session, _export_id: int) -> Any:
            raise RuntimeError("a bug")

        monkeypatch.setattr(exports, "claim", broken)
        with pytest.raises(RuntimeError):
            _run(export_id)
        assert stub_broker.queues["default"].qsize() == 0
        assert stub_broker.queues["default.DQ"].qsize() == 0
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.queued

    def test_a_worker_shutting_down_mid_export_puts_it_back_in_the_queue(
        self,
        session: Session,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
        data_dir: Path,
        stub_broker: Any,
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")
        stub_broker.flush_all()

        def interrupted(_session: Any, _export: Any, path: Path, **_kw: Any) -> int:
            path.write_text("half")
            raise Shutdown("the worker is stopping")

        monkeypatch.setattr(exports, "_write", interrupted)
        with pytest.raises(Shutdown):
            _run(export_id)
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.queued
        # Its job, for another worker, in REQUEUE_DELAY_MS (the delayed queue until then).
        assert stub_broker.queues["default"].qsize() == 0
        assert stub_broker.queues["default.DQ"].qsize() == 1
        assert list((data_dir / "exports").glob("*.part")) == []

    @pytest.mark.parametrize(
        ("step", "left"),
        [
            ("taking", ExportStatus.queued),
            ("claiming", ExportStatus.queued),
            ("claimed", ExportStatus.running),
            ("writing", ExportStatus.queued),
        ],
    )
    def test_a_worker_stopping_hands_the_export_to_another_at_once(
        self,
        session: Session,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
        stub_broker: Any,
        data_dir: Path,
        step: str,
        left: ExportStatus,
    ) -> None:
        """A worker told to stop (a deploy, a restart) stops at once, whatever step of a
        learner's data export its job is at, and the export's job is sent again for another
        worker, which writes it; the stopped job is neither a dead letter nor a failed job in
        the admin console.
        - Taking the job (its "waiting" mark not yet cleared), or claiming the export: the
          export is still queued; its job goes now, not after the sweep's minutes.
        - Just claimed, before the export began: it shows as running with no run behind it; the
          job sent again takes it over once its heartbeat is silent (TAKEOVER_AFTER).
        - Writing the file: the export is put back in the queue (not held until it is done, up
          to its hour, nor killed with the worker), and no partial file is left."""
        import dramatiq

        import worker.actors  # noqa: F401  (declares the actors)

        started = threading.Event()

        def stall() -> None:  # eight seconds in small steps: the Shutdown lands between two
            if started.is_set():
                return  # once: the handler's own calls go through
            started.set()
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                time.sleep(0.05)

        taken, claim = jobs.export_job_started, exports.claim
        claim_or_watch, write = exports._claim_or_watch, exports._write

        def taking(export_id: int) -> None:
            stall()
            taken(export_id)

        def claiming(s: Session, export_id: int) -> Any:
            stall()
            return claim(s, export_id)

        def claimed(open_session: Any, export_id: int) -> Any:
            run = claim_or_watch(open_session, export_id)
            stall()
            return run

        def writing(_session: Any, _export: Any, path: Path, **_kw: Any) -> int:
            path.write_text("half")
            stall()
            return 0

        fakes = {
            "taking": (jobs, "export_job_started", taking, taken),
            "claiming": (exports, "claim", claiming, claim),
            "claimed": (exports, "_claim_or_watch", claimed, claim_or_watch),
            "writing": (exports, "_write", writing, write),
        }
        module, name, fake, real = fakes[step]
        monkeypatch.setattr(module, name, fake)
        # The run_export jobs the app sends (jobs._send names a delay; a worker moving a delayed
        # message to its queue, which a Redis broker does for the stopping one, names none).
        sent: list[int] = []
        enqueue = stub_broker.enqueue

        def counted(message: Any, **kw: Any) -> Any:
            if message.actor_name == "run_export" and "delay" in kw:
                sent.append(message.args[0])
            return enqueue(message, **kw)

        monkeypatch.setattr(stub_broker, "enqueue", counted)
        running = dramatiq.Worker(stub_broker, worker_timeout=100)
        running.start()
        export_id = _request(session, world, world.student, "own_data")
        assert started.wait(20)
        stopped_at = time.monotonic()
        running.stop(timeout=20_000)
        assert time.monotonic() - stopped_at < 5
        # What the stopped worker's consumers held (its new job) a Redis broker puts back; the
        # stub drops it unfinished, which later joins would wait for: marked done here.
        for queue_name in ("default", "default.DQ"):
            queue = stub_broker.queues[queue_name]
            while queue.unfinished_tasks > queue.qsize():
                queue.task_done()
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == left
        assert sent == [export_id, export_id]  # the request's job, and the one sent again
        assert stub_broker.dead_letters == []
        assert session.exec(select(JobFailure)).all() == []
        # The admin's job statistics count it as stopped, not as a success.
        counts = get_redis().hgetall(JOBS_KEY)
        assert counts.get("run_export|stopped") == "1" and "run_export|succeeded" not in counts
        assert list((data_dir / "exports").glob("*.part")) == []
        # Another worker runs the job sent again: the learner's export is written.
        monkeypatch.setattr(module, name, real)
        if step == "claimed":  # once the stopped run's heartbeat has been silent long enough
            export.heartbeat_at = utcnow() - exports.TAKEOVER_AFTER - timedelta(seconds=1)
            session.add(export)
            session.commit()
        assert _run(export_id) == ExportStatus.done

    def test_a_stop_that_lands_after_the_export_was_written_keeps_its_file(
        self,
        session: Session,
        world: World,
        monkeypatch: pytest.MonkeyPatch,
        data_dir: Path,
    ) -> None:
        """A worker's stop that lands after the export's final commit (as the run winds down)
        leaves the written export whole: done, with its file there to download."""
        export_id = _request(session, world, world.student, "own_data")
        wind_down = exports._Heartbeat.__exit__

        def stopped(self: Any, *exc: object) -> None:
            wind_down(self, *exc)
            raise Shutdown("the worker is stopping")

        monkeypatch.setattr(exports._Heartbeat, "__exit__", stopped)
        with pytest.raises(Shutdown):
            _run(export_id)
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.done
        assert export.file_path and (data_dir / export.file_path).is_file()

    def test_an_export_past_its_time_limit_fails_with_a_reason(
        self, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")

        def too_long(*_args: Any, **_kw: Any) -> int:
            raise TimeLimitExceeded()

        monkeypatch.setattr(exports, "_write", too_long)
        with pytest.raises(TimeLimitExceeded):
            _run(export_id)
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.failed
        assert export.error == exports.TOO_LONG_MESSAGE

    def test_a_retried_export_is_not_failed_again_by_the_next_sweep(
        self, session: Session, world: World, stub_broker: Any
    ) -> None:
        """A timed-out export is older than STALE_AFTER: retried, it went back to the queue as
        asked for then, and the sweep (every 2 minutes) failed it again before a worker took it,
        its failed job already marked retried: stuck failed."""
        w = world
        export_id = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        export = session.get(Export, export_id)
        assert export is not None
        export.status, export.error = ExportStatus.failed, exports.TOO_LONG_MESSAGE
        export.created_at = utcnow() - exports.STALE_AFTER - timedelta(hours=1)
        session.add(export)
        session.commit()
        exports.retry_job(session, export_id)
        session.commit()
        exports.sweep(session)
        session.commit()
        session.refresh(export)
        assert (export.status, export.error) == (ExportStatus.queued, "")

    def test_retrying_a_timed_out_exports_failed_job_runs_it_again(
        self,
        session: Session,
        world: World,
        stub_broker: Any,
        stub_worker: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """An export stopped at its time limit is a failed job in the admin console: its Retry
        puts the export back in the queue and runs it (the requester sees it being prepared,
        then ready). Once written, or gone, a retry says there is nothing to run again."""
        w = world
        write = exports._write

        def too_long(*_args: Any, **_kw: Any) -> int:
            raise TimeLimitExceeded()

        monkeypatch.setattr(exports, "_write", too_long)
        export_id = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        stub_broker.join("default", timeout=20_000, fail_fast=False)
        stub_worker.join()
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.error == exports.TOO_LONG_MESSAGE
        [failure] = session.exec(select(JobFailure)).all()
        assert (failure.actor, failure.args) == ("run_export", [export_id])

        monkeypatch.setattr(exports, "_write", write)  # e.g. the database is less busy now
        admin = w.p(session, w.admin)
        ai_jobs.retry_failure(session, admin, failure.id or 0)
        session.commit()
        session.expire_all()
        listed = exports.get_export(session, w.p(session, w.director), export_id)
        # Being prepared again (the live worker may have taken it already), its error gone.
        assert listed.status in ("queued", "running") and listed.error == ""
        stub_broker.join("default", timeout=20_000, fail_fast=False)
        stub_worker.join()
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.done
        assert export.error == "" and export.file_path

        # Nothing left to run: the retry says so instead of sending a job that does nothing.
        again = JobFailure(
            message_id="m-2", actor="run_export", queue="default", args=[export_id], error="x"
        )
        gone = JobFailure(
            message_id="m-3", actor="run_export", queue="default", args=[2**31 - 1], error="x"
        )
        session.add_all([again, gone])
        session.commit()
        for row, says in ((again, "already been written"), (gone, "no longer exists")):
            with pytest.raises(Conflict, match=says):
                ai_jobs.retry_failure(session, admin, row.id or 0)
            session.rollback()

    def test_an_export_whose_job_was_lost_runs_after_the_sweep(
        self, session: Session, world: World, stub_broker: Any, stub_worker: Any
    ) -> None:
        """Redis restarted with the job gone: the learner's export is not stuck "queued"."""
        w = world
        stub_worker.pause()
        export_id = _request(session, w, w.student, "own_data")
        stub_broker.flush_all()  # the job is lost,
        get_redis().flushdb()  # as is all Redis held (it restarted empty)
        assert exports.sweep(session).resent == 0  # just asked for: its job may be on its way
        session.commit()
        session.execute(
            text("UPDATE exports SET created_at = now() - interval '3 minutes' WHERE id = :id"),
            {"id": export_id},
        )
        session.commit()
        assert exports.sweep(session).resent == 1
        _sent_job_runs(session, stub_broker, stub_worker, export_id)
        # A second sweep sends it no more (it is done), and two deliveries ran it once.
        assert exports.sweep(session).resent == 0

    def test_a_worker_outage_leaves_one_job_per_export_in_the_queue(
        self, session: Session, world: World, stub_broker: Any, stub_worker: Any
    ) -> None:
        """No worker ran for an hour: each sweep (every 2 minutes) found the export still queued.
        While its job still waits in the queue it is sent no other, so the worker, back, finds
        one job instead of thirty; a job waiting longer than RESEND_EVERY is sent once more (in
        case it was lost), and the export is written once."""
        w = world
        stub_worker.pause()
        export_id = _request(session, w, w.student, "own_data")
        queue = stub_broker.queues["default"]
        assert queue.qsize() == 1
        session.execute(
            text("UPDATE exports SET created_at = now() - interval '1 hour' WHERE id = :id"),
            {"id": export_id},
        )
        session.commit()
        for _ in range(30):
            assert exports.sweep(session).resent == 0
            session.commit()
        assert queue.qsize() == 1
        # Its job has waited RESEND_EVERY (the mark of its sending lapsed): sent once more.
        mark = jobs.EXPORT_JOB_KEY.format(export=export_id)
        ttl = get_redis().ttl(mark)
        assert 0 < ttl <= exports.RESEND_EVERY.total_seconds()
        get_redis().delete(mark)
        assert exports.sweep(session).resent == 1
        session.commit()
        assert exports.sweep(session).resent == 0
        session.commit()
        assert queue.qsize() == 2
        _sent_job_runs(session, stub_broker, stub_worker, export_id)
        assert len(list((get_settings().data_dir / "exports").iterdir())) == 1

    def test_the_file_is_named_with_the_requesters_own_date(
        self, session: Session, world: World
    ) -> None:
        w = world
        # A zone whose calendar day is not UTC's right now (+14 h late in the UTC day, -11 h early).
        zone_name = "Pacific/Kiritimati" if utcnow().hour >= 10 else "Pacific/Pago_Pago"
        w.student.time_zone = zone_name
        session.add(w.student)
        session.commit()
        export_id = _request(session, w, w.student, "own_data")
        before = utcnow()
        assert _run(export_id) == ExportStatus.done
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None
        local_day = before.astimezone(ZoneInfo(zone_name)).strftime("%Y%m%d")
        assert local_day != before.strftime("%Y%m%d")
        assert export.file_name == f"cyberhub-own-data-{export_id}-{local_day}.zip"

    def test_the_actor_runs_it_from_the_queue(
        self, session: Session, world: World, stub_broker: Any, stub_worker: Any
    ) -> None:
        w = world
        export_id = _request(session, w, w.student, "own_data")
        stub_broker.join("default", timeout=20_000)
        stub_worker.join()
        session.expire_all()
        export = session.get(Export, export_id)
        assert export is not None and export.status == ExportStatus.done
        assert export.expires_at is not None
        ttl = export.expires_at - (export.finished_at or utcnow())
        assert ttl == timedelta(hours=get_settings().export_ttl_hours)


class TestContents:
    def test_cells_that_would_be_formulas_are_text(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        nasty = {
            '=HYPERLINK("http://evil.example","x")': "'=HYPERLINK",
            "+cmd|' /C calc'!A0": "'+cmd",
            "-2+3": "'-2+3",
            "@SUM(A1:A2)": "'@SUM",
        }
        for i, name in enumerate(nasty):
            u = make_user(session, f"nasty{i}@example.org", "student")
            u.full_name = name
            session.add(u)
            enroll(session, w.cohort, u)
        session.commit()
        export_id = _request(session, w, w.director, "roster", cohort_id=w.cohort.id or 0)
        _run(export_id)
        names = [r[1] for r in _csv(client_for(w.director), export_id)[1:]]
        for prefix in nasty.values():
            assert any(n.startswith(prefix) for n in names), (prefix, names)
        assert not any(n[:1] in "=+-@" for n in names)
        assert export_writers.safe_cell(-3) == -3  # numbers stay numbers

    def test_roster_progress_counts_the_cohorts_own_programme_only(
        self, session: Session, world: World
    ) -> None:
        """The director's roster rule: approved of the published missions *the cohort's
        programme* runs (m1, m2, m3 here) — not of every programme that has a cohort."""
        w = world
        make_cohort(session, w.other_program, director=w.other_director, name="Coast cohort")
        session.add(
            Submission(
                student_id=w.student.id or 0,
                mission_id=w.m1.id or 0,
                status=SubmissionStatus.approved,
                submitted_at=utcnow(),
                decided_at=utcnow(),
            )
        )
        session.commit()
        rows = {r[2]: r[7:10] for r in export_writers.roster_rows(session, [w.cohort.id])}
        assert rows[w.student.email] == (1, 3, 33)
        assert rows[w.student2.email] == (0, 3, 0)

    def test_gradebook_has_a_score_per_criterion_per_attempt(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        m1 = w.m1.id or 0
        _submit(
            session,
            w.student.id or 0,
            m1,
            "first",
            status=SubmissionStatus.changes_requested,
            scores={"evidence": 4, "clarity": 2},
            mentor_id=w.mentor.id,
        )
        _submit(
            session,
            w.student.id or 0,
            m1,
            "second",
            attempt=2,
            status=SubmissionStatus.approved,
            scores=FULL_SCORES,
            mentor_id=w.mentor.id,
        )
        _submit(session, w.student2.id or 0, m1, "waiting")
        _submit(session, w.outsider_student.id or 0, m1, "other cohort")
        export_id = _request(session, w, w.director, "gradebook", cohort_id=w.cohort.id or 0)
        _run(export_id)
        rows = _csv(client_for(w.director), export_id)
        head = rows[0]
        got = {
            (r[head.index("email")], r[head.index("attempt")], r[head.index("criterion")]): r[
                head.index("score")
            ]
            for r in rows[1:]
        }
        # Progress is saved every PROGRESS_EVERY attempts, not per row (each save commits).
        saves: list[int] = []
        assert len(list(export_writers.gradebook_rows(session, w.cohort, None, saves.append))) == 5
        assert saves == []
        s1, s2 = w.student.email, w.student2.email
        assert got == {
            (s1, "1", "Evidence"): "4",
            (s1, "1", "Clarity"): "2",
            (s1, "2", "Evidence"): "10",
            (s1, "2", "Clarity"): "5",
            (s2, "1", ""): "",
        }

    def test_own_data_has_every_section_and_nothing_of_anyone_else(
        self, session: Session, world: World, client_for: ClientFor
    ) -> None:
        w = world
        _submit(
            session,
            w.student.id or 0,
            w.m1.id or 0,
            "My own hardening notes",
            scores=FULL_SCORES,
            mentor_id=w.mentor.id,
            feedback="Mentor says: tidy",
        )
        _submit(session, w.student2.id or 0, w.m1.id or 0, "Student two's secret answer")
        me = client_for(w.student)
        habit = me.post(f"{API}/coaching/habits", json={"title": "Lab hour", "cadence": "daily"})
        assert habit.status_code == 201
        logged = me.post(
            f"{API}/coaching/habits/{habit.json()['id']}/logs", json={"note": "Did the nmap lab"}
        )
        assert logged.status_code == 201
        goal = me.post(f"{API}/coaching/goals", json={"title": "Land a SOC role", "why": "Pay"})
        assert goal.status_code == 201
        thought = me.post(f"{API}/coaching/reflections", json={"body": "Private worry about exams"})
        assert thought.status_code == 201
        other = client_for(w.student2)
        assert other.post(f"{API}/coaching/goals", json={"title": "Student two goal"}).is_success
        export_id = _request(session, w, w.student, "own_data")
        assert _run(export_id) == ExportStatus.done
        r = client_for(w.student).get(f"{API}/exports/{export_id}/download")
        assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
        z = zipfile.ZipFile(io.BytesIO(r.content))
        names = set(z.namelist())
        for section in (
            "profile",
            "consents",
            "profiler_sessions",
            "profiler_answers",
            "profiler_results",
            "enrolments",
            "submissions",
            "reviews_of_my_work",
            "notes",
            "habits",
            "habit_checkins",
            "goals",
            "reflections",
            "coach_plan",
            "notifications",
            "certificates",
        ):
            assert {f"{section}.json", f"{section}.csv"} <= names, section
        everything = b"".join(z.read(n) for n in names).decode()
        assert w.student.email in everything and "My own hardening notes" in everything
        assert "Mentor says: tidy" in everything and "Spring" in everything
        for mine in (
            "Lab hour",
            "Did the nmap lab",
            "Land a SOC role",
            "Private worry about exams",
        ):
            assert mine in everything, mine
        assert "Student two" not in everything and w.student2.email not in everything
        assert "password" not in everything and "mfa_secret" not in everything


class TestStreaming:
    def test_a_big_roster_is_written_row_by_row(self, session: Session, world: World) -> None:
        w = world
        n = 4000
        session.execute(
            text(
                "INSERT INTO users (email, full_name, is_active, created_at, failed_login_count)"
                " SELECT 'bulk' || g || '@example.org', 'Bulk Learner ' || g, true, now(), 0"
                " FROM generate_series(1, :n) g"
            ),
            {"n": n},
        )
        session.execute(
            text(
                "INSERT INTO enrollments (cohort_id, student_id, status, enrolled_at)"
                " SELECT :c, id, 'active', now() FROM users WHERE email LIKE 'bulk%'"
            ),
            {"c": w.cohort.id},
        )
        session.commit()
        cohort_ids = [w.cohort.id]
        rows = export_writers.roster_rows(session, cohort_ids)
        assert not isinstance(rows, list | tuple)  # a generator, consumed as it is written
        progress: list[int] = []
        out = get_settings().data_dir / "big.csv"
        tracemalloc.start()
        try:
            written = export_writers.write_csv(
                out, export_writers.ROSTER_HEADER, rows, progress.append
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert written == n + 2
        assert progress[:2] == [500, 1000]
        # Everything in memory at once would be several MB of rows; batches of 1000 stay small.
        assert peak < 3_000_000, peak
        assert out.stat().st_size > 300_000
