"""Issue #12, acceptance 1 in a real browser: with a second programme (of another organisation)
in the database, the landing page, /tracks and the catalog's track filter show each track once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, create_engine, select

from cyberhub.models import Organization, Program, User
from cyberhub.services.admin.demo import DEMO_PASSWORD
from cyberhub.services.identity.permissions import load_principal
from cyberhub.services.learning import programs
from tests.e2e.conftest import BrowserPage, sign_in
from tests.factories import with_db

TRACKS = ("Builders", "Leaders", "Entrepreneurs", "Researchers", "Educators")
pytestmark = [pytest.mark.missions]


@pytest.fixture
def second_programme(app_url: str, pg_admin_url: str, tmp_root: Path) -> Iterator[None]:
    """The demo admin creates a programme (with its own five tracks) in a new organisation."""
    engine = create_engine(with_db(pg_admin_url, "e2e_app"))
    with Session(engine) as session:
        if session.exec(select(Program).where(Program.slug == "coastal-defenders")).first():
            yield
            return
        org = Organization(name="Mombasa Cyber Academy", slug="mombasa-cyber-academy")
        session.add(org)
        session.flush()
        admin = session.exec(select(User).where(User.email == "admin@cyberhub.example")).one()
        assert admin.id is not None
        programs.create_program(
            session,
            load_principal(session, admin.id),
            name="Coastal Defenders",
            slug="coastal-defenders",
            organization_id=org.id,
        )
        session.commit()
    engine.dispose()
    yield


def _each_heading_once(web: BrowserPage) -> None:
    page = web.page
    for name in TRACKS:
        heading = page.get_by_role("heading", name=name, exact=True)
        expect(heading.first).to_be_visible()
        expect(heading).to_have_count(1)


def test_landing_and_tracks_pages_show_each_track_once(
    web: BrowserPage, second_programme: None
) -> None:
    web.page.goto("/")
    _each_heading_once(web)
    web.page.goto("/tracks")
    _each_heading_once(web)
    assert web.console_errors == []


def test_catalog_track_filter_lists_each_track_once(
    web: BrowserPage, second_programme: None
) -> None:
    page = web.page
    page.goto("/signin?next=/missions")
    sign_in(page, "student@cyberhub.example", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Missions")).to_be_visible()
    page.get_by_role("combobox", name="Track").click()
    options = page.get_by_role("option")
    expect(options).to_have_count(len(TRACKS) + 1)  # "All tracks" and the five
    for name in TRACKS:
        expect(page.get_by_role("option", name=name, exact=True)).to_have_count(1)


def test_director_chooses_a_tracks_nice_roles_for_their_programme(web: BrowserPage) -> None:
    page = web.page
    page.goto("/signin?next=/dashboard/director")
    sign_in(page, "director@cyberhub.example", DEMO_PASSWORD)
    dialog = page.get_by_role("alertdialog")

    def edit_builders() -> None:
        page.get_by_role("button", name="Edit the Builders track").first.click()
        expect(dialog).to_be_visible()

    edit_builders()
    role = dialog.get_by_role("checkbox", name=re.compile(r"\(IO-WRL-006\)"))
    expect(role).to_be_checked()
    role.click()
    dialog.get_by_role("button", name="Save track").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the Builders track.")
    edit_builders()
    expect(dialog.get_by_role("checkbox", name=re.compile(r"\(IO-WRL-006\)"))).not_to_be_checked()
    expect(dialog.get_by_role("checkbox", name=re.compile(r"\(DD-WRL-003\)"))).to_be_checked()
    # Put it back (the app is shared with other browser tests).
    dialog.get_by_role("checkbox", name=re.compile(r"\(IO-WRL-006\)")).click()
    dialog.get_by_role("button", name="Save track").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the Builders track.")
