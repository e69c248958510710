"""Issue 13, acceptance 1: no module in cyberhub/ imports the worker, and the import graph
between packages has no cycle. Imports are read from the source (the AST), so an import inside
a function counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cyberhub", "worker")

# Cycles tolerated between packages, each with why (none today: the last one, state/session.py
# reading the page registry while the pages use the states, went when the registry moved out of
# pages/ into cyberhub/routes.py). The test fails on any other cycle, and when one listed is gone.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. cyberhub.services.messaging.mail
    target: str  # the imported module or name, e.g. worker.actors.deliver_mail
    path: Path
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in the file, at any depth (functions, methods, if-blocks), resolved to an
    absolute name; `from a import b` yields both `a` and `a.b`."""
    source = module_name(path)
    package = source.split(".") if path.name == "__init__.py" else source.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, path, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(source, target, path, node.lineno)
            for alias in node.names:
                yield Import(source, f"{target}.{alias.name}", path, node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(source, node.args[0].value, path, node.lineno)


def all_imports() -> list[Import]:
    return [imp for path in python_files() for imp in imports_of(path)]


def graph(depth: int) -> dict[str, set[str]]:
    """Package-level import graph: each module is cut to its first `depth` name parts
    (depth 1: cyberhub, worker; depth 2: cyberhub.services, cyberhub.jobs, worker.ai, ...)."""
    nodes = {".".join(module_name(p).split(".")[:depth]) for p in python_files()}
    edges: dict[str, set[str]] = {node: set() for node in nodes}
    for imp in all_imports():
        src = ".".join(imp.source.split(".")[:depth])
        dst = ".".join(imp.target.split(".")[:depth])
        if dst in nodes and dst != src:
            edges[src].add(dst)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def edges_within(component: frozenset[str], depth: int) -> list[str]:
    """Where the cycle's imports are (for the failure message)."""
    out = []
    for imp in all_imports():
        src = ".".join(imp.source.split(".")[:depth])
        dst = ".".join(imp.target.split(".")[:depth])
        if src in component and dst in component and src != dst:
            out.append(f"{imp.path.relative_to(ROOT)}:{imp.line} {src} -> {imp.target}")
    return sorted(set(out))


def test_the_walk_finds_imports_inside_functions() -> None:
    # Guard for the tests below: a function-level import is seen (reviews imports the
    # submissions service at module level, the worker's actors import services in functions).
    found = {(i.source, i.target) for i in imports_of(ROOT / "worker" / "actors.py")}
    assert ("worker.actors", "cyberhub.services.messaging.mail") in found
    assert any(
        src == "worker.actors" and dst.startswith("cyberhub.services.") for src, dst in found
    )


def test_nothing_in_cyberhub_imports_the_worker() -> None:
    """Services (and pages, the API, everything under cyberhub/) reach the worker only by job
    name through cyberhub/jobs.py: importing an actor would pull the worker's modules (and their
    imports) into the web process and close an import circle."""
    offenders = [
        f"{imp.path.relative_to(ROOT)}:{imp.line} imports {imp.target}"
        for imp in all_imports()
        if imp.source.split(".")[0] == "cyberhub" and imp.target.split(".")[0] == "worker"
    ]
    assert offenders == [], "use cyberhub.jobs instead:\n" + "\n".join(offenders)


def test_the_top_level_packages_import_one_way() -> None:
    """worker -> cyberhub, never back."""
    edges = graph(depth=1)
    assert edges["worker"] == {"cyberhub"}
    assert edges["cyberhub"] == set()
    assert cycles(edges) == []


def test_the_package_graph_has_no_cycle_but_the_known_ones() -> None:
    """Sub-packages and top modules (cyberhub.services, cyberhub.jobs, worker.ai, ...): no
    cycle, counting imports inside functions, apart from KNOWN_CYCLES (each with its reason)."""
    found = cycles(graph(depth=2))
    unexpected = [c for c in found if c not in KNOWN_CYCLES]
    assert unexpected == [], "\n\n".join(
        f"cycle {sorted(c)}:\n" + "\n".join(edges_within(c, 2)) for c in unexpected
    )
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert gone == [], f"these cycles are gone: remove them from KNOWN_CYCLES: {gone}"


def test_the_cycle_check_sees_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [frozenset({"a", "b", "c"})]


def test_every_advisory_lock_is_taken_through_services_locks() -> None:
    """A lock's number written out in a module could collide with another's unnoticed; every
    lock is a member of services/locks.Lock (which refuses two names for one number), taken by
    locks.hold."""
    home = ROOT / "cyberhub" / "services" / "locks.py"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        if path != home
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "pg_advisory" in line
    ]
    assert offenders == [], "take the lock with services.locks.hold:\n" + "\n".join(offenders)
