"""In-page events read only what the page shows (issue 18 item 1, bench/event_profile.py).

The learner home's "Coaching" block used to load everything /coaching shows (the week's summary,
reflections: 36 statements per dashboard load); `summary.glance` reads what the block shows.
"Save draft" read the whole work back (history, events, hints); a draft changes only the status."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from cyberhub.pages.mission import data as mission_data
from cyberhub.schemas.coaching import CheckinCreate, GoalCreate, GoalUpdate, HabitCreate
from cyberhub.services.coaching import goals, habits, summary
from cyberhub.services.errors import Forbidden, NotFound, Unauthenticated
from tests.factories import build_world, id_of, principal
from tests.statements import statements

pytestmark = [pytest.mark.integration, pytest.mark.coaching]


def test_the_home_block_shows_what_coaching_shows_with_a_third_of_the_reads(
    session: Session,
) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    read = habits.create_habit(session, p, HabitCreate(title="Read one write-up"))
    habits.create_habit(session, p, HabitCreate(title="One lab a week", cadence="weekly"))
    today = datetime.now(UTC).date()
    habits.check_in(session, p, read.id, CheckinCreate(day=today), now=datetime.now(UTC))
    goals.create_goal(session, p, GoalCreate(title="Get a job", manual_percent=40))
    done = goals.create_goal(session, p, GoalCreate(title="Pass the exam", manual_percent=90))
    goals.update_goal(session, p, done.id, GoalUpdate(status="achieved"))
    goals.create_goal(session, p, GoalCreate(title="Ship two labs", target_date=date(2099, 1, 1)))

    with statements(session) as full:
        whole = summary.overview(session, p)
    with statements(session) as few:
        glance = summary.glance(session, p)

    # the same habits, streaks and "done today" as /coaching
    assert [(h.title, h.done_today, h.streak) for h in glance.habits] == [
        (h.title, h.done_today, h.streak) for h in whole.habits
    ]
    assert any(h.done_today for h in glance.habits)
    # the active goals, in /coaching's order, without the achieved one
    assert [(g.title, g.percent, g.progress_label) for g in glance.goals] == [
        (g.title, g.percent, g.progress_label) for g in whole.goals if g.status == "active"
    ]
    assert "Pass the exam" not in [g.title for g in glance.goals]
    assert len(few) * 3 <= len(full), (len(few), len(full))


def test_staff_have_no_coaching_glance(session: Session) -> None:
    w = build_world(session)
    with pytest.raises(Forbidden):
        summary.glance(session, principal(session, w.mentor))
    with pytest.raises(Unauthenticated):
        summary.glance(session, None)


def test_save_draft_shows_the_same_status_as_a_reload_with_fewer_reads(session: Session) -> None:
    w = build_world(session)
    p = principal(session, w.student)
    mission_id = id_of(w.m1)
    with statements(session) as full:
        _, work = mission_data.save(session, p, mission_id, False, "First notes", [])
    session.commit()
    with statements(session) as few:
        attempt, status = mission_data.save_draft(
            session, p, mission_id, "Second notes", ["https://github.com/x/y"]
        )
    session.commit()
    # what the page shows after "Save draft" is what it shows after a reload
    reloaded = mission_data.load_work(session, p, mission_id)
    assert status == reloaded.status
    assert (attempt, status.status, status.attempts) == (1, "draft", 1)
    assert status.draft is not None and status.draft.answer == "Second notes"
    assert status.draft.links == ["https://github.com/x/y"]
    assert work.status.status == "draft" and not reloaded.attempts  # a draft is not an attempt
    assert len(few) < len(full), (len(few), len(full))


def test_only_the_student_saves_a_draft(session: Session) -> None:
    w = build_world(session)
    with pytest.raises(Forbidden):
        mission_data.save_draft(session, principal(session, w.mentor), id_of(w.m1), "x", [])
    with pytest.raises(NotFound):
        mission_data.save_draft(
            session, principal(session, w.student), id_of(w.other_mission), "x", []
        )
