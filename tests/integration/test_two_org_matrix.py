"""The two-organisation matrix (issue 12, acceptance 2): every role of organisation A, and a
learner in no organisation, against every API route that reaches organisation B's objects or
learners — 403 or 404, never a 5xx, never a response carrying B's data, and nothing of B's
changed afterwards. Also: B's director against A's learner, before and after inviting her
(the invitation still pending).

Routes are enumerated from the API's routers (as tests/integration/test_access_rules.py does),
so a new route joins the matrix by itself; a route with a path parameter this file does not know
fails the test until PATH_PARAMS says which of B's objects to put there.

Content (the catalog, search, recommendations and a mission's own routes) is checked apart: B's
missions must not appear to A's users or to the learner in no organisation.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.models import Cohort, Organization, Program, User
from cyberhub.models.base import MAX_ID
from cyberhub.services.identity import memberships
from tests.factories import principal
from tests.integration.conftest import ClientFor
from tests.integration.test_access_rules import access_rules, api_routes
from tests.two_orgs import Tenant, build_loner, build_tenant, snapshot

pytestmark = [pytest.mark.integration]

API = "/api/v1"
DENIED = {403, 404}
# Routes of the content part: what B's missions may show to outsiders is mission_scope's rule.
CONTENT_PREFIXES = ("/missions", "/search/", "/recommendations")
# Open to anyone signed in by design: cohorts that take applications are listed to every learner
# (with their organisation, programme and seats), who may apply and withdraw. Outsiders may see
# the cohort there, never the people in it (checked by the test of these routes).
OPEN_TO_APPLICANTS = {
    ("GET", "/enrolment/cohorts"),
    ("POST", "/cohorts/{cohort_id}/applications"),
    ("POST", "/cohorts/{cohort_id}/applications/withdraw"),
}


def _path_params(t: Tenant) -> dict[str, object]:
    """Which of the tenant's objects goes into each path parameter."""
    return {
        "user_id": t.learner.id,
        "student_id": t.learner.id,
        "mentor_id": t.mentor.id,
        "org_id": t.org.id,
        "program_id": t.program.id,
        "track_id": t.track.id,
        "cohort_id": t.cohort.id,
        "mission_id": t.mission.id,
        "submission_id": t.submission.id,
        "session_id": t.profiler_session.id,
        "note_id": t.note.id,
        "key_id": t.api_key.id,
        "inv_id": t.invitation_id,
        "token": t.invitation_token,
        "application_id": t.application_id,
        "snippet_id": t.snippet_id,
        "certificate_id": t.certificate_id,
        "export_id": t.export_id,
        "habit_id": t.habit_id,
        "goal_id": t.goal_id,
        "reflection_id": t.reflection_id,
        "sponsorship_id": t.sponsorship_id,
        # Admin-only job routes: no organisation's object, any id shows the role check.
        "failure_id": 1,
        "run_id": 1,
    }


def _route_params(t: Tenant) -> dict[str, dict[str, object]]:
    """Where a path parameter of one route takes another object than its name says elsewhere."""
    return {"/auth/me/sessions/{session_id}": {"session_id": t.sign_in_id or "none"}}


def _query_refs(t: Tenant) -> dict[str, object]:
    """Query parameters that name one of the tenant's objects or learners."""
    return {
        "user": t.learner.id,
        "student": t.learner.id,
        "program_id": t.program.id,
        "organization_id": t.org.id,
    }


def _body_refs(t: Tenant) -> dict[str, object]:
    """Body fields that name one of the tenant's objects or people."""
    return {
        "email": t.learner.email,
        "organization_id": t.org.id,
        "program_id": t.program.id,
        "student_id": t.learner.id,
        "mentor_id": t.mentor.id,
        "director_id": t.director.id,
    }


FILLERS: dict[str, object] = {
    "role": "student",
    "reason": "matrix probe",
    "decision": "approved",
    "kind": "goal",
    "body": "matrix probe",
    "key": "builders",
    "name": "matrix probe",
    "title": "matrix probe",
    "answer": "matrix probe",
    "question_id": "q1",
    "option_id": "a",
    "scopes": ["read"],
    "starts_on": date.today().isoformat(),
    "ends_on": (date.today() + timedelta(days=30)).isoformat(),
    "amount": "100.00",  # a sponsorship's (a Decimal)
    "due_at": (date.today() + timedelta(days=7)).isoformat() + "T17:00",
}

# Where a field of the same name means something else on one route.
ROUTE_FILLERS: dict[str, dict[str, object]] = {"/exports": {"kind": "roster"}}


def _filler(annotation: Any) -> object:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (list, tuple, set):
        return []
    if origin is dict:
        return {}
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is date:
        return date.today().isoformat()
    return "matrix probe"


def _body(route: APIRoute, t: Tenant) -> tuple[dict[str, object] | None, bool]:
    """A JSON body for the route (required fields filled, the tenant's ids wherever a field names
    an object) and whether it names one of the tenant's objects."""
    if route.body_field is None:
        return None, False
    model = route.body_field.field_info.annotation
    if typing.get_origin(model) in (typing.Union, types.UnionType):
        model = next(a for a in typing.get_args(model) if a is not type(None))
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return {}, False
    refs, body, named = _body_refs(t), {}, False
    fillers = {**FILLERS, **ROUTE_FILLERS.get(route.path, {})}
    for name, field in model.model_fields.items():
        if name in refs:
            body[name], named = refs[name], True
        elif field.is_required() or name in fillers:
            body[name] = fillers.get(name, _filler(field.annotation))
    return body, named


@dataclass(frozen=True)
class Probe:
    method: str
    route: str  # the route's template, e.g. /cohorts/{cohort_id}
    url: str
    body: dict[str, object] | None
    names_target: bool  # the request names one of the target's objects or learners
    content: bool

    @property
    def open_by_design(self) -> bool:
        return (self.method, self.route) in OPEN_TO_APPLICANTS

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


def probes_against(t: Tenant) -> list[Probe]:
    """Every signed-in API request that reaches the tenant's objects, plus every list read."""
    queries = _query_refs(t)
    probes: list[Probe] = []
    for route in api_routes():
        params = {**_path_params(t), **_route_params(t).get(route.path, {})}
        if {rule.access.kind for rule in access_rules(route)} == {"public"}:
            continue  # no organisation's data behind public routes (health, sign-up, docs, ...)
        names = re.findall(r"{(\w+)}", route.path)
        unknown = [n for n in names if n not in params]
        assert not unknown, f"{route.path}: say in _path_params which object {unknown} takes"
        path = route.path
        for n in names:
            path = path.replace("{" + n + "}", str(params[n]))
        query: dict[str, object] = {}
        for q in route.dependant.query_params:
            if q.name in queries:
                query[q.name] = queries[q.name]
            elif q.field_info.is_required():
                query[q.name] = t.tag  # e.g. a search for the tenant's own words
        assert route.methods is not None
        for method in sorted(route.methods - {"HEAD"}):
            body, body_names = _body(route, t)
            names_target = bool(names) or bool(query) or body_names
            if method != "GET" and not names_target:
                continue  # acts on the caller only (log out, create a key, ...)
            url = API + path
            if query:
                url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            learner_query = {"user", "student"} & query.keys()
            in_content = route.path.startswith(CONTENT_PREFIXES)
            probes.append(
                Probe(method, route.path, url, body, names_target, in_content and not learner_query)
            )
            if in_content and learner_query and method == "GET" and not names:
                # The caller's own list (e.g. their recommendations) is content: B's missions
                # must not be in it.
                probes.append(Probe(method, route.path, API + path, None, False, True))
    return probes


def paired_with_unknown(real: Tenant, ghost: Tenant) -> list[tuple[Probe, Probe]]:
    """Each request naming one of `real`'s objects by id, with the same request naming
    `ghost`'s (ids nobody has) instead; requests that name neither are left out."""
    return [
        (one, unknown)
        for one, unknown in zip(probes_against(real), probes_against(ghost), strict=True)
        if (one.url, one.body) != (unknown.url, unknown.body)
        and not one.content
        and not one.open_by_design
    ]


def answered_differently(client: TestClient, pairs: list[tuple[Probe, Probe]]) -> list[str]:
    """The requests answered otherwise (status or body) than their unknown-id twin."""
    found = []
    for real, unknown in pairs:
        r, u = send(client, real), send(client, unknown)
        if (r.status_code, r.json()) != (u.status_code, u.json()):
            found.append(f"{real} -> {r.status_code} {r.text[:120]}; unknown id -> {u.text}")
    return found


def send(client: TestClient, probe: Probe) -> Any:
    if probe.method == "POST" and probe.route.endswith("/file"):  # an upload: multipart
        return client.post(probe.url, files={"file": ("notes.txt", b"matrix probe", "text/plain")})
    return client.request(probe.method, probe.url, json=probe.body)


def problems(client: TestClient, target: Tenant, probes: list[Probe], who: str) -> list[str]:
    """What went wrong for `who` (a role of another organisation) against `target`."""
    found = []
    for probe in probes:
        r = send(client, probe)
        if r.status_code >= 500:
            found.append(f"{who}: {probe} -> {r.status_code} (server error)")
        elif target.leaks(r.text):
            found.append(f"{who}: {probe} -> {r.status_code} carries {target.tag}'s data")
        elif probe.names_target and r.status_code not in DENIED:
            found.append(f"{who}: {probe} -> {r.status_code}, expected 403/404: {r.text[:160]}")
        elif r.status_code in DENIED and "detail" not in r.json():
            found.append(f"{who}: {probe} -> {r.status_code} without a detail")
    return found


@dataclass
class Orgs:
    a: Tenant
    b: Tenant
    loner: User


@pytest.fixture
def orgs(session: Session) -> Orgs:
    from tests.factories import PASSWORD
    from tests.two_orgs import NEW_PASSWORD

    assert PASSWORD != NEW_PASSWORD
    a, b = build_tenant(session, "qalpha"), build_tenant(session, "qbravo")
    loner = build_loner(session, "qloner")
    # The loner signs in with the suite's password like everyone else.
    from cyberhub.services.identity.passwords import hash_password

    loner.password_hash = hash_password(PASSWORD)
    session.add(loner)
    session.commit()
    return Orgs(a, b, loner)


class TestTwoOrganisationMatrix:
    def test_the_matrix_covers_the_routes_that_reach_learners(self, orgs: Orgs) -> None:
        routes = {p.route for p in probes_against(orgs.b)}
        for expected in (
            "/personality",
            "/recommendations",
            "/progress",
            "/cohorts/{cohort_id}/roster",
            "/submissions/{submission_id}",
            "/profiling/session/{session_id}/answers",
            "/users/{user_id}/roles",
            "/users/{user_id}/deactivate",
            "/users/{user_id}/reactivate",
            "/organizations/{org_id}/members",
            "/invitations/{token}/accept",
            "/me/notes/{note_id}",
            "/submissions/{submission_id}/hints",
            "/submissions/{submission_id}/snippets",
            "/snippets/{snippet_id}",
            "/certificates/{certificate_id}/revoke",
            "/cohorts/{cohort_id}/close",
            "/cohorts/{cohort_id}/completions/check",
            "/programs/{program_id}/missions/{mission_id}/required",
            "/mentees/{user_id}",
            "/exports",
            "/exports/{export_id}",
            "/exports/{export_id}/download",
            "/cohorts/{cohort_id}/schedule",
            "/cohorts/{cohort_id}/schedule/{mission_id}",
            "/cohorts/{cohort_id}/overdue",
            "/missions/{mission_id}/due",
            "/student/coaching/ai-coach",
            "/auth/me/sessions/{session_id}",
        ):
            assert expected in routes, expected
        assert len(routes) >= 80

    def test_every_role_of_a_and_the_loner_get_nothing_of_b(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        before = snapshot(session, orgs.b)
        probes = [p for p in probes_against(orgs.b) if not p.content and not p.open_by_design]
        found: list[str] = []
        for role, user in [*orgs.a.staff.items(), ("no-organisation learner", orgs.loner)]:
            found += problems(client_for(user), orgs.b, probes, f"{role} of A")
        assert not found, f"{len(found)} problems:\n" + "\n".join(found)
        assert snapshot(session, orgs.b) == before, "a request of A changed B's data"

    def test_outsiders_may_apply_to_b_but_see_none_of_its_people(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        probes = [p for p in probes_against(orgs.b) if p.open_by_design]
        assert {(p.method, p.route) for p in probes} == OPEN_TO_APPLICANTS
        people = list(orgs.b.staff.values())
        for role, user in [*orgs.a.staff.items(), ("no-organisation learner", orgs.loner)]:
            client = client_for(user)
            for probe in probes:
                r = send(client, probe)
                assert r.status_code < 400, (role, str(probe), r.text[:200])
                for person in people:
                    assert person.email not in r.text, (role, str(probe), person.email)
                    assert person.full_name not in r.text, (role, str(probe), person.full_name)
        # The cohort is B's to decide on: its director sees the outsiders who applied (and then
        # withdrew), nobody of A got a seat or a role in B by applying.
        roster = client_for(orgs.b.director).get(f"{API}/cohorts/{orgs.b.cohort.id}/roster")
        assert roster.status_code == 200
        assert orgs.a.learner.email not in roster.text and orgs.loner.email not in roster.text

    def test_the_loner_gets_nothing_of_a_either(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        probes = [p for p in probes_against(orgs.a) if not p.content and not p.open_by_design]
        found = problems(client_for(orgs.loner), orgs.a, probes, "no-organisation learner")
        assert not found, "\n".join(found)

    def test_director_of_b_reads_no_a_learner_before_or_after_inviting_her(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        before = snapshot(session, orgs.a)
        probes = [p for p in probes_against(orgs.a) if not p.content and not p.open_by_design]
        director_b = client_for(orgs.b.director)
        assert problems(director_b, orgs.a, probes, "director of B") == []
        assert snapshot(session, orgs.a) == before
        memberships.invite(
            session,
            principal(session, orgs.b.director),
            orgs.b.org.id or 0,
            email=orgs.a.learner.email,
        )
        session.commit()
        invited = snapshot(session, orgs.a)  # her in-app notice of the invitation is new
        assert problems(director_b, orgs.a, probes, "director of B (invited)") == []
        assert snapshot(session, orgs.a) == invited

    def test_a_director_of_a_finds_b_cohorts_and_programmes_as_ids_that_do_not_exist(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        """Every route taking a cohort or a programme answers A's director for B's as for an id
        nobody has (404 and the same detail): a 403 'only their own organization's' told them
        B's cohort or programme existed."""
        before = snapshot(session, orgs.b)
        day = date.today()
        unknown_cohort = Cohort.model_construct(id=MAX_ID, starts_on=day, ends_on=day)
        unknown_program = Program.model_construct(id=MAX_ID)
        ghost = replace(orgs.b, cohort=unknown_cohort, program=unknown_program)
        pairs = paired_with_unknown(orgs.b, ghost)
        assert {"/cohorts/{cohort_id}/roster", "/programs/{program_id}"} <= {
            p.route for p, _ in pairs
        }
        director = client_for(orgs.a.director)
        found = answered_differently(director, pairs)
        assert not found, f"{len(found)} routes:\n" + "\n".join(found)
        r = send(director, next(p for p, _ in pairs if p.route == "/cohorts/{cohort_id}/roster"))
        assert r.status_code == 404 and r.json() == {"detail": "That cohort does not exist."}
        assert snapshot(session, orgs.b) == before

    def test_a_director_of_a_finds_b_itself_as_an_id_that_does_not_exist(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        """Every request naming B's organisation (its page's API, its members and invitations,
        a programme created in it, a filter by it) answers A's director as for an organisation
        nobody has: a 403 'only their own organization' told them B existed."""
        before = snapshot(session, orgs.b)
        ghost = replace(orgs.b, org=Organization.model_construct(id=MAX_ID))
        pairs = paired_with_unknown(orgs.b, ghost)
        assert {"/organizations/{org_id}", "/programs"} <= {p.route for p, _ in pairs}
        director = client_for(orgs.a.director)
        found = answered_differently(director, pairs)
        assert not found, f"{len(found)} routes:\n" + "\n".join(found)
        r = director.get(f"{API}/organizations/{orgs.b.org.id}")
        assert r.status_code == 404
        assert r.json() == {"detail": "That organization does not exist."}
        assert snapshot(session, orgs.b) == before


class TestContent:
    def test_b_missions_do_not_appear_to_a_or_to_the_loner(
        self, orgs: Orgs, client_for: ClientFor
    ) -> None:
        # A list or a search (GET, no object in the path) may answer 200: without B's missions.
        probes = [
            replace(p, names_target=False) if p.method == "GET" and "{" not in p.route else p
            for p in probes_against(orgs.b)
            if p.content
        ]
        found: list[str] = []
        for role, user in [("learner", orgs.a.learner), ("no-organisation learner", orgs.loner)]:
            found += problems(client_for(user), orgs.b, probes, f"{role} of A")
        assert not found, "\n".join(found)

    def test_content_routes_never_fail_with_a_server_error(
        self, orgs: Orgs, client_for: ClientFor
    ) -> None:
        probes = [p for p in probes_against(orgs.b) if p.content]
        assert {p.route for p in probes} >= {"/missions", "/search/missions", "/recommendations"}
        for user in (orgs.a.learner, orgs.a.director, orgs.loner):
            client = client_for(user)
            for probe in probes:
                r = send(client, probe)
                assert r.status_code < 500, (user.email, str(probe), r.text[:200])


class TestPagedAndSearchedLists:
    """The lists paged and searched since session 25 (closed goals, the cohorts on offer, a
    cohort's roster, an organisation's invitations, the catalog's 'Locked' filter): the matrix
    reaches them with their defaults; here with the search and filters a user types."""

    def test_a_learner_of_a_reads_none_of_bs_closed_goals(
        self, orgs: Orgs, client_for: ClientFor
    ) -> None:
        url = f"{API}/coaching/goals/closed"
        own = client_for(orgs.b.learner).get(url).json()
        assert [g["title"] for g in own["items"]] == [f"{orgs.b.tag} achieved goal"]
        mine = client_for(orgs.a.learner).get(url, params={"page_size": 100})
        assert mine.status_code == 200 and not orgs.b.leaks(mine.text)
        assert [g["title"] for g in mine.json()["items"]] == [f"{orgs.a.tag} achieved goal"]
        loner = client_for(orgs.loner).get(url, params={"page": 2}).json()
        assert (loner["total"], loner["items"]) == (0, [])

    def test_the_cohort_search_offers_no_cohort_of_b_that_takes_no_applications(
        self, session: Session, orgs: Orgs, client_for: ClientFor
    ) -> None:
        """B's cohort taking applications is found by its, its programme's or B's name; B's
        cohort its director enrols (the default) by none of them, on the page or the API."""
        from cyberhub.pages.cohorts import cohorts_view
        from tests.factories import make_cohort

        make_cohort(session, orgs.b.program, director=orgs.b.director, name=f"{orgs.b.tag} Vault")
        tag = orgs.b.tag
        for user in (orgs.a.learner, orgs.a.director, orgs.loner):
            client = client_for(user)
            for q in (tag, f"{tag} Vault", f"{tag} Institute", f"{tag} Defenders"):
                r = client.get(f"{API}/enrolment/cohorts", params={"q": q})
                assert r.status_code == 200, r.text
                names = [o["name"] for o in r.json()["items"]]
                assert names == ([] if "Vault" in q else [f"{tag} Spring"]), (user.email, q)
                assert r.json()["total"] == len(names)
                shown = cohorts_view(session, principal(session, user), q=q)
                assert [o.name for o in shown.offers] == names, (user.email, q)

    def test_searching_or_paging_bs_roster_and_invitations_answers_as_for_no_cohort(
        self, orgs: Orgs, client_for: ClientFor
    ) -> None:
        b = orgs.b
        roster = f"{API}/cohorts/{b.cohort.id}/roster"
        asks: list[tuple[str, dict[str, str | int]]] = [
            (roster, {"q": b.learner.full_name, "status": "active", "sort": "progress"}),
            (roster, {"q": b.learner.email, "include_withdrawn": "true", "page": 2}),
            (roster, {"status": "withdrawn", "page_size": 100}),
            (f"{API}/organizations/{b.org.id}/invitations", {"page": 1, "page_size": 100}),
            (f"{API}/organizations/{b.org.id}/invitations", {"page": 2}),
        ]
        for role, user in [*orgs.a.staff.items(), ("no-organisation learner", orgs.loner)]:
            client = client_for(user)
            for url, params in asks:
                r = client.get(url, params=params)
                assert r.status_code in DENIED and "detail" in r.json(), (role, url, r.text)
                assert not b.leaks(r.text), (role, url, params)
        director = client_for(orgs.a.director)
        r = director.get(roster, params={"q": b.learner.email})
        assert r.json() == {"detail": "That cohort does not exist."}

    @pytest.mark.parametrize("status", ["locked", "not_started", "in_progress", "approved"])
    def test_the_catalogs_status_filter_lists_none_of_bs_missions(
        self, orgs: Orgs, client_for: ClientFor, status: str
    ) -> None:
        for user in (orgs.a.learner, orgs.loner):
            r = client_for(user).get(f"{API}/missions", params={"status": status, "page_size": 100})
            assert r.status_code == 200, r.text
            assert not orgs.b.leaks(r.text), (user.email, status)
            r = client_for(user).get(f"{API}/missions", params={"status": status, "q": orgs.b.tag})
            assert r.json()["items"] == [], (user.email, status)
