"""The postprocessing package is pure: no I/O, network, async or database imports."""

from __future__ import annotations

import ast
from pathlib import Path

import loadstar_core.postprocess as package

ALLOWED_TOP_LEVEL = {
    "__future__", "collections", "datetime", "functools", "itertools", "math", "operator",
    "re", "typing", "numpy", "msgspec", "pint", "schemas", "loadstar_core",
}  # fmt: skip
CLI_ONLY = {"argparse", "sys", "traceback"}
# the one module outside the package it may use: the calendar (phases, holiday flags) the
# training job computes, so serving cannot compute it differently; numpy and `holidays`
SHARED = {"loadstar_core.features.layout"}
PACKAGE_DIR = Path(package.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_pure_imports() -> None:
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        allowed = ALLOWED_TOP_LEVEL | (CLI_ONLY if path.name == "cli.py" else set())
        for name in imported_modules(path):
            assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
            if name.startswith("loadstar_core"):
                assert name.startswith("loadstar_core.postprocess") or name in SHARED, (
                    f"{path.name} imports {name}"
                )


def test_pint_is_imported_only_by_the_unit_resolver() -> None:
    users = [
        p.name
        for p in PACKAGE_DIR.glob("*.py")
        if "pint" in {n.split(".")[0] for n in imported_modules(p)}
    ]
    assert users == ["units.py"]


def test_public_api_is_exported() -> None:
    for name in package.__all__:
        assert hasattr(package, name), name
    assert {
        "legalize_window",
        "format_output",
        "find_anomalies",
        "prepare_contract",
        "calendar_phases",
    } <= set(package.__all__)
