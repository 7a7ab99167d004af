"""The import graph of the project's own packages, read from the source (nothing imported).

Every import counts: at module level, inside functions and under `TYPE_CHECKING`, since a
function-local import is still a dependency and still closes a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("control_plane", "edge_gateway", "training", "triton_repo", "schemas", "loadstar_core")
SKIPPED = ("piccolo_migrations", "triton_repo/models", "triton_repo/backend")


def module_files() -> dict[str, Path]:
    """Dotted module name -> its file, for every module of the packages."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if any(part in relative.as_posix() for part in SKIPPED):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(dotted name, line) of every import, relative ones resolved; `from a import b` gives
    `a.b` (the submodule, when there is one) as well as `a`."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """Module -> {imported module of the packages, or outside name: first line}."""
    files = module_files()
    graph: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: dict[str, int] = {}
        for name, line in _imported_names(tree, module, path.name == "__init__.py"):
            if name.split(".")[0] in PACKAGES:
                if name not in files:  # `from a import function`: the module is `a`
                    continue
                if name == module:
                    continue
            edges.setdefault(name, line)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def slice_graph(graph: dict[str, dict[str, int]], package: str) -> dict[str, dict[str, int]]:
    """Slice -> {slice it imports: first line}, for the slices (sub-packages) of `package`;
    `control_plane.datasets.intake -> control_plane.explore.stats` is `datasets -> explore`."""
    slices: dict[str, dict[str, int]] = {}
    for module, edges in graph.items():
        parts = module.split(".")
        if parts[0] != package or len(parts) < 3:
            continue
        for name, line in edges.items():
            target = name.split(".")
            if target[0] == package and len(target) >= 3 and target[1] != parts[1]:
                slices.setdefault(parts[1], {}).setdefault(target[1], line)
        slices.setdefault(parts[1], {})
    return slices
