"""How the director's brief editor feels while typing (issue 17 item 8: "the live markdown
preview stays under 50 ms a keystroke").

Against a running CyberHub with the demo data (`make run`, or any URL), in Debian's Chromium:
signs in as the demo director, opens "New mission" on /director/missions and types a markdown
brief into the editor one key at a time, at a fast typist's pace. It reports

- keystroke → next frame painted (ms, p50 / p95 / max): what the typist feels; measured in the
  page (keydown time to the second animation frame after it), beside the same figure for a plain
  box of the same page (what the machine and browser cost on their own);
- messages the page sent to the server while typing (the websocket's frames): with the
  debounced box these are a few per pause, not one per keystroke;
- last keystroke → the preview showing the last word (ms): the debounce, one round trip and
  the browser's markdown rendering.

    python bench/brief_preview.py [--url http://127.0.0.1:3000] [--chars 400] [--delay 60]

Not a test: figures depend on the machine and its load (printed with them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

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
DIRECTOR = "director@cyberhub.example"
PASSWORD = "CyberHub-Demo-2026"
PARAGRAPH = (
    "## Scope\n\nReview **one** storage bucket and list what it leaks: `public-read` objects, "
    "old keys, a [policy](https://example.org/policy) that allows too much.\n\n"
    "- list the objects\n- fix the policy\n- write down *why*\n\n"
)
# Records keydown → the second animation frame after it (the frame that shows the key).
PROBE = """
window.__lat = [];
document.addEventListener('keydown', () => {
  const t = performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => window.__lat.push(performance.now() - t)));
}, true);
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--chars", type=int, default=400, help="characters to type")
    parser.add_argument("--delay", type=int, default=60, help="ms between keystrokes")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import expect, sync_playwright

    text = (PARAGRAPH * (args.chars // len(PARAGRAPH) + 1))[: args.chars].rstrip() + " zanzibar"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=args.url, viewport={"width": 1440, "height": 900})
        context.set_default_timeout(30_000)
        page = context.new_page()
        frames = {"sent": 0}
        page.on(
            "websocket",
            lambda ws: ws.on("framesent", lambda _: frames.__setitem__("sent", frames["sent"] + 1)),
        )
        page.goto("/signin?next=/director/missions")
        page.wait_for_load_state("networkidle")
        main_ = page.locator("main")
        main_.get_by_label("Email").fill(DIRECTOR)
        main_.get_by_label("Password").fill(PASSWORD)
        main_.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="New mission").first.click()
        brief = page.get_by_label("Brief (markdown)")
        brief.click()
        page.evaluate(PROBE)
        preview = page.get_by_test_id("brief-preview")
        before = frames["sent"]
        page.keyboard.type(text[:-1], delay=args.delay)
        typed_at = time.perf_counter()
        page.keyboard.type(text[-1])
        expect(preview).to_contain_text("zanzibar", timeout=10_000)
        settle_ms = (time.perf_counter() - typed_at) * 1000
        sent = frames["sent"] - before
        lat: list[float] = page.evaluate("window.__lat")
        # The same keystrokes in a plain, uncontrolled box of the same page (the list's search):
        # what this machine and browser cost without any editor behind the key.
        search = page.get_by_label("Search missions")
        search.click()
        page.evaluate(PROBE)
        page.keyboard.type(text.replace("\n", " ")[:-1], delay=args.delay)
        base: list[float] = page.evaluate("window.__lat")
        browser.close()

    print(f"brief editor, {len(text)} keystrokes {args.delay} ms apart, {args.url}")
    print(
        f"  keystroke -> next frame: p50 {p50(lat):.1f} ms, p95 {pct(lat, 0.95):.1f} ms, "
        f"max {max(lat):.1f} ms"
    )
    print(
        f"  baseline, a plain box on the same page: p50 {p50(base):.1f} ms, "
        f"p95 {pct(base, 0.95):.1f} ms, max {max(base):.1f} ms"
    )
    print(f"  messages sent to the server while typing: {sent} ({sent / len(text):.2f} a key)")
    print(f"  last keystroke -> preview shows it: {settle_ms:.0f} ms (debounce included)")
    print(f"  {machine()}")


if __name__ == "__main__":
    main()
