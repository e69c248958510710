"""Fixtures shared by the integration tests that act as several people over the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import User
from tests.factories import World, build_world, login

ClientFor = Callable[[User], TestClient]


@pytest.fixture
def world(session: Session) -> World:
    """tests/factories.build_world: one organisation's people and cohorts, and a second one."""
    return build_world(session)


@pytest.fixture
def client_for(db_url: str) -> Iterator[ClientFor]:
    """A signed-in API client per user (one app; each client keeps its own bearer token)."""
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


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """SMTP configured (SMTP_HOST): mail is delivered by the worker, not kept for the dev
    mailbox. Replace smtplib.SMTP (tests/fakes.FakeSmtp) before anything is delivered."""
    from cyberhub.settings import get_settings

    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SMTP_HOST")
    get_settings.cache_clear()
