"""Property-based fuzzing of every operation in the OpenAPI document (schemathesis), anonymous
and as each role, each role on its own fresh database: no response is a server error, and
responses match their documented schema where the document gives one.

A bounded run (a few generated requests per operation and role); bench/fuzz_api.py runs the
long one. A failure lists every finding with the request that caused it."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.fakes import FakeEmbedder
from tests.fuzzing import ROLES, FuzzReport, fuzz, load_schema, role_headers, worker_alive

pytestmark = [pytest.mark.integration]

# Per operation and role: ~30 s for the six roles on a quiet machine, ~3 min at load 12.
EXAMPLES = 2


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_never_get_a_server_error(
    role: str, db_url: str, session: Session, fake_embedder: FakeEmbedder
) -> None:
    from cyberhub.api import create_api

    worker_alive()  # /health answers 200, not its (documented) 503 for a missing worker
    app = create_api()
    headers = role_headers(session, app, role)
    report = fuzz(load_schema(app), role, headers, FuzzReport(), examples=EXAMPLES, seed=11)
    assert len(report.operations) >= 60 and report.requests >= len(report.operations)
    assert not report.findings, report.summary() + "\n" + "\n".join(map(str, report.findings))
    if role != "anonymous":  # the role stayed signed in: most requests got past authentication
        assert report.statuses[401] < report.requests / 4, report.summary()
