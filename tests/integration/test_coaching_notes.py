"""A habit check-in's optional note (issue 16): the learner reads it back in the habit's recent
history and in the week's summary; staff never do — check-in notes are not marked shared, so the
mentee page (service and API) carries none of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session

from cyberhub.schemas.coaching import CheckinCreate, HabitCreate
from cyberhub.services.coaching import habits, summary
from cyberhub.services.coaching.habits import RECENT_CHECKINS
from cyberhub.services.learning import mentees
from tests.factories import build_world, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration, pytest.mark.coaching]

API = "/api/v1"
MONDAY = date(2026, 11, 9)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def test_the_learner_reads_notes_in_the_habits_history_and_the_week(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    read = habits.create_habit(session, p, HabitCreate(title="Read"))
    lab = habits.create_habit(session, p, HabitCreate(title="Lab", cadence="weekly"))
    # Read: every day from last Friday to this Thursday; a note on last Friday and this Wednesday.
    friday = MONDAY - timedelta(days=3)
    for n in range(7):
        day = friday + timedelta(days=n)
        note = {0: "Last week's note", 5: "Finished **chapter 3**"}.get(n, "")
        habits.check_in(session, p, read.id, CheckinCreate(day=day, note=note), now=_at(day))
    habits.check_in(session, p, lab.id, CheckinCreate(note="Built the SIEM lab"), now=_at(MONDAY))
    session.commit()

    now = _at(MONDAY + timedelta(days=3))  # Thursday
    mine = {h.title: h for h in habits.habits_public(session, w.student.id or 0, now=now,
                                                     with_notes=True)}  # fmt: skip
    history = mine["Read"].recent
    assert len(history) == RECENT_CHECKINS  # the last five, newest first
    assert [c.day for c in history] == [MONDAY + timedelta(days=n) for n in (3, 2, 1, 0, -1)]
    assert history[1].note == "Finished **chapter 3**" and history[0].note == ""
    assert [c.note for c in mine["Lab"].recent] == ["Built the SIEM lab"]
    # The API's list and a single habit carry it too (the learner's own views).
    assert any(c.note for c in habits.get_habit(session, p, read.id).recent)
    assert habits.list_habits(session, p)[0].recent

    week = summary.week_of(session, w.student.id or 0, MONDAY)
    assert [(n.habit_title, n.day, n.note) for n in week.notes] == [
        ("Read", MONDAY + timedelta(days=2), "Finished **chapter 3**"),
        ("Lab", MONDAY, "Built the SIEM lab"),
    ]  # newest first; last Friday's note belongs to last week; empty notes are not listed
    last = summary.week_of(session, w.student.id or 0, friday)
    assert [n.note for n in last.notes] == ["Last week's note"]


def test_the_mentor_never_reads_check_in_notes(session: Session, client_for: ClientFor) -> None:
    w = build_world(session)
    learner = client_for(w.student)
    habit_id = learner.post(f"{API}/coaching/habits", json={"title": "Read"}).json()["id"]
    r = learner.post(
        f"{API}/coaching/habits/{habit_id}/logs", json={"note": "Private check-in thought"}
    )
    assert r.status_code == 201
    own = learner.get(f"{API}/student/coaching/overview").json()
    assert own["habits"][0]["recent"][0]["note"] == "Private check-in thought"
    assert own["summary"]["notes"][0]["note"] == "Private check-in thought"

    seen = mentees.mentee(session, principal(session, w.mentor), w.student.id or 0)
    [habit] = seen.habits
    assert habit.title == "Read" and habit.recent == []  # the habit and streak, not the note
    r = client_for(w.mentor).get(f"{API}/mentees/{w.student.id}")
    assert r.status_code == 200, r.text
    assert "Private check-in thought" not in r.text
