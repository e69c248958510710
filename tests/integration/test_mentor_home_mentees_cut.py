"""The mentor home's mentees table lists the first MAX_MENTEES by name: when a mentor has more,
the page says so ("The first 2 of 3 mentees, by name.") instead of a table that looks complete,
and GET /mentor/dashboard gives mentees_total."""

from __future__ import annotations

import pytest
import reflex as rx
from sqlmodel import Session

from cyberhub.pages.mentor_home.state import MentorHomeState
from cyberhub.services.learning import mentoring
from tests.factories import World, assign, enroll, make_user, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.integration]


def test_the_home_says_when_mentees_are_left_out(
    session: Session, world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    for n in range(2):
        learner = make_user(session, f"more{n}@example.org", "student", organization_id=w.org.id)
        enroll(session, w.cohort, learner)
        assign(session, w.cohort, w.mentor, learner)
    mentor = principal(session, w.mentor)
    whole = mentoring.mentor_dashboard(session, mentor)
    assert (len(whole.mentees), whole.mentees_total) == (3, 3)
    page = rx.State().get_substate(MentorHomeState.get_full_name().split(".")[1:])
    assert isinstance(page, MentorHomeState)
    page._show_mentees(whole, "UTC")
    assert page.mentees_cut == ""  # every mentee is listed: nothing to say

    monkeypatch.setattr(mentoring, "MAX_MENTEES", 2)
    cut = mentoring.mentor_dashboard(session, mentor)
    assert (len(cut.mentees), cut.mentees_total) == (2, 3)
    page._show_mentees(cut, "UTC")
    assert len(page.mentees) == 2
    assert page.mentees_cut == "The first 2 of 3 mentees, by name."
    body = client_for(w.mentor).get("/api/v1/mentor/dashboard").json()
    assert (len(body["mentees"]), body["mentees_total"]) == (2, 3)
