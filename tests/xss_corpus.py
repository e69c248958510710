"""XSS payloads for every free-text field: the server renderer and text stripper (unit test) and
the browser (tests/e2e/test_xss.py) both go through this list. A new free-text field joins by
being written with these payloads in the browser test.

Payloads that run script set `window.__xss` and/or call alert(); payloads that fetch something
point at FOREIGN_HOST, which is never the app's host.
"""

from __future__ import annotations

FOREIGN_HOST = "evil.example"

XSS_PAYLOADS: dict[str, str] = {
    "script tag": "<script>window.__xss = 1; alert(1)</script>",
    "script inline": "before <script>window.__xss = 1</script> after",
    "iframe srcdoc": (
        '<iframe srcdoc="<script>parent.__xss = 1; parent.alert(1)</script>"></iframe>'
    ),
    "iframe javascript": '<iframe src="javascript:parent.__xss=1"></iframe>',
    "img onerror": '<img src=x onerror="window.__xss = 1; alert(1)">',
    "img foreign raw": f'<img src="https://{FOREIGN_HOST}/pixel.png">',
    "svg onload": '<svg onload="window.__xss = 1"><circle r="5"/></svg>',
    "svg script": "<svg><script>window.__xss = 1</script></svg>",
    "style tag": (
        f"<style>body {{ background: url(https://{FOREIGN_HOST}/bg.png) }} "
        "* { display: none !important }</style>"
    ),
    "style attribute": f'<p style="background:url(https://{FOREIGN_HOST}/s.png)">styled</p>',
    "raw a href": '<a href="javascript:window.__xss = 1">click raw</a>',
    "raw a onclick": '<a href="https://ok.example" onclick="window.__xss = 1">raw onclick</a>',
    "details ontoggle": '<details open ontoggle="window.__xss = 1"><summary>s</summary></details>',
    "object data": '<object data="javascript:window.__xss = 1"></object>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
    "base href": f'<base href="https://{FOREIGN_HOST}/">',
    "form action": '<form action="javascript:window.__xss=1"><button>go</button></form>',
    "html comment": "<!-- hidden --><script>window.__xss = 1</script>",
    "md javascript link": "[md js](javascript:window.__xss=1)",
    "md data link": "[md data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md vbscript link": "[md vb](vbscript:msgbox(1))",
    "md mixed case": "[md case](JaVaScRiPt:window.__xss=1)",
    "md entity": "[md entity](&#106;avascript:window.__xss=1)",
    "md hex entity": "[md hex](&#x6A;avascript:window.__xss=1)",
    "md tab": "[md tab](java\tscript:window.__xss=1)",
    "md leading space": "[md space](<  javascript:window.__xss=1>)",
    "md autolink": "<javascript:window.__xss=1>",
    "md reference": "[md ref][evil]\n\n[evil]: javascript:window.__xss=1",
    "md image foreign": f"![foreign image](https://{FOREIGN_HOST}/tracker.png)",
    "md image javascript": "![js image](javascript:window.__xss=1)",
    "md image onerror": '![x" onerror="window.__xss=1](https://x.invalid/a.png)',
    "md link title": '[titled](https://ok.example "a\\" onmouseover=\\"window.__xss=1")',
    "md html in code": "`<script>window.__xss = 1</script>`",
}

# Ordinary markdown that must keep rendering.
BENIGN_MARKDOWN = (
    "# Heading\n\n"
    "Some **bold** and _emphasis_ with `inline code`.\n\n"
    "- first item\n- second item\n\n"
    "```\nnmap -sV host\n```\n\n"
    "See [the docs](https://docs.example.org/page) or [write](mailto:team@example.org)."
)


def all_payloads(marker: str = "") -> str:
    """Every payload in one markdown text, each in its own block, after a visible marker."""
    return "\n\n".join([marker, *XSS_PAYLOADS.values()] if marker else XSS_PAYLOADS.values())


# Invisible characters that change how text is shown rather than what it says: a terminal escape
# (ESC recolours or clears the screen of whoever prints an export), other C0/C1 controls, and the
# bidirectional overrides and isolates that reverse or reorder the text after them ("Trojan
# Source"). services/text.py refuses them in any field; writers of older rows remove them.
INVISIBLE_PAYLOADS: dict[str, str] = {
    "terminal escape": "Intro \x1b[2J\x1b[31mRED\x1b[0m",
    "bell": "ding\x07",
    "null": "nul\x00byte",
    "backspace": "admin\x08\x08\x08\x08\x08guest",
    "delete": "del\x7f",
    "c1 csi": "c1 \x9b31m",
    "c1 next line": "one\x85two",
    "right-to-left override": "invoice\u202efdp.exe",
    "left-to-right override": "name\u202dreversed",
    "right-to-left embedding": "a\u202bb\u202c",
    "isolates": "x\u2066y\u2067z\u2068w\u2069",
}
