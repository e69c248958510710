"""The /admin/jobs page's state and the rows it shows (times already formatted)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import reflex as rx
from sqlmodel import Session

from cyberhub.formatting import when
from cyberhub.schemas.jobs import (
    JobFailurePublic,
    JobsOverview,
    LastRun,
    QueueDepth,
    RebuildRunPublic,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services.ai import ai_jobs
from cyberhub.services.identity.permissions import Principal
from cyberhub.state.dialogs import open_setter
from cyberhub.state.service import ServiceState

RETRY, DISMISS = "retry", "dismiss"


def _stamp(value: datetime | None, tz: str | None) -> str:
    return when(value, tz, "seconds")


def _unix_when(value: float | None, tz: str | None) -> str:
    if not value:
        return "never"
    return _stamp(datetime.fromtimestamp(value, UTC), tz)


@dataclass(frozen=True)
class LastRunRow:
    actor: str
    at: str
    outcome: str
    error: str

    @classmethod
    def of(cls, r: LastRun, tz: str | None) -> LastRunRow:
        return from_row(cls, r, at=_unix_when(r.at, tz), error=r.error or "")


@dataclass(frozen=True)
class FailureRow:
    id: int
    actor: str
    queue: str
    args: str
    error: str
    summary: str
    long: bool  # the full text is behind a toggle only when the one line leaves something out
    failed_at: str
    retried: str

    @classmethod
    def of(cls, f: JobFailurePublic, tz: str | None) -> FailureRow:
        retried = (
            f"Retried {_stamp(f.retried_at, tz)} by {f.retried_by or 'an admin'}"
            if f.retried_at
            else ""
        )
        return from_row(
            cls,
            f,
            args=json.dumps(f.args),
            long=f.summary != f.error.strip(),
            failed_at=_stamp(f.failed_at, tz),
            retried=retried,
        )


@dataclass(frozen=True)
class RebuildView:
    id: int = 0
    status: str = ""
    progress: str = ""
    started: str = ""
    started_by: str = ""
    finished: str = ""
    error: str = ""

    @classmethod
    def of(cls, run: RebuildRunPublic, tz: str | None) -> RebuildView:
        return from_row(
            cls,
            run,
            progress=f"{run.done} of {run.total}",
            started=_stamp(run.created_at, tz),
            started_by=run.started_by or "—",
            finished=_stamp(run.finished_at, tz),
            error=run.error or "",
        )


def _overview(session: Session, principal: Principal | None) -> tuple[JobsOverview, str | None]:
    return ai_jobs.overview(session, principal), principal.time_zone if principal else None


class AdminJobsState(ServiceState, rx.State):
    queues: list[QueueDepth] = []
    workers_alive: int = 0
    last_beat: str = ""
    last_runs: list[LastRunRow] = []
    failures: list[FailureRow] = []
    failures_total: int = 0
    redis_error: str = ""
    has_rebuild: bool = False
    rebuild: RebuildView = RebuildView()
    rebuild_percent: int = 0
    rebuild_active: bool = False
    rebuild_error: str = ""
    rebuild_open: bool = False
    loading: bool = True
    loaded: bool = False  # once the first overview arrived (before: loading or error only)
    error: str = ""
    notice: str = ""
    # The confirmation dialog of a failed job's Retry / Dismiss.
    confirm_open: bool = False
    confirm_kind: str = RETRY
    confirm_id: int = 0
    confirm_label: str = ""
    action_error: str = ""
    # Failed jobs whose full error text is shown (their ids).
    open_errors: list[int] = []

    async def _refresh(self) -> None:
        try:
            found = await self._call(_overview)
        except Exception:
            self.error = "The job overview could not be loaded. Try again in a moment."
            self.loading = False
            return
        self.loading = False
        if not found:
            return
        data, tz = found.value
        self.queues = data.queues
        self.workers_alive = data.workers.alive
        self.last_beat = _unix_when(data.workers.last_heartbeat, tz)
        self.last_runs = [LastRunRow.of(r, tz) for r in data.last_runs]
        self.failures = [FailureRow.of(f, tz) for f in data.failures.items]
        self.failures_total = data.failures.total
        self.redis_error = data.redis_error
        self._set_rebuild(data.rebuild, tz)
        self.error, self.loaded = "", True

    def _set_rebuild(self, run: RebuildRunPublic | None, tz: str | None) -> None:
        self.has_rebuild = run is not None
        self.rebuild = RebuildView.of(run, tz) if run else RebuildView()
        self.rebuild_percent = run.percent if run else 0
        self.rebuild_active = bool(run and run.status in ai_jobs.ACTIVE)

    @rx.event
    async def load(self) -> None:
        self.loading, self.notice, self.action_error, self.rebuild_error = True, "", "", ""
        self.confirm_open, self.rebuild_open, self.open_errors = False, False, []
        await self._refresh()

    @rx.event
    async def reload(self) -> None:
        self.notice = ""
        await self._refresh()

    @rx.event
    async def poll(self, _tick: Any = None) -> None:
        """Every 2 s while a rebuild is queued or running (the ticker only exists then)."""
        if self.rebuild_active:
            await self._refresh()

    @rx.event
    def toggle_error(self, failure_id: int) -> None:
        if failure_id in self.open_errors:
            self.open_errors = [i for i in self.open_errors if i != failure_id]
        else:
            self.open_errors = [*self.open_errors, failure_id]

    @rx.event
    def ask(self, kind: str, failure_id: int) -> None:
        failure = next((f for f in self.failures if f.id == int(failure_id)), None)
        self.confirm_kind = kind
        self.confirm_id = failure.id if failure else 0
        self.confirm_label = f"{failure.actor}({failure.args})" if failure else "()"
        self.action_error, self.confirm_open = "", True

    set_confirm_open = open_setter("confirm_open")

    @rx.event
    async def confirm(self) -> None:
        retry = self.confirm_kind == RETRY
        action = ai_jobs.retry_failure if retry else ai_jobs.dismiss_failure
        done = await self._try(action, self.confirm_id, self._meta())
        if not done:
            self.action_error = done.error
            return
        self.notice = (
            f"Sent {self.confirm_label} again." if retry else f"Dismissed {self.confirm_label}."
        )
        self.confirm_open, self.action_error = False, ""
        await self._refresh()

    @rx.event
    def set_rebuild_open(self, value: bool) -> None:
        self.rebuild_open = value
        if value:
            self.rebuild_error = ""

    @rx.event
    async def start_rebuild(self) -> None:
        run = await self._try(ai_jobs.start_rebuild, self._meta())
        if not run:
            self.rebuild_error, self.rebuild_open = run.error, False
            return
        self.rebuild_open, self.rebuild_error = False, ""
        self.notice = "Rebuild queued: the worker picks it up in a moment."
        self._set_rebuild(run.value, await self._time_zone())
        await self._refresh()
