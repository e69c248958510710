"""Safe by default: production refuses to start with unsafe settings (saying what to change),
starts without demo data or dev mailbox with a real key, and a command creates the first admin."""

from __future__ import annotations

import os
import pty
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import Role, RoleAssignment, User
from cyberhub.services.admin import demo
from cyberhub.services.identity.passwords import verify_password
from cyberhub.services.messaging import mail
from cyberhub.settings import Settings, get_settings
from tests.processes import ROOT

pytestmark = [pytest.mark.auth, pytest.mark.integration]

REAL_KEY = secrets.token_urlsafe(48)
ADMIN_PASSWORD = "Granite-Lantern-Orchard-58"


def run_command(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`scripts/run.py` (what `make run` execs) with these settings and nothing else."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CYBERHUB_BROKER", "SECRET_KEY", "CYBERHUB_ENV")
    }
    clean.update(DATA_DIR=str(tmp_path / "data"), **env)
    return subprocess.run(
        [sys.executable, "scripts/run.py"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestProductionRefusesToStart:
    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({}, "SECRET_KEY is not set"),
            ({"SECRET_KEY": "dev-insecure-secret-key-change-me-in-production"}, "published"),
            ({"SECRET_KEY": "short-key"}, "at least 32 characters"),
            ({"SECRET_KEY": REAL_KEY, "LOAD_DEMO_DATA": "true"}, "LOAD_DEMO_DATA=false"),
            ({"SECRET_KEY": REAL_KEY, "DEV_MAILBOX": "true"}, "DEV_MAILBOX=false"),
            ({"SECRET_KEY": REAL_KEY, "APP_PORT": "not-a-port"}, "APP_PORT"),
        ],
    )
    def test_make_run_exits_before_starting_anything_and_says_why(
        self, tmp_path: Path, env: dict[str, str], expected: str
    ) -> None:
        result = run_command(tmp_path, CYBERHUB_ENV="production", **env)
        assert result.returncode == 2, result.stdout + result.stderr
        assert expected in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert "starting embedded" not in result.stdout  # nothing was started ...
        assert not (tmp_path / "data").exists()  # ... nor any data folder (or key) made

    def test_the_defaults_name_only_the_key(self, tmp_path: Path) -> None:
        result = run_command(tmp_path, CYBERHUB_ENV="production")
        assert "CYBERHUB_ENV=production" in result.stderr
        assert "secrets.token_urlsafe" in result.stderr  # how to make a key
        # Demo data and the mailbox are off by default in production: not problems to fix.
        assert "LOAD_DEMO_DATA" not in result.stderr and "DEV_MAILBOX" not in result.stderr


class TestProductionWithARealKey:
    @pytest.fixture
    def production(self, monkeypatch: pytest.MonkeyPatch, db_url: str) -> Iterator[Settings]:
        monkeypatch.setenv("CYBERHUB_ENV", "production")
        monkeypatch.setenv("SECRET_KEY", REAL_KEY)
        for name in ("LOAD_DEMO_DATA", "DEV_MAILBOX"):
            monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
        yield get_settings()
        get_settings.cache_clear()

    def test_preflight_passes(self, production: Settings) -> None:
        sys.path.insert(0, str(ROOT / "scripts"))
        try:
            import run  # scripts/run.py
        finally:
            sys.path.remove(str(ROOT / "scripts"))
        assert run.preflight() is production

    def test_the_database_is_migrated_without_demo_data(
        self,
        production: Settings,
        db_url: str,
        session: Session,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        sys.path.insert(0, str(ROOT / "scripts"))
        try:
            import run
        finally:
            sys.path.remove(str(ROOT / "scripts"))
        run.Supervisor(production).prepare_database(db_url)
        assert demo.is_empty(session)
        assert session.exec(select(User)).first() is None
        assert "make admin" in capsys.readouterr().out

    def test_there_is_no_dev_mailbox(self, production: Settings) -> None:
        from cyberhub import db
        from cyberhub.services.admin.audit import RequestMeta
        from cyberhub.services.errors import NotFound

        assert not mail.mailbox_enabled()
        with db.session_scope() as session, pytest.raises(NotFound):
            mail.dev_mailbox(session, RequestMeta(ip="127.0.0.1", local=True))


class TestCreateAdmin:
    def run(self, *argv: str, answers: list[str]) -> tuple[int, str, str]:
        from io import StringIO

        from cyberhub.create_admin import main

        replies = iter(answers)
        out, err = StringIO(), StringIO()
        code = main(
            list(argv),
            ask=lambda _: next(replies),
            ask_secret=lambda _: next(replies),
            out=out,
            err=err,
        )
        return code, out.getvalue(), err.getvalue()

    def test_creates_a_global_admin_who_can_sign_in(
        self, db_url: str, session: Session, api_client: TestClient
    ) -> None:
        code, out, err = self.run(
            "--email",
            "Owner@Example.org",
            "--name",
            "Amani Owner",
            answers=[ADMIN_PASSWORD, ADMIN_PASSWORD],
        )
        assert code == 0, err
        assert "Created the admin owner@example.org" in out
        user = session.exec(select(User).where(User.email == "owner@example.org")).one()
        assert user.full_name == "Amani Owner" and verify_password(
            ADMIN_PASSWORD, user.password_hash
        )
        grant = session.exec(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).one()
        assert grant.role == Role.admin and grant.organization_id is None
        r = api_client.post(
            "/api/v1/auth/login", json={"email": "owner@example.org", "password": ADMIN_PASSWORD}
        )
        assert r.status_code == 200 and "admin" in r.json()["user"]["roles"]

    def test_asks_for_what_is_missing(self, db_url: str, session: Session) -> None:
        code, _, err = self.run(
            answers=["asked@example.org", "Asked Admin", ADMIN_PASSWORD, ADMIN_PASSWORD]
        )
        assert code == 0, err
        assert session.exec(select(User).where(User.email == "asked@example.org")).one()

    @pytest.mark.parametrize(
        ("answers", "message"),
        [
            ([ADMIN_PASSWORD, ADMIN_PASSWORD + "x"], "The two passwords differ"),
            (["short", "short"], "at least"),
        ],
    )
    def test_bad_passwords_create_nothing(
        self, db_url: str, session: Session, answers: list[str], message: str
    ) -> None:
        code, _, err = self.run("--email", "a@example.org", "--name", "A", answers=answers)
        assert code == 1 and message in err and "othing was created" in err
        assert session.exec(select(User)).first() is None

    def test_an_existing_address_is_refused(
        self, db_url: str, session: Session, student_user: User
    ) -> None:
        code, _, err = self.run(
            "--email",
            student_user.email,
            "--name",
            "Again",
            answers=[ADMIN_PASSWORD, ADMIN_PASSWORD],
        )
        assert code == 1 and "already exists" in err
        assert (
            len(
                session.exec(
                    select(RoleAssignment).where(RoleAssignment.user_id == student_user.id)
                ).all()
            )
            == 1
        )

    def test_the_password_is_prompted_on_the_terminal_and_never_echoed(
        self, db_url: str, session: Session
    ) -> None:
        env = {k: v for k, v in os.environ.items() if k != "CYBERHUB_BROKER"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: a real terminal, as `make admin` gets
            os.chdir(ROOT)
            os.execve(
                sys.executable,
                [
                    sys.executable,
                    "-m",
                    "cyberhub.create_admin",
                    "--email",
                    "tty@example.org",
                    "--name",
                    "Tty Admin",
                ],
                env,
            )
        output = b""
        deadline = time.monotonic() + 60
        sent = 0
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if sent < 2 and output.count(b"assword") > sent:
                os.write(fd, ADMIN_PASSWORD.encode() + b"\n")
                sent += 1
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = output.decode(errors="replace")
        assert os.waitstatus_to_exitcode(status) == 0, text
        assert "Password (not shown)" in text and "Created the admin tty@example.org" in text
        assert ADMIN_PASSWORD not in text
        session.expire_all()
        assert session.exec(select(User).where(User.email == "tty@example.org")).one()


def test_production_registers_no_mailbox_route(tmp_path: Path) -> None:
    """The app's page list, as `reflex run` builds it, with production settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    script = (
        "import cyberhub.pages\n"
        "from cyberhub.routes import all_pages\n"
        "print(sorted(p.route for p in all_pages()))\n"
    )
    routes = {}
    for mode, extra in {
        "production": {"CYBERHUB_ENV": "production", "SECRET_KEY": REAL_KEY},
        "development": {"CYBERHUB_ENV": "development", "DATA_DIR": str(tmp_path)},
    }.items():
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        routes[mode] = result.stdout
    assert "/dev/mailbox" not in routes["production"] and "/signin" in routes["production"]
    assert "/dev/mailbox" in routes["development"]
