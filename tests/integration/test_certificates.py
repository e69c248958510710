"""Completion and certificates (issue 15, item 4): the completion rule, verification, revoking,
closing a cohort, required missions — through the services and the JSON API."""

from __future__ import annotations

import builtins
import io
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from sqlalchemy import text
from sqlmodel import Session, col, select

from cyberhub import migrate
from cyberhub.formatting import day_in, when
from cyberhub.models import (
    AuditLog,
    Enrollment,
    EnrollmentStatus,
    Mission,
    Notification,
    ProgramMission,
    User,
)
from cyberhub.models.base import MAX_ID, utcnow
from cyberhub.models.certificates import Certificate
from cyberhub.models.enrolment import EnrolmentMode
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from cyberhub.services.learning import (
    applications,
    certificate_pdf,
    certificates,
    enrollment,
    mentees,
)
from cyberhub.settings import ROOT, get_settings
from tests.factories import (
    World,
    complete_profiler,
    id_of,
    make_user,
    principal,
    submit_and_decide,
)
from tests.integration.conftest import ClientFor
from tests.xss_corpus import XSS_PAYLOADS

pytestmark = [pytest.mark.integration]

API = "/api/v1"


def require(session: Session, w: World, *missions: Mission) -> None:
    for m in missions:
        certificates.set_required(
            session, principal(session, w.director), id_of(w.program), id_of(m), True
        )
    session.commit()


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader extracts it (pypdf), page after page, in the order drawn."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_lines(data: bytes) -> list[str]:
    """The PDF's text lines, in the order they are drawn."""
    return [line.strip() for line in pdf_text(data).splitlines() if line.strip()]


def pdf_fonts(data: bytes) -> set[str]:
    """The names of the fonts embedded in the PDF, without their subset tag ("ABCDEF+")."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        resources = cast(DictionaryObject, page["/Resources"].get_object())
        for font in cast(DictionaryObject, resources["/Font"].get_object()).values():
            name = cast(DictionaryObject, font.get_object())["/BaseFont"]
            names.add(str(name).lstrip("/").split("+")[-1])
    return names


def without_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine with no fonts installed (a slim image): nothing under /usr/share/fonts
    is found or read."""
    real_open, real_is_file = builtins.open, Path.is_file

    def system(file: object) -> bool:
        return str(file).startswith("/usr/share/fonts")

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        if system(file):
            raise FileNotFoundError(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(Path, "is_file", lambda path: not system(path) and real_is_file(path))


def certs(session: Session, user: User) -> list[Certificate]:
    return list(session.exec(select(Certificate).where(Certificate.user_id == user.id)).all())


def enrolment(session: Session, w: World) -> Enrollment:
    return session.exec(
        select(Enrollment)
        .where(Enrollment.student_id == w.student.id, Enrollment.cohort_id == w.cohort.id)
        .execution_options(populate_existing=True)
    ).one()


@pytest.fixture
def builder(session: Session, world: World) -> World:
    """The world's student placed in the builders track; m1 and m2 (builders) and m3 (leaders)
    required by the programme."""
    complete_profiler(session, id_of(world.student), "builders")
    require(session, world, world.m1, world.m2, world.m3)
    return world


class TestCompletionRule:
    def test_completes_when_the_last_required_mission_of_their_track_is_approved(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        submit_and_decide(session, w, w.m1)
        assert certs(session, w.student) == []
        assert enrolment(session, w).status == EnrollmentStatus.active
        # m3 (leaders) is required too, but not of the student's track.
        submit_and_decide(session, w, w.m2)
        [cert] = certs(session, w.student)
        row = enrolment(session, w)
        assert row.status == EnrollmentStatus.completed and row.completed_at is not None
        assert cert.cohort_id == w.cohort.id and cert.track_id == w.builders.id
        assert cert.missions == ["Harden a server", "Scan the pipeline"]
        assert len(cert.code) >= 20
        note = session.exec(
            select(Notification).where(
                Notification.user_id == w.student.id, Notification.kind == "certificate_issued"
            )
        ).one()
        assert note.link == f"/certificates/{cert.code}"
        assert session.exec(select(AuditLog).where(AuditLog.action == "certificate.issued")).first()

    def test_changes_requested_does_not_count(self, session: Session, builder: World) -> None:
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2, decision="changes_requested")
        assert certs(session, w.student) == []
        assert enrolment(session, w).status == EnrollmentStatus.active

    def test_no_required_mission_means_no_completion(self, session: Session, world: World) -> None:
        w = world
        complete_profiler(session, id_of(w.student), "builders")
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        assert certs(session, w.student) == []

    def test_the_required_set_is_the_learners_track(self, session: Session, world: World) -> None:
        w = world
        complete_profiler(session, id_of(w.student), "leaders")
        require(session, w, w.m1)  # builders only: nothing required of a leader
        submit_and_decide(session, w, w.m1)
        assert certs(session, w.student) == []
        require(session, w, w.m3)
        submit_and_decide(session, w, w.m3)
        [cert] = certs(session, w.student)
        assert cert.track_id == w.leaders.id and cert.missions == ["Write a policy"]

    def test_checking_again_issues_nothing_more(self, session: Session, builder: World) -> None:
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        assert certificates.check_completion(session, id_of(w.student)) == []
        session.commit()
        assert len(certs(session, w.student)) == 1
        notes = session.exec(
            select(Notification).where(Notification.kind == "certificate_issued")
        ).all()
        assert len(notes) == 1

    def test_the_roster_actions_work_on_a_learner_who_completed(
        self, session: Session, builder: World
    ) -> None:
        """The roster lists a completed learner (they keep working) with a mentor to choose and
        Withdraw: both act on their enrolment, which is no less theirs for being completed."""
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        assert enrolment(session, w).status == EnrollmentStatus.completed
        d = principal(session, w.director)
        changed = enrollment.assign_mentor(
            session, d, id_of(w.cohort), id_of(w.student), id_of(w.comentor)
        )
        session.commit()
        assert changed.mentor_id == w.comentor.id
        out = enrollment.unenroll(session, d, id_of(w.cohort), id_of(w.student))
        session.commit()
        assert out.status == EnrollmentStatus.withdrawn
        assert enrolment(session, w).withdrawn_at is not None
        assert len(certs(session, w.student)) == 1  # the certificate stays theirs

    def test_enrolled_again_after_a_completion_the_enrolment_is_not_completed(
        self, session: Session, builder: World
    ) -> None:
        """A learner who completed, was withdrawn and is enrolled again is active from now, as
        their new enrolment date says: it kept the old completion date, so their mentee page
        read "active on <that day>" and the roster export an active learner with a completed_at.
        Their certificate stays theirs."""
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        assert enrolment(session, w).completed_at is not None
        d = principal(session, w.director)
        enrollment.unenroll(session, d, id_of(w.cohort), id_of(w.student))
        session.commit()
        again = enrollment.enroll(session, d, id_of(w.cohort), w.student.email)
        session.commit()
        row = enrolment(session, w)
        assert (again.status, row.status, row.completed_at) == ("active", "active", None)
        [shown] = [
            c
            for c in mentees.mentee(session, d, id_of(w.student)).cohorts
            if c.cohort_id == w.cohort.id
        ]
        assert (shown.status, shown.completed_at) == ("active", None)
        assert len(certs(session, w.student)) == 1

    def test_a_learner_who_completed_is_still_enrolled_on_the_cohorts_page(
        self, session: Session, builder: World
    ) -> None:
        """A completed learner's cohort, open to self-enrolment, shows them as completed (no
        Withdraw: test_applications), never Join: joining would have made their completed
        enrolment active again and taken a second seat's worth of the count."""
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        d = principal(session, w.director)
        applications.set_enrolment(session, d, id_of(w.cohort), mode=EnrolmentMode.open.value)
        session.commit()
        me = principal(session, w.student)
        [offer] = [o for o in applications.open_cohorts(session, me).items if o.id == w.cohort.id]
        assert offer.my_status == "completed"
        with pytest.raises(Conflict, match="already enrolled"):
            applications.apply(session, me, id_of(w.cohort))
        session.rollback()
        assert enrolment(session, w).status == EnrollmentStatus.completed


class TestCheckingACohort:
    def test_work_approved_before_missions_were_required_completes_on_a_check(
        self, session: Session, world: World
    ) -> None:
        w = world
        complete_profiler(session, id_of(w.student), "builders")
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        require(session, w, w.m1, w.m2)
        assert certs(session, w.student) == []  # marking required issues nothing by itself
        with pytest.raises(NotFound):  # another organisation's cohort
            certificates.complete_cohort(
                session, principal(session, w.other_director), id_of(w.cohort)
            )
        session.rollback()
        done = certificates.complete_cohort(
            session, principal(session, w.director), id_of(w.cohort)
        )
        session.commit()
        assert done.completed == 1
        [cert] = certs(session, w.student)
        assert cert.cohort_id == w.cohort.id
        again = certificates.complete_cohort(
            session, principal(session, w.director), id_of(w.cohort)
        )
        assert again.completed == 0 and len(certs(session, w.student)) == 1


class TestRevokeAndVerify:
    def issued(self, session: Session, w: World) -> Certificate:
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        [cert] = certs(session, w.student)
        return cert

    def test_verify_shows_the_certificate_and_revoked_shows_revoked(
        self, session: Session, builder: World
    ) -> None:
        w = builder
        cert = self.issued(session, w)
        shown = certificates.verify(session, None, cert.code)
        assert shown.name == w.student.full_name and shown.track == "Builders"
        assert shown.cohort == "Spring" and shown.organization == "Test Academy"
        assert not shown.revoked
        with pytest.raises(Invalid):
            certificates.revoke(session, principal(session, w.director), id_of(cert), "  ")
        certificates.revoke(
            session, principal(session, w.director), id_of(cert), "Plagiarised work"
        )
        session.commit()
        shown = certificates.verify(session, None, cert.code)
        assert shown.revoked and shown.revoked_at and shown.revoke_reason == "Plagiarised work"
        with pytest.raises(Conflict):
            certificates.revoke(session, principal(session, w.director), id_of(cert), "again")
        entry = session.exec(select(AuditLog).where(AuditLog.action == "certificate.revoked")).one()
        assert entry.actor_id == w.director.id and entry.details["reason"] == "Plagiarised work"

    def test_a_certificate_bears_one_date_for_every_reader(
        self, session: Session, builder: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Issued at 22:30 UTC on 12 November, 01:30 on the 13th in Nairobi: the PDF said 12
        Nov and the pages (in each reader's zone) 13 Nov to a reader there, as if the document
        had two dates. Its date is one day, the same on the PDF and every page: the day in its
        holder's zone (here Nairobi's 13 Nov)."""
        w = builder
        w.student.time_zone = "Africa/Nairobi"
        session.add(w.student)
        session.commit()
        issued_at = datetime(2026, 11, 12, 22, 30, tzinfo=UTC)
        monkeypatch.setattr(certificates, "utcnow", lambda: issued_at)
        cert = self.issued(session, w)
        monkeypatch.undo()
        shown = certificates.verify(session, None, cert.code)
        assert shown.issued_on == date(2026, 11, 13) and shown.revoked_on is None
        [mine] = certificates.my_certificates(session, principal(session, w.student))
        assert mine.issued_on == date(2026, 11, 13)
        assert any("on 13 Nov 2026." in line for line in pdf_lines(certificate_pdf.render(shown)))
        certificates.revoke(session, principal(session, w.director), id_of(cert), "Copied")
        session.commit()
        revoked_on = certificates.verify(session, None, cert.code).revoked_on
        assert revoked_on == day_in(utcnow(), "Africa/Nairobi")

    @pytest.mark.parametrize(
        ("holder_zone", "issued_at", "their_day"),
        [
            # 12:30 UTC on 12 Nov is 01:30 on the 13th in Auckland (NZDT, UTC+13).
            ("Pacific/Auckland", datetime(2026, 11, 12, 12, 30, tzinfo=UTC), date(2026, 11, 13)),
            # 03:00 UTC on 13 Nov is 19:00 on the 12th in Los Angeles (PST, UTC-8).
            ("America/Los_Angeles", datetime(2026, 11, 13, 3, 0, tzinfo=UTC), date(2026, 11, 12)),
        ],
    )
    def test_the_issue_date_is_the_day_the_holder_completed_in_their_zone(
        self,
        session: Session,
        builder: World,
        holder_zone: str,
        issued_at: datetime,
        their_day: date,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A learner far from UTC saw the day after (or before) they completed on their
        certificate: its date is the day in its holder's zone, the same on the public page,
        the PDF, their own list and the director's completions (a reader in another zone)."""
        w = builder
        w.student.time_zone = holder_zone
        w.director.time_zone = "Europe/London"
        session.add_all([w.student, w.director])
        session.commit()
        monkeypatch.setattr(certificates, "utcnow", lambda: issued_at)
        cert = self.issued(session, w)
        shown = certificates.verify(session, None, cert.code)
        assert shown.issued_on == their_day
        [mine] = certificates.my_certificates(session, principal(session, w.student))
        assert mine.issued_on == their_day
        [done] = certificates.cohort_completions(
            session, principal(session, w.director), id_of(w.cohort)
        ).items
        assert done.certificate.issued_on == their_day
        printed = f"on {when(their_day, style='date')}."
        assert any(printed in line for line in pdf_lines(certificate_pdf.render(shown)))

    def test_unknown_codes_are_not_found(self, session: Session, builder: World) -> None:
        for code in ("", "nope", "x" * 200, "../../etc", "A" * 22):
            with pytest.raises(NotFound) as err:
                certificates.verify(session, None, code)
            assert err.value.message == certificates.UNKNOWN_CODE

    def test_look_ups_are_limited_per_address_on_every_way_in(
        self, session: Session, builder: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The page, the JSON and the PDF share one per-address limit: codes can't be guessed
        quickly through any of them, and another address is not held back."""
        cert = self.issued(session, builder)
        monkeypatch.setenv("CERTIFICATE_RATE_LIMIT_PER_MINUTE", "3")
        get_settings.cache_clear()
        try:
            here, there = RequestMeta(ip="203.0.113.7"), RequestMeta(ip="198.51.100.2")
            for _ in range(3):
                certificates.verify(session, None, cert.code, meta=here)
            with pytest.raises(RateLimited):
                certificates.verify(session, None, cert.code, meta=here)
            with pytest.raises(RateLimited):
                certificates.verify(session, None, "unknown-code", meta=here)
            assert certificates.verify(session, None, cert.code, meta=there).code == cert.code
        finally:
            monkeypatch.delenv("CERTIFICATE_RATE_LIMIT_PER_MINUTE")
            get_settings.cache_clear()

    def test_only_the_programmes_directors_revoke(self, session: Session, builder: World) -> None:
        w = builder
        cert = self.issued(session, w)
        for user in (w.student, w.mentor, w.other_director):
            with pytest.raises(NotFound if user is w.other_director else Forbidden):
                certificates.revoke(session, principal(session, user), id_of(cert), "no")
        assert certificates.verify(session, None, cert.code).revoked is False

    def test_another_organisations_certificate_is_an_id_nobody_has(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        """A director of another organisation revoking this certificate was told "That cohort
        does not exist." (about a certificate), where an id nobody has answers "That certificate
        does not exist.": the two answers told them which certificate ids are real. Both are
        the same 404 now, and nothing is revoked."""
        w = builder
        cert = self.issued(session, w)
        other = client_for(w.other_director)
        real = other.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": "no"})
        ghost = other.post(f"{API}/certificates/{MAX_ID}/revoke", json={"reason": "no"})
        assert (real.status_code, real.json()) == (ghost.status_code, ghost.json())
        assert real.status_code == 404 and "certificate" in real.json()["detail"], real.text
        assert certificates.verify(session, None, cert.code).revoked is False

    # Each name as a reader extracts it from the PDF: right-to-left words run from the right, so
    # read left to right they come last word first (each word's letters in their own order).
    NAMES = {
        "Wanjirũ Ngũgĩ": "Wanjirũ Ngũgĩ",
        "Nguyễn Thị Minh Khai": "Nguyễn Thị Minh Khai",
        "Ёлка Дмитриева": "Ёлка Дмитриева",
        "Σωκράτης Παπαδόπουλος": "Σωκράτης Παπαδόπουλος",
        "محمد عبد الله": "الله عبد محمد",
        "דוד כהן": "כהן דוד",
        "अनुराधा शर्मा": "अनुराधा शर्मा",
        "አበበ ቢቂላ": "አበበ ቢቂላ",
        "李小龙": "李小龙",
        "山田 太郎": "山田 太郎",
        "김민준": "김민준",
    }
    # The fonts these names are drawn in, as a PDF names them: those of cyberhub/fonts/ (a name
    # is bold) and Noto Sans SC and KR, which `make setup` installs into .tools/fonts/ (one
    # weight). The text around the name is in Noto Sans.
    SHIPPED = {
        "NotoSans",
        "NotoSansBold",
        "NotoSansArabicBold",
        "NotoSansHebrewBold",
        "NotoSansDevanagariBold",
        "NotoSansEthiopicBold",
        "NotoSansSC",
        "NotoSansKR",
    }

    def test_the_pdf_draws_every_name_as_written_with_the_shipped_fonts(
        self, session: Session, builder: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The PDF used DejaVu Sans only where the machine had it, else Helvetica with the name
        cut to latin-1 ("Wanjiru Ngugi", "???" for Chinese); with DejaVu, Chinese, Japanese and
        Korean names were blank and Arabic letters unjoined, reversed. The app ships its fonts:
        on a machine without any (no /usr/share/fonts, as in a slim image), every name below is
        drawn as written, with the shipped fonts."""
        w = builder
        cert = self.issued(session, w)
        w.student.full_name = "Wanjirũ Ngũgĩ"
        session.add(w.student)
        session.commit()
        shown = certificates.verify(session, None, cert.code)
        assert shown.name == "Wanjirũ Ngũgĩ"
        without_system_fonts(monkeypatch)
        for regular, _ in certificate_pdf.FONTS.values():
            assert regular.is_file(), f"{regular} is missing: `make setup` installs it"
        embedded: set[str] = set()
        for name, extracted in self.NAMES.items():
            data = certificate_pdf.render(shown.model_copy(update={"name": name}))
            text = pdf_text(data)
            assert extracted in text, (name, text)
            embedded |= pdf_fonts(data)
        assert embedded == self.SHIPPED, embedded

    def test_without_the_installed_cjk_fonts_the_pdf_still_renders_and_the_log_says_why(
        self,
        session: Session,
        builder: World,
        api_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        caplog: pytest.LogCaptureFixture,
        request: pytest.FixtureRequest,
    ) -> None:
        """Noto Sans SC and KR are installed by `make setup` (too large to commit). Where set-up
        was skipped, a certificate with a Chinese, Japanese or Korean name is still served (it
        was a 500): those characters show as the replacement character, like any a font lacks,
        the rest as written, and the server log says once which font is missing and what to
        run."""
        w = builder
        cert = self.issued(session, w)
        w.student.full_name = "Wanjirũ 李小龙 김민준"
        session.add(w.student)
        session.commit()
        for family in ("NotoSansSC", "NotoSansKR"):
            _, bold = certificate_pdf.FONTS[family]
            missing = tmp_path / certificate_pdf.FONTS[family][0].name
            monkeypatch.setitem(certificate_pdf.FONTS, family, (missing, bold))
        # The warning is once per process: this test starts and leaves it untold.
        certificate_pdf._tell_missing.cache_clear()
        request.addfinalizer(certificate_pdf._tell_missing.cache_clear)
        with caplog.at_level(logging.WARNING, logger=certificate_pdf.__name__):
            pdf = api_client.get(f"{API}/certificates/{cert.code}.pdf")
            shown = certificates.verify(session, None, cert.code)
            another = certificate_pdf.render(shown.model_copy(update={"name": "山田 太郎"}))
        assert pdf.status_code == 200, pdf.text
        assert "Wanjirũ \ufffd\ufffd\ufffd \ufffd\ufffd\ufffd" in pdf_text(pdf.content)
        assert "\ufffd\ufffd \ufffd\ufffd" in pdf_text(another)
        assert pdf_fonts(pdf.content) == pdf_fonts(another) == {"NotoSans", "NotoSansBold"}
        [told] = [r for r in caplog.records if r.name == certificate_pdf.__name__]
        assert told.levelno == logging.WARNING
        message = told.getMessage()
        assert str(tmp_path / "NotoSansSC_400Regular.ttf") in message
        assert str(tmp_path / "NotoSansKR_400Regular.ttf") in message
        assert "make setup" in message

    def test_a_character_no_font_has_is_shown_as_a_replacement(
        self, session: Session, builder: World
    ) -> None:
        """An emoji or a private-use character in a name is drawn as the replacement character
        (U+FFFD), never an error nor a blank: the rest of the name is drawn as written."""
        cert = self.issued(session, builder)
        shown = certificates.verify(session, None, cert.code)
        odd = shown.model_copy(update={"name": "Amina \U0001f389 Njoroge \U000f0000 李"})
        text = pdf_text(certificate_pdf.render(odd))
        assert "Amina \ufffd Njoroge \ufffd 李" in text, text

    def test_a_revoked_certificate_s_pdf_says_so_first(
        self, session: Session, builder: World
    ) -> None:
        """REVOKED is the first line of the PDF, above the name and the missions, however many
        missions there are (a long list must not push it to the foot or to a second page)."""
        w = builder
        cert = self.issued(session, w)
        certificates.revoke(
            session, principal(session, w.director), id_of(cert), "Plagiarised work"
        )
        session.commit()
        shown = certificates.verify(session, None, cert.code)
        many = shown.model_copy(update={"missions": [f"Mission {n} of many" for n in range(80)]})
        for revoked in (shown, many):
            lines = pdf_lines(certificate_pdf.render(revoked))
            assert lines[0].startswith("REVOKED on ") and "Plagiarised work" in lines[0]
            assert lines.index("Certificate of completion") > 0
        valid = shown.model_copy(update={"revoked": False, "revoked_at": None, "revoke_reason": ""})
        assert not any("REVOKED" in line for line in pdf_lines(certificate_pdf.render(valid)))

    def test_the_pdf_asked_again_after_a_revocation_says_revoked(
        self, session: Session, builder: World, api_client: TestClient
    ) -> None:
        """The same PDF is served again from the web process (drawing one costs CPU on a public
        route), but never once the certificate changed: after a revocation the link says so."""
        w = builder
        cert = self.issued(session, w)
        url = f"{API}/certificates/{cert.code}.pdf"
        first = api_client.get(url)
        again = api_client.get(url)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert not any("REVOKED" in line for line in pdf_lines(again.content))
        certificates.revoke(session, principal(session, w.director), id_of(cert), "Copied work")
        session.commit()
        revoked = api_client.get(url)
        assert revoked.status_code == 200
        assert pdf_lines(revoked.content)[0].startswith("REVOKED on ")


class TestClosingACohort:
    def test_a_closed_cohort_takes_no_enrolment_or_application(
        self, session: Session, world: World
    ) -> None:
        w = world
        w.cohort.enrolment_mode = EnrolmentMode.open
        session.add(w.cohort)
        session.commit()
        closed = certificates.close_cohort(session, principal(session, w.director), id_of(w.cohort))
        session.commit()
        assert closed.closed_at is not None
        with pytest.raises(Conflict, match="closed"):
            enrollment.enroll(
                session, principal(session, w.director), id_of(w.cohort), "new@example.org"
            )
        session.rollback()
        newcomer = make_user(session, "newcomer@example.org", "student")
        with pytest.raises(Conflict, match="closed"):
            applications.apply(session, principal(session, newcomer), id_of(w.cohort))
        session.rollback()
        offered = applications.open_cohorts(session, principal(session, newcomer)).items
        assert w.cohort.id not in [c.id for c in offered]
        with pytest.raises(Conflict):
            certificates.close_cohort(session, principal(session, w.director), id_of(w.cohort))
        session.rollback()
        assert session.exec(select(AuditLog).where(AuditLog.action == "cohort.closed")).one()

    def test_another_organisation_cannot_close_or_toggle(
        self, session: Session, world: World
    ) -> None:
        w = world
        with pytest.raises(NotFound):  # as a cohort, a programme nobody has
            certificates.close_cohort(
                session, principal(session, w.other_director), id_of(w.cohort)
            )
        with pytest.raises(NotFound):
            certificates.set_required(
                session, principal(session, w.other_director), id_of(w.program), id_of(w.m1), True
            )
        session.rollback()
        row = session.get(ProgramMission, (w.program.id, w.m1.id))
        assert row is not None and row.required is False


class TestApi:
    def test_a_learner_lists_and_anyone_verifies_their_certificate(
        self, session: Session, builder: World, client_for: ClientFor, api_client: TestClient
    ) -> None:
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        r = client_for(w.student).get(f"{API}/me/certificates")
        assert r.status_code == 200, r.text
        [mine] = r.json()
        code = mine["code"]
        assert mine["url"] == f"/certificates/{code}"
        r = api_client.get(f"{API}/certificates/{code}")
        assert r.status_code == 200
        body = r.json()
        assert body["name"] == w.student.full_name and body["revoked"] is False
        assert w.student.email not in r.text
        pdf = api_client.get(f"{API}/certificates/{code}.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        for bad in ("unknown-code-123", "x" * 100, "%00"):
            r = api_client.get(f"{API}/certificates/{bad}")
            assert r.status_code in (404, 422) and "detail" in r.json(), (bad, r.text)
            r = api_client.get(f"{API}/certificates/{bad}.pdf")
            assert r.status_code in (404, 422) and "detail" in r.json(), (bad, r.text)
        assert client_for(w.student2).get(f"{API}/me/certificates").json() == []

    def test_a_certificates_date_stays_when_its_holder_changes_time_zone(
        self,
        session: Session,
        builder: World,
        client_for: ClientFor,
        api_client: TestClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Issued at 12:30 UTC on 12 Nov to a learner in Auckland (01:30 on the 13th there),
        the certificate is dated 13 Nov. The learner then moves to Los Angeles (where that
        moment was the 12th): the certificate, a document, still says 13 Nov on its public
        page, in their list and on its PDF. Revoking dates it once too."""
        w = builder
        w.student.time_zone = "Pacific/Auckland"
        session.add(w.student)
        session.commit()
        moment = datetime(2026, 11, 12, 12, 30, tzinfo=UTC)
        monkeypatch.setattr(certificates, "utcnow", lambda: moment)
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        [cert] = certs(session, w.student)
        learner = client_for(w.student)
        r = learner.put(f"{API}/auth/me/time-zone", json={"time_zone": "America/Los_Angeles"})
        assert r.status_code == 200, r.text
        [mine] = learner.get(f"{API}/me/certificates").json()
        assert mine["issued_on"] == "2026-11-13"
        assert api_client.get(f"{API}/certificates/{cert.code}").json()["issued_on"] == (
            "2026-11-13"
        )
        pdf = api_client.get(f"{API}/certificates/{cert.code}.pdf").content
        assert any("on 13 Nov 2026." in line for line in pdf_lines(pdf))
        # Revoked at 20:00 UTC on 20 Nov: noon that day in Los Angeles, the holder's zone now
        # (already the 21st in Auckland, where they go back to afterwards).
        revoked = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
        monkeypatch.setattr(certificates, "utcnow", lambda: revoked)
        director = client_for(w.director)
        r = director.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": "Copied"})
        assert r.status_code == 200, r.text
        r = learner.put(f"{API}/auth/me/time-zone", json={"time_zone": "Pacific/Auckland"})
        assert r.status_code == 200, r.text
        shown = api_client.get(f"{API}/certificates/{cert.code}").json()
        assert (shown["issued_on"], shown["revoked_on"]) == ("2026-11-13", "2026-11-20")

    def test_director_actions_and_who_may_not(
        self, session: Session, builder: World, client_for: ClientFor
    ) -> None:
        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        [cert] = certs(session, w.student)
        director, other = client_for(w.director), client_for(w.other_director)
        student = client_for(w.student)
        for client in (other, student):
            r = client.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": "no"})
            assert r.status_code in (403, 404), r.text
            r = client.post(f"{API}/cohorts/{w.cohort.id}/close")
            assert r.status_code in (403, 404), r.text
            r = client.put(
                f"{API}/programs/{w.program.id}/missions/{w.m1.id}/required",
                json={"required": False},
            )
            assert r.status_code in (403, 404), r.text
            r = client.get(f"{API}/cohorts/{w.cohort.id}/completions")
            assert r.status_code in (403, 404), r.text
        r = director.get(f"{API}/cohorts/{w.cohort.id}/completions")
        assert r.status_code == 200
        [done] = r.json()["items"]
        assert done["email"] == w.student.email and done["completed_at"]
        assert (r.json()["total"], r.json()["pages"]) == (1, 1)
        r = director.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": ""})
        assert r.status_code == 422 and "detail" in r.json()
        reason = XSS_PAYLOADS["script tag"]
        r = director.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": reason})
        assert r.status_code == 200, r.text
        assert r.json()["revoke_reason"] == reason  # kept as typed; pages render it as text
        r = director.put(
            f"{API}/programs/{w.program.id}/missions/{w.m1.id}/required", json={"required": False}
        )
        assert r.status_code == 200 and r.json()["required"] is False
        r = director.put(
            f"{API}/programs/{w.program.id}/missions/{w.other_mission.id}/required",
            json={"required": True},
        )
        assert r.status_code == 404
        r = director.post(f"{API}/cohorts/{w.cohort.id}/close")
        assert r.status_code == 200 and r.json()["closed_at"]
        r = director.post(f"{API}/cohorts/{w.cohort.id}/close")
        assert r.status_code == 409
        r = director.post(
            f"{API}/cohorts/{w.cohort.id}/enrollments", json={"email": "late@example.org"}
        )
        assert r.status_code == 409 and "closed" in r.json()["detail"]
        actions = set(
            session.exec(
                select(AuditLog.action).where(col(AuditLog.actor_id) == w.director.id)
            ).all()
        )
        assert {"certificate.revoked", "cohort.closed", "program.mission_optional"} <= actions


class TestMigration:
    def test_0018_goes_down_and_up_keeping_earlier_data(
        self, session: Session, db_url: str, builder: World
    ) -> None:

        w = builder
        submit_and_decide(session, w, w.m1)
        submit_and_decide(session, w, w.m2)
        session.close()
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.set_main_option("script_location", str(ROOT / "alembic"))
        parent = ScriptDirectory.from_config(cfg).get_revision("0018").down_revision
        assert isinstance(parent, str)
        migrate.downgrade(db_url, parent)
        gone = session.execute(text("SELECT to_regclass('certificates')")).scalar()
        assert gone is None
        session.rollback()
        migrate.upgrade(db_url, "head")
        assert session.execute(text("SELECT count(*) FROM certificates")).scalar() == 0
        # Enrolments are kept; every programme mission starts optional again.
        assert (
            session.execute(text("SELECT count(*) FROM program_missions WHERE required")).scalar()
            == 0
        )
        assert session.get(Enrollment, enrolment(session, w).id) is not None
