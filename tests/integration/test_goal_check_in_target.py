"""A goal measured by one check-in says "0 of 1 check-in" (it said "0 of 1 check-ins")."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.schemas.coaching import GoalCreate, HabitCreate
from cyberhub.services.coaching import goals, habits
from tests.factories import World, principal

pytestmark = [pytest.mark.coaching, pytest.mark.integration]


def test_a_target_of_one_check_in_is_said_in_the_singular(session: Session, world: World) -> None:
    p = principal(session, world.student)
    habit = habits.create_habit(session, p, HabitCreate(title="Lab"))
    for target, said in ((1, "0 of 1 check-in"), (3, "0 of 3 check-ins")):
        goal = goals.create_goal(
            session,
            p,
            GoalCreate(
                title=f"Lab x{target}",
                progress_source="habits",
                habit_ids=[habit.id],
                habit_target=target,
            ),
        )
        assert goal.progress_label == said
