"""/coaching showed a learner's 10 newest reflections and nothing older, though they may keep
500: an eleventh-newest one could no longer be read there, nor made private again once shared
(their mentor and programme directors still read it on the mentee page, and its analysis). The
page now shows them 10 at a time with a pager (reflections.reflection_page).

GET /api/v1/coaching/reflections answered the newest 50 and nothing older; it now pages them as
the API's other lists do ({items, total, page, pages}; `page`, `page_size`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.models.base import utcnow
from cyberhub.models.coaching import Reflection, Visibility
from cyberhub.services.coaching import reflections
from cyberhub.services.errors import Forbidden, Unauthenticated
from tests.factories import World, build_world, id_of, principal

API = "/api/v1"

pytestmark = pytest.mark.usefixtures("session")


def _write(session: Session, w: World, count: int) -> None:
    """`count` reflections of the world's student, a day apart, "Reflection 0" the oldest and
    shared with the mentor; and one of another learner's."""
    me = id_of(w.student)
    start = utcnow() - timedelta(days=count + 10)
    for n in range(count):
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


def test_every_reflection_is_reached_a_page_at_a_time(session: Session) -> None:
    w = build_world(session, prefix="pages")
    _write(session, w, 12)
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


def test_the_api_pages_every_reflection(
    session: Session, client_for: Callable[[User], TestClient]
) -> None:
    w = build_world(session, prefix="apipages")
    _write(session, w, 55)
    me = client_for(w.student)

    r = me.get(f"{API}/coaching/reflections")  # the newest 50, as before, and how many more
    assert r.status_code == 200, r.text
    first = r.json()
    assert (first["total"], first["page"], first["pages"]) == (55, 1, 2)
    assert [x["body"] for x in first["items"]] == [f"Reflection {n}" for n in range(54, 4, -1)]
    second = me.get(f"{API}/coaching/reflections", params={"page": 2}).json()
    assert [x["body"] for x in second["items"]] == [f"Reflection {n}" for n in range(4, -1, -1)]
    assert second["items"][-1]["visibility"] == "mentor"
    third = me.get(f"{API}/coaching/reflections", params={"page": 3, "page_size": 20}).json()
    assert (third["page"], third["pages"], len(third["items"])) == (3, 3, 15)

    for bad in ({"page": 0}, {"page_size": 0}, {"page_size": 101}):
        r = me.get(f"{API}/coaching/reflections", params=bad)
        assert r.status_code == 422 and r.json()["detail"], (bad, r.text)
