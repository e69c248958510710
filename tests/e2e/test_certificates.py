"""Issue 15, item 4 — a learner completes their track and opens their certificate's public page:
the mentor approves the last required mission, the learner finds the certificate on their home,
opens its public page (also readable signed out) and its PDF."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, expect
from sqlmodel import Session

from cyberhub.models.certificates import Certificate
from cyberhub.services.learning import certificates, reviews, submissions
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, make_course, remove_made, sign_in_to
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    PASSWORD,
    assign,
    complete_profiler,
    enroll,
    make_cohort,
    make_org,
    make_program,
    make_track,
    make_user,
    principal,
    serve,
)
from tests.xss_corpus import XSS_PAYLOADS


@dataclass
class Almost:
    """A builders learner with one of two required missions approved, the other submitted."""

    student_email: str
    student_name: str
    mentor_email: str
    submission_id: int
    cohort: str
    organization: str


@pytest.fixture
def almost(app_url: str, pg_admin_url: str) -> Iterator[Almost]:
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (first, last) = make_course(
                session, "Certify", tag, "Harden SSH", "Scan the pipeline"
            )
            student = make_user(
                session, f"cert-student-{tag}@example.org", "student", organization_id=org.id
            )
            student.full_name = f"Wanjirũ Ngũgĩ {tag}"
            session.add(student)
            mentor = make_user(
                session, f"cert-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            director = make_user(
                session, f"cert-director-{tag}@example.org", "director", organization_id=org.id
            )
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, student)
            complete_profiler(session, student.id or 0, "builders")
            for m in (first, last):
                certificates.set_required(
                    session, principal(session, director), program.id or 0, m.id or 0, True
                )
            session.commit()
            me, them = principal(session, student), principal(session, mentor)
            sub = submissions.submit(session, me, first.id or 0, answer=GOOD_ANSWER)
            reviews.claim(session, them, sub.id or 0)
            reviews.review(
                session, them, sub.id or 0, decision="approved", scores=FULL_SCORES, feedback="ok"
            )
            pending = submissions.submit(session, me, last.id or 0, answer=GOOD_ANSWER)
            session.commit()
            data = Almost(
                student.email,
                student.full_name,
                mentor.email,
                pending.id or 0,
                cohort.name,
                org.name,
            )
            org_id, program_id = org.id, program.id
            user_ids = [student.id, mentor.id, director.id]
        yield data
        remove_made(engine, org_id, program_id, user_ids)


def _mentor_approves(app_url: str, a: Almost) -> None:
    """The mentor claims and approves the last required mission (the JSON API of the app)."""
    with httpx.Client(base_url=f"{app_url}/api/v1", timeout=30) as api:
        r = api.post("/auth/login", json={"email": a.mentor_email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        r = api.post(f"/submissions/{a.submission_id}/claim")
        assert r.status_code == 200, r.text
        r = api.post(
            f"/submissions/{a.submission_id}/review",
            json={"decision": "approved", "scores": FULL_SCORES, "feedback": "Well done."},
        )
        assert r.status_code == 200, r.text


def test_a_learner_completes_and_opens_their_certificate(
    web: BrowserPage, browser: Browser, app_url: str, almost: Almost
) -> None:
    page = web.page
    sign_in_to(page, "/dashboard/student", almost.student_email)
    expect(page).to_have_url(re.compile(r"^[^?]*/dashboard/student/?$"))
    # Signing in ends with a full page load: let it finish before looking at the home.
    expect(page.get_by_test_id("cohorts")).to_contain_text(almost.cohort, timeout=15_000)
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("my-certificates")).to_have_count(0)

    _mentor_approves(app_url, almost)

    page.goto("/dashboard/student")
    mine = page.get_by_test_id("my-certificates")
    expect(mine).to_contain_text("Builders")
    expect(mine).to_contain_text(almost.cohort)
    mine.get_by_role("link", name="Public page").click()
    expect(page).to_have_url(re.compile(r"/certificates/[A-Za-z0-9_-]{20,}/?$"))
    cert = page.get_by_test_id("certificate")
    expect(page.get_by_test_id("certificate-name")).to_have_text(almost.student_name)
    expect(cert).to_contain_text(almost.organization)
    expect(cert).to_contain_text("Scan the pipeline")
    expect(cert).to_contain_text("Valid")
    public_url = page.url

    pdf_href = cert.get_by_role("link", name="Download the PDF").get_attribute("href")
    assert pdf_href and pdf_href.endswith(".pdf")
    pdf = page.request.get(pdf_href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert web.console_errors == []

    # Anyone can check it, signed out; a made-up code is a plain "not found".
    visitor = BrowserPage(browser, app_url)
    try:
        visitor.page.goto(public_url)
        expect(visitor.page.get_by_test_id("certificate-name")).to_have_text(almost.student_name)
        visitor.page.goto("/certificates/no-such-certificate-code")
        expect(visitor.page.get_by_test_id("certificate-not-found")).to_contain_text(
            "No certificate has this code"
        )
        assert visitor.console_errors == []
    finally:
        visitor.context.close()


# Nothing typed may become one of these in the page's main area.
ACTIVE = (
    "main iframe, main object, main embed, main script, main form[action], main meta, main base, "
    "main img, main a[href^='javascript' i], main a[href^='data' i], main [onerror], "
    "main [onload], main [onclick], main [ontoggle], main [srcdoc], main [style*='url(' i]"
)


def _reasons(limit: int = certificates.REASON_MAX) -> list[str]:
    """The XSS corpus packed into revoke reasons of at most `limit` characters."""
    out: list[str] = []
    for payload in XSS_PAYLOADS.values():
        if out and len(out[-1]) + 1 + len(payload) <= limit:
            out[-1] += " " + payload
        else:
            out.append(payload)
    return out


@pytest.fixture
def revoked(app_url: str, pg_admin_url: str) -> Iterator[list[tuple[str, str]]]:
    """One learner's certificates in several cohorts, each revoked with part of the XSS corpus
    as the reason: [(code, reason as stored)]."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, f"Revoke Academy {tag}")
            program = make_program(session, org)
            track = make_track(session, program, "builders")
            student = make_user(session, f"rv-student-{tag}@example.org", "student")
            director = make_user(
                session, f"rv-director-{tag}@example.org", "director", organization_id=org.id
            )
            shown: list[tuple[str, str]] = []
            for i, reason in enumerate(_reasons()):
                cohort = make_cohort(session, program, name=f"Revoke cohort {tag} {i}")
                cert = Certificate(
                    code=f"xss{tag}{i}" + uuid.uuid4().hex,
                    user_id=student.id or 0,
                    cohort_id=cohort.id or 0,
                    track_id=track.id or 0,
                    missions=[XSS_PAYLOADS["script tag"]],
                )
                session.add(cert)
                session.flush()
                out = certificates.revoke(
                    session, principal(session, director), cert.id or 0, reason
                )
                shown.append((cert.code, out.revoke_reason))
            session.commit()
            org_id, user_ids = org.id, [student.id, director.id]
        yield shown
        remove_made(engine, org_id, None, user_ids)


def test_a_revoke_reason_is_shown_as_text_never_run(
    web: BrowserPage, revoked: list[tuple[str, str]]
) -> None:
    page = web.page
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    for code, reason in revoked:
        page.goto(f"/certificates/{code}")
        banner = page.get_by_test_id("certificate-revoked")
        expect(banner).to_contain_text(reason)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => typeof window.__xss") == "undefined", reason
        active = page.locator(ACTIVE)
        assert active.count() == 0, [a.evaluate("e => e.outerHTML") for a in active.all()]
    expect(page.get_by_test_id("certificate")).to_contain_text(XSS_PAYLOADS["script tag"])
    assert dialogs == []


@dataclass
class Directed:
    director_email: str
    cohort_id: int
    learner: str
    mission: str


@pytest.fixture
def directed(app_url: str, pg_admin_url: str) -> Iterator[Directed]:
    """A director's cohort where one learner has a certificate (issued by the completion rule)."""
    tag = uuid.uuid4().hex[:6]
    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org, program, cohort, (done, other) = make_course(
                session, "Direct", tag, "Done mission", "Other mission"
            )
            learner = make_user(
                session, f"dl-student-{tag}@example.org", "student", organization_id=org.id
            )
            learner.full_name = f"Achieng {tag}"
            session.add(learner)
            mentor = make_user(
                session, f"dl-mentor-{tag}@example.org", "mentor", organization_id=org.id
            )
            director = make_user(
                session, f"dl-director-{tag}@example.org", "director", organization_id=org.id
            )
            enroll(session, cohort, learner)
            serve(session, cohort, mentor)
            complete_profiler(session, learner.id or 0, "builders")
            certificates.set_required(
                session, principal(session, director), program.id or 0, done.id or 0, True
            )
            session.commit()
            sub = submissions.submit(
                session, principal(session, learner), done.id or 0, answer=GOOD_ANSWER
            )
            them = principal(session, mentor)
            reviews.claim(session, them, sub.id or 0)
            reviews.review(
                session, them, sub.id or 0, decision="approved", scores=FULL_SCORES, feedback="ok"
            )
            session.commit()
            data = Directed(director.email, cohort.id or 0, learner.full_name, other.title)
            org_id, program_id = org.id, program.id
            user_ids = [learner.id, mentor.id, director.id]
        yield data
        remove_made(engine, org_id, program_id, user_ids)


def test_a_director_marks_required_revokes_and_closes(web: BrowserPage, directed: Directed) -> None:
    d, page = directed, web.page
    sign_in_to(page, "/director/missions", d.director_email)
    panel = page.get_by_test_id("program-missions")
    panel.get_by_role("checkbox", name=f"Required: {d.mission}").click()
    expect(panel).to_contain_text(f"“{d.mission}” is now required")
    expect(panel.get_by_role("checkbox", name=f"Required: {d.mission}")).to_be_checked()

    page.goto(f"/director/cohorts/{d.cohort_id}")
    box = page.get_by_test_id("cohort-completions")
    row = box.get_by_role("row").filter(has_text=d.learner)
    expect(row).to_contain_text("Public page")
    row.get_by_role("button", name=f"Revoke the certificate of {d.learner}").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("button", name="Revoke").click()
    expect(dialog).to_contain_text("Say why the certificate is revoked")
    # Cancelled: the refusal was of the dialog, and goes with it (not left on the panel).
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(box).not_to_contain_text("Say why the certificate is revoked")
    row.get_by_role("button", name=f"Revoke the certificate of {d.learner}").click()
    dialog.get_by_label("Reason (shown on the public page)").fill("Copied work")
    dialog.get_by_role("button", name="Revoke").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Revoked on")
    expect(row).to_contain_text("Copied work")
    # The refusal was of the try before: it is not left on the panel once the revoke worked.
    expect(box).to_contain_text(f"Revoked the certificate of {d.learner}")
    expect(box).not_to_contain_text("Say why the certificate is revoked")

    box.get_by_role("button", name="Close the cohort").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Close the cohort").click()
    expect(page.get_by_test_id("cohort-closed")).to_contain_text("takes no more enrolments")
    expect(box.get_by_role("button", name="Close the cohort")).to_have_count(0)
    assert web.console_errors == []
