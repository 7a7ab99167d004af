"""`loadstar-postprocess`: the legalization/formatting core on files, for checks and scripts.

A thin shell: read JSON, call the package, print JSON. Any error prints the standard
error body `{code, message, details}` and exits 1.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from loadstar_core.postprocess.anomalies import ForecastIntervals, check_observations
from loadstar_core.postprocess.contract import prepare_contract
from loadstar_core.postprocess.envelope import format_output
from loadstar_core.postprocess.legalize import legalize_window, window_report
from schemas.contracts import DeploymentContract, ErrorBody, InferenceInput
from schemas.errors import InvalidInput, LoadstarError

T = TypeVar("T")
_PATH_AT = re.compile(r" - at `(\$[^`]*)`$")
_encode = msgspec.json.Encoder().encode

EXAMPLES = """\
examples:
  loadstar-postprocess legalize --deployment dep.json --input request.json
  cat request.json | loadstar-postprocess legalize --deployment dep.json --input -
  loadstar-postprocess format --deployment dep.json --input request.json --raw raw.json \\
      --now 2025-07-08T00:00:00Z
  loadstar-postprocess anomalies --deployment dep.json --observations obs.json \\
      --intervals forecast.json

files:
  dep.json       the deployment contract (DeploymentContract.schema.json)
  request.json   {"series": [{"timestamp": "2025-07-01T00:00:00Z", "value": 120.5}],
                  "units": {"value": "kW"}, "horizon": 12}
                 or the seed-003 form {"historical_data": [...], "forecast_horizon": 24}
  raw.json       {"quantiles": [[p05, p50, p95], ...]}: one row per step, model units,
                 columns in the contract's quantile order
  obs.json       rows like request.json (or {"data_stream": [...]}) with the target field
  forecast.json  a standard output (its values[].t, intervals and unit are read)

exit status: 0 on success; 1 with {"code", "message", "details"} on stdout on error.
"""


def _read(path: str, label: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read {label} '{path}': {exc.strerror}", {"file": path, "option": label}
        ) from exc


def _decode(data: bytes, kind: type[T], path: str, label: str) -> T:
    """Decodes and validates `data`; INVALID_INPUT names the file and the JSON path."""
    try:
        return msgspec.json.decode(data, type=kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        details: dict[str, Any] = {"file": path, "option": label, "cause": str(exc)[:300]}
        match = _PATH_AT.search(str(exc))
        if match:
            details["field"] = match.group(1)
        raise InvalidInput(f"{label} '{path}' is not valid: {exc}", details) from exc


class _RawOutput(msgspec.Struct):
    quantiles: Any


class _Observations(msgspec.Struct, forbid_unknown_fields=True):
    """Seed 003's anomaly request body."""

    data_stream: list[dict[str, Any]]


def _observations(data: bytes, path: str) -> InferenceInput:
    try:
        stream = msgspec.json.decode(data, type=_Observations)
        return InferenceInput(series=stream.data_stream)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _decode(data, InferenceInput, path, "--observations")


def _now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"--now is not ISO 8601: {text!r}", {"option": "--now"}) from exc


def _run(args: argparse.Namespace) -> bytes:
    stdin_users = [v for v in vars(args).values() if v == "-"]
    if len(stdin_users) > 1:
        raise InvalidInput("only one file can be read from stdin ('-')", {"option": "-"})
    contract = _decode(
        _read(args.deployment, "--deployment"), DeploymentContract, args.deployment, "--deployment"
    )
    plan = prepare_contract(contract)
    if args.command == "anomalies":
        observations = _observations(_read(args.observations, "--observations"), args.observations)
        forecast = _decode(
            _read(args.intervals, "--intervals"), ForecastIntervals, args.intervals, "--intervals"
        )
        return _encode(check_observations(contract, observations, forecast, plan))
    payload = _decode(_read(args.input, "--input"), InferenceInput, args.input, "--input")
    legalized = legalize_window(contract, payload, plan)
    if args.command == "legalize":
        return _encode(window_report(legalized))
    raw = _decode(_read(args.raw, "--raw"), _RawOutput, args.raw, "--raw")
    return _encode(format_output(contract, legalized, raw.quantiles, None, _now(args.now), plan))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every option documented, with examples in the epilog."""
    parser = argparse.ArgumentParser(
        prog="loadstar-postprocess",
        description="Legalize forecast inputs, format model outputs and find anomalies "
        "exactly as the Loadstar edge gateway does. Reads JSON files ('-' = stdin), "
        "prints JSON on stdout.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=help_text, description=help_text, epilog=EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip
        sub.add_argument(
            "--deployment", required=True, metavar="DEP.json",
            help="deployment contract JSON, e.g. dep.json ('-' for stdin)",
        )  # fmt: skip
        return sub

    for name, help_text in (
        ("legalize", "print the model window: {window, gridStart, gridEnd, filled, warnings}"),
        ("format", "legalize, then format raw model quantiles into the standard output"),
    ):
        sub = command(name, help_text)
        sub.add_argument(
            "--input", required=True, metavar="IN.json",
            help="inference request JSON (series or historical_data), e.g. request.json",
        )  # fmt: skip
        if name == "format":
            sub.add_argument(
                "--raw", required=True, metavar="RAW.json",
                help='raw model output {"quantiles": [[...] x horizon]}, e.g. raw.json',
            )  # fmt: skip
            sub.add_argument(
                "--now", metavar="ISO8601",
                help="request time for the output's timestamp, e.g. 2025-07-08T00:00:00Z "
                "(default: the current time)",
            )  # fmt: skip
    sub = command("anomalies", "print observations outside the forecast interval")
    sub.add_argument(
        "--observations", required=True, metavar="OBS.json",
        help="rows with the target field, e.g. obs.json (series or data_stream form)",
    )  # fmt: skip
    sub.add_argument(
        "--intervals", required=True, metavar="INT.json",
        help="the standard output forecasting those times, e.g. forecast.json",
    )  # fmt: skip
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `loadstar-postprocess`; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        out = _run(args)
    except LoadstarError as exc:
        body = ErrorBody(code=exc.code, message=exc.message, details=exc.details)
        sys.stdout.buffer.write(_encode(body) + b"\n")
        return 1
    except Exception as exc:  # a bug: still answer in the standard shape, keep the trace
        traceback.print_exc(file=sys.stderr)
        body = ErrorBody(
            code="INTERNAL_ERROR", message=str(exc)[:300], details={"type": type(exc).__name__}
        )
        sys.stdout.buffer.write(_encode(body) + b"\n")
        return 1
    sys.stdout.buffer.write(out + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
