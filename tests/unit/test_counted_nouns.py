"""A count in the pages is followed by its noun in the right number ("1 learner", "2 learners"):
through components.counts (`plural` on the server, `counted` in the browser) or a choice on
`n == 1`, never by a plural written after the number. Read from the source (the AST): a number or
var, then a string that starts with a plural noun (" learners", " missions"), in one call's
arguments (`muted(S.total, " learners")`), one `+` or one f-string, outside a choice on `== 1`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "cyberhub"
SCANNED = ("pages", "components")
NOUNS = [
    "applications",
    "approvals",
    "attempts",
    "certificates",
    "claims",
    "cohorts",
    "criteria",
    "days",
    "entries",
    "goals",
    "habits",
    "hints",
    "hours",
    "invitations",
    "items",
    "keys",
    "learners",
    "members",
    "mentees",
    "mentors",
    "minutes",
    "missions",
    "organisations",
    "points",
    "pts",
    "questions",
    "results",
    "reviews",
    "rows",
    "seats",
    "sessions",
    "students",
    "submissions",
    "tracks",
    "users",
    "weeks",
]
FIXED_PLURAL = re.compile(r"^\s(?:published |active |new )?(?:" + "|".join(NOUNS) + r")\b")
# Not a count before the word (path under cyberhub/, what comes before, the string): why.
NOT_COUNTS = {
    ("pages/director_cohort/state.py", "out.name", " mentors here, up to "): "a verb",
    ("pages/director_missions/editor.py", "n", " points"): "'Criterion 2 points': its number",
}


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.IfExp):  # ("your" if own else "their")
        return _is_text(node.body) and _is_text(node.orelse)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _on_one(test: ast.expr) -> bool:
    """`test` compares something with 1 (`n == 1`, `S.total == 1`)."""
    return any(
        isinstance(n, ast.Compare) and any(_is_one(c) for c in [n.left, *n.comparators])
        for n in ast.walk(test)
    )


def _is_one(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 1


def _chosen_on_one(tree: ast.AST) -> set[int]:
    """The nodes inside a choice on `== 1`: `a if n == 1 else b`, `rx.cond(n == 1, a, b)`."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        branches: list[ast.expr] = []
        if isinstance(node, ast.IfExp) and _on_one(node.test):
            branches = [node.body, node.orelse]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "cond"
            and node.args
            and _on_one(node.args[0])
        ):
            branches = node.args[1:]
        inside.update(id(n) for b in branches for n in ast.walk(b))
    return inside


def _plural_after(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(FIXED_PLURAL.match(node.value))
    )


def fixed_plurals(source: str, filename: str = "<page>") -> list[str]:
    """Where `source` writes a plural noun straight after a count, one line each."""
    found: list[str] = []
    tree = ast.parse(source, filename)
    chosen = _chosen_on_one(tree)
    for node in ast.walk(tree):
        if id(node) in chosen:
            continue
        pairs: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.Call):
            pairs = list(zip(node.args, node.args[1:], strict=False))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = node.left.right if isinstance(node.left, ast.BinOp) else node.left
            pairs = [(left, node.right)]
        elif isinstance(node, ast.JoinedStr):
            pairs = list(zip(node.values, node.values[1:], strict=False))
        for count, noun in pairs:
            if _is_text(count) or not _plural_after(noun):
                continue
            before = ast.unparse(count.value if isinstance(count, ast.FormattedValue) else count)
            if (filename, before, noun.value) not in NOT_COUNTS:  # type: ignore[attr-defined]
                found.append(f"{filename}:{noun.lineno}: {noun.value!r}")  # type: ignore[attr-defined]
    return found


def test_the_checker_finds_a_fixed_plural_and_passes_a_counted_one() -> None:
    assert fixed_plurals('muted(S.total, " learners")')
    assert fixed_plurals('f"{n} of {m} rows"')
    assert fixed_plurals('"Each of the " + S.n.to_string() + " students without a mentor"')
    assert fixed_plurals('rx.badge(p["cohorts"], " cohorts")')
    assert not fixed_plurals('muted(counted(S.total, "learner"))')
    assert not fixed_plurals('rx.cond(S.n == 1, " learner", " learners")')
    assert not fixed_plurals('rx.text("Sign in to see missions", " missions")')
    assert not fixed_plurals('f"{n} student" if n == 1 else f"{n} students"')
    assert not fixed_plurals('("your" if own else "their") + " reviews and goals"')
    assert not fixed_plurals('rx.input(id="missions-search", name="missions")')


def test_no_page_writes_a_plural_after_a_count() -> None:
    found = [
        line
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line in fixed_plurals(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert found == []
