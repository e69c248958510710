"""Uploads (issue 11, item 6): who may upload is checked before the body is read, a request-size
cap answers 413 (reading at most one chunk past it), replaced and rolled-back files are deleted,
and the periodic sweep removes orphans.

The API route and Reflex's `/_upload` guard are driven as raw ASGI apps, so the tests count the
bytes each one pulled from the client."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub.models import Submission
from cyberhub.services.identity.permissions import SIGNED_IN, Principal, roles
from cyberhub.services.learning import submissions
from cyberhub.settings import get_settings
from tests.factories import GOOD_ANSWER, World, build_world, login, principal
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.missions, pytest.mark.integration]

MIB = 1024 * 1024
CHUNK = 64 * 1024
LIMIT = submissions.MAX_UPLOAD_REQUEST_BYTES
BOUNDARY = "cyberhubboundary"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def uploads(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    yield tmp_path / "uploads"


@dataclass
class Exchange:
    """One request through a raw ASGI app: what it answered and how much of the body it read."""

    status: int = 0
    body: bytes = b""
    pulled: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def detail(self) -> str:
        return str(json.loads(self.body)["detail"])


def multipart(name: str, content: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def huge_body(size: int) -> Iterator[bytes]:
    """A multipart body of `size` bytes, produced lazily in 64 KiB chunks."""
    head = multipart("big.txt", b"")[: -len(f"\r\n--{BOUNDARY}--\r\n")]
    yield head
    left = size - len(head)
    while left > 0:
        n = min(CHUNK, left)
        yield b"a" * n
        left -= n


def call(
    app: Any,
    path: str,
    chunks: Iterator[bytes] | list[bytes],
    headers: dict[str, str],
    content_length: int | None = None,
) -> Exchange:
    out = Exchange()
    source = iter(chunks)
    hdrs = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    if content_length is not None:
        hdrs["content-length"] = str(content_length)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in hdrs.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    upcoming = next(source, None)
    done = False

    async def receive() -> dict[str, Any]:
        nonlocal upcoming, done
        if done:
            await asyncio.sleep(3600)  # the client waits for the answer
        chunk, upcoming = upcoming or b"", next(source, None)
        done = upcoming is None
        out.pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": not done}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=60)

    run_in_own_loop(run())
    return out


def body_of(name: str, content: bytes) -> list[bytes]:
    data = multipart(name, content)
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


# -- the API route -------------------------------------------------------------------------------


class TestApiUpload:
    @pytest.fixture
    def api(self, db_url: str) -> Any:
        from cyberhub.api import create_api

        return create_api()

    def bearer(self, api: Any, email: str) -> dict[str, str]:
        from fastapi.testclient import TestClient

        with TestClient(api) as client:
            return {"authorization": f"Bearer {login(client, email)['access_token']}"}

    def url(self, world: World) -> str:
        return f"/api/v1/missions/{world.m1.id}/draft/file"

    def test_anonymous_is_refused_without_reading_a_60_mib_body(
        self, api: Any, world: World, uploads: Path
    ) -> None:
        r = call(api, self.url(world), huge_body(60 * MIB), {})
        assert r.status == 401 and "sign in" in r.detail.lower()
        assert r.pulled == 0

    def test_the_wrong_role_is_refused_without_reading_the_body(
        self, api: Any, world: World, uploads: Path
    ) -> None:
        r = call(api, self.url(world), huge_body(60 * MIB), self.bearer(api, world.mentor.email))
        assert r.status == 403 and r.pulled == 0

    def test_a_declared_oversized_body_is_413_unread(
        self, api: Any, world: World, uploads: Path
    ) -> None:
        headers = self.bearer(api, world.student.email)
        r = call(api, self.url(world), huge_body(60 * MIB), headers, content_length=60 * MIB)
        assert r.status == 413 and r.pulled == 0
        assert "larger than 10 MB" in r.detail

    def test_an_undeclared_oversized_body_stops_at_the_cap(
        self, api: Any, world: World, uploads: Path, session: Session
    ) -> None:
        headers = self.bearer(api, world.student.email)
        r = call(api, self.url(world), huge_body(60 * MIB), headers)
        assert r.status == 413 and "larger than 10 MB" in r.detail
        assert LIMIT < r.pulled <= LIMIT + CHUNK  # one chunk past the cap, never the 60 MiB
        assert not uploads.exists() or not any(uploads.iterdir())
        assert session.exec(select(Submission)).first() is None

    def test_a_file_within_the_cap_is_attached(self, api: Any, world: World, uploads: Path) -> None:
        headers = self.bearer(api, world.student.email)
        r = call(api, self.url(world), body_of("notes.txt", b"my notes"), headers)
        assert r.status == 200, r.body
        assert json.loads(r.body)["file"] == {"name": "notes.txt", "size": 8}

    def test_a_body_without_the_file_field_is_422(
        self, api: Any, world: World, uploads: Path
    ) -> None:
        headers = self.bearer(api, world.student.email)
        r = call(api, self.url(world), [f"--{BOUNDARY}--\r\n".encode()], headers)
        assert r.status == 422 and '"file"' in r.detail


# -- Reflex's /_upload, behind the guard ---------------------------------------------------------


class Endpoint:
    """Stands in for Reflex's upload endpoint: reads the whole body, then answers 200."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":  # Reflex answers an empty 200 then
                break
            if not message.get("more_body") or len(message.get("body", b"")) == 0:
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"handled"})


class TestReflexUploadGuard:
    HANDLER = "state.mission_state.attach"

    @pytest.fixture
    def people(self, session: Session, world: World) -> dict[str, Principal]:
        return {
            "student-tab": principal(session, world.student),
            "mentor-tab": principal(session, world.mentor),
        }

    @pytest.fixture
    def guarded(self, people: dict[str, Principal], monkeypatch: pytest.MonkeyPatch) -> Any:
        from cyberhub import upload_guard

        monkeypatch.setattr(upload_guard, "_RULES", {self.HANDLER: roles("student")})

        async def principal_for(token: str) -> Principal | None:
            return people.get(token)

        endpoint = Endpoint()
        app = upload_guard.upload_guard(principal_for)(endpoint)
        app.endpoint = endpoint  # type: ignore[attr-defined]
        return app

    def headers(self, token: str, handler: str | None = None) -> dict[str, str]:
        return {"reflex-client-token": token, "reflex-event-handler": handler or self.HANDLER}

    def test_an_anonymous_tab_is_401_and_nothing_is_read(self, guarded: Any) -> None:
        r = call(guarded, "/_upload", huge_body(60 * MIB), self.headers("unknown-tab"))
        assert r.status == 401 and r.detail == "Sign in to upload files."
        assert r.pulled == 0 and guarded.endpoint.calls == 0

    def test_the_wrong_role_is_403_and_nothing_is_read(self, guarded: Any) -> None:
        r = call(guarded, "/_upload", huge_body(60 * MIB), self.headers("mentor-tab"))
        assert r.status == 403 and r.pulled == 0 and guarded.endpoint.calls == 0

    def test_an_undeclared_handler_is_403(self, guarded: Any) -> None:
        r = call(guarded, "/_upload", body_of("a.txt", b"x"), self.headers("student-tab", "x.y"))
        assert r.status == 403 and r.pulled == 0 and guarded.endpoint.calls == 0

    def test_a_declared_oversized_body_is_413_before_anything(self, guarded: Any) -> None:
        r = call(
            guarded,
            "/_upload",
            huge_body(60 * MIB),
            self.headers("unknown-tab"),
            content_length=60 * MIB,
        )
        assert r.status == 413 and "larger than 10 MB" in r.detail and r.pulled == 0

    def test_an_undeclared_oversized_body_stops_at_the_cap(self, guarded: Any) -> None:
        r = call(guarded, "/_upload", huge_body(60 * MIB), self.headers("student-tab"))
        assert r.status == 413 and "larger than 10 MB" in r.detail
        assert LIMIT < r.pulled <= LIMIT + CHUNK

    def test_a_student_within_the_cap_reaches_the_handler(self, guarded: Any) -> None:
        r = call(guarded, "/_upload", body_of("a.txt", b"x" * 1000), self.headers("student-tab"))
        assert r.status == 200 and r.body == b"handled" and guarded.endpoint.calls == 1

    def test_other_paths_pass_through(self, guarded: Any) -> None:
        r = call(guarded, "/api/v1/health", [b""], {})
        assert r.status == 200 and guarded.endpoint.calls == 1

    def test_the_mission_page_declares_its_upload_for_students(self) -> None:
        from cyberhub import upload_guard
        from cyberhub.pages.mission import MissionState

        name = f"{MissionState.get_full_name()}.attach"
        access = upload_guard.rules()[name]
        assert access.describe() == roles("student").describe() != SIGNED_IN.describe()


# -- files that lose their row -------------------------------------------------------------------


def stored(uploads: Path) -> set[str]:
    return {p.name for p in uploads.iterdir()} if uploads.exists() else set()


class TestFileLifecycle:
    def test_a_replaced_file_is_deleted_after_the_commit(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        who = principal(session, world.student)
        first = submissions.attach_file(
            session, who, world.m1.id or 0, submissions.Upload("a.txt", b"first")
        )
        session.commit()
        first_name = Path(first.file_path or "").name
        assert stored(uploads) == {first_name}
        second = submissions.attach_file(
            session, who, world.m1.id or 0, submissions.Upload("b.txt", b"second")
        )
        second_name = Path(second.file_path or "").name
        assert stored(uploads) == {first_name, second_name}  # until the commit, both
        session.commit()
        assert stored(uploads) == {second_name}

    def test_a_file_replaced_in_a_rolled_back_transaction_stays(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        who = principal(session, world.student)
        first = submissions.attach_file(
            session, who, world.m1.id or 0, submissions.Upload("a.txt", b"first")
        )
        session.commit()
        submissions.attach_file(session, who, world.m1.id or 0, submissions.Upload("b.txt", b"2"))
        session.rollback()
        assert stored(uploads) == {Path(first.file_path or "").name}

    def test_a_new_file_is_deleted_when_the_transaction_rolls_back(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        submissions.attach_file(
            session,
            principal(session, world.student),
            world.m1.id or 0,
            submissions.Upload("a.txt", b"doomed"),
        )
        assert len(stored(uploads)) == 1
        session.rollback()
        assert stored(uploads) == set()

    def test_a_failure_after_storing_leaves_no_file(
        self, db_url: str, world: World, uploads: Path, session: Session
    ) -> None:
        from cyberhub import db

        who = principal(session, world.student)
        with pytest.raises(RuntimeError), db.session_scope() as s:
            submissions.submit(
                s,
                who,
                world.m1.id or 0,
                answer=GOOD_ANSWER,
                file=submissions.Upload("a.txt", b"lost"),
            )
            raise RuntimeError("the request failed after the file was written")
        assert stored(uploads) == set()

    def test_the_sweep_deletes_old_orphans_only(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        kept = submissions.attach_file(
            session,
            principal(session, world.student),
            world.m1.id or 0,
            submissions.Upload("a.txt", b"referenced"),
        )
        session.commit()
        referenced = uploads / Path(kept.file_path or "").name
        old_orphan, young_orphan = uploads / ("0" * 32), uploads / ("1" * 32)
        old_orphan.write_bytes(b"lost by a crash")
        young_orphan.write_bytes(b"a transaction still running")
        two_hours_ago = time.time() - 7200
        for path in (referenced, old_orphan):
            os.utime(path, (two_hours_ago, two_hours_ago))

        result = submissions.sweep_orphan_uploads(session)
        assert (result.deleted, result.kept) == (1, 2)
        assert stored(uploads) == {referenced.name, young_orphan.name}
        again = submissions.sweep_orphan_uploads(session)  # idempotent
        assert (again.deleted, again.kept) == (0, 2)

    def test_the_sweep_runs_as_a_periodic_job(
        self, session: Session, uploads: Path, stub_broker: Any, stub_worker: Any
    ) -> None:
        from worker.actors import sweep_orphan_uploads
        from worker.scheduler import SCHEDULE

        assert "sweep_orphan_uploads" in {job.actor for job in SCHEDULE}
        uploads.mkdir(parents=True)
        orphan = uploads / ("2" * 32)
        orphan.write_bytes(b"x")
        os.utime(orphan, (time.time() - 7200, time.time() - 7200))
        sweep_orphan_uploads.send()
        stub_broker.join("default")
        stub_worker.join()
        assert not orphan.exists()
