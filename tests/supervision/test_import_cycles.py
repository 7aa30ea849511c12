"""Supervision's modules import one another one way only (issue 9 §4): ``admin`` and ``admin_draw`` share
``admin_readonly``; ``reports`` sends its render task by name and the task module imports ``reports``.

Read with ``ast``, counting every import wherever it is written: an import inside a function is an import
all the same (a cycle postponed to run time is still a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("supervision", "core")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def _imports(path: Path, known: set[str]) -> set[str]:
    """The known modules ``path`` imports, at module level or inside any function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) - {name} for name, path in modules.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return False


@pytest.mark.parametrize(
    ("first", "second"),
    [("supervision.admin", "supervision.admin_draw"), ("supervision.reports", "supervision.tasks")],
)
def test_the_two_modules_no_longer_import_each_other(first: str, second: str) -> None:
    graph = _graph()

    assert not (_reaches(graph, first, second) and _reaches(graph, second, first))


def test_no_module_of_supervision_or_core_takes_part_in_an_import_cycle() -> None:
    graph = _graph()

    cycles = sorted(name for name in graph if _reaches(graph, name, name))

    assert cycles == []
