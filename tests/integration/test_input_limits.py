"""No 5xx on any input (issue 11, item 7): ids beyond the database's range, NUL characters and
passwords longer than bcrypt's 72 bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.api import PREFIX, ROUTERS
from cyberhub.api.deps import MAX_ID
from cyberhub.models import User
from tests.factories import login, make_user

pytestmark = [pytest.mark.auth, pytest.mark.integration]

ALL_ROLES = ("student", "mentor", "director", "sponsor", "admin")
# Path parameters that name a row (`{mission_id}`, `{id}`); `{name}`, `{token}` and such are not ids.
PARAM = re.compile(r"{(\w*_id|id)}")


def _names_a_row(route: APIRoute) -> bool:
    """An id in the path that is a row's number; a sign-in's id (`/auth/me/sessions/{session_id}`)
    is an opaque string, refused as "no such session" (404) rather than as malformed."""
    return any(
        PARAM.fullmatch("{" + p.name + "}") and p.field_info.annotation is int
        for p in route.dependant.path_params
    )


def id_routes() -> list[tuple[str, str]]:
    """(method, path template) of every API route with an id in its path, from the app itself."""
    out: list[tuple[str, str]] = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if _names_a_row(route):
                assert route.methods is not None
                out.extend((m, route.path) for m in sorted(route.methods))
    return out


def fill(path: str, value: str) -> str:
    return PREFIX + PARAM.sub(value, path)


@pytest.fixture
def everyone_client(db_url: str, session: Session, test_organization) -> Iterator[TestClient]:
    """Signed in as someone holding every role, so each route's access rule lets the id through."""
    from cyberhub.api import create_api

    user = make_user(
        session, "everyone@test.example.org", *ALL_ROLES, organization_id=test_organization.id
    )
    with TestClient(create_api(), raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {login(client, user.email)['access_token']}"
        yield client


def test_the_id_routes_are_found() -> None:
    routes = id_routes()
    assert len(routes) >= 50
    assert ("GET", "/missions/{mission_id}") in routes


@pytest.mark.parametrize(
    "value", ["999999999999999999999", str(MAX_ID + 1), "0", "-1", "abc", "1.5"]
)
def test_out_of_range_or_malformed_ids_answer_422_on_every_id_route(
    everyone_client: TestClient, value: str
) -> None:
    bad = []
    for method, path in id_routes():
        r = everyone_client.request(method, fill(path, value), json={})
        if r.status_code != 422 or "detail" not in r.json():
            bad.append(f"{method} {path}: {r.status_code} {r.text[:120]}")
    assert not bad, "\n".join(bad)


def test_the_largest_valid_id_names_nothing(everyone_client: TestClient) -> None:
    bad = []
    for method, path in id_routes():
        r = everyone_client.request(method, fill(path, str(MAX_ID)), json={})
        if r.status_code >= 500 or "detail" not in r.json():
            bad.append(f"{method} {path}: {r.status_code} {r.text[:120]}")
    assert not bad, "\n".join(bad)
    r = everyone_client.get(f"{PREFIX}/missions/{MAX_ID}")
    assert r.status_code == 404


def test_anonymous_out_of_range_id_still_answers_401(api_client: TestClient) -> None:
    r = api_client.get(f"{PREFIX}/missions/999999999999999999999")
    assert r.status_code == 401


class TestNulCharacters:
    def test_nul_in_a_query_string_is_422(self, everyone_client: TestClient) -> None:
        for url in (
            f"{PREFIX}/missions?q=phish%00ing",
            f"{PREFIX}/missions?skill=%00",
            f"{PREFIX}/search/missions?q=a%00b",
            f"{PREFIX}/admin/users?q=%00",
            f"{PREFIX}/organizations?q=%00",
            f"{PREFIX}/enrolment/cohorts?q=spring%00",
            f"{PREFIX}/cohorts/1/roster?q=%00",
        ):
            r = everyone_client.get(url)
            assert r.status_code == 422, (url, r.text)
            assert "NUL" in r.json()["detail"]

    def test_nul_in_a_json_body_is_422_and_nothing_is_saved(
        self, api_client: TestClient, session: Session
    ) -> None:
        r = api_client.post(
            f"{PREFIX}/auth/signup",
            json={
                "email": "nul@test.example.org",
                "password": "blue-kettle-sings-42",
                "full_name": "Amina\u0000Njoroge",
                "consents": ["terms", "privacy"],
            },
        )
        assert r.status_code == 422 and "NUL" in r.json()["detail"]
        assert (
            session.exec(select(User).where(User.email == "nul@test.example.org")).first() is None
        )

    def test_an_escaped_backslash_u0000_is_ordinary_text(self, api_client: TestClient) -> None:
        # The six characters \u0000 typed as text are not a NUL.
        r = api_client.post(
            f"{PREFIX}/auth/signup",
            json={
                "email": "text@test.example.org",
                "password": "blue-kettle-sings-42",
                "full_name": "Amina \\u0000",
                "consents": ["terms", "privacy"],
            },
        )
        assert r.status_code == 201, r.text

    def test_nul_in_a_csv_body_is_422(self, everyone_client: TestClient) -> None:
        r = everyone_client.post(
            f"{PREFIX}/cohorts/1/enrollments/import",
            content=b"email,full_name\nx@test.example.org,A\x00B\n",
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 422 and "NUL" in r.json()["detail"]

    def test_text_reaching_the_database_has_its_nul_stripped(self, session: Session) -> None:
        # What a page sends goes through the services to the database: a NUL never crashes it.
        user = User(
            email="page@test.example.org", full_name="Amina\x00 Njoroge", password_hash=None
        )
        session.add(user)
        session.commit()
        session.expire_all()
        stored = session.exec(select(User).where(User.email == "page@test.example.org")).one()
        assert stored.full_name == "Amina Njoroge"
        found = session.exec(select(User).where(User.full_name == "Amina\x00 Njoroge")).first()
        assert found is not None and found.id == stored.id


class TestLoneSurrogates:
    """A JSON string may escape half of a UTF-16 pair on its own ("\\ud800"): that is not a
    character, and no text can be stored, searched or sent back with it."""

    @pytest.mark.parametrize(
        ("url", "body"),
        [
            # Found by the edge sweep: the unknown scope was named in the 422's message, which
            # then could not be written as UTF-8 (500).
            ("/api-keys", {"name": "k", "scopes": ["\ud800"], "password": "x"}),
            ("/auth/signup", {"email": "s@test.example.org", "full_name": "Amina \udc00"}),
            # Even where nothing reads it: a key of an object in a field the route ignores.
            ("/me/notes", {"kind": "goal", "body": "Learn", "extra": [{"\udfff": 1}]}),
        ],
    )
    def test_a_lone_surrogate_in_a_json_body_is_422(
        self, everyone_client: TestClient, url: str, body: dict[str, object]
    ) -> None:
        raw = json.dumps(body).encode()  # ASCII: the surrogate travels as its \u escape
        r = everyone_client.post(
            PREFIX + url, content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422, r.text
        assert "surrogate" in r.json()["detail"]

    def test_a_surrogate_pair_is_an_ordinary_character(self, api_client: TestClient) -> None:
        raw = json.dumps(
            {
                "email": "pair@test.example.org",
                "password": "blue-kettle-sings-42",
                "full_name": "Amina \ud83d\udd10",  # one emoji, escaped as a pair
                "consents": ["terms", "privacy"],
            }
        ).encode()
        r = api_client.post(
            f"{PREFIX}/auth/signup", content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 201, r.text


class TestDeeplyNestedJson:
    @pytest.mark.parametrize("depth", [500, 100_000])
    @pytest.mark.parametrize("shape", ["lists", "objects"])
    def test_a_body_nested_too_deeply_is_422(
        self, everyone_client: TestClient, depth: int, shape: str
    ) -> None:
        # Found by hand: 500 levels ran the NUL check out of stack, 100,000 the JSON parser (500).
        if shape == "lists":
            raw = b"[" * depth + b"]" * depth
        else:
            raw = b'{"a":' * depth + b"1" + b"}" * depth
        r = everyone_client.post(
            f"{PREFIX}/me/notes", content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422, r.text[:200]
        assert "nested too deeply" in r.json()["detail"]

    def test_a_body_within_the_limit_is_read(self, everyone_client: TestClient) -> None:
        nested = b"[" * 30 + b"]" * 30  # in a field the route ignores
        raw = b'{"kind": "goal", "body": "Learn", "extra": ' + nested + b"}"
        r = everyone_client.post(
            f"{PREFIX}/me/notes", content=raw, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 201, r.text


class TestLongPasswords:
    @pytest.mark.parametrize(
        "password",
        [
            "correct-horse-battery-staple-" * 3 + "x" * 7,  # 94 characters
            "ñandú-über-café-Привет-密码-🔐-" + "é" * 16,  # 44 characters, ~80 bytes
        ],
    )
    def test_a_long_password_signs_up_and_signs_in(
        self, api_client: TestClient, password: str
    ) -> None:
        r = api_client.post(
            f"{PREFIX}/auth/signup",
            json={
                "email": "long@test.example.org",
                "password": password,
                "full_name": "Long Password",
                "consents": ["terms", "privacy"],
            },
        )
        assert r.status_code == 201, r.text
        assert login(api_client, "long@test.example.org", password)["access_token"]
        r = api_client.post(
            f"{PREFIX}/auth/login",
            json={"email": "long@test.example.org", "password": password[:-1] + "?"},
        )
        assert r.status_code == 401

    def test_an_account_with_an_old_plain_bcrypt_hash_still_signs_in(
        self, api_client: TestClient, session: Session
    ) -> None:
        import bcrypt

        old = bcrypt.hashpw(b"blue-kettle-sings-42", bcrypt.gensalt(rounds=4)).decode()
        session.add(User(email="old@test.example.org", full_name="Old Hash", password_hash=old))
        session.commit()
        assert login(api_client, "old@test.example.org", "blue-kettle-sings-42")["access_token"]


@pytest.mark.parametrize(
    "url",
    [
        "/audit-logs/stats?date_to=0001-01-01",
        "/audit-logs/stats?date_from=9999-12-31",
        "/audit-logs?date_to=9999-12-31",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_422(everyone_client: TestClient, url: str) -> None:
    # Found by the fuzzer: the day before 0001-01-01 / after 9999-12-31 overflowed (500).
    r = everyone_client.get(PREFIX + url)
    assert r.status_code == 422 and "Choose dates between" in r.json()["detail"]


# Ids and page numbers the API takes in a query string or a JSON body, by name.
QUERY_OR_BODY_ID = re.compile(r"^(\w+_id|ids|user|student|prerequisites|page)$")


def _integers(schema: dict[str, object], components: dict[str, dict[str, object]]) -> list[dict]:
    """The integer schemas in `schema` (through $ref, anyOf and array items)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _integers(components[ref.rsplit("/", 1)[-1]], components)
    found = [schema] if schema.get("type") == "integer" else []
    for option in schema.get("anyOf", []) or []:  # type: ignore[attr-defined]
        found += _integers(option, components)
    items = schema.get("items")
    if isinstance(items, dict):
        found += _integers(items, components)
    return found


def test_every_id_in_a_query_or_body_is_documented_within_range(api_client: TestClient) -> None:
    """As path ids are (1..MAX_ID): an id or page number beyond PostgreSQL's integer range got
    past the types and answered only 'A value in the request is out of range or not allowed.'
    (found by a long schemathesis run)."""
    document = api_client.get(f"{PREFIX}/openapi.json").json()
    components = document["components"]["schemas"]
    bad: list[str] = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            fields = [
                (p["name"], p["schema"]) for p in op.get("parameters", []) if p["in"] == "query"
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"].get("$ref", "")
                model = components.get(ref.rsplit("/", 1)[-1], {}) if ref else body["schema"]
                fields += list(model.get("properties", {}).items())
            bad.extend(
                f"{method.upper()} {path} {name}: {integer}"
                for name, schema in fields
                if QUERY_OR_BODY_ID.match(name)
                for integer in _integers(schema, components)
                if not (
                    integer.get("minimum", 0) >= 1 and integer.get("maximum", MAX_ID + 1) <= MAX_ID
                )
            )
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(
    ("method", "url", "request_args", "field"),
    [
        ("GET", "/cohorts", {"params": {"program_id": -5}}, "program_id"),
        ("GET", "/director/missions", {"params": {"program_id": 2**40}}, "program_id"),
        ("GET", "/audit-logs", {"params": {"actor_id": -17179869183}}, "actor_id"),
        ("GET", "/users", {"params": {"organization_id": 2**40}}, "organization_id"),
        ("GET", "/notifications", {"params": {"page": 10**19}}, "page"),
        ("GET", "/missions", {"params": {"page": 10**19}}, "page"),
        ("GET", "/progress", {"params": {"user": 2**40}}, "user"),
        (
            "POST",
            "/cohorts",
            {
                "json": {
                    "program_id": -5,
                    "name": "Late",
                    "starts_on": "2027-01-01",
                    "ends_on": "2027-02-01",
                }
            },
            "program_id",
        ),
        (
            "POST",
            "/programs",
            {"json": {"name": "Night", "organization_id": 2**40}},
            "organization_id",
        ),
        (
            "POST",
            "/cohorts/1/mentors/assign",
            {"json": {"student_id": -1, "mentor_id": 1}},
            "student_id",
        ),
        ("POST", "/director/missions", {"json": {"prerequisites": [2**40]}}, "prerequisites"),
        ("POST", "/director/learners/1/nudge", {"json": {"cohort_id": 2**80}}, "cohort_id"),
        ("POST", "/notifications/read", {"json": {"ids": [2**40]}}, "ids"),
    ],
)
def test_an_id_out_of_range_in_a_query_or_body_is_422_naming_it(
    everyone_client: TestClient, method: str, url: str, request_args: dict, field: str
) -> None:
    r = everyone_client.request(method, PREFIX + url, **request_args)
    assert r.status_code == 422 and field in r.json()["detail"], r.text


# The lists paged and searched since session 25: a search, filter or page size beyond what the
# route takes is refused naming it, never a 500 nor a search of the whole text.
@pytest.mark.parametrize(
    ("url", "params", "said"),
    [
        ("/enrolment/cohorts", {"q": "x" * 201}, "q:"),
        ("/enrolment/cohorts", {"page_size": 101}, "page_size:"),
        ("/enrolment/cohorts", {"page": 0}, "page:"),
        ("/cohorts/1/roster", {"q": "x" * 201}, "q:"),
        ("/cohorts/1/roster", {"status": "w" * 21}, "status:"),
        ("/cohorts/1/roster", {"sort": "n" * 21}, "sort:"),
        ("/cohorts/1/roster", {"status": "gone"}, "Filter by status: active, completed or"),
        ("/cohorts/1/roster", {"sort": "<b>age</b>"}, "Sort by name, progress, last_activity"),
        ("/cohorts/1/roster", {"page_size": 101}, "page_size:"),
        ("/coaching/goals/closed", {"page_size": 0}, "page_size:"),
        ("/coaching/goals/closed", {"page": 10**19}, "page:"),
        ("/organizations/1/invitations", {"page_size": 101}, "page_size:"),
        ("/missions", {"status": "l" * 21}, "status:"),
        ("/missions", {"status": "Locked"}, "status must be one of: not_started, locked,"),
    ],
)
def test_an_over_long_or_unknown_search_or_filter_is_422_naming_it(
    everyone_client: TestClient, url: str, params: dict[str, str | int], said: str
) -> None:
    r = everyone_client.get(PREFIX + url, params=params)
    assert r.status_code == 422, r.text[:200]
    assert said in r.json()["detail"], r.json()


def test_a_search_of_the_longest_length_is_answered(everyone_client: TestClient) -> None:
    """200 characters (multi-byte ones too) is a search, not a refusal."""
    for q in ("x" * 200, "ñ" * 199 + "%", "密" * 200):
        for url in ("/enrolment/cohorts", "/missions"):
            r = everyone_client.get(PREFIX + url, params={"q": q})
            assert r.status_code == 200 and r.json()["items"] == [], (url, r.text[:200])


def test_pages_cap_a_long_search_instead_of_failing(
    session: Session, monkeypatch: pytest.MonkeyPatch, test_organization
) -> None:
    """/cohorts with a 5,000-character search in its address, and the admin users page's
    organisation search sent 5,000 characters (with a NUL): each searches the first 200, shows
    no error, and the page keeps working."""
    from cyberhub.pages.admin_users import AdminUsersState
    from cyberhub.pages.cohorts import CohortsState
    from tests.factories import principal
    from tests.page_states import at_address, page_state
    from tests.processes import run_in_own_loop

    long = "<b>" + "x" * 4990 + "\x00"
    who = principal(
        session,
        make_user(
            session, "long@test.example.org", *ALL_ROLES, organization_id=test_organization.id
        ),
    )
    cohorts = page_state(CohortsState, session, who, monkeypatch)
    at_address(CohortsState, monkeypatch, q=long, page="99999999999999999999")
    run_in_own_loop(CohortsState.event_handlers["load"].fn(cohorts))
    assert (cohorts.error, cohorts.query, cohorts.page) == ("", long[:200], 1)
    assert cohorts.loaded and cohorts.offers == []

    users = page_state(AdminUsersState, session, who, monkeypatch)
    run_in_own_loop(AdminUsersState.event_handlers["load"].fn(users))
    run_in_own_loop(AdminUsersState.event_handlers["find_organization"].fn(users, {"org_q": long}))
    assert (users.error, users.org_query, users.organizations) == ("", long[:200], [])
    run_in_own_loop(AdminUsersState.event_handlers["search"].fn(users, {"q": long}))
    assert (users.error, users.query, users.items) == ("", long[:200], [])
