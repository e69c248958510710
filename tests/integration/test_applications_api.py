"""The applications API: learners act only for themselves, directors only on their organisation's
cohorts (403 for another organisation or another role, 404 for what does not exist), errors are
always {"detail": ...} and never 5xx."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.formatting import when
from cyberhub.models import Enrollment, EnrollmentStatus, User
from cyberhub.models.base import utcnow
from cyberhub.services.learning import applications
from tests.factories import PASSWORD, World, build_world, login, make_cohort, make_user

pytestmark = [pytest.mark.student, pytest.mark.integration]

API = "/api/v1"
ClientFor = Callable[[User], TestClient]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def client_for(db_url: str) -> Iterator[ClientFor]:
    from cyberhub.api import create_api

    api = create_api()
    opened: dict[int, TestClient] = {}

    def make(user: User) -> TestClient:
        if user.id not in opened:
            client = TestClient(api, raise_server_exceptions=False)
            client.__enter__()
            client.headers["Authorization"] = f"Bearer {login(client, user.email)['access_token']}"
            opened[user.id or 0] = client
        return opened[user.id or 0]

    yield make
    for client in opened.values():
        client.__exit__(None, None, None)


def test_the_learner_and_director_journey(
    session: Session, world: World, client_for: ClientFor
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Autumn")
    cid = cohort.id
    director = client_for(world.director)
    r = director.put(f"{API}/cohorts/{cid}/enrolment", json={"mode": "application", "capacity": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "cohort_id": cid,
        "mode": "application",
        "capacity": 1,
        "enrolled": 0,
        "seats_left": 1,
        "pending": 0,
        "waitlist": 0,
    }
    ann = make_user(session, "ann@example.org")  # no organisation at all
    bob = make_user(session, "bob@example.org")
    a, b = client_for(ann), client_for(bob)
    offers = a.get(f"{API}/enrolment/cohorts").json()["items"]
    assert [o["name"] for o in offers] == ["Autumn"]  # director-mode cohorts are not offered
    assert offers[0]["seats_left"] == 1 and offers[0]["my_status"] == ""
    r = a.post(f"{API}/cohorts/{cid}/applications")
    assert r.status_code == 201 and r.json()["status"] == "applied"
    assert a.post(f"{API}/cohorts/{cid}/applications").status_code == 409
    b.post(f"{API}/cohorts/{cid}/applications")
    pending = director.get(f"{API}/cohorts/{cid}/applications?status=applied").json()["items"]
    assert [p["student_email"] for p in pending] == ["ann@example.org", "bob@example.org"]
    ids = {p["student_email"]: p["id"] for p in pending}
    r = director.post(f"{API}/cohorts/{cid}/applications/{ids['ann@example.org']}/approve")
    assert r.status_code == 200 and r.json()["status"] == "enrolled"
    r = director.post(f"{API}/cohorts/{cid}/applications/{ids['bob@example.org']}/approve")
    assert r.json()["status"] == "waitlisted" and r.json()["position_text"] == "1st on the waitlist"
    [mine] = b.get(f"{API}/me/applications").json()["items"]
    assert (mine["status"], mine["waitlist_position"]) == ("waitlisted", 1)
    # Ann leaves; Bob gets her seat at once.
    assert a.post(f"{API}/cohorts/{cid}/applications/withdraw").json()["status"] == "withdrawn"
    assert b.get(f"{API}/me/applications").json()["items"][0]["status"] == "enrolled"
    assert a.post(f"{API}/cohorts/{cid}/applications/withdraw").status_code == 404
    settings = director.get(f"{API}/cohorts/{cid}/enrolment").json()
    assert (settings["enrolled"], settings["waitlist"], settings["pending"]) == (1, 0, 0)


def test_wrong_role_and_other_organisation(
    session: Session, world: World, client_for: ClientFor
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Autumn")
    cid = cohort.id
    applications.set_enrolment(
        session, world.p(session, world.director), cid or 0, mode="application"
    )
    session.commit()
    ann = make_user(session, "ann@example.org")
    app_id = client_for(ann).post(f"{API}/cohorts/{cid}/applications").json()["id"]
    director_routes = [
        ("GET", f"/cohorts/{cid}/applications", None),
        ("POST", f"/cohorts/{cid}/applications/{app_id}/approve", None),
        ("POST", f"/cohorts/{cid}/applications/{app_id}/reject", None),
        ("GET", f"/cohorts/{cid}/enrolment", None),
        ("PUT", f"/cohorts/{cid}/enrolment", {"mode": "open"}),
    ]
    for who in (world.other_director, world.student, world.mentor, ann):
        client = client_for(who)
        for method, path, body in director_routes:
            r = client.request(method, API + path, json=body)
            # Another organization's director: as a cohort nobody has.
            status = 404 if who is world.other_director else 403
            assert r.status_code == status, (who.email, method, path, r.status_code)
            assert "detail" in r.json()
    d = client_for(world.director)
    # What does not exist: 404 (another cohort's application, an unknown cohort).
    other = make_cohort(session, world.program, director=world.director, name="Winter")
    assert d.post(f"{API}/cohorts/{other.id}/applications/{app_id}/approve").status_code == 404
    assert d.get(f"{API}/cohorts/999999/applications").status_code == 404
    # A learner can't apply to a director-only cohort (it is not offered to them).
    r = client_for(ann).post(f"{API}/cohorts/{other.id}/applications")
    assert r.status_code == 404 and "detail" in r.json()
    # Bad input: 422 with a message, nothing changed.
    assert d.put(f"{API}/cohorts/{cid}/enrolment", json={"mode": "lottery"}).status_code == 422
    assert d.put(f"{API}/cohorts/{cid}/enrolment", json={"capacity": 0}).status_code == 422
    assert d.get(f"{API}/cohorts/{cid}/applications?status=nope").status_code == 422
    assert d.get(f"{API}/cohorts/{cid}/enrolment").json()["mode"] == "application"
    # The other organisation's director can't see the application either way.
    mine = client_for(world.other_director).get(f"{API}/me/applications").json()
    assert mine == {"items": [], "total": 0, "page": 1, "pages": 1}
    # Anonymous: 401.
    with TestClient(d.app, raise_server_exceptions=False) as anon:
        assert anon.get(f"{API}/enrolment/cohorts").status_code == 401
        assert anon.post(f"{API}/cohorts/{cid}/applications").status_code == 401


def test_an_api_key_reads_but_never_applies_or_withdraws(
    session: Session, world: World, client_for: ClientFor
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Autumn")
    applications.set_enrolment(
        session, world.p(session, world.director), cohort.id or 0, mode="open"
    )
    session.commit()
    ann = make_user(session, "ann@example.org")
    r = client_for(ann).post(
        f"{API}/api-keys", json={"name": "bot", "scopes": ["read", "write"], "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    key = {"Authorization": f"Bearer {r.json()['secret']}"}
    with TestClient(client_for(ann).app, raise_server_exceptions=False) as bot:
        assert bot.get(f"{API}/enrolment/cohorts", headers=key).status_code == 200
        r = bot.post(f"{API}/cohorts/{cohort.id}/applications", headers=key)
        assert r.status_code == 403 and "detail" in r.json()
        assert (
            bot.post(f"{API}/cohorts/{cohort.id}/applications/withdraw", headers=key).status_code
            == 403
        )
    assert applications.my_applications(session, world.p(session, ann)) == []


def test_an_ended_cohorts_pending_applications_say_so_and_can_still_be_rejected(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """Past its last day a cohort seats nobody new, so approving answers 409: the director's
    list said nothing of it (the panel offered Approve). Each pending application now says it
    can't be approved and why, as does the waitlist; rejecting still works, and nothing is
    ended on its own. While the cohort runs, pending ones can be approved."""
    cohort = make_cohort(session, world.program, director=world.director, name="Autumn")
    cid = cohort.id
    director = client_for(world.director)
    director.put(f"{API}/cohorts/{cid}/enrolment", json={"mode": "application", "capacity": 1})
    learners = [make_user(session, f"{n}@example.org") for n in ("ann", "bob", "cat")]
    for learner in learners:
        assert client_for(learner).post(f"{API}/cohorts/{cid}/applications").status_code == 201
    url = f"{API}/cohorts/{cid}/applications"
    rows = director.get(url).json()["items"]
    assert [r["can_approve"] for r in rows] == [True, True, True]
    assert [r["held"] for r in rows] == ["", "", ""]
    for r in rows[:2]:  # ann takes the seat, bob waits
        assert director.post(f"{url}/{r['id']}/approve").status_code == 200

    today = utcnow().date()
    cohort.starts_on, cohort.ends_on = today - timedelta(days=60), today - timedelta(days=1)
    session.add(cohort)
    session.commit()
    ended = f"Autumn ended on {when(cohort.ends_on, style='date')}"
    by_email = {r["student_email"]: r for r in director.get(url).json()["items"]}
    cat, bob, ann = (
        by_email["cat@example.org"],
        by_email["bob@example.org"],
        by_email["ann@example.org"],
    )
    assert (cat["status"], cat["can_approve"]) == ("applied", False)
    assert cat["held"] == f"{ended}: move its end date to approve."
    assert (bob["status"], bob["can_approve"]) == ("waitlisted", False)
    assert bob["held"] == f"{ended}: nobody moves up from the waitlist until its end date moves."
    assert (ann["status"], ann["held"], ann["can_approve"]) == ("enrolled", "", False)
    assert director.post(f"{url}/{cat['id']}/approve").status_code == 409
    r = director.post(f"{url}/{cat['id']}/reject")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert [r["status"] for r in director.get(url).json()["items"]] == [
        "waitlisted",
        "enrolled",
        "rejected",
    ]
    # What the learner reads is unchanged.
    [mine] = client_for(learners[1]).get(f"{API}/me/applications").json()["items"]
    assert mine["status"] == "waitlisted" and "held" not in mine


def test_a_completed_enrolment_is_offered_as_completed_and_not_withdrawn(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The JSON API agrees with /cohorts: a completed learner's cohort says "completed", and
    withdrawing answers 409 with a message (their completion stays on their record)."""
    cid = world.cohort.id or 0
    applications.set_enrolment(session, world.p(session, world.director), cid, mode="open")
    row = session.exec(
        select(Enrollment).where(
            Enrollment.cohort_id == cid, Enrollment.student_id == world.student.id
        )
    ).one()
    row.status, row.completed_at = EnrollmentStatus.completed, utcnow()
    session.add(row)
    session.commit()
    learner = client_for(world.student)
    [offer] = [o for o in learner.get(f"{API}/enrolment/cohorts").json()["items"] if o["id"] == cid]
    assert offer["my_status"] == "completed"
    r = learner.post(f"{API}/cohorts/{cid}/applications/withdraw")
    assert r.status_code == 409 and "completed" in r.json()["detail"]
    session.expire_all()
    after = session.get(Enrollment, row.id)
    assert after is not None and after.status == "completed"


def test_a_cohort_s_applications_come_a_page_at_a_time_waitlist_places_counted_across_pages(
    session: Session, world: World, client_for: ClientFor
) -> None:
    cohort = make_cohort(session, world.program, director=world.director, name="Busy")
    cid = cohort.id
    director = client_for(world.director)
    director.put(f"{API}/cohorts/{cid}/enrolment", json={"mode": "application", "capacity": 2})
    names = ("ann", "bob", "cat", "dan", "eve")
    for n in names:
        learner = make_user(session, f"{n}@example.org")
        assert client_for(learner).post(f"{API}/cohorts/{cid}/applications").status_code == 201
    url = f"{API}/cohorts/{cid}/applications"
    first_four = director.get(url, params={"page_size": 4}).json()["items"]
    for row in first_four:  # ann and bob take the seats, cat and dan wait in that order
        assert director.post(f"{url}/{row['id']}/approve").status_code == 200

    pages = [director.get(url, params={"page_size": 2, "page": n}).json() for n in (1, 2, 3, 4)]
    assert [(p["total"], p["page"], p["pages"]) for p in pages] == [
        (5, 1, 3),
        (5, 2, 3),
        (5, 3, 3),
        (5, 4, 3),
    ]
    listed = [
        (r["student_email"].split("@")[0], r["status"], r["waitlist_position"])
        for p in pages
        for r in p["items"]
    ]
    # Pending first, then the waitlist in order (dan is second though alone on his page), then
    # the seats; a page past the last is empty.
    assert listed == [
        ("eve", "applied", None),
        ("cat", "waitlisted", 1),
        ("dan", "waitlisted", 2),
        ("ann", "enrolled", None),
        ("bob", "enrolled", None),
    ]
    waiting = director.get(url, params={"status": "waitlisted", "page_size": 1, "page": 2}).json()
    assert [(r["student_email"], r["waitlist_position"]) for r in waiting["items"]] == [
        ("dan@example.org", 2)
    ]
    assert waiting["total"] == 2
    refused = director.get(url, params={"page_size": 0})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("page_size:")
