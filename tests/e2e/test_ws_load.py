"""bench/ws_load.py against the e2e app: learner tabs speaking the app's real websocket protocol
sign in, do the learner's mix and leave their work saved, without an error; and the bench is not
blind (a tab that can't sign in is counted)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from bench.ws_load import LoadReport, learner_email, run_tabs, seed_learners
from cyberhub.models import Organization, Program, Submission, User
from tests.e2e.journeys import app_engine, remove_made
from tests.factories import with_db
from tests.processes import run_in_own_loop


def test_five_tabs_work_without_errors_and_their_work_is_saved(
    app_url: str, pg_admin_url: str
) -> None:
    cohort = f"Load cohort {uuid.uuid4().hex[:8]}"
    accounts = seed_learners(with_db(pg_admin_url, "e2e_app"), 5, cohort)
    assert accounts == [(learner_email(cohort, i), accounts[0][1]) for i in range(1, 6)]
    # Seeding again finds everything: same accounts, nobody enrolled twice.
    assert seed_learners(with_db(pg_admin_url, "e2e_app"), 5, cohort) == accounts
    try:
        report: LoadReport = run_in_own_loop(
            run_tabs([app_url], accounts, 5, 10.0, think=(0.2, 0.6))
        )
        assert report.errors == 0, report.error_samples
        assert report.tabs == 5 and report.events > 20
        assert 0 < report.p50_ms <= report.p95_ms <= report.p99_ms
        assert {"dashboard", "catalog", "filter", "mission", "draft"} <= set(report.by_action)

        # What the pages acknowledged is in the database, for the learner who did it.
        acknowledged = {(email, mission, kind) for email, mission, kind in report.saved}
        assert any(kind == "submitted" for _, _, kind in acknowledged), report.by_action
        with app_engine(pg_admin_url) as engine, Session(engine) as session:
            stored = {
                (email, mission): (status, answer)
                for email, mission, status, answer in session.exec(
                    select(User.email, Submission.mission_id, Submission.status, Submission.answer)
                    .join(User, col(User.id) == Submission.student_id)
                    .where(col(User.email).in_([e for e, _ in accounts]))
                ).all()
            }
        for email, mission, kind in acknowledged:
            status, answer = stored[(email, mission)]
            assert "Lynis hardening index" in answer
            if kind == "submitted":
                assert status == "submitted", (email, mission, status)

        # A tab whose sign-in is refused is an error, not a silent no-op.
        refused = run_in_own_loop(
            run_tabs([app_url], [(f"nobody-{uuid.uuid4().hex[:8]}@x.example", "wrong")], 1, 1.0)
        )
        assert refused.errors >= 1 and "sign in" in refused.error_samples[0]
    finally:
        with app_engine(pg_admin_url) as engine, Session(engine) as session:
            org = session.exec(
                select(Organization).where(Organization.slug == "load-test-academy")
            ).first()
            program = session.exec(
                select(Program).where(Program.organization_id == (org.id if org else -1))
            ).first()
            user_ids = session.exec(
                select(User.id).where(col(User.email).in_([e for e, _ in accounts]))
            ).all()
            remove_made(
                engine, org.id if org else None, program.id if program else None, list(user_ids)
            )
