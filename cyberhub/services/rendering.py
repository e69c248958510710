"""User-written markdown rendered on the server: sanitised HTML (for e-mail) or plain text.

Every piece of user text that leaves the server as HTML or as a one-line quote goes through here;
the browser renders the same markdown with `components/markdown.py:safe_markdown`, under the same
rules: raw HTML is never markup, links are http(s) or mailto only (anything else stays text), and
images become links so that reading a text never fetches from another site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote"}
    | {"ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# A scheme is letters, digits, + . - before the first colon; browsers ignore ASCII whitespace and
# control characters inside it ("java\tscript:"), so those are removed before looking.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f]")
# What still looks like a tag once markdown is reduced to text (e.g. written as &lt;script&gt;).
_TAG_LIKE = re.compile(r"</?[A-Za-z!?/][^<>]*>")


def is_safe_url(url: str) -> bool:
    """True for absolute http(s) and mailto URLs: the only links user text may carry."""
    match = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", url or ""))
    return match is not None and match.group(1).lower() in SAFE_SCHEMES


def _image_as_link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """An image is shown as a link to it: no request leaves the reader's browser on its own."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    src = str(token.attrGet("src") or "")
    return f'<a href="{escape(src)}">{escape(alt)}</a>' if is_safe_url(src) else escape(alt)


def _html_parser() -> MarkdownIt:
    # html=False: raw HTML in the source is escaped, i.e. shown as the text the user typed.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # A link or image whose URL is not http(s)/mailto is not a link: its source stays text.
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    md.add_render_rule("image", _image_as_link)
    return md


def _text_parser() -> MarkdownIt:
    # html=True: raw HTML is recognised as such so that the text version can leave it out; every
    # link is recognised (its URL is never part of the text, whatever its scheme).
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


_HTML_MD = _html_parser()
_TEXT_MD = _text_parser()


def markdown_to_html(source: str) -> str:
    """User markdown as sanitised HTML (no raw HTML, http(s)/mailto links with rel=nofollow)."""
    rendered = _HTML_MD.render(source or "")
    return nh3.clean(
        rendered,
        tags=set(_ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(SAFE_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _inline_text(children: Sequence[Token]) -> str:
    out: list[str] = []
    hidden = 0  # inside an autolink with an unsafe URL: its text *is* that URL, so leave it out
    for tok in children:
        if tok.type == "link_open":
            if tok.markup == "autolink" and not is_safe_url(str(tok.attrGet("href") or "")):
                hidden += 1
        elif tok.type == "link_close":
            if tok.markup == "autolink" and hidden:
                hidden -= 1
        elif hidden:
            continue
        elif tok.type in ("text", "code_inline", "image"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def markdown_to_text(source: str) -> str:
    """User markdown as plain text: no markup, no raw HTML, no URLs; one line per block."""
    lines: list[str] = []
    bullet = ""
    numbers: list[int | None] = []  # per open list: the next item's number, None when bulleted
    for tok in _TEXT_MD.parse(source or ""):
        if tok.type == "bullet_list_open":
            numbers.append(None)
        elif tok.type == "ordered_list_open":
            numbers.append(int(tok.attrGet("start") or 1))
        elif tok.type in ("bullet_list_close", "ordered_list_close") and numbers:
            numbers.pop()
        elif tok.type == "list_item_open":
            number = numbers[-1] if numbers else None
            bullet = "- " if number is None else f"{number}. "
            if number is not None:
                numbers[-1] = number + 1
        elif tok.type == "inline":
            lines.append(bullet + _inline_text(tok.children or []))
            bullet = ""
        elif tok.type in ("fence", "code_block"):
            lines.append(tok.content.rstrip("\n"))
    text = "\n".join(line.strip() for line in lines if line.strip())
    return _TAG_LIKE.sub("", text).strip()


def markdown_excerpt(source: str, limit: int, *, one_line: bool = True) -> str:
    """A plain-text quote of user markdown, at most `limit` characters (cut with …)."""
    text = markdown_to_text(source)
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markdown_quote(source: str, limit: int) -> str:
    """A short quote of user markdown that is still markdown (for `safe_markdown`): the whole
    paragraphs that fit in `limit` characters, else the first one cut at a word with "…".
    A cut never leaves an emphasis or code marker open (it would show as a raw `**` or `)."""
    paragraphs = [p.strip() for p in (source or "").strip().split("\n\n") if p.strip()]
    kept: list[str] = []
    for p in paragraphs:
        if len("\n\n".join([*kept, p])) > limit:
            break
        kept.append(p)
    if len(kept) == len(paragraphs):
        return "\n\n".join(kept)
    if kept:
        return "\n\n".join(kept) + " …"
    cut = paragraphs[0][: limit - 1].rsplit(" ", 1)[0]
    for marker in ("**", "__", "`"):
        if cut.count(marker) % 2:
            head, _, tail = cut.rpartition(marker)
            cut = head + tail
    return cut.rstrip() + "…"
