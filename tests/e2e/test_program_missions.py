"""Issue 12 in a real browser: on /director/missions the demo director removes a library mission
from the programme ("Missions your programme runs") and adds it back from the CyberHub library;
both changes are audited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session, create_engine

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine, director_with_own_mission
from tests.factories import PASSWORD, with_db

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
        expect(panel).to_contain_text("Every mission of this programme's tracks")

        panel.get_by_role("button", name=f"Remove {title} from the programme").click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text(f"Remove “{title}” from the programme?")
        dialog.get_by_role("button", name="Remove").click()
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


def test_a_refused_add_or_remove_shows_the_lists_as_they_are_now(
    web: BrowserPage, pg_admin_url: str
) -> None:
    """Another director changed the programme meanwhile: the refusal re-reads both lists, so the
    page stops offering the change that was refused (it kept the old lists before)."""
    with director_with_own_mission(pg_admin_url, "Refusal check") as (email, title):
        try:
            _refused_changes(web, pg_admin_url, email, title)
        finally:
            # As it was made (the fixture removes the programme's missions: not library ones).
            with app_engine(pg_admin_url) as engine, Session(engine) as session:
                session.execute(
                    text(
                        "DELETE FROM program_missions pm USING missions m, programs p "
                        "WHERE m.id = pm.mission_id AND p.id = pm.program_id "
                        "AND m.organization_id IS NULL AND p.organization_id = ("
                        "SELECT organization_id FROM missions WHERE title = :t)"
                    ),
                    {"t": title},
                )
                session.execute(
                    text(
                        "INSERT INTO program_missions (program_id, mission_id, added_at) "
                        "SELECT p.id, m.id, now() FROM missions m JOIN programs p "
                        "ON p.organization_id = m.organization_id WHERE m.title = :t "
                        "ON CONFLICT DO NOTHING"
                    ),
                    {"t": title},
                )
                session.commit()


def _refused_changes(web: BrowserPage, pg_admin_url: str, email: str, title: str) -> None:
    page = web.page
    page.goto("/signin?next=/director/missions")
    sign_in(page, email, PASSWORD)
    panel = page.get_by_test_id("program-missions")
    remove = panel.get_by_role("button", name=f"Remove {title} from the programme")
    expect(remove).to_be_visible()
    add_first = panel.get_by_role("button", name=re.compile(r"^Add .* to the programme$"))
    expect(add_first.first).to_be_visible()
    library_label = add_first.first.get_attribute("aria-label") or ""
    library_title = library_label.removeprefix("Add ").removesuffix(" to the programme")

    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        program_id, own_id = session.execute(
            text(
                "SELECT pm.program_id, pm.mission_id FROM program_missions pm "
                "JOIN missions m ON m.id = pm.mission_id WHERE m.title = :t"
            ),
            {"t": title},
        ).one()
        library_id = session.execute(
            text(
                "SELECT id FROM missions WHERE title = :t AND organization_id IS NULL "
                "AND status = 'published'"
            ),
            {"t": library_title},
        ).scalar_one()
        # Meanwhile (another tab): the own mission leaves, the library one joins.
        session.execute(
            text("DELETE FROM program_missions WHERE program_id = :p AND mission_id = :m"),
            {"p": program_id, "m": own_id},
        )
        session.execute(
            text(
                "INSERT INTO program_missions (program_id, mission_id, added_at) "
                "VALUES (:p, :m, now())"
            ),
            {"p": program_id, "m": library_id},
        )
        session.commit()

    remove.click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(panel.get_by_role("alert")).to_be_visible()
    expect(remove).to_have_count(0)
    expect(
        panel.get_by_role("button", name=f"Remove {library_title} from the programme")
    ).to_be_visible()

    # The library list was re-read too: the mission already run is no longer offered.
    expect(panel.get_by_role("button", name=f"Add {library_title} to the programme")).to_have_count(
        0
    )

    # A refused add: the next library mission joined meanwhile too. (The own mission that left
    # is offered back first: not that one.)
    library_add = re.compile(rf"^Add (?!{re.escape(title)} to).* to the programme$")
    add = panel.get_by_role("button", name=library_add).first
    expect(add).to_be_visible()
    other = (add.get_attribute("aria-label") or "").removeprefix("Add ")
    other = other.removesuffix(" to the programme")
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        session.execute(
            text(
                "INSERT INTO program_missions (program_id, mission_id, added_at) "
                "SELECT :p, id, now() FROM missions WHERE title = :t AND organization_id IS NULL"
            ),
            {"p": program_id, "t": other},
        )
        session.commit()
    panel.get_by_role("button", name=f"Add {other} to the programme").click()
    expect(panel.get_by_role("alert")).to_contain_text("already runs")
    expect(panel.get_by_role("button", name=f"Add {other} to the programme")).to_have_count(0)
    expect(panel.get_by_role("button", name=f"Remove {other} from the programme")).to_be_visible()
    assert web.console_errors == []


def test_an_own_mission_removed_is_offered_back_and_cancel_keeps_it(
    web: BrowserPage, pg_admin_url: str
) -> None:
    """Remove asks first (Cancel keeps the mission); a mission of the organisation's own that
    was removed is offered under Missions to add, and added back."""
    with director_with_own_mission(pg_admin_url, "Offered back") as (email, title):
        page = web.page
        page.goto("/signin?next=/director/missions")
        sign_in(page, email, PASSWORD)
        panel = page.get_by_test_id("program-missions")
        remove = panel.get_by_role("button", name=f"Remove {title} from the programme")
        remove.click()
        page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("alertdialog")).to_have_count(0)
        expect(remove).to_be_visible()  # still run: nothing was removed

        remove.click()
        page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
        expect(panel.get_by_role("status")).to_contain_text("Removed the mission")
        add = panel.get_by_role("button", name=f"Add {title} to the programme")
        expect(add).to_be_visible()
        add.click()
        expect(panel.get_by_role("status")).to_contain_text(f"now runs “{title}”")
        expect(remove).to_be_visible()
        assert web.console_errors == []
