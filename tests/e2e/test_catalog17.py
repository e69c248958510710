"""Issue 17 item 7 (the catalog): filters and search live in the URL (a shared link, a reload
and Back all show the same list), difficulty is worded one way everywhere ("Beginner · 1/5"),
and a learner sees where they stand on each card.

The lists counted here are this module's own: a new organisation's missions, each with a skill
no other mission has, seen by a learner of that organisation (made here, removed after). Other
journeys publish missions the demo learner sees (test_director's), so counting the demo
catalog depended on running before them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from tests.e2e.conftest import BrowserPage, sign_in
from tests.e2e.journeys import app_engine, remove_made
from tests.factories import PASSWORD, make_mission, make_org, make_program, make_track, make_user

pytestmark = [pytest.mark.student]


@dataclass(frozen=True)
class OwnCatalog:
    student: str  # a learner of the organisation (its missions are theirs to see)
    skill: str  # the skill only this organisation's missions have


@pytest.fixture(scope="module")
def own(pg_admin_url: str) -> Iterator[OwnCatalog]:
    """A new organisation's published missions, all with one skill of their own: builders
    "Patch a web server" (Beginner), "Shrink a Docker image" and "Segment a home network"
    (Foundation), and leaders "Brief the board" (Beginner); a learner of the organisation."""
    tag = uuid.uuid4().hex[:8]
    skill = f"catalog17-{tag}"
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Catalog Academy {tag}")
            program = make_program(session, org)
            builders = make_track(session, program, "builders")
            leaders = make_track(session, program, "leaders")
            for track, title, difficulty in [
                (builders, "Patch a web server", 1),
                (builders, "Shrink a Docker image", 2),
                (builders, "Segment a home network", 2),
                (leaders, "Brief the board", 1),
            ]:
                mission = make_mission(
                    session,
                    program,
                    track,
                    title=f"{title} {tag}",
                    difficulty=difficulty,
                    owner=org,
                )
                mission.skills = [skill]
                session.add(mission)
            session.commit()
            student = make_user(
                session, f"cat17-{tag}@example.org", "student", organization_id=org.id
            )
            made = OwnCatalog(student.email, skill)
            org_id, program_id, ids = org.id, program.id, [student.id]
        try:
            yield made
        finally:
            remove_made(engine, org_id, program_id, ids)


def _signed_in(web: BrowserPage, own: OwnCatalog) -> None:
    web.page.goto("/signin")
    sign_in(web.page, own.student, PASSWORD)
    expect(web.page).not_to_have_url(re.compile(r"/signin"))


def test_a_shared_catalog_link_restores_its_filters_and_back_returns_to_them(
    web: BrowserPage, own: OwnCatalog
) -> None:
    page = web.page
    _signed_in(web, own)
    skill = re.escape(own.skill)
    page.goto(f"/missions?track=builders&difficulty=1&skill={own.skill}")
    main = page.locator("main")
    expect(page.locator("#filter-track")).to_contain_text("Builders")
    expect(page.locator("#filter-difficulty")).to_contain_text("Beginner · 1/5")
    expect(main.get_by_text("1 mission", exact=True)).to_be_visible()
    expect(main.get_by_test_id("difficulty")).to_have_text(["Beginner · 1/5"])

    # Changing a filter puts it in the address bar and keeps the others.
    page.locator("#filter-difficulty").click()
    page.get_by_role("option", name="Foundation · 2/5").click()
    expect(page).to_have_url(
        re.compile(rf"/missions/?\?track=builders&difficulty=2&skill={skill}$")
    )
    expect(main.get_by_test_id("difficulty")).to_have_text(["Foundation · 2/5"] * 2)

    # A search too; a reload shows the same list with the words still in the box.
    page.get_by_label("Search").fill("docker")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(rf"track=builders&difficulty=2&skill={skill}&q=docker$"))
    expect(main.get_by_role("heading", level=2)).to_have_count(1)
    page.reload()
    expect(page.get_by_label("Search")).to_have_value("docker")
    expect(page.locator("#filter-difficulty")).to_contain_text("Foundation · 2/5")
    expect(main.get_by_role("heading", level=2)).to_have_count(1)

    # Back goes to the previous filters, not out of the catalog.
    page.go_back()
    expect(page).to_have_url(
        re.compile(rf"/missions/?\?track=builders&difficulty=2&skill={skill}$")
    )
    expect(page.get_by_label("Search")).to_have_value("")
    expect(main.get_by_role("heading", level=2)).to_have_count(2)
    page.go_back()
    expect(page).to_have_url(
        re.compile(rf"/missions/?\?track=builders&difficulty=1&skill={skill}$")
    )
    expect(page.locator("#filter-difficulty")).to_contain_text("Beginner · 1/5")
    expect(main.get_by_test_id("difficulty")).to_have_text(["Beginner · 1/5"])

    # Clearing the filters leaves a plain /missions; a page number is in the URL too.
    page.goto("/missions?q=zzzz-no-such-mission")
    expect(main.get_by_text("No missions match")).to_be_visible()
    main.get_by_role("button", name="Clear filters").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/missions/?$"))
    page.get_by_role("button", name="Next →").click()
    expect(page).to_have_url(re.compile(r"/missions/?\?page=2$"))
    expect(main.get_by_text("Page 2 of")).to_be_visible()
    assert web.console_errors == []


def test_nonsense_in_the_catalog_url_shows_the_whole_catalog(
    web: BrowserPage, own: OwnCatalog
) -> None:
    page = web.page
    _signed_in(web, own)
    page.goto("/missions?track=hackers&difficulty=9&status=nope&page=-3")
    main = page.locator("main")
    expect(page.locator("#filter-track")).to_contain_text("All tracks")
    expect(page.locator("#filter-difficulty")).to_contain_text("Any difficulty")
    expect(main.get_by_text(re.compile(r"^\d+ missions$"))).to_be_visible()
    expect(main.get_by_text("Page 1 of")).to_be_visible()
    # The address says what is shown: the nonsense is gone from it, in place (Back leaves).
    expect(page).to_have_url(re.compile(r"^[^?]*/missions/?$"))


def test_each_card_shows_the_difficulty_in_words_and_the_learners_status(
    web: BrowserPage, own: OwnCatalog
) -> None:
    page = web.page
    _signed_in(web, own)
    page.goto("/missions")
    main = page.locator("main")
    cards = main.get_by_role("heading", level=2)
    expect(cards.first).to_be_visible()
    n = cards.count()
    badges = main.get_by_test_id("difficulty")
    expect(badges).to_have_count(n)
    for text in badges.all_inner_texts():
        assert re.fullmatch(r"(Beginner|Foundation|Intermediate|Advanced|Expert) · [1-5]/5", text)
    expect(main.get_by_test_id("mission-status")).to_have_count(n)

    # The mission page words it the same way as its card.
    first, title = badges.first.inner_text(), cards.first.inner_text()
    cards.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main").get_by_test_id("difficulty")).to_have_text(first)
