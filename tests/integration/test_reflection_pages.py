"""/coaching showed a learner's 10 newest reflections and nothing older, though they may keep
500: an eleventh-newest one could no longer be read there, nor made private again once shared
(their mentor and programme directors still read it on the mentee page, and its analysis). The
page now shows them 10 at a time with a pager (reflections.reflection_page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Reflection, Visibility
from cyberhub.services.coaching import reflections
from cyberhub.services.errors import Forbidden, Unauthenticated
from tests.factories import build_world, id_of, principal

pytestmark = pytest.mark.usefixtures("session")


def test_every_reflection_is_reached_a_page_at_a_time(session: Session) -> None:
    w = build_world(session, prefix="pages")
    me = id_of(w.student)
    start = utcnow() - timedelta(days=30)
    for n in range(12):  # the oldest, shared with the mentor, first
        at = start + timedelta(days=n)
        session.add(
            Reflection(
                user_id=me,
                body=f"Reflection {n}",
                visibility=Visibility.mentor if n == 0 else Visibility.private,
                created_at=at,
                updated_at=at,
            )
        )
    session.add(Reflection(user_id=id_of(w.student2), body="Not mine"))
    session.commit()
    who = principal(session, w.student)

    first = reflections.reflection_page(session, who)
    assert (first.total, first.page, first.pages) == (12, 1, 2)
    assert [r.body for r in first.items] == [f"Reflection {n}" for n in range(11, 1, -1)]
    second = reflections.reflection_page(session, who, 2)
    assert [r.body for r in second.items] == ["Reflection 1", "Reflection 0"]
    [shared] = [r for r in second.items if r.visibility == "mentor"]
    assert reflections.set_visibility(session, who, shared.id, "private").visibility == "private"
    # A page past the end (one deleted meanwhile, in another tab): the last page.
    reflections.delete_reflection(session, who, second.items[0].id)
    session.commit()
    last = reflections.reflection_page(session, who, 3)
    assert (last.page, last.pages, [r.body for r in last.items]) == (2, 2, ["Reflection 0"])

    with pytest.raises(Unauthenticated):
        reflections.reflection_page(session, None)
    with pytest.raises(Forbidden):
        reflections.reflection_page(session, principal(session, w.mentor))
