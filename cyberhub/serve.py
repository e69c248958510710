"""One entry point for every role of process: `python -m cyberhub.serve ROLE`.

    all        everything on one machine (what `make run` does: scripts/run.py)
    migrate    apply the migrations once, then exit (before starting new web processes)
    build      build the production frontend into .web/ once per machine and release
    web        the Reflex backend, its websocket, /api/v1 and the prebuilt frontend on APP_PORT
               (GRANIAN_WORKERS = WEB_WORKERS); `--migrate` migrates first; builds if no build
    worker     Dramatiq on the `default` and `ai` queues (WORKER_PROCESSES x WORKER_THREADS)
    scheduler  the periodic-job scheduler (one active copy; others stand by: worker/scheduler.py)
    health     print /api/v1/health's report (workers, scheduler) as JSON; exit 0 when ok

A role started on its own needs DATABASE_URL and REDIS_URL: the embedded PostgreSQL and Redis
belong to `all` only, so two roles never start two private databases by mistake.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from cyberhub.settings import ROOT, ProductionConfigError, Settings, get_settings

ROLES = ("all", "migrate", "build", "web", "worker", "scheduler", "health")
# What `reflex export --frontend-only` writes and each web process serves.
FRONTEND_BUILD = ROOT / ".web" / "build" / "client"
WORKER_QUEUES = ("default", "ai", "coach")


def preflight() -> Settings | None:
    """The settings, if CyberHub may start with them; else None after saying why (on stderr).

    Runs before anything starts: no server, no database, no traceback, only what to change.
    """
    try:
        settings = get_settings()
        settings.check_production_ready()
    except ValidationError as exc:
        problems = "\n".join(
            f"- {'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        print(f"CyberHub can't start: these settings are not valid:\n{problems}", file=sys.stderr)
        return None
    except ProductionConfigError as exc:
        print(exc, file=sys.stderr)
        return None
    return settings


def missing_urls(settings: Settings) -> list[str]:
    """The connection settings a role started on its own lacks."""
    return [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("REDIS_URL", settings.redis_url),
        )
        if not value
    ]


def apply_migrations(db_url: str) -> str:
    """Migrate to the newest revision; queue the recommender rebuild a migration asks for.
    Returns a line saying what was done."""
    from cyberhub.migrate import current_revision, upgrade  # noqa: PLC0415  (why: alembic only for the roles that migrate)

    before = current_revision(db_url)
    upgrade(db_url)
    from cyberhub import db  # noqa: PLC0415  (why: the engine is built after the settings are final)
    from cyberhub.services.ai import ai_queue  # noqa: PLC0415  (why: loads the models; after the upgrade)

    said = []
    with db.session_scope() as session:
        if ai_queue.needs_relearning(before):
            queued = ai_queue.relearn_after_commit(session)
            said.append(f"queued the new recommender for {queued} learner(s)")
    with db.session_scope() as session:
        if planned := ai_queue.coach_plans_after_upgrade(session, before):
            said.append(f"queued the AI coach's first plan for {planned} learner(s)")
    after = current_revision(db_url)
    done = f"database at {after}" if before == after else f"migrated from {before} to {after}"
    return "; ".join([done, *said])


def build_frontend(settings: Settings) -> int:
    """`reflex export --frontend-only` into .web/build/client (≈ 30 s here). The build carries the
    backend address browsers connect to (PUBLIC_URL, else APP_HOST:APP_PORT)."""
    import subprocess  # noqa: PLC0415  (why: only this role runs a child)

    cmd = [_bin("reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"]
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode


def serve_web(settings: Settings) -> int:
    """The Reflex production backend with the prebuilt frontend mounted, on APP_PORT.

    Equivalent to `reflex run --env prod` without its compile + build step, which every start
    would redo in the shared .web/ (and which N processes on one machine would serialise on).
    """
    from reflex.utils.exec import run_granian_backend_prod  # noqa: PLC0415  (why: only the web role loads Reflex's server)
    from reflex_base import constants  # noqa: PLC0415  (why: as above)
    from reflex_base.config import get_config  # noqa: PLC0415  (why: as above)
    from reflex_base.environment import environment  # noqa: PLC0415  (why: as above)

    os.chdir(ROOT)
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    os.environ["GRANIAN_WORKERS"] = str(settings.web_workers)
    print(
        f"[cyberhub] web on http://{settings.app_host}:{settings.app_port} "
        f"({settings.web_workers} worker(s))",
        flush=True,
    )
    run_granian_backend_prod(
        settings.app_host, settings.app_port, get_config().loglevel.subprocess_level()
    )
    return 0


def worker_command(settings: Settings) -> list[str]:
    return [
        _bin("dramatiq"),
        "worker.actors",
        "--processes",
        str(settings.worker_processes),
        "--threads",
        str(settings.worker_threads),
        "--queues",
        *WORKER_QUEUES,
    ]


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _exec(cmd: list[str]) -> int:
    """Become `cmd` (same pid, so a service manager's signals reach it directly)."""
    os.chdir(ROOT)
    os.execv(cmd[0], cmd)
    return 0  # not reached


def print_health() -> int:
    from cyberhub.services.admin import health  # noqa: PLC0415  (why: connects to the database)

    ok, report = health.check()
    print(json.dumps(report.model_dump(), indent=2))
    return 0 if ok and report.scheduler == "ok" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cyberhub.serve", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--migrate", action="store_true", help="web: apply migrations first")
    args = parser.parse_args(argv)
    if args.role == "all":
        return _exec([sys.executable, str(ROOT / "scripts" / "run.py")])
    settings = preflight()
    if settings is None:
        return 2
    if args.role == "build":
        return build_frontend(settings)
    if missing := missing_urls(settings):
        print(
            f"CyberHub can't start the {args.role} role on its own: set {' and '.join(missing)} "
            "(the PostgreSQL and Redis every process shares). The embedded ones start only "
            "with `make run` (role `all`).",
            file=sys.stderr,
        )
        return 2
    from cyberhub.db import normalize_url  # noqa: PLC0415  (why: after the settings are checked)

    db_url = normalize_url(settings.database_url or "")
    roles: dict[str, Callable[[], int]] = {
        "migrate": lambda: _say(apply_migrations(db_url)),
        "web": lambda: _web(settings, db_url if args.migrate else None),
        "worker": lambda: _exec(worker_command(settings)),
        "scheduler": lambda: _exec([sys.executable, "-m", "worker.scheduler"]),
        "health": print_health,
    }
    return roles[args.role]()


def _say(line: str) -> int:
    print(f"[cyberhub] {line}", flush=True)
    return 0


def _web(settings: Settings, migrate_url: str | None) -> int:
    if migrate_url:
        _say(apply_migrations(migrate_url))
    if not (FRONTEND_BUILD / "index.html").exists():
        _say("no frontend build yet: building it once (python -m cyberhub.serve build)")
        if code := build_frontend(settings):
            return code
    return serve_web(settings)


if __name__ == "__main__":
    raise SystemExit(main())
