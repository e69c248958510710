"""Where an in-page event's server time goes (issue 18 item 1), measured inside the server.

Wall-clock round trips (bench/ui_latency.py) are noisy on a loaded machine; this measures what the
backend itself spends per event. It starts a throwaway PostgreSQL + Redis with the demo data, the
Reflex backend alone (the app's ASGI backend under uvicorn, no frontend build) with the timers
of bench/_event_hook/sitecustomize.py loaded, and drives the demo student's in-page actions over
the app's own websocket protocol (bench/ws_load.py's tab): the home's load (its blocks load
themselves: coaching, due this week, certificates), the catalog's load and track filter, a
mission's load, "Reveal a hint", "Save draft", the notifications bell and the dashboard's
recommendations. Per event handler it prints, over n repetitions: total handler time (lock, state
load, handler, delta, save; p50 / p95 ms), SQL statements and ms, time in the service thread, Redis
commands, ms and kB moved, delta kB; then a cProfile top-10 (own time) of the slowest handlers.

    python bench/event_profile.py [-n 30] [--top 3]

Not a test: figures depend on the machine's load (printed with them).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import ws_load  # noqa: E402
from bench._common import machine, p50, pct, throwaway_env  # noqa: E402

STUDENT = "student@cyberhub.example"
HOOK = ROOT / "bench" / "_event_hook"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_backend(port: int, out: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "CYBERHUB_BROKER"}
    env.update(
        EVENT_PROFILE_OUT=str(out),
        PYTHONPATH=os.pathsep.join([str(HOOK), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        GRANIAN_WORKERS="1",
        AUTH_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE="1000",
    )
    # the backend as `reflex run --env prod` serves it, without the frontend (no build needed)
    env["REFLEX_ENV_MODE"] = "prod"
    env["APP_PORT"] = str(port)  # the websocket's allowed Origin
    cmd = [sys.executable, "-m", "uvicorn", "cyberhub.cyberhub:app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"backend exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:  # answering (e.g. 503: no worker here) is up enough
            return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"backend not up after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


async def act(
    tab: ws_load.Tab, action: str, events: list[tuple[str, Any]], router: dict[str, Any]
) -> None:
    """Send one action's events and wait for its frames (whatever they change)."""
    started = time.monotonic()
    tab.action, tab.where = action, router
    for name, payload in events:
        message: dict[str, Any] = {"name": name, "router_data": router}
        if payload is not None:
            message["payload"] = payload
        await tab._emit(message)
    await tab._wait(lambda _d: tab.last_recv > started, len(tab.deltas), started)
    # the demo student runs out of hints: the refusal is the same service call, and measured
    tab.problems = [p for p in tab.problems if not p.startswith("hint_error")]
    tab._record(started)


async def drive(base: str, n: int, password: str) -> None:
    import aiohttp

    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        tab = ws_load.Tab(http, base, STUDENT, random.Random(7))
        await tab.sign_in(password)
        await tab.open_page("dashboard", f"{ws_load.DASHBOARD_PATH}/")
        tracks = ["linux", "", "web", ""]
        mission = 22
        catalog = ws_load._router("/missions")
        dash = ws_load._router(ws_load.DASHBOARD_PATH)
        hint = (f"{ws_load.MISSION}.reveal_hint", {"index": 0})  # a hint revealed again: no-op
        form = {"__reflex_form_data__": [["answer", "## Approach\n\nBaseline scan first."]]}
        draft = [
            (f"{ws_load.MISSION}.set_intent", {"intent": "draft", "chosen": []}),
            (f"{ws_load.MISSION}.save_work", {"form": form}),
        ]
        where = ws_load._mission_router(mission)
        for i in range(n):
            await act(tab, "dashboard", [(ws_load.ON_LOAD, None)], dash)
            await act(tab, "recommendations", [(f"{ws_load.RECOMMENDATIONS}.load", None)], dash)
            await tab.notifications(dash)
            await act(tab, "catalog", [(ws_load.ON_LOAD, None)], catalog)
            # the filter event fetches the list itself; its address change reloads nothing
            track = tracks[i % len(tracks)]
            await act(tab, "filter", [(f"{ws_load.CATALOG}.set_track", {"value": track})], catalog)
            await act(tab, "mission", [(ws_load.ON_LOAD, None)], where)
            await act(tab, "hint", [hint], where)
            await act(tab, "draft", draft, where)
        await tab.close()


# background handlers (the live-update listener runs for the page's lifetime): not in-page events
BACKGROUND = ("live_state.listen",)


def report(out: Path, top: int, show: list[str]) -> None:
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in out.read_text().splitlines():
        ev = json.loads(line)
        if not ev["name"].endswith(BACKGROUND):
            rows[ev["name"]].append(ev)
    print(
        "| event handler | n | total ms p50 / p95 | SQL stmts | SQL ms | service ms"
        " | Redis cmds | Redis ms | Redis kB in / out | delta kB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    order = sorted(rows, key=lambda k: -p50([e["total_ms"] for e in rows[k]]))
    for name in order:
        evs = rows[name]

        def med(key: str, evs: list[dict[str, Any]] = evs) -> float:
            return p50([float(e[key]) for e in evs])

        tot = [e["total_ms"] for e in evs]
        print(
            f"| {name} | {len(evs)} | {p50(tot):.1f} / {pct(tot, 95):.1f} | {med('sql_n'):.0f} "
            f"| {med('sql_ms'):.1f} | {med('service_ms'):.1f} | {med('redis_n'):.0f} "
            f"| {med('redis_ms'):.1f} | {med('redis_in') / 1024:.1f} / "
            f"{med('redis_out') / 1024:.1f} | {med('delta_bytes') / 1024:.1f} |"
        )
    shown = [n for n in order if any(s in n for s in show)] if show else order[:top]
    for name in shown:
        print(f"\n## {name}: SQL of one event")
        for stmt in rows[name][-1]["sql"]:
            print(f"    {stmt}")
        for part in ("loop", "thread"):
            path = Path(f"{out}.{name}.{part}.prof")
            if path.exists():
                print(f"\n## {name}: cProfile top 10 by own time ({part}, all {len(rows[name])})")
                stats = pstats.Stats(str(path))
                stats.sort_stats("tottime").print_stats(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="repetitions of each action")
    parser.add_argument("--top", type=int, default=3, help="profiles of the N slowest handlers")
    parser.add_argument(
        "--show", default="", help="comma-separated parts of handler names to profile instead"
    )
    parser.add_argument("--port", type=int, default=0, help="backend port (default: a free one)")
    args = parser.parse_args()
    from cyberhub.services.admin.demo import DEMO_PASSWORD, load_demo_data

    with throwaway_env("events") as env, tempfile.TemporaryDirectory() as tmp:
        from sqlmodel import Session, create_engine

        engine = create_engine(env.db_url)
        with Session(engine) as session:
            load_demo_data(session)
            session.commit()
        engine.dispose()
        out, log = Path(tmp) / "events.jsonl", Path(tmp) / "web.log"
        port = args.port or free_port()
        with socket.socket() as probe:  # never drive someone else's server on that port
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is taken")
        proc = start_backend(port, out, log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_up(f"{base}/api/v1/health", proc, log)
            if proc.poll() is not None:
                raise SystemExit(f"backend exited:\n{log.read_text()[-3000:]}")
            out.write_text("")  # only the driven events
            started = time.monotonic()
            asyncio.run(drive(base, args.n, DEMO_PASSWORD))
            print(f"{machine()}; driven in {time.monotonic() - started:.0f} s\n")
            if not out.read_text().strip():
                raise SystemExit(
                    f"no event was timed; the backend's log:\n{log.read_text()[-3000:]}"
                )
            report(out, args.top, [x for x in args.show.split(",") if x])
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
