"""Issue 12 in a real browser: on /director/missions the demo director removes a library mission
from the programme ("Missions your programme runs") and adds it back from the CyberHub library;
both changes are audited."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session, create_engine

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import with_db

pytestmark = [pytest.mark.missions]


def test_director_removes_and_adds_back_a_library_mission(
    web: BrowserPage, app_url: str, pg_admin_url: str
) -> None:
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    try:
        with Session(engine) as session:
            # A library mission no other mission requires (so the programme may drop it).
            mission_id, title = session.execute(
                text(
                    "SELECT m.id, m.title FROM missions m "
                    "JOIN program_missions pm ON pm.mission_id = m.id "
                    "WHERE m.organization_id IS NULL AND m.status = 'published' AND NOT EXISTS "
                    "(SELECT 1 FROM mission_prerequisites p WHERE p.prerequisite_id = m.id) "
                    "ORDER BY m.id DESC LIMIT 1"
                )
            ).one()
            audited_before = session.execute(
                text("SELECT count(*) FROM audit_logs WHERE action LIKE 'program.mission_%'")
            ).scalar_one()
        page = web.page
        page.goto("/signin?next=/director/missions")
        sign_in(page, "director@cyberhub.example", DEMO_PASSWORD)
        panel = page.get_by_test_id("program-missions")
        expect(panel.get_by_role("heading", name="Missions your programme runs")).to_be_visible()
        expect(panel).to_contain_text("Every library mission of this programme's tracks")

        panel.get_by_role("button", name=f"Remove {title} from the programme").click()
        expect(panel.get_by_role("status")).to_contain_text("Removed the mission")
        add = panel.get_by_role("button", name=f"Add {title} to the programme")
        expect(add).to_be_visible()
        add.click()
        expect(panel.get_by_role("status")).to_contain_text(f"now runs “{title}”")
        expect(
            panel.get_by_role("button", name=f"Remove {title} from the programme")
        ).to_be_visible()
        assert web.console_errors == []

        with Session(engine) as session:
            runs = session.execute(
                text("SELECT count(*) FROM program_missions WHERE mission_id = :m"),
                {"m": mission_id},
            ).scalar_one()
            audited = session.execute(
                text("SELECT count(*) FROM audit_logs WHERE action LIKE 'program.mission_%'")
            ).scalar_one()
        assert runs == 1 and audited == audited_before + 2
    finally:
        engine.dispose()
