"""The cohort page's dialogs and buttons act once on a double click and keep the first click's
notice: recording a sponsorship said "Recorded …" beside a red "already sponsors this cohort",
revoking a certificate "Revoked …" beside "already revoked", closing "… is closed" beside
"already closed", and Check completions replaced "2 learners completed now" by "No learner has
met the rule yet"."""

from __future__ import annotations

import inspect
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from cyberhub.pages.director_cohort import ROUTE, CohortSponsorsState
from cyberhub.pages.director_cohort.completion import CohortCompletionState
from cyberhub.services.learning import certificates
from tests.factories import (
    World,
    complete_profiler,
    id_of,
    make_org,
    make_user,
    principal,
    submit_and_decide,
)
from tests.page_states import opened_at, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]


def _opened(state: type[Any], session: Session, w: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    page = page_state(state, session, principal(session, w.director), monkeypatch)
    opened_at(page, ROUTE, f"/director/cohorts/{id_of(w.cohort)}")
    run_in_own_loop(state.event_handlers["load"].fn(page))
    return page


def _run(state: type[Any], page: Any, handler: str, *args: Any) -> Any:
    """Run the page's event `handler` as the browser would send it (a plain one at once)."""
    ran = state.event_handlers[handler].fn(page, *args)
    return run_in_own_loop(ran) if inspect.iscoroutine(ran) or inspect.isasyncgen(ran) else ran


def test_a_sponsorship_recorded_with_a_double_click_is_recorded_once(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fund = make_org(session, "Savannah Fund")
    make_user(session, "kofi@fund.example", "sponsor", organization_id=fund.id)
    S = CohortSponsorsState
    panel = _opened(S, session, world, monkeypatch)
    _run(S, panel, "start_new")
    today = date.today()
    for name, value in {
        "organization_id": str(id_of(fund)),
        "seats": "1",
        "amount": "100",
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }.items():
        _run(S, panel, "set_value", name, value)
    _run(S, panel, "save", {})
    _run(S, panel, "save", {})  # the double click's second submit
    assert (panel.notice, panel.error) == ("Recorded the sponsorship by Savannah Fund.", "")
    assert len(panel.rows) == 1


def test_check_revoke_and_close_clicked_twice_act_once_and_keep_their_notice(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The student's builders work approved before the programme required it: Check finds it.
    complete_profiler(session, id_of(world.student), "builders")
    submit_and_decide(session, world, world.m1)
    submit_and_decide(session, world, world.m2)
    director = principal(session, world.director)
    for mission in (world.m1, world.m2):
        certificates.set_required(session, director, id_of(world.program), id_of(mission), True)
    session.commit()
    S = CohortCompletionState
    panel = _opened(S, session, world, monkeypatch)
    assert panel.rows == []
    _run(S, panel, "check")
    _run(S, panel, "check")  # the double click's second
    assert panel.notice == "1 learner completed now, with a certificate."
    assert panel.error == ""

    [row] = panel.rows
    _run(S, panel, "ask_revoke", row["id"], row["name"])
    panel.reason = "Issued by mistake."
    _run(S, panel, "revoke")
    _run(S, panel, "revoke")
    assert (panel.notice, panel.error) == (f"Revoked the certificate of {row['name']}.", "")

    _run(S, panel, "set_close_open", True)
    _run(S, panel, "close_cohort")
    _run(S, panel, "close_cohort")
    assert panel.notice.endswith("is closed: it takes no more enrolments or applications.")
    assert panel.error == ""
