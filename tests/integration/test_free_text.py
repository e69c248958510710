"""The one rule for typed text (services/text.py) through the JSON API: a single-line field
(a title, a name) with a control character, a line break or a bidi override is refused with
422 {"detail": ...} naming the field, and nothing is stored; a multi-line body keeps its lines;
text stored before the rule leaves the calendar feed without its control characters."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import Certificate, Mission, Submission, User
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Habit
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.errors import Invalid
from cyberhub.services.learning import (
    certificate_pdf,
    certificates,
    reviews,
    schedule,
    snippets,
    sponsorships,
)
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    complete_profiler,
    id_of,
    make_org,
    make_user,
    principal,
)
from tests.integration.conftest import ClientFor
from tests.integration.test_certificates import pdf_lines
from tests.xss_corpus import INVISIBLE_PAYLOADS

pytestmark = [pytest.mark.integration]

API = "/api/v1"
ESC = "Scan \x1b[2J\x1b[31mnow"
RLO = "Invoice \u202efdp.exe"


def refused(r: Any, *words: str) -> str:
    """Assert `r` (a test client's response) is 422 with a detail holding `words`."""
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    for word in words:
        assert word in detail, detail
    return detail


def test_a_habit_title_with_esc_or_rlo_or_a_line_break_is_refused(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """Before: 201 and the title stored with the ESC sequence or the override (shown to the
    mentor, mailed in reminders); a line break was kept inside the title."""
    c = client_for(world.student)
    for title in (ESC, RLO, *INVISIBLE_PAYLOADS.values()):
        if "\x00" in title:  # the API refuses a NUL in any body before any rule (422)
            continue
        r = c.post(f"{API}/coaching/habits", json={"title": title})
        refused(r, "habit's title")
    detail = refused(c.post(f"{API}/coaching/habits", json={"title": RLO}), "habit's title")
    assert detail == (
        "The habit's title contains a text-direction control (U+202E) that can't be stored. "
        "Remove it and try again."
    )
    refused(c.post(f"{API}/coaching/habits", json={"title": "Lab\nnotes"}), "one line")
    assert session.exec(select(Habit).where(Habit.user_id == world.student.id)).all() == []
    made = c.post(f"{API}/coaching/habits", json={"title": "  Read   one write-up "})
    assert made.status_code == 201 and made.json()["title"] == "Read one write-up", made.text
    r = c.patch(f"{API}/coaching/habits/{made.json()['id']}", json={"title": ESC})
    refused(r, "habit's title", "U+001B")


def test_a_goal_title_with_esc_is_refused(world: World, client_for: ClientFor) -> None:
    c = client_for(world.student)
    refused(c.post(f"{API}/coaching/goals", json={"title": ESC}), "goal's title", "U+001B")
    assert c.get(f"{API}/coaching/goals").json() == []


def test_a_multi_line_reflection_keeps_its_lines(world: World, client_for: ClientFor) -> None:
    c = client_for(world.student)
    body = "Today:\r\n\r\n- scanned the lab\n\t- found 2 open ports\n\nTomorrow: *report*"
    r = c.post(f"{API}/coaching/reflections", json={"body": body, "visibility": "private"})
    assert r.status_code == 201, r.text
    assert r.json()["body"] == (
        "Today:\n\n- scanned the lab\n\t- found 2 open ports\n\nTomorrow: *report*"
    )
    r = c.post(f"{API}/coaching/reflections", json={"body": f"Fine\n{RLO}"})
    refused(r, "reflection", "U+202E")


def test_a_mission_title_with_esc_or_rlo_is_refused(world: World, client_for: ClientFor) -> None:
    """Before: 201, and the title reached the learner's calendar feed and exports raw."""
    c = client_for(world.director)
    for title in (ESC, RLO):
        body = {"program_id": world.program.id, "title": title, "track": "builders"}
        refused(c.post(f"{API}/director/missions", json=body), "title")
    body = {"program_id": world.program.id, "title": "Own mission", "track": "builders"}
    made = c.post(f"{API}/director/missions", json=body)
    assert made.status_code == 201, made.text
    mission_id = made.json()["id"]
    refused(c.patch(f"{API}/director/missions/{mission_id}", json={"title": RLO}), "U+202E")
    r = c.patch(f"{API}/director/missions/{mission_id}", json={"brief": "# Brief\n\n\tcode"})
    assert r.status_code == 200 and r.json()["brief"] == "# Brief\n\n\tcode", r.text


def test_a_name_given_at_sign_up_with_an_override_is_refused(api_client: TestClient) -> None:
    body = {"email": "rlo@example.org", "password": "Correct-Horse-Battery-9", "full_name": RLO}
    refused(api_client.post(f"{API}/auth/signup", json=body), "name", "U+202E")


def test_a_deactivation_reason_with_an_invisible_character_is_refused(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The reason is mailed to the person and shown in the admin console's audit details: every
    INVISIBLE_PAYLOADS text is refused naming the reason, and the account stays active; lines
    are kept."""
    c = client_for(world.admin)
    url = f"{API}/users/{world.student.id}/deactivate"
    for reason in INVISIBLE_PAYLOADS.values():
        if "\x00" in reason:  # the API refuses a NUL in any body before any rule (422)
            continue
        refused(c.post(url, json={"reason": reason}), "reason")
    session.expire_all()
    student = session.get(User, world.student.id)
    assert student is not None and student.is_active
    r = c.post(url, json={"reason": "Left the academy.\r\nAsked by the director. "})
    assert r.status_code == 200 and r.json()["is_active"] is False, r.text


def student_certificate(session: Session, world: World) -> Certificate:
    """A certificate issued to the world's student for its cohort's builders track."""
    cert = Certificate(
        code="ft" + uuid.uuid4().hex,
        user_id=id_of(world.student),
        cohort_id=id_of(world.cohort),
        track_id=id_of(world.builders),
        missions=["Harden a server"],
    )
    session.add(cert)
    session.commit()
    return cert


def test_a_revoke_reason_may_have_lines_but_no_override(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The reason is shown on the certificate's public page: a right-to-left override in it
    reversed the text shown after it there. Line breaks from the text area become spaces."""
    cert = student_certificate(session, world)
    c = client_for(world.director)
    r = c.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": f"Copied\n{RLO}"})
    refused(r, "reason", "U+202E")
    r = c.post(f"{API}/certificates/{cert.id}/revoke", json={"reason": "Copied\r\nwork\t "})
    assert r.status_code == 200 and r.json()["revoke_reason"] == "Copied work", r.text


def test_the_calendar_feed_leaves_out_controls_stored_before_the_rule(
    session: Session, world: World, client_for: ClientFor, api_client: TestClient
) -> None:
    """A mission title and a cohort name stored with ESC sequences and overrides (rows from
    before the rule): the .ics had them raw, so a calendar showed the title reversed. The feed
    now writes them without those characters."""
    complete_profiler(session, id_of(world.student), "builders")
    mission = session.get(Mission, world.m1.id)
    assert mission is not None
    mission.title = "Harden \x1b[31ma\u202e server\u2066\x07"
    world.cohort.name = "Spring\u202d\x1b[0m"
    session.add_all([mission, world.cohort])
    session.commit()
    schedule.set_due_date(
        session,
        principal(session, world.director),
        id_of(world.cohort),
        id_of(world.m1),
        utcnow() + timedelta(days=2),
    )
    session.commit()
    url = client_for(world.student).post(f"{API}/me/calendar-feed").json()["url"]
    r = api_client.get(url[url.index("/api/v1/") :])
    assert r.status_code == 200, r.text
    raw = r.content.decode()
    for ch in ("\x1b", "\x07", "\u202e", "\u202d", "\u2066"):
        assert ch not in raw
    [event] = list(icalendar.Calendar.from_ical(r.content).walk("VEVENT"))
    assert str(event["SUMMARY"]) == "Harden [31ma server"
    assert str(event["DESCRIPTION"]).startswith("Due in Spring[0m.")


def test_programme_and_cohort_names_are_one_line_without_controls(
    world: World, client_for: ClientFor
) -> None:
    """Before: 201/200 with the ESC sequence or override stored in the name (a line break was
    quietly made a space)."""
    c = client_for(world.director)
    body = {"name": f"Academy {RLO}", "organization_id": world.org.id}
    refused(c.post(f"{API}/programs", json=body), "programme's name", "U+202E")
    r = c.patch(f"{API}/cohorts/{world.cohort.id}", json={"name": ESC})
    refused(r, "cohort's name", "U+001B")
    r = c.patch(f"{API}/programs/{world.program.id}", json={"description": "One\r\n\r\nTwo"})
    assert r.status_code == 200 and r.json()["description"] == "One\n\nTwo", r.text


def test_sponsorship_notes_keep_lines_but_no_override(session: Session, world: World) -> None:
    fund = make_org(session, "Savannah Fund")
    make_user(session, "fund@fund.example", "sponsor", organization_id=fund.id)
    values = {
        "organization_id": fund.id,
        "seats": 10,
        "amount": Decimal("1500.00"),
        "currency": "usd",
        "starts_on": date.today(),
        "ends_on": date.today() + timedelta(days=80),
    }
    director = principal(session, world.director)
    with pytest.raises(Invalid, match="notes.*U\\+202E"):
        sponsorships.create_sponsorship(
            session,
            director,
            id_of(world.cohort),
            SponsorshipIn.model_validate({**values, "notes": f"Grant\n{RLO}"}),
        )
    made = sponsorships.create_sponsorship(
        session,
        director,
        id_of(world.cohort),
        SponsorshipIn.model_validate({**values, "notes": "Grant 2026\r\n- 10 seats"}),
    )
    assert made.notes == "Grant 2026\n- 10 seats"


def test_a_goal_title_is_one_line_and_its_why_keeps_its_lines(
    world: World, client_for: ClientFor
) -> None:
    c = client_for(world.student)
    refused(c.post(f"{API}/coaching/goals", json={"title": "Pass\nOSCP"}), "goal's title")
    r = c.post(f"{API}/coaching/goals", json={"title": "Pass OSCP", "why": "Job\n\nand fun"})
    assert r.status_code == 201 and r.json()["why"] == "Job\n\nand fun", r.text


def test_a_nudge_message_and_a_learner_note_refuse_an_override(
    world: World, client_for: ClientFor
) -> None:
    """A director's nudge (notified and mailed to the learner) and a learner's own note were
    stored with U+202E or an ESC sequence as sent; both keep their line breaks."""
    director = client_for(world.director)
    url = f"{API}/director/learners/{world.student.id}/nudge"
    r = director.post(url, json={"cohort_id": world.cohort.id, "message": f"Hi\n{RLO}"})
    refused(r, "message", "U+202E")
    r = director.post(url, json={"cohort_id": world.cohort.id, "message": "Hi,\r\nkeep going"})
    assert r.status_code == 200 and r.json()["sent"] is True, r.text
    student = client_for(world.student)
    r = student.post(f"{API}/me/notes", json={"kind": "goal", "body": ESC})
    refused(r, "note", "U+001B")
    r = student.post(f"{API}/me/notes", json={"kind": "goal", "body": "Mentor\n\nmore"})
    assert r.status_code == 201 and r.json()["body"] == "Mentor\n\nmore", r.text


def test_an_answer_feedback_and_snippet_refuse_an_override_and_keep_markdown(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """A learner's answer and a mentor's feedback, comments and snippets are markdown shown by
    the safe renderer: their lines, tabs and markup stay; an ESC sequence or U+202E in them
    was stored as sent and is now refused, named among the form's other problems."""
    complete_profiler(session, id_of(world.student), "builders")
    student = client_for(world.student)
    url = f"{API}/missions/{world.m1.id}/draft"
    refused(student.put(url, json={"answer": f"{GOOD_ANSWER}\n{RLO}"}), "answer", "U+202E")
    answer = f"{GOOD_ANSWER}\n\n```\n\tnmap -sV host\n```"
    r = student.put(url, json={"answer": answer})
    assert r.status_code == 200, r.text
    draft = session.get(Submission, r.json()["id"])
    assert draft is not None and draft.answer == answer
    rubric = list(world.m1.rubric or [])
    key = str(rubric[0]["key"])
    _, problems = reviews.check_review(
        rubric, "approved", FULL_SCORES, f"Fine {ESC}", {key: f"Good\n{RLO}"}
    )
    assert any("feedback" in p and "U+001B" in p for p in problems), problems
    assert any("comment on" in p and "U+202E" in p for p in problems), problems
    _, problems = reviews.check_review(rubric, "approved", FULL_SCORES, "**Good**\n\n- a\n- b")
    assert problems == []
    made = student.post(f"{API}/missions/{world.m1.id}/submit", json={"answer": answer})
    assert made.status_code == 201, made.text
    session.expire_all()
    mentor = principal(session, world.mentor)
    with pytest.raises(Invalid, match="snippet.*U\\+202E"):
        snippets.create_snippet(session, mentor, made.json()["id"], RLO)
    kept = snippets.create_snippet(session, mentor, made.json()["id"], "**Good**\r\n\n- a")
    assert kept.body == "**Good**\n\n- a"


def test_a_link_handed_in_with_an_override_or_esc_is_refused(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The links of an answer are typed fields shown to the mentor: one with U+202E (which makes
    "…/a\u202egnp.exe" read as "…/aexe.png"), an ESC sequence or a tab was stored as sent. Now
    it is refused with 422 naming the link and the character, among the form's other problems,
    and nothing is stored."""
    complete_profiler(session, id_of(world.student), "builders")
    student = client_for(world.student)
    url = f"{API}/missions/{world.m1.id}/draft"
    good = "https://github.com/you/repo"
    refused(
        student.put(url, json={"links": [good, "https://e.org/a\u202egnp.exe"]}), "link 2", "U+202E"
    )
    refused(student.put(url, json={"links": ["https://e.org/\x1b[31mred"]}), "link 1", "U+001B")
    detail = refused(
        student.post(
            f"{API}/missions/{world.m1.id}/submit",
            json={"answer": "short", "links": ["https://e.org/a\tb"]},
        ),
        "link 1",
    )
    assert "at least 20 characters" in detail
    assert session.exec(select(Submission)).all() == []
    r = student.put(url, json={"links": [good]})
    assert r.status_code == 200, r.text


def test_the_certificate_pdf_leaves_out_controls_stored_before_the_rule(
    session: Session, world: World
) -> None:
    """A learner's name stored with an override and an ESC sequence (before the rule) was
    drawn into their certificate's PDF: the override reversed the line (DejaVu), or came out as
    '?' and the ESC as a raw byte (core font). The PDF now draws the name without them."""
    world.student.full_name = "Amina \u202eNjoroge\x1b[31m"
    session.add(world.student)
    cert = student_certificate(session, world)
    shown = certificates.verify(session, None, cert.code)
    lines = pdf_lines(certificate_pdf.render(shown))
    assert "Amina Njoroge[31m" in lines, lines
