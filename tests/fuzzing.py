"""Property-based fuzzing of the JSON API from its OpenAPI document (schemathesis + hypothesis).

Shared by the suite's bounded run (tests/integration/test_api_fuzz.py) and the long run
(bench/fuzz_api.py). Every operation of /api/v1/openapi.json gets generated requests, in-process
against the FastAPI app, with one role's credentials. Two things are checked per response:
- it is not a server error (status < 500);
- where the document gives the response's schema, the body matches it.
Findings are collected, not raised, so one run reports every failing operation at once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase

OPENAPI = "/api/v1/openapi.json"
ROLES = ("anonymous", "student", "mentor", "director", "sponsor", "admin")


@dataclass(frozen=True)
class Finding:
    role: str
    operation: str
    status: int
    problem: str  # "server error" or "schema"
    detail: str
    request: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.operation} -> {self.status} ({self.problem}): {self.detail}\n  {self.request}"


@dataclass
class FuzzReport:
    requests: int = 0
    seconds: float = 0.0
    per_role: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)

    @property
    def server_errors(self) -> list[Finding]:
        return [f for f in self.findings if f.problem == "server error"]

    @property
    def schema_failures(self) -> list[Finding]:
        return [f for f in self.findings if f.problem == "schema"]

    def summary(self) -> str:
        roles = ", ".join(f"{role} {n}" for role, n in sorted(self.per_role.items()))
        worst = Counter(f"{f.operation} ({f.problem})" for f in self.findings).most_common(10)
        lines = [
            f"{self.requests} requests, {len(self.operations)} operations, "
            f"{len(self.per_role)} roles ({roles}) in {self.seconds:.0f} s",
            f"responses >= 500: {len(self.server_errors)}; "
            f"schema mismatches: {len(self.schema_failures)}",
            "status codes: "
            + ", ".join(f"{code} x{n}" for code, n in sorted(self.statuses.items())),
        ]
        lines += [f"  {name}: {n}" for name, n in worst]
        return "\n".join(lines)


def load_schema(app: Any) -> Any:
    """The API's OpenAPI document, loaded from the app itself (requests go to it in-process)."""
    import schemathesis

    return schemathesis.openapi.from_asgi(OPENAPI, app)


def _describe(case: Any) -> str:
    parts = [f"{case.method} {case.formatted_path}"]
    if case.query:
        parts.append(f"query={case.query!r}")
    if case.body is not None and not isinstance(case.body, bytes | bytearray):
        parts.append(f"body={case.body!r}"[:300])
    return " ".join(parts)


def _schema_problem(case: Any, response: Any) -> str | None:
    from schemathesis.specs.openapi.checks import response_schema_conformance

    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except BaseException as exc:  # a FailureGroup (an exception group) or a single Failure
        if isinstance(exc, KeyboardInterrupt):
            raise
        failures = getattr(exc, "exceptions", None) or [exc]
        return "; ".join(
            f"{getattr(f, 'title', type(f).__name__)}: {getattr(f, 'message', str(f))}"[:400]
            for f in failures
        )
    return None


# (All POST.) Paths as the document names them, after the /api/v1 prefix.
SESSION_ENDERS = (
    "/auth/logout",
    "/auth/logout-everywhere",
    "/auth/me/password",
    "/organizations/{org_id}/leave",
    "/users/{user_id}/roles/revoke",
)


def fuzz(
    schema: Any,
    role: str,
    headers: dict[str, str],
    report: FuzzReport,
    *,
    examples: int,
    seed: int = 0,
    skip: Iterable[str] = (),
) -> FuzzReport:
    """Send `examples` generated requests to every operation as `role`; add what happens to
    `report`. `skip`: "METHOD /path" operations not to call (for example signing the role out)."""
    skipped = set(skip)
    started = time.perf_counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    # Operations that can end the role's session or take its rights away go last, so that every
    # other operation is fuzzed signed in (a revoked session would turn the rest into 401s).
    operations.sort(key=lambda op: op.method.upper() == "POST" and op.path.endswith(SESSION_ENDERS))
    for operation in operations:
        name = f"{operation.method.upper()} {operation.path}"
        if name in skipped:
            continue
        report.operations.add(name)

        _fuzz_operation(operation, name, role, headers, report, examples=examples, seed=seed)
    report.seconds += time.perf_counter() - started
    return report


def _fuzz_operation(
    operation: Any,
    name: str,
    role: str,
    headers: dict[str, str],
    report: FuzzReport,
    *,
    examples: int,
    seed: int,
) -> None:
    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        report.requests += 1
        report.per_role[role] += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the app raised: the client got a 500 (or nothing at all)
            report.statuses[500] += 1
            report.findings.append(
                Finding(role, name, 500, "server error", repr(exc)[:300], _describe(case))
            )
            return
        report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            report.findings.append(
                Finding(
                    role,
                    name,
                    response.status_code,
                    "server error",
                    response.text[:200],
                    _describe(case),
                )
            )
            return
        problem = _schema_problem(case, response)
        if problem:
            report.findings.append(
                Finding(role, name, response.status_code, "schema", problem, _describe(case))
            )

    run()


def worker_alive() -> None:
    """A worker heartbeat for the next hour, so /health reports ok (200) during the run instead
    of its documented 503 for a missing worker."""
    from cyberhub.redis_client import HEARTBEAT_KEY, get_redis

    get_redis().zadd(HEARTBEAT_KEY, {"fuzz-run": time.time() + 3600})


def role_headers(session: Any, app: Any, role: str) -> dict[str, str]:
    """A signed-in user with `role` in a fresh world's organization (none for anonymous)."""
    from fastapi.testclient import TestClient

    from tests.factories import build_world, login, make_user

    if role == "anonymous":
        return {}
    world = build_world(session)
    users = {
        "student": world.student,
        "mentor": world.mentor,
        "director": world.director,
        "admin": world.admin,
    }
    user = users.get(role) or make_user(
        session, f"fuzz.{role}@example.org", role, organization_id=world.org.id
    )
    with TestClient(app) as client:
        return {"Authorization": f"Bearer {login(client, user.email)['access_token']}"}
