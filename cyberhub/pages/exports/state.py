"""The exports page's state: what the user may export, their exports, and a 2 s poll while one
is being prepared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx
from pydantic import ValidationError
from sqlmodel import Session

from cyberhub.components.counts import plural
from cyberhub.formatting import when
from cyberhub.models.base import utcnow
from cyberhub.schemas.exports import ExportChoice, ExportPublic, ExportRequest
from cyberhub.services.admin import exports
from cyberhub.services.identity.permissions import Principal
from cyberhub.state import resubmit
from cyberhub.state.forms import parse_id
from cyberhub.state.service import ServiceState


def scope_key(program_id: int | None, cohort_id: int | None) -> str:
    """The picker's value of a scope: "c<id>" a cohort, "p<id>" a programme."""
    return f"c{cohort_id}" if cohort_id else f"p{program_id}"


STATUS_LABELS = {
    "queued": "Waiting to start",
    "running": "Being prepared",
    "done": "Ready",
    "failed": "Failed",
}


@dataclass
class ScopeItem:
    key: str  # "c<id>" a cohort, "p<id>" a programme
    label: str


@dataclass
class ChoiceItem:
    kind: str
    label: str
    scopes: list[ScopeItem]


@dataclass
class ExportItem:
    """One export as the page shows it (times in the reader's zone)."""

    id: int
    title: str
    status: str
    status_label: str
    progress: int
    progress_text: str
    error: str
    # Failed while this page followed it (queued or running when seen here): its error is
    # announced. One that had failed before the page was opened is listed, not announced again.
    announce: bool
    download_url: str
    unavailable: str  # why a finished file is not offered (its download would be refused)
    file_name: str
    expires: str  # "Expires in 3 days (Sun 6 Dec, 21:40)", "Expired", ""
    created: str


def _left(expires_at: datetime, now: datetime) -> str:
    hours = (expires_at - now).total_seconds() / 3600
    if hours >= 48:
        return plural(int(hours // 24), "day")
    if hours >= 1:
        return f"{int(hours)} h"
    return f"{max(1, int(hours * 60))} min"


def _rows(count: int) -> str:
    return "row" if count == 1 else "rows"


def _item(e: ExportPublic, tz: str, now: datetime, watched: bool = False) -> ExportItem:
    if e.rows_total:
        text = f"{e.rows_done:,} of {e.rows_total:,} {_rows(e.rows_total)}"
    elif e.status == "done":
        text = f"{e.rows_done:,} {_rows(e.rows_done)}"
    else:
        text = ""
    if e.expired:
        expires = "Expired: request it again"
    elif e.expires_at is not None:
        expires = f"Expires in {_left(e.expires_at, now)} ({when(e.expires_at, tz)})"
    else:
        expires = ""
    return ExportItem(
        id=e.id,
        title=e.title,
        status=e.status,
        status_label=STATUS_LABELS[e.status],
        progress=e.progress or 0,
        progress_text=text,
        error=e.error,
        announce=watched and e.status == "failed",
        download_url=e.download_url or "",
        # (An expired one says so in `expires`.)
        unavailable="" if e.expired else e.unavailable,
        file_name=e.file_name,
        expires=expires,
        created=when(e.created_at, tz),
    )


@dataclass
class Loaded:
    choices: list[ExportChoice]
    exports: list[ExportPublic]


def _load(session: Session, principal: Principal | None) -> Loaded:
    return Loaded(exports.choices(session, principal), exports.my_exports(session, principal))


class ExportsState(ServiceState, rx.State):
    choices: list[ChoiceItem] = []
    items: list[ExportItem] = []
    # The scope picked for each kind ("c12"), preselected from ?kind=...&cohort=... links.
    picked: dict[str, str] = {}
    loading: bool = True
    notice: str = ""
    busy: str = ""  # the kind being requested
    # What was requested just now ("kind:scope" -> when): a double click makes one (resubmit).
    _requested_at: dict[str, float] = {}

    @rx.var
    def active(self) -> bool:
        return any(i.status in ("queued", "running") for i in self.items)

    async def _refresh(self) -> None:
        found = await self._call(_load)
        if not found:
            return
        tz, now = await self._time_zone(), utcnow()
        self.choices = [
            ChoiceItem(
                kind=c.kind,
                label=c.label,
                scopes=[ScopeItem(scope_key(s.program_id, s.cohort_id), s.label) for s in c.scopes],
            )
            for c in found.value.choices
        ]
        watched = {i.id for i in self.items if i.announce or i.status in ("queued", "running")}
        self.items = [_item(e, tz, now, e.id in watched) for e in found.value.exports]
        picked = dict(self.picked)
        for c in self.choices:
            keys = [s.key for s in c.scopes]
            if keys and picked.get(c.kind) not in keys:
                picked[c.kind] = keys[0]
        self.picked = picked

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice, self.busy = True, "", "", ""
        self._requested_at = {}
        # ?cohort=12 (or ?program=3) preselects that scope in every picker offering it.
        query = self.router.url.query_parameters
        cohort, program = str(query.get("cohort", "") or ""), str(query.get("program", "") or "")
        key = f"c{cohort}" if parse_id(cohort) else f"p{program}" if parse_id(program) else ""
        kinds = ("roster", "gradebook", "mentor_workload", "sponsor_report")
        self.picked = dict.fromkeys(kinds, key) if key else {}
        # Forget what an earlier visit followed: what failed since was not seen failing here.
        self.items = []
        await self._refresh()
        self.loading = False

    @rx.event
    def pick(self, kind: str, key: str) -> None:
        self.picked = {**self.picked, kind: key}

    @rx.event
    async def request(self, kind: str) -> Any:
        key = self.picked.get(kind, "")
        if resubmit.sent_again(self._requested_at, f"{kind}:{key}"):
            return  # the second click of a double click: the first one's notice stands
        self.error, self.notice, self.busy = "", "", kind
        yield  # the button shows it is busy while the export is recorded
        fields: dict[str, Any] = {"kind": kind}
        scope_id = parse_id(key[1:])
        if key[:1] == "c" and scope_id:
            fields["cohort_id"] = scope_id
        elif key[:1] == "p" and scope_id:
            fields["program_id"] = scope_id
        try:
            body = ExportRequest.model_validate(fields)
        except ValidationError:
            self.error, self.busy = "Choose what to export from the list.", ""
            return
        made = await self._call(exports.request_export, body, meta=self._meta())
        if made:
            self._requested_at = resubmit.made_now(self._requested_at, f"{kind}:{key}")
            self.notice = f"{made.value.title}: being prepared. It appears below when ready."
            await self._refresh()
        self.busy = ""

    @rx.event
    async def poll(self, _tick: Any = None) -> None:
        """Every 2 s while an export is queued or running (the ticker only exists then)."""
        if self.active:
            await self._refresh()

    @rx.event
    async def download(self, export_id: int) -> Any:
        """The export's file from its download route (the session cookie authenticates the
        browser there; the route checks it is the requester's and not expired). Asked afresh
        first: a file expired, removed or refused since the list was loaded would otherwise be
        saved as the route's error answer under the export's file name, with nothing said."""
        self.error, self.notice = "", ""
        found = await self._call(exports.get_export, int(export_id))
        if not found:
            return None
        if not found.value.download_url:
            self.error = found.value.unavailable or "This export can't be downloaded now."
            await self._refresh()
            return None
        return rx.download(url=found.value.download_url, filename=found.value.file_name)
