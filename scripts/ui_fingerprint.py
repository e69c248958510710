"""Print a fingerprint of every page's rendered component tree, to check a refactor changes no UI.

    python scripts/ui_fingerprint.py > /tmp/before.txt   # on the old code
    python scripts/ui_fingerprint.py > /tmp/after.txt    # on the new code
    diff /tmp/before.txt /tmp/after.txt                  # empty: every page renders the same

Each line is ``route sha256`` of the page's render tree with its props sorted, the entries of each
``css`` object sorted (keyword order in Python is not a difference a user sees), and the names
Reflex derives from a ``foreach`` lambda's code or argument numbered in order of appearance.
``--dump ROUTE`` prints that page's normalised tree instead, to find what changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

# The checkout this script lives in, not the one the virtualenv's editable install points at (a
# git worktree sharing .venv would otherwise fingerprint the main checkout's pages).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cyberhub.pages  # noqa: E402, F401  (registers every page)
from cyberhub.routes import all_pages  # noqa: E402

_NAMES = re.compile(r"\b(index_[0-9a-f]{32}|[A-Za-z_][A-Za-z0-9_]*_rx_state_)\b")


def _split_top(body: str) -> list[str]:
    """Split ``a, b, c`` at top-level commas (outside brackets and strings)."""
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    i = 0
    while i < len(body):
        ch = body[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
        i += 1
    tail = body[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _css(value: str) -> str:
    inner = value.strip()
    if inner.startswith("({") and inner.endswith("})"):
        return "({" + ", ".join(sorted(_split_top(inner[2:-2]))) + "})"
    return value


def _norm(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "props" and isinstance(value, list):
                props = [_css(p[4:]) if p.startswith("css:") else p for p in value]
                props = ["css:" + p if p.startswith("({") else p for p in props]
                out[key] = sorted(props)
            else:
                out[key] = _norm(value)
        return out
    if isinstance(node, list):
        return [_norm(v) for v in node]
    return node


def _canonical(route: str, component: Any) -> str:
    tree = component() if callable(component) else component
    text = json.dumps(_norm(tree.render()), sort_keys=True, default=str)
    seen: dict[str, str] = {}

    def _name(m: re.Match[str]) -> str:
        return seen.setdefault(m.group(1), f"N{len(seen)}")

    return _NAMES.sub(_name, text)


def main(argv: list[str]) -> int:
    pages = sorted(all_pages(), key=lambda p: p.route)
    if len(argv) == 2 and argv[0] == "--dump":
        for page in pages:
            if page.route == argv[1]:
                print(json.dumps(json.loads(_canonical(page.route, page.component)), indent=1))
                return 0
        print(f"no page at {argv[1]}", file=sys.stderr)
        return 1
    for page in pages:
        digest = hashlib.sha256(_canonical(page.route, page.component).encode()).hexdigest()
        print(page.route, digest[:16])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
