"""Issue 13, item 7: tests go through public entry points. No test module imports
tests/conftest.py (fixtures come from pytest; builders from tests/factories.py, stand-ins from
tests/fakes.py), and none reaches a page's private (`_name`) function: a test of behaviour calls
the service the page calls, or the page's public state. Read from the source (the AST), so an
import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "bench")
PAGES = "cyberhub.pages"
OWN_LOOP = "tests/processes.py"  # run_in_own_loop: asyncio.run on a thread of its own


def _is_page_module(name: str) -> bool:
    return name == PAGES or name.startswith(PAGES + ".")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def violations(source: str, filename: str = "<test>") -> list[str]:
    """What `source` does against the rules, one line each (empty when it keeps them)."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    page_aliases: set[str] = set()  # local names bound to a cyberhub.pages module

    def bad(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tests.conftest":
                    bad(node, "imports tests.conftest")
                if _is_page_module(alias.name):
                    # `import cyberhub.pages.x as x` binds x; `import cyberhub.pages.x` binds cyberhub
                    page_aliases.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [a.name for a in node.names]
            if node.module == "tests.conftest" or (node.module == "tests" and "conftest" in names):
                bad(node, "imports tests.conftest")
            if _is_page_module(node.module):
                for alias in node.names:
                    if _private(alias.name):
                        bad(node, f"imports the private {node.module}.{alias.name}")
                    else:
                        page_aliases.add(alias.asname or alias.name)
            elif node.module == "cyberhub":
                page_aliases.update(a.asname or a.name for a in node.names if a.name == "pages")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and _root_name(node.value) in page_aliases
        ):
            bad(node, f"uses the private page name {ast.unparse(node)}")
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) == "asyncio.run"
            and not filename.endswith(OWN_LOOP)
            and not filename.startswith("bench/")  # programs of their own, not run by pytest
        ):
            # In the full suite the browser tests' Playwright keeps a loop running on the main
            # thread, where asyncio.run refuses to start (a test run alone passes).
            bad(node, "calls asyncio.run: use tests.processes.run_in_own_loop")
    return found


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_no_test_imports_conftest_or_a_private_page_name() -> None:
    found = [
        v
        for top in SCANNED
        for path in sorted((ROOT / top).rglob("*.py"))
        for v in violations(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not found, (
        "use tests/factories.py, tests/fakes.py, a public entry point or tests/processes.py:\n"
        + ("\n".join(found))
    )


def test_the_check_sees_each_way_of_breaking_the_rules() -> None:
    bad = """
from tests.conftest import make_user
import tests.conftest
from tests import conftest
from cyberhub.pages.mailbox import _messages
from cyberhub.pages import mission as mission_page
import cyberhub.pages.tracks as tracks_page
import cyberhub.pages.missions

def test_it():
    from cyberhub.pages.review import _load
    mission_page._load(None, 1)
    tracks_page._tracks()
    cyberhub.pages.missions._search(None, None)
    asyncio.run(handler())
"""
    assert len(violations(bad)) == 9
    good = """
import cyberhub.pages  # registers every page
from cyberhub.pages.mailbox import body_parts
from cyberhub.pages import student_dashboard
from tests.factories import make_user
from tests.fakes import FakeEmbedder

def test_it(session):
    run_in_own_loop(handler())
    student_dashboard.EXCERPT
    cyberhub.routes.all_pages()
    session._private_thing  # not a page
"""
    assert violations(good) == []
