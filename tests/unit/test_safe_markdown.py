"""The browser's markdown: one component, without raw HTML or math, used by every page."""

from __future__ import annotations

import re
from pathlib import Path

import reflex as rx

from cyberhub.components.markdown import safe_markdown

ROOT = Path(__file__).resolve().parents[2] / "cyberhub"


def test_safe_markdown_has_no_raw_html_or_math_plugin() -> None:
    rendered = str(safe_markdown(rx.Var.create("**x**")))
    for plugin in ("rehypeRaw", "rehypeKatex", "remarkMath"):
        assert plugin not in rendered
    assert "remarkGfm" in rendered
    # The inline rehype step that keeps only http(s)/mailto links and turns images into links.
    assert "/^(https?|mailto):/i" in rendered
    assert '"noopener", "noreferrer", "nofollow"' in rendered


def test_no_page_renders_markdown_any_other_way() -> None:
    own = ROOT / "components" / "markdown.py"
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path != own and re.search(r"\brx\.markdown\b|\bmarkdown\.root\b", path.read_text())
    ]
    assert offenders == [], "render user markdown with components.markdown.safe_markdown"
