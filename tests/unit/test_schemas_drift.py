"""The committed JSON Schemas match the msgspec Structs they are generated from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from schemas.generate import CONTRACTS, SCHEMA_DIR, drifted, render, write_all

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schemas_match_the_structs() -> None:
    assert drifted() == [], "run: python -m schemas.generate"


def test_every_contract_has_a_standalone_schema() -> None:
    for name in CONTRACTS:
        document = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert document["title"] == name
        ref = document["$ref"].removeprefix("#/$defs/")
        assert ref in document["$defs"]


def test_drift_is_detected_and_regeneration_fixes_it(tmp_path: Path) -> None:
    write_all(tmp_path)
    assert drifted(tmp_path) == []
    stale = tmp_path / "InferenceOutput.schema.json"
    stale.write_text(render("InferenceOutput", CONTRACTS["InferenceOutput"]).replace("p", "q", 1))
    (tmp_path / "Error.schema.json").unlink()
    assert sorted(drifted(tmp_path)) == ["Error.schema.json", "InferenceOutput.schema.json"]


def test_check_mode_exits_zero_when_in_sync() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "schemas.generate", "--check"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
