"""The `loadstar-postprocess` CLI, run as a real subprocess (console script and `python -m`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from .builders import contract, rows

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(sys.executable).parent / "loadstar-postprocess"
RUNNERS = {
    "console-script": [str(SCRIPT)],
    "python-m": [sys.executable, "-m", "loadstar_core.postprocess.cli"],
}


@pytest.fixture(params=sorted(RUNNERS))
def any_cli(request: pytest.FixtureRequest) -> list[str]:
    """Both ways of starting the tool (each start loads pint, so only a few tests use both)."""
    if request.param == "console-script" and not SCRIPT.exists():
        pytest.fail(f"{SCRIPT} is missing: run `pip install -e .`")
    return RUNNERS[request.param]


@pytest.fixture
def cli() -> list[str]:
    if not SCRIPT.exists():
        pytest.fail(f"{SCRIPT} is missing: run `pip install -e .`")
    return RUNNERS["console-script"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    def write(name: str, body: Any) -> Path:
        path = tmp_path / name
        path.write_bytes(body if isinstance(body, bytes) else msgspec.json.encode(body))
        return path

    dep = contract()
    series = rows(6, value=[1.0, 2, None, 4, 5, 6], temp=20.0)
    return {
        "dep": write("dep.json", dep),
        "input": write("in.json", {"series": series, "horizon": 2}),
        "seed": write("seed.json", {"historical_data": series, "forecast_horizon": 2}),
        "raw": write("raw.json", {"quantiles": [[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]}),
        "bad_input": write("bad.json", {"series": rows(6, value="x", temp=20.0)}),
        "not_json": write("broken.json", b"{not json"),
    }


def run(command: list[str], *args: str, stdin: bytes | None = None) -> tuple[int, Any]:
    result = subprocess.run(
        [*command, *args], input=stdin, capture_output=True, cwd=ROOT, check=False, timeout=60
    )
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else result.stderr


def test_legalize_prints_the_window(any_cli: list[str], files: dict[str, Path]) -> None:
    code, out = run(
        any_cli, "legalize", "--deployment", str(files["dep"]), "--input", str(files["input"])
    )
    assert code == 0, out
    assert set(out) == {"window", "gridStart", "gridEnd", "filled", "warnings"}
    assert [row[0] for row in out["window"]] == [1, 2, 3, 4, 5, 6]
    assert out["filled"] == {"load": 1, "temp": 0, "production": 6}
    assert {w["code"] for w in out["warnings"]} == {"FILLED", "OPTIONAL_INPUT_ABSENT"}


def test_seed_003_input_form(cli: list[str], files: dict[str, Path]) -> None:
    _, ours = run(
        cli, "legalize", "--deployment", str(files["dep"]), "--input", str(files["input"])
    )
    code, seed = run(
        cli, "legalize", "--deployment", str(files["dep"]), "--input", str(files["seed"])
    )
    assert code == 0 and seed == ours


def test_format_prints_the_standard_output(cli: list[str], files: dict[str, Path]) -> None:
    code, out = run(
        cli, "format", "--deployment", str(files["dep"]), "--input", "-",
        "--raw", str(files["raw"]), "--now", "2025-07-01T08:00:00+02:00",
        stdin=files["input"].read_bytes(),
    )  # fmt: skip
    assert code == 0, out
    assert out["timestamp"] == "2025-07-01T06:00:00.000Z"
    assert [v["y"] for v in out["values"]] == [2.0, 3.0]
    assert out["intervals"] == {"p05": [1.0, 2.0], "p50": [2.0, 3.0], "p95": [3.0, 4.0]}


def test_anomalies_against_a_standard_output(
    cli: list[str], files: dict[str, Path], tmp_path: Path
) -> None:
    _, forecast = run(
        cli, "format", "--deployment", str(files["dep"]), "--input", str(files["input"]),
        "--raw", str(files["raw"]),
    )  # fmt: skip
    (tmp_path / "forecast.json").write_text(json.dumps(forecast))
    first = forecast["values"][0]["t"]
    (tmp_path / "obs.json").write_text(
        json.dumps({"data_stream": [{"timestamp": first, "value": 9.0}]})
    )
    code, out = run(
        cli, "anomalies", "--deployment", str(files["dep"]),
        "--observations", str(tmp_path / "obs.json"),
        "--intervals", str(tmp_path / "forecast.json"),
    )  # fmt: skip
    assert code == 0, out
    (anomaly,) = out["anomalies"]
    assert anomaly["value"] == 9.0 and anomaly["reason"] == "exceeds p95 by 200%"


@pytest.mark.parametrize(
    ("name", "code", "field"),
    [("bad_input", "INVALID_INPUT", "value"), ("not_json", "INVALID_INPUT", None)],
)
def test_errors_print_the_standard_error_and_exit_1(
    any_cli: list[str], files: dict[str, Path], name: str, code: str, field: str | None
) -> None:
    status, out = run(
        any_cli, "legalize", "--deployment", str(files["dep"]), "--input", str(files[name])
    )
    assert status == 1
    assert set(out) == {"code", "message", "details"} and out["code"] == code
    if field:
        assert out["details"]["field"] == field


def test_missing_file_is_an_error_body(cli: list[str], files: dict[str, Path]) -> None:
    status, out = run(
        cli, "legalize", "--deployment", str(files["dep"]), "--input", "/nonexistent.json"
    )
    assert status == 1 and out["code"] == "INVALID_INPUT"
    assert out["details"]["file"] == "/nonexistent.json"


def test_help_documents_every_option_with_examples(cli: list[str]) -> None:
    for args in (["--help"], ["legalize", "--help"], ["format", "--help"], ["anomalies", "--help"]):
        result = subprocess.run(
            [*cli, *args], capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0
        assert "examples:" in result.stdout
    result = subprocess.run([*cli, "format", "--help"], capture_output=True, text=True, check=False)
    for option in ("--deployment", "--input", "--raw", "--now"):
        assert option in result.stdout
