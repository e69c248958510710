"""A nudge is once a day per learner and organisation, even when two of the organisation's
directors nudge the same learner at the same moment through two different cohorts (the learner
is enrolled in both): one nudge is sent, the other director is told the learner was already
nudged today."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from cyberhub.models import Notification, OutboxMail
from cyberhub.schemas.analytics import NudgeResult
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import analytics
from tests.factories import World, enroll, id_of, make_user, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.integration]


def test_two_directors_nudging_through_two_cohorts_at_once_send_one_nudge(
    session: Session, world: World
) -> None:
    enroll(session, world.other_cohort, world.student)  # Spring and Evening, one organisation
    colleague = make_user(
        session, "w.director2@example.org", "director", organization_id=id_of(world.org)
    )
    sid, name = id_of(world.student), world.student.full_name
    told: list[NudgeResult] = []

    def nudge(who: Principal, cohort_id: int) -> Callable[[Session], object]:
        def write(s: Session) -> object:
            told.append(analytics.nudge(s, who, sid, cohort_id=cohort_id))
            return told[-1]

        return write

    answers = second_while_first_holds(
        nudge(principal(session, world.director), id_of(world.cohort)),
        nudge(principal(session, colleague), id_of(world.other_cohort)),
    )

    assert answers == ("ok", "ok")
    assert [(r.sent, r.detail) for r in told] == [
        (True, f"{name} was nudged."),
        (False, f"{name} was already nudged today."),
    ]
    session.expire_all()
    notes = session.exec(
        select(Notification.organization_id).where(
            Notification.user_id == sid, Notification.kind == analytics.NUDGE_KIND
        )
    ).all()
    assert notes == [id_of(world.org)]
    mails = session.exec(
        select(OutboxMail.id).where(
            OutboxMail.to_email == world.student.email, OutboxMail.kind == analytics.NUDGE_KIND
        )
    ).all()
    assert len(mails) == 1
