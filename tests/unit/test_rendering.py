"""User markdown rendered on the server: the XSS corpus leaves no active markup, in HTML or text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from cyberhub.services.rendering import (
    is_safe_url,
    markdown_excerpt,
    markdown_quote,
    markdown_to_html,
    markdown_to_text,
)
from tests.xss_corpus import BENIGN_MARKDOWN, FOREIGN_HOST, XSS_PAYLOADS, all_payloads

ALLOWED_TAGS = {"p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote"} | {
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("name", list(XSS_PAYLOADS))
def test_html_of_a_payload_has_no_active_markup(name: str) -> None:
    html = markdown_to_html(XSS_PAYLOADS[name])
    doc = _parse(html)
    assert not doc.comments, html
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, html
        assert set(attrs) <= {"href", "title", "rel", "start"}, html
        if tag == "a":
            href = attrs.get("href", "")
            assert re.match(r"^(https?://|mailto:)", href), html
            assert attrs.get("rel") == "noopener noreferrer nofollow", html
    # Nothing is fetched from elsewhere and nothing is styled.
    assert "<img" not in html and "<style" not in html and "<iframe" not in html
    # The reader still sees something: the text they were sent (escaped), or the link's words.
    assert "".join(doc.text).strip(), html


@pytest.mark.parametrize("name", list(XSS_PAYLOADS))
def test_text_of_a_payload_has_no_tags_and_no_script_urls(name: str) -> None:
    text = markdown_to_text(XSS_PAYLOADS[name])
    assert not re.search(r"<[A-Za-z!?/]", text), text
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert scheme not in text.lower(), text
    assert "**" not in text


def test_markdown_images_become_links_and_are_never_loaded() -> None:
    html = markdown_to_html(f"![the chart](https://{FOREIGN_HOST}/c.png)")
    assert html.strip() == (
        f'<p><a href="https://{FOREIGN_HOST}/c.png" rel="noopener noreferrer nofollow">'
        "the chart</a></p>"
    )
    assert markdown_to_text(f"![the chart](https://{FOREIGN_HOST}/c.png)") == "the chart"


def test_raw_html_is_shown_as_the_text_that_was_typed() -> None:
    html = markdown_to_html("I used <b>bold</b> and <script>alert(1)</script> here")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_unsafe_links_stay_text_and_safe_ones_get_rel() -> None:
    html = markdown_to_html("[a](JaVaScRiPt:alert(1)) [b](https://ok.example/x) [c](/relative)")
    doc = _parse(html)
    hrefs = [attrs["href"] for tag, attrs in doc.tags if tag == "a"]
    assert hrefs == ["https://ok.example/x"]
    assert "[a](JaVaScRiPt:alert(1))" in "".join(doc.text)


def test_ordinary_markdown_keeps_rendering() -> None:
    html = markdown_to_html(BENIGN_MARKDOWN)
    for fragment in (
        "<h1>Heading</h1>",
        "<strong>bold</strong>",
        "<em>emphasis</em>",
        "<code>inline code</code>",
        "<li>first item</li>",
        "<pre><code>nmap -sV host\n</code></pre>",
        '<a href="https://docs.example.org/page" rel="noopener noreferrer nofollow">the docs</a>',
        '<a href="mailto:team@example.org" rel="noopener noreferrer nofollow">write</a>',
    ):
        assert fragment in html, html


def test_text_drops_markdown_syntax_but_keeps_the_words() -> None:
    assert markdown_to_text(BENIGN_MARKDOWN) == (
        "Heading\n"
        "Some bold and emphasis with inline code.\n"
        "- first item\n"
        "- second item\n"
        "nmap -sV host\n"
        "See the docs or write."
    )
    assert markdown_to_text("Use **nmap** then `grep`; <i>really</i>") == (
        "Use nmap then grep; really"
    )


def test_excerpt_is_one_line_and_bounded() -> None:
    quote = markdown_excerpt("**Great** work.\n\n- tidy\n- *clear*\n\n" + "x" * 300, 40)
    assert quote.startswith("Great work. - tidy - clear x")
    assert len(quote) == 40 and quote.endswith("…")
    assert "\n" not in quote and "*" not in quote
    assert markdown_excerpt("short", 40) == "short"


def test_whole_corpus_at_once() -> None:
    html = markdown_to_html(all_payloads("Visible marker"))
    assert "Visible marker" in html
    for tag, _ in _parse(html).tags:
        assert tag in ALLOWED_TAGS
    text = markdown_to_text(all_payloads("Visible marker"))
    assert text.startswith("Visible marker")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://a.example", True),
        ("HTTP://a.example", True),
        ("mailto:x@y.example", True),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("/relative", False),
        ("//evil.example/x", False),
        ("", False),
    ],
)
def test_only_http_and_mailto_urls_are_safe(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_excerpt_may_keep_its_lines() -> None:
    assert markdown_excerpt("**One**\n\nTwo `x`", 100, one_line=False) == "One\nTwo x"


def test_text_keeps_the_numbers_of_ordered_lists() -> None:
    assert markdown_to_text("3. scan\n4. fix\n\n- note") == "3. scan\n4. fix\n- note"


def test_markdown_quote_keeps_markdown_and_never_leaves_a_marker_open() -> None:
    assert markdown_quote("Well done: **clear** evidence.", 160) == "Well done: **clear** evidence."
    two = "First **point**.\n\nSecond paragraph that is much too long " + "x" * 200
    assert markdown_quote(two, 160) == "First **point**. …"
    cut = markdown_quote("Rework **the firewall rules and the logging of every change", 30)
    assert cut.endswith("…") and "**" not in cut and "the firewall" in cut
