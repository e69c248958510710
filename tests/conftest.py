"""Shared fixtures.

- one embedded PostgreSQL per test session, a template database migrated once, and one database
  per test process copied from it, emptied back to the template's content before each test
  (tests/databases.py);
- one embedded Redis per session (health, metrics and job statistics live there);
- the Dramatiq StubBroker and a worker for actor tests;
- API clients per role, as seed 000 lists them (api_client, student_client, admin_client, ...).

Only fixtures live here: test modules import builders from tests/factories.py and stand-ins from
tests/fakes.py, never from this file (tests/unit/test_test_hygiene.py checks).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Before anything imports cyberhub: test settings, and the stub broker for actors.
os.environ["CYBERHUB_ENV"] = "test"
os.environ["CYBERHUB_BROKER"] = "stub"
os.environ["BCRYPT_ROUNDS"] = (
    "4"  # bcrypt's cost is a setting; the default (12) is tested on its own
)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# The coach's plan follows a change after 1 s, not the app's 30 (as in the browser tests): a
# worker test's join() waits for delayed jobs, so each test that changed a learner's work waited
# 30 s for the plan's job (test_coach's burst test sets 30 itself).
os.environ["COACH_DEBOUNCE_SECONDS"] = "1"
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import psycopg  # noqa: E402
import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from cyberhub import infra  # noqa: E402
from cyberhub.settings import get_settings  # noqa: E402
from tests.databases import ProcessDatabase  # noqa: E402
from tests.factories import (  # noqa: E402
    TEMPLATE_DB,
    libpq,
    login,
    make_user,
    with_db,
)
from tests.fakes import FakeEmbedder, SecretKeys  # noqa: E402
from tests.totp import Clock  # noqa: E402


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="cyberhub-tests-", dir="/tmp"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url(tmp_root: Path) -> Iterator[str]:
    """An embedded PostgreSQL for the whole session, with a migrated template database."""
    from cyberhub.migrate import upgrade

    data = tmp_root / "pg"
    admin = infra.start_postgres(data, "postgres")
    with psycopg.connect(libpq(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE_DB}"')
    upgrade(with_db(admin, TEMPLATE_DB))
    yield admin
    infra.stop_postgres(data)


@pytest.fixture(scope="session")
def redis_url(tmp_root: Path) -> Iterator[str]:
    server = infra.EmbeddedRedis(tmp_root / "redis")
    os.environ["REDIS_URL"] = server.url
    get_settings.cache_clear()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def process_db(pg_admin_url: str) -> Iterator[ProcessDatabase]:
    """This test process's database, emptied before each test that uses it (tests/databases.py)."""
    database = ProcessDatabase(pg_admin_url, f"test_{os.getpid()}")
    yield database
    database.drop()


@pytest.fixture
def db_url(process_db: ProcessDatabase, redis_url: str) -> Iterator[str]:
    """A database holding what the migrated template holds; DATABASE_URL points at it.

    Emptied as the test begins, not as the last one ended: by now every fixture of the last
    test has been torn down (a worker thread that was still finishing a job has stopped), so
    nothing of it can write into this test's database."""
    from cyberhub import db

    process_db.reset()
    url = process_db.url
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    db._engine_for(db.normalize_url(url)).dispose()
    db._engine_for.cache_clear()
    os.environ.pop("DATABASE_URL", None)
    get_settings.cache_clear()
    from cyberhub.redis_client import get_redis

    get_redis().flushdb()


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    from cyberhub.db import get_engine

    with Session(get_engine(), expire_on_commit=False) as s:
        yield s


# -- people ------------------------------------------------------------------------------------


@pytest.fixture
def test_organization(session: Session):
    from cyberhub.models import Organization

    org = Organization(name="Test Academy", slug="test-academy")
    session.add(org)
    session.commit()
    return org


@pytest.fixture
def student_user(session: Session, test_organization):
    return make_user(
        session, "student@test.example.org", "student", organization_id=test_organization.id
    )


@pytest.fixture
def mentor_user(session: Session, test_organization):
    return make_user(
        session, "mentor@test.example.org", "mentor", organization_id=test_organization.id
    )


@pytest.fixture
def admin_user(session: Session):
    return make_user(session, "admin@test.example.org", "admin")


@pytest.fixture
def test_user(student_user):
    return student_user


# -- API clients -------------------------------------------------------------------------------


@pytest.fixture
def api_client(db_url: str) -> Iterator[TestClient]:
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        yield client


def _client_for(email: str) -> Iterator[TestClient]:
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        token = login(client, email)["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture
def student_client(db_url: str, student_user) -> Iterator[TestClient]:
    yield from _client_for(student_user.email)


@pytest.fixture
def mentor_client(db_url: str, mentor_user) -> Iterator[TestClient]:
    yield from _client_for(mentor_user.email)


@pytest.fixture
def admin_client(db_url: str, admin_user) -> Iterator[TestClient]:
    yield from _client_for(admin_user.email)


@pytest.fixture
def authenticated_client(student_client: TestClient) -> TestClient:
    return student_client


# -- demo data ---------------------------------------------------------------------------------


@pytest.fixture
def demo(session: Session) -> list[int]:
    """The demo organization, program, tracks, cohorts, missions and users; returns mission ids.

    Without the learning activity (learners, submissions): that is tested once, in
    tests/integration/test_demo_activity.py, and would slow every test using this fixture."""
    from cyberhub.services.admin import demo as demo_data

    ids = demo_data.load_demo_data(session, activity=False)
    session.commit()
    return ids


# -- worker ------------------------------------------------------------------------------------


@pytest.fixture
def fake_embedder() -> Iterator[FakeEmbedder]:
    from worker import model

    embedder = FakeEmbedder()
    model.set_embedder(embedder)
    yield embedder
    model.set_embedder(None)


@pytest.fixture
def stub_broker(redis_url: str):
    from worker.broker import broker

    _emptied(broker)
    yield broker
    _emptied(broker)


def _emptied(broker: Any) -> None:
    """The stub broker's queues emptied, with nothing counted as still in progress: a message an
    interrupted test's worker took and never acknowledged (stopped mid-job) would otherwise keep
    every later test's join() waiting until its timeout (StubBroker.flush_all leaves that count)."""
    broker.flush_all()
    for queue in broker.queues.values():
        with queue.mutex:
            queue.unfinished_tasks = len(queue.queue)  # (qsize() would take the mutex again)
            queue.all_tasks_done.notify_all()


@pytest.fixture
def stub_worker(stub_broker):
    import dramatiq

    import worker.actors  # noqa: F401  (declares the actors)

    w = dramatiq.Worker(stub_broker, worker_timeout=100)
    w.start()
    yield w
    w.stop()


@pytest.fixture
def secret_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretKeys]:
    """Set SECRET_KEY / SECRET_KEY_PREVIOUS mid-test, as an operator rotating the key would
    (settings are re-read); restored afterwards."""

    def apply(current: str, previous: str = "") -> None:
        monkeypatch.setenv("SECRET_KEY", current)
        monkeypatch.setenv("SECRET_KEY_PREVIOUS", previous)
        get_settings.cache_clear()

    yield apply
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_PREVIOUS", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A settable clock for the MFA service (TOTP steps, throttling windows)."""
    from cyberhub.services.identity import mfa

    c = Clock()
    monkeypatch.setattr(mfa, "time", c)
    return c
