"""Issue 15, item 2 — a sponsor opens their dashboard and downloads the report: the funded
cohort's figures, the learner who shares with sponsors and never the one who does not, the CSV
(a download) and the printable report (no app chrome when printed). The sponsorship's notes
carry the XSS corpus: shown as text, never run. And a director adds a sponsor from the cohort
page."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cyberhub.models import Organization, Submission, SubmissionStatus
from cyberhub.models.base import utcnow
from cyberhub.models.sponsorship import Sponsorship
from cyberhub.services.identity import consents
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import (
    complete_profiler,
    enroll,
    make_org,
    make_program,
    make_user,
    principal,
)
from tests.xss_corpus import all_payloads

# Nothing typed may become one of these in the page's main area.
ACTIVE = (
    "main iframe, main object, main embed, main script, main form[action], main meta, main base, "
    "main img, main a[href^='javascript' i], main a[href^='data' i], main [onerror], "
    "main [onload], main [onclick], main [ontoggle], main [srcdoc], main [style*='url(' i]"
)


@dataclass
class Funded:
    sponsor_email: str
    director_email: str
    cohort: str
    cohort_id: int
    shared: str  # the learner who consented
    hidden: str  # the learner who did not
    notes: str
    fund_name: str
    other_fund: str  # a second sponsor organisation, for the director to add


@pytest.fixture
def funded(app_url: str, pg_admin_url: str) -> Iterator[Funded]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (mission,) = make_course(session, "Funded", tag, "Harden SSH")
            fund = make_org(session, f"Lakeside Fund {tag}")
            other_fund = make_org(session, f"Highland Trust {tag}")
            sponsor = make_user(
                session, f"sp-sponsor-{tag}@example.org", "sponsor", organization_id=fund.id
            )
            other_sponsor = make_user(
                session, f"sp-other-{tag}@example.org", "sponsor", organization_id=other_fund.id
            )
            director = make_user(
                session, f"sp-director-{tag}@example.org", "director", organization_id=org.id
            )
            shared = make_user(
                session, f"sp-shared-{tag}@example.org", "student", organization_id=org.id
            )
            hidden = make_user(
                session, f"sp-hidden-{tag}@example.org", "student", organization_id=org.id
            )
            shared.full_name, hidden.full_name = f"Shared Wanjiku {tag}", f"Hidden Otieno {tag}"
            session.add_all([shared, hidden])
            session.commit()
            for learner in (shared, hidden):
                enroll(session, cohort, learner)
                complete_profiler(session, learner.id or 0, "builders")
            at = utcnow() - timedelta(days=2)
            session.add(
                Submission(
                    student_id=hidden.id or 0,
                    mission_id=mission.id or 0,
                    status=SubmissionStatus.approved,
                    submitted_at=at,
                    decided_at=at,
                )
            )
            notes = all_payloads()[:2000].strip()
            session.add(
                Sponsorship(
                    organization_id=fund.id or 0,
                    cohort_id=cohort.id or 0,
                    seats=5,
                    amount=Decimal("12500.00"),
                    currency="KES",
                    starts_on=cohort.starts_on,
                    ends_on=cohort.ends_on,
                    notes=notes,
                )
            )
            session.commit()
            consents.set_consent(
                session, principal(session, shared), consents.SPONSOR_SHARING, True
            )
            session.commit()
            data = Funded(
                sponsor.email,
                director.email,
                cohort.name,
                cohort.id or 0,
                shared.full_name,
                hidden.full_name,
                notes,
                fund.name,
                other_fund.name,
            )
            made = (
                org.id,
                program.id,
                [sponsor.id, other_sponsor.id, director.id, shared.id, hidden.id],
            )
            funds = [fund.id, other_fund.id]
        yield data
        remove_made(engine, *made)
        with Session(engine) as session:
            session.execute(delete(Organization).where(col(Organization.id).in_(funds)))
            session.commit()


def test_a_sponsor_opens_their_dashboard_and_downloads_the_report(
    web: BrowserPage, funded: Funded
) -> None:
    page = web.page
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in_to(page, "/dashboard/sponsor", funded.sponsor_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/sponsor/?$"))
    cohort = page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)
    expect(cohort).to_be_visible(timeout=15_000)
    figures = cohort.get_by_test_id("sponsor-figures")
    expect(figures).to_contain_text("2 of 5 funded")  # seats used
    expect(figures).to_contain_text("Missions approved")
    expect(cohort).to_contain_text("KES 12,500.00")
    expect(cohort.get_by_test_id("sponsor-learners")).to_contain_text(funded.shared)
    expect(cohort).to_contain_text("1 learner has not chosen to share")
    expect(page.locator("main")).not_to_contain_text(funded.hidden)
    # The notes (the XSS corpus) are text on the page, nothing in them runs.
    expect(cohort).to_contain_text(funded.notes[:40])
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    active = page.locator(ACTIVE)
    assert active.count() == 0, [a.evaluate("e => e.outerHTML") for a in active.all()]

    with page.expect_download() as got:
        page.get_by_role("link", name="Download report (CSV)").click()
    download = got.value
    assert re.fullmatch(r"sponsor-report-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = download.path()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Cohort" and any(r and r[0] == funded.cohort for r in rows)
    assert funded.shared in text and funded.hidden not in text

    page.get_by_role("link", name="Printable report").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/sponsor/report/?$"))
    expect(page.get_by_role("heading", name="Sponsor report")).to_be_visible()
    report = page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)
    expect(report).to_contain_text(funded.shared)
    expect(page.locator("main")).not_to_contain_text(funded.hidden)
    page.emulate_media(media="print")
    expect(page.locator("header").first).to_be_hidden()
    expect(page.locator("footer").first).to_be_hidden()
    expect(page.get_by_text("Print this page with your browser")).to_be_hidden()
    expect(report).to_be_visible()
    page.emulate_media(media="screen")
    assert dialogs == []
    assert web.console_errors == []


def test_a_sponsor_exports_the_report_and_downloads_it_when_ready(
    web: BrowserPage, funded: Funded
) -> None:
    page = web.page
    sign_in_to(page, "/dashboard/sponsor", funded.sponsor_email)
    expect(page.get_by_test_id("sponsored-cohort").first).to_be_visible(timeout=15_000)
    page.get_by_role("link", name="Export the report").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/exports/?$"))
    page.get_by_role("button", name="Export sponsor report").click()
    item = page.get_by_test_id("export-item").filter(has_text="Sponsor report").first
    expect(item).to_contain_text("Ready", timeout=60_000)  # the worker writes it
    expect(item).to_contain_text("Expires in")
    with page.expect_download() as got:
        item.get_by_role("button", name=re.compile("^Download")).click()
    path = got.value.path()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Cohort" and any(r and r[0] == funded.cohort for r in rows)
    assert funded.shared in text and funded.hidden not in text
    assert web.console_errors == []


def _add_a_sponsor_with_amount_abc(page: Page, panel: Locator, funded: Funded) -> Locator:
    """Fills the Add a sponsor form for the other fund with "abc" as the amount and saves it
    (refused); returns the dialog."""
    panel.get_by_role("button", name="Add a sponsor").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("combobox", name="Sponsor organisation").click()
    page.get_by_role("option", name=funded.other_fund).click()
    dialog.get_by_label("Seats funded").fill("3")
    dialog.get_by_label("Amount").fill("abc")
    dialog.get_by_label("Starts on").fill("2026-01-01")
    dialog.get_by_label("Ends on").fill("2026-06-30")
    dialog.get_by_role("button", name="Add the sponsor").click()
    return dialog


def test_a_director_adds_a_sponsor_to_the_cohort(web: BrowserPage, funded: Funded) -> None:
    page = web.page
    sign_in_to(page, f"/director/cohorts/{funded.cohort_id}", funded.director_email)
    panel = page.get_by_test_id("cohort-sponsors")
    expect(panel).to_contain_text(funded.fund_name, timeout=15_000)
    dialog = _add_a_sponsor_with_amount_abc(page, panel, funded)
    expect(dialog).to_contain_text("The amount must be a number")  # kept open, nothing lost
    expect(dialog.get_by_label("Seats funded")).to_have_value("3")
    dialog.get_by_label("Amount").fill("4000")
    dialog.get_by_role("button", name="Add the sponsor").click()
    expect(panel).to_contain_text(f"Recorded the sponsorship by {funded.other_fund}")
    expect(panel).to_contain_text("USD 4,000.00")
    # Its 2 learners are on the first sponsor's seats (created first, filling first): none is
    # counted again on the second's.
    row = panel.get_by_role("row").filter(has_text=funded.other_fund)
    expect(row).to_contain_text("0 of 3")
    expect(panel).to_contain_text("2 learners enrolled: 2 on sponsors' seats")
    # The refusal was of the try before: it does not stay on the panel once the save worked.
    expect(panel).not_to_contain_text("The amount must be a number")
    panel.get_by_role("button", name=f"Remove the sponsorship by {funded.other_fund}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(panel).to_contain_text(f"Removed the sponsorship by {funded.other_fund}")
    expect(panel.get_by_role("table")).not_to_contain_text(funded.other_fund)
    assert web.console_errors == []


def test_a_cancelled_sponsor_form_takes_its_refusal_with_it(
    web: BrowserPage, funded: Funded
) -> None:
    """A refused save keeps the dialog open with its message; Cancel closes both, and the panel
    does not show the refusal of a form that is gone."""
    page = web.page
    sign_in_to(page, f"/director/cohorts/{funded.cohort_id}", funded.director_email)
    panel = page.get_by_test_id("cohort-sponsors")
    expect(panel).to_contain_text(funded.fund_name, timeout=15_000)
    dialog = _add_a_sponsor_with_amount_abc(page, panel, funded)
    expect(dialog).to_contain_text("The amount must be a number")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(panel).not_to_contain_text("The amount must be a number")
    expect(panel.get_by_role("table")).not_to_contain_text(funded.other_fund)


def test_a_sponsor_no_longer_pickable_is_kept_when_the_sponsorship_is_edited(
    web: BrowserPage, funded: Funded, pg_admin_url: str
) -> None:
    """Once the sponsor runs a programme of its own it is no longer offered: its sponsorship's
    edit form showed no sponsor and every save was refused. It now lists the sponsor as the
    current one with a note, and the other fields save."""
    with app_engine(pg_admin_url) as engine, Session(engine, expire_on_commit=False) as session:
        fund = session.exec(select(Organization).where(Organization.name == funded.fund_name)).one()
        own = make_program(session, fund)  # a training organisation now: not pickable
        page = web.page
        try:
            sign_in_to(page, f"/director/cohorts/{funded.cohort_id}", funded.director_email)
            panel = page.get_by_test_id("cohort-sponsors")
            expect(panel).to_contain_text(funded.fund_name, timeout=15_000)
            panel.get_by_role("button", name=f"Edit the sponsorship by {funded.fund_name}").click()
            dialog = page.get_by_role("alertdialog")
            expect(dialog).to_contain_text(f"{funded.fund_name} can no longer be picked")
            expect(dialog.get_by_role("combobox", name="Sponsor organisation")).to_contain_text(
                f"{funded.fund_name} (current sponsor)"
            )
            dialog.get_by_label("Seats funded").fill("4")
            dialog.get_by_label("Notes (optional)").fill("Renewed for four seats.")
            dialog.get_by_role("button", name="Save the sponsorship").click()
            expect(panel).to_contain_text(f"Updated the sponsorship by {funded.fund_name}")
            expect(panel).to_contain_text("Renewed for four seats.")
            assert web.console_errors == []
        finally:
            session.delete(own)
            session.commit()


def test_the_sponsor_pages_fit_a_phone(mobile_web: BrowserPage, funded: Funded) -> None:
    """On a 375 px screen nothing scrolls sideways; the download and report links are reachable."""
    page = mobile_web.page
    sign_in_to(page, "/dashboard/sponsor", funded.sponsor_email)
    cohort = page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)
    expect(cohort.get_by_test_id("sponsor-learners")).to_contain_text(funded.shared, timeout=15_000)
    for name in ("Download report (CSV)", "Printable report"):
        link = page.get_by_role("link", name=name)
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", name="Sponsor report")).to_be_visible()
    expect(page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_after_the_sponsorship_ends_the_sponsor_sees_figures_but_no_names(
    web: BrowserPage, funded: Funded, pg_admin_url: str
) -> None:
    """Its end date passed: the figures stay, the learner who shares is no longer named and
    the card says why."""
    today = utcnow().date()
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        row = session.exec(
            select(Sponsorship).where(Sponsorship.cohort_id == funded.cohort_id)
        ).one()
        row.starts_on, row.ends_on = today - timedelta(days=60), today - timedelta(days=1)
        session.add(row)
        session.commit()
    page = web.page
    sign_in_to(page, "/dashboard/sponsor", funded.sponsor_email)
    cohort = page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)
    expect(cohort.get_by_test_id("sponsorship-ended")).to_contain_text(
        "This sponsorship ended on", timeout=15_000
    )
    expect(cohort.get_by_test_id("sponsor-figures")).to_contain_text("Missions approved")
    expect(cohort.get_by_test_id("sponsor-learners")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(funded.shared)
    expect(page.locator("main")).not_to_contain_text(funded.hidden)
    assert web.console_errors == []


def test_before_the_sponsorship_starts_the_sponsor_sees_when_and_no_names(
    web: BrowserPage, funded: Funded, pg_admin_url: str
) -> None:
    """Its start date is still to come: the figures show, no learner is named (the one who
    shares neither) and the card says when the sponsorship starts."""
    today = utcnow().date()
    with app_engine(pg_admin_url) as engine, Session(engine) as session:
        row = session.exec(
            select(Sponsorship).where(Sponsorship.cohort_id == funded.cohort_id)
        ).one()
        row.starts_on, row.ends_on = today + timedelta(days=10), today + timedelta(days=90)
        session.add(row)
        session.commit()
    page = web.page
    sign_in_to(page, "/dashboard/sponsor", funded.sponsor_email)
    cohort = page.get_by_test_id("sponsored-cohort").filter(has_text=funded.cohort)
    expect(cohort.get_by_test_id("sponsorship-starts")).to_contain_text(
        "This sponsorship starts on", timeout=15_000
    )
    expect(cohort.get_by_test_id("sponsor-figures")).to_contain_text("Missions approved")
    expect(cohort.get_by_test_id("sponsor-learners")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(funded.shared)
    expect(page.locator("main")).not_to_contain_text(funded.hidden)
    assert web.console_errors == []
