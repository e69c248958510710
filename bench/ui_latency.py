"""Where an in-page event's time goes, as a person feels it (issue 18 item 1).

Against a running CyberHub with the demo data (`make run`, or any URL), in Debian's Chromium:
signs in as the demo roles and repeats in-page actions (a queue tab, claim / release, catalog
filter, search and pages, reveal a hint, save a draft, notifications, a profiler answer, the
director's mission filter and pages, the admin's user search, and a reference that only flips a
state var). For each action it prints, p50 / p95 over n repetitions:

- **ws**: websocket round trip, the first event frame the page sends after the click → the last
  event frame it receives for it (an init script wraps `window.WebSocket`, so times are taken in
  the page as frames go out and arrive; an action that chains events, e.g. a filter that changes
  the address, counts all of them);
- **dom**: click → the last DOM change the action caused (a MutationObserver; the change after
  the last frame, i.e. what the person sees once the page has settled);
- **ev**: event frames sent per action, **kB**: event bytes received per action.

    python bench/ui_latency.py [--url http://127.0.0.1:3108] [-n 30] [--only tab,filter]

It writes to the demo data of a development database: hints revealed for the demo student (one
per repetition, as long as unlocked missions have hints left), the draft's text saved again,
notifications marked read, a claim taken and released again, profiler answers. Not a test:
figures depend on the machine and its load (printed with them).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import machine, p50, pct  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "CyberHub-Demo-2026"

# Runs before the app's own script: times every socket.io event frame sent and received, every
# DOM change and the last click, all with performance.now().
PROBE = """
(() => {
  const log = (window.__ui = {sent: [], recv: [], mut: [], click: 0});
  const Native = window.WebSocket;
  class Timed extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const d = typeof e.data === 'string' ? e.data : '';
        if (d.includes('"event"')) log.recv.push([performance.now(), d.length]);
      });
    }
    send(d) {
      if (typeof d === 'string' && d.includes('"event"')) log.sent.push([performance.now(), d.length]);
      return super.send(d);
    }
  }
  window.WebSocket = Timed;
  const watch = () => new MutationObserver(() => log.mut.push(performance.now()))
    .observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
  document.addEventListener('pointerdown', () => { log.click = performance.now(); }, true);
  document.addEventListener('keydown', () => { log.click = performance.now(); }, true);
})();
"""
RESET = "window.__ui.sent = []; window.__ui.recv = []; window.__ui.mut = []; window.__ui.click = 0;"
QUIET_MS = 250  # the action is over once no event frame has moved for this long


@dataclass
class Sample:
    ws: float
    dom: float
    events: int
    kb: float


@dataclass
class Result:
    name: str
    role: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""


def settle(page: Any, timeout_s: float = 15.0) -> Sample | None:
    """Wait until the event frames stop moving, then read this action's figures."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = page.evaluate(
            "(() => { const u = window.__ui; const t = performance.now();"
            " const last = Math.max(0, ...u.sent.map(x => x[0]), ...u.recv.map(x => x[0]));"
            " return {sent: u.sent.length, recv: u.recv.length, idle: t - last}; })()"
        )
        if state["sent"] and state["recv"] and state["idle"] >= QUIET_MS:
            break
        page.wait_for_timeout(25)
    else:
        return None
    u = page.evaluate("window.__ui")
    start, first_sent = u["click"] or u["sent"][0][0], u["sent"][0][0]
    last_recv = max(t for t, _ in u["recv"])
    # The last DOM change the action caused: the ones up to a frame after the last delta.
    muts = [t for t in u["mut"] if start <= t <= last_recv + 100]
    dom = (max(muts) if muts else last_recv) - start
    kb = sum(n for _, n in u["recv"]) / 1024
    return Sample(ws=last_recv - first_sent, dom=dom, events=len(u["sent"]), kb=kb)


def measure(page: Any, act: Callable[[], None], check: Callable[[], None]) -> Sample | None:
    page.evaluate(RESET)
    act()
    check()
    return settle(page)


def sign_in(context: Any, email: str, path: str) -> Any:
    page = context.new_page()
    page.goto(f"/signin?next={path}")
    page.wait_for_load_state("networkidle")
    main = page.locator("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    # Signing in ends with whole-page loads (the cookie hand-off, then the page asked for).
    page.wait_for_url(lambda u: urlsplit(u).path.rstrip("/") == path)
    page.wait_for_load_state("networkidle")
    return page


def pick(page: Any, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


# --- the actions: each yields (act, check) pairs for n repetitions ------------------------------


def mentor_tab(page: Any, n: int, expect: Any) -> Any:
    page.goto("/dashboard/mentor")
    for i in range(n):
        name = "Claimed by me" if i % 2 == 0 else "Pending"
        tab = page.get_by_role("tab", name=name)
        yield tab.click, lambda tab=tab: expect(tab).to_have_attribute("aria-selected", "true")


def mentor_claim(page: Any, n: int, expect: Any) -> Any:
    page.goto("/dashboard/mentor")
    page.get_by_role("link", name="Open").last.click()
    page.wait_for_url("**/review/**")
    for i in range(n):
        label, then = ("Claim", "Release") if i % 2 == 0 else ("Release", "Claim")
        button = page.get_by_role("button", name=label, exact=True)
        yield (
            button.click,
            lambda then=then: expect(
                page.get_by_role("button", name=then, exact=True)
            ).to_be_visible(),
        )
    if page.get_by_role("button", name="Release", exact=True).count():
        page.get_by_role("button", name="Release", exact=True).click()


def catalog_filter(page: Any, n: int, expect: Any) -> Any:
    page.goto("/missions")
    for i in range(n):
        track = "Builders" if i % 2 == 0 else "All tracks"
        yield (
            lambda track=track: pick(page, "Track", track),
            lambda track=track: expect(page.get_by_role("combobox", name="Track")).to_have_text(
                track
            ),
        )


def catalog_search(page: Any, n: int, expect: Any) -> Any:
    page.goto("/missions")
    box = page.get_by_role("searchbox", name="Search")
    for i in range(n):
        word = ["phishing", "docker", "policy"][i % 3]
        box.fill(word)

        def act() -> None:
            page.get_by_role("button", name="Search", exact=True).click()

        yield act, lambda word=word: expect(page).to_have_url(re.compile(f"q={word}"))


def catalog_pages(page: Any, n: int, expect: Any) -> Any:
    page.goto("/missions")
    for i in range(n):
        label, to = ("Next →", 2) if i % 2 == 0 else ("← Previous", 1)
        yield (
            page.get_by_role("button", name=label).click,
            lambda to=to: expect(page.get_by_text(f"Page {to} of", exact=False)).to_be_visible(),
        )


def reveal_hint(page: Any, n: int, expect: Any) -> Any:
    done = 0
    for mission_id in range(1, 36):
        if done >= n:
            return
        page.goto(f"/missions/{mission_id}")
        page.get_by_role("heading", level=1).wait_for()
        page.wait_for_timeout(300)
        while done < n:
            button = page.get_by_role("button", name="Reveal a hint")
            if not button.count() or not button.is_enabled():
                break
            shown = page.get_by_test_id("hint").count()
            yield (
                button.click,
                lambda shown=shown: expect(page.get_by_test_id("hint")).to_have_count(shown + 1),
            )
            done += 1


def save_draft(page: Any, n: int, expect: Any) -> Any:
    page.goto("/missions/22")
    answer = page.get_by_label("Your answer")
    answer.wait_for()
    for i in range(n):
        answer.fill(f"## Approach\n\nNotes so far, pass {i}: set up the lab, first findings below.")
        notice = page.get_by_text("Draft saved.")
        yield (
            page.get_by_role("button", name="Save draft").click,
            lambda notice=notice: expect(notice).to_be_visible(),
        )


def notifications_filter(page: Any, n: int, expect: Any) -> Any:
    page.goto("/notifications")
    switch = page.get_by_role("switch", name="Unread only")
    for i in range(n):
        want = "true" if i % 2 == 0 else "false"
        yield switch.click, lambda want=want: expect(switch).to_have_attribute("aria-checked", want)


def notifications_read(page: Any, n: int, expect: Any) -> Any:
    """Only as many samples as unread notifications: each "Mark read" is a real write."""
    page.goto("/notifications")
    page.get_by_role("heading", level=1).wait_for()
    page.wait_for_timeout(500)
    for _ in range(n):
        buttons = page.get_by_role("button", name=re.compile("^Mark read"))
        left = buttons.count()
        if not left:
            return
        yield buttons.first.click, lambda left=left, b=buttons: expect(b).to_have_count(left - 1)


def profiler_answer(page: Any, n: int, expect: Any) -> Any:
    """Answering moves on to the next question; "Back" returns (both saved on the server)."""
    page.goto("/onboarding/ai-profiler")
    counter = page.get_by_text(re.compile(r"Question \d+ of"))
    counter.wait_for()
    at = int(re.findall(r"\d+", counter.inner_text())[0])
    for i in range(n):
        if i % 2 == 0:
            yield (
                # an answer other than the one saved (clicking the saved one stays put)
                lambda: page.get_by_role("radio", checked=False).first.click(),
                lambda: expect(page.get_by_text(f"Question {at + 1} of")).to_be_visible(),
            )
        else:
            yield (
                page.get_by_role("button", name="← Back").click,
                lambda: expect(page.get_by_text(f"Question {at} of")).to_be_visible(),
            )


def director_filter(page: Any, n: int, expect: Any) -> Any:
    page.goto("/director/missions")
    for i in range(n):
        status = "Published" if i % 2 == 0 else "All"
        yield (
            lambda status=status: pick(page, "Status", status),
            lambda status=status: expect(page.get_by_role("combobox", name="Status")).to_have_text(
                status
            ),
        )


def director_pages(page: Any, n: int, expect: Any) -> Any:
    page.goto("/director/missions")
    for i in range(n):
        label, first = ("Next →", 21) if i % 2 == 0 else ("← Previous", 1)
        yield (
            page.get_by_role("button", name=label).click,
            lambda first=first: expect(page.get_by_text(f"Showing {first}–")).to_be_visible(),
        )


def noop_reference(page: Any, n: int, expect: Any) -> Any:
    """The floor: "Add hint" / removing it in the open editor only change a list in the state
    (no database, no service call)."""
    page.goto("/director/missions")
    page.get_by_role("button", name="New mission").click()
    removes = page.get_by_role("button", name=re.compile("^Remove hint"))
    for i in range(n):
        if i % 2 == 0:
            yield (
                page.get_by_role("button", name="Add hint").click,
                lambda: expect(removes).to_have_count(1),
            )
        else:
            yield removes.first.click, lambda: expect(removes).to_have_count(0)
    page.get_by_role("button", name="Cancel").click()


ACTIONS: dict[str, tuple[str, str, Callable[..., Any]]] = {
    # key: (role email, page to sign in to, action)
    "noop": ("director", "/director/missions", noop_reference),
    "tab": ("mentor", "/dashboard/mentor", mentor_tab),
    "claim": ("mentor", "/dashboard/mentor", mentor_claim),
    "filter": ("student", "/missions", catalog_filter),
    "search": ("student", "/missions", catalog_search),
    "pages": ("student", "/missions", catalog_pages),
    "hint": ("student", "/missions", reveal_hint),
    "draft": ("student", "/missions", save_draft),
    "unread": ("student", "/notifications", notifications_filter),
    "read": ("mentor", "/notifications", notifications_read),
    "profiler": ("student", "/onboarding/ai-profiler", profiler_answer),
    "dfilter": ("director", "/director/missions", director_filter),
    "dpages": ("director", "/director/missions", director_pages),
}


def run(url: str, n: int, only: list[str], chromium: str) -> list[Result]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        pages: dict[str, Any] = {}
        for key in only:
            role, path, action = ACTIONS[key]
            if role not in pages:
                context = browser.new_context(base_url=url, viewport={"width": 1440, "height": 900})
                context.set_default_timeout(30_000)
                context.add_init_script(PROBE)
                pages[role] = sign_in(context, f"{role}@cyberhub.example", path)
            page = pages[role]
            result = Result(key, role, note=(action.__doc__ or "").strip())
            steps = action(page, n, expect)
            first = True
            try:
                for act, check in steps:
                    if first:  # the page's loaders and its live listener settle first
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(500)
                        first = False
                    sample = measure(page, act, check)
                    if sample is not None:
                        result.samples.append(sample)
            except (AssertionError, PlaywrightError) as exc:  # report it, go on with the next
                result.note = f"stopped: {str(exc).splitlines()[0]}"
            results.append(result)
            print(line(result), flush=True)
        browser.close()
    return results


def line(r: Result) -> str:
    if not r.samples:
        return (
            f"{r.name:<9} {r.role:<9} no samples {r.note if r.note.startswith('stopped') else ''}"
        )
    ws = [s.ws for s in r.samples]
    dom = [s.dom for s in r.samples]
    ev = p50([float(s.events) for s in r.samples])
    kb = p50([s.kb for s in r.samples])
    return (
        f"{r.name:<9} {r.role:<9} n={len(r.samples):<3} ws p50 {p50(ws):6.1f} p95 {pct(ws, 0.95):6.1f}"
        f" | dom p50 {p50(dom):6.1f} p95 {pct(dom, 0.95):6.1f} | ev {ev:.0f} | {kb:.1f} kB"
        + (f"  ({r.note})" if r.note.startswith("stopped") else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("-n", type=int, default=6, help="repetitions per action (30 for figures)")
    parser.add_argument("--only", default=",".join(ACTIONS), help="comma-separated action keys")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in only if k not in ACTIONS]
    if unknown:
        parser.error(f"unknown actions {unknown}; known: {', '.join(ACTIONS)}")
    print(f"in-page actions against {args.url}, n = {args.n} each (ms; ev = frames sent)")
    run(args.url, args.n, only, args.chromium)
    print(f"  {machine()}")


if __name__ == "__main__":
    main()
