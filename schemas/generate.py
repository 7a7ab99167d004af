"""Writes the JSON Schemas of the wire contracts beside this file, from the msgspec Structs.

`python -m schemas.generate` regenerates them; `python -m schemas.generate --check` exits 1
when a committed file differs from what the Structs say (the drift test runs the same).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from schemas.contracts import (
    DeploymentContract,
    ErrorBody,
    InferenceInput,
    InferenceOutput,
    TrainingEvent,
)
from schemas.documents import document_text
from schemas.feature_plan import FeaturePlan

SCHEMA_DIR = Path(__file__).resolve().parent
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# File stem -> the Struct it documents.
CONTRACTS: dict[str, type[msgspec.Struct]] = {
    "InferenceInput": InferenceInput,
    "InferenceOutput": InferenceOutput,
    "Error": ErrorBody,
    "DeploymentContract": DeploymentContract,
    "FeaturePlan": FeaturePlan,
    "TrainingEvent": TrainingEvent,
}


def schema_for(name: str, struct: type[msgspec.Struct]) -> dict[str, Any]:
    """A standalone JSON Schema document: the Struct's schema with its definitions."""
    (root,), components = msgspec.json.schema_components([struct], ref_template="#/$defs/{name}")
    document: dict[str, Any] = {"$schema": DIALECT, "$id": f"{name}.schema.json", "title": name}
    document.update(root)
    document["$defs"] = components
    return document


def render(name: str, struct: type[msgspec.Struct]) -> str:
    """The file's text: stable key order from the Struct, two-space indent, final newline."""
    return document_text(schema_for(name, struct))


def drifted(directory: Path = SCHEMA_DIR) -> list[str]:
    """File names whose committed text differs from the Structs (missing counts as drift)."""
    stale = []
    for name, struct in CONTRACTS.items():
        path = directory / f"{name}.schema.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(name, struct):
            stale.append(path.name)
    return stale


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Writes every schema file and returns the paths."""
    paths = []
    for name, struct in CONTRACTS.items():
        path = directory / f"{name}.schema.json"
        path.write_text(render(name, struct), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m schemas.generate",
        description="Generate schemas/*.schema.json from the msgspec contracts.",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is out of date"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = drifted()
        for name in stale:
            print(f"out of date: schemas/{name} (run: python -m schemas.generate)")
        return 1 if stale else 0
    for path in write_all():
        print(f"wrote {path.relative_to(SCHEMA_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
