"""The default forecaster against the same peers as `forecast_bench`, on a CSV of your own.

    .venv/bin/python -m benchmarks.forecast_own data.csv --target load
    .venv/bin/python -m benchmarks.forecast_own city.csv --target zone1 \
        --time Date --time-format "%m/%d/%y %H:%M" --drop zone2 zone3

What a user gets with the defaults (the plan `features/auto` suggests, the default
algorithm, the 70/10/20 split), scored on the test period exactly as `forecast_bench`
scores its series. Column names are cleaned as an upload cleans them (lower case, spaces
to underscores). Columns named with `--known` are known in advance (a plan, a forecast);
every other column is a measured channel, seen only in the past.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks import forecast_bench
from schemas.errors import InvalidInput


def _clean(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip("\ufeff \t").lower()).strip("_")


def own_series(
    path: Path, time: str, time_format: str | None, drop: list[str]
) -> tuple[pl.DataFrame, dict[str, Any]]:
    # every row read before a type is chosen: a column of zeros may turn decimal late
    frame = pl.read_csv(path, try_parse_dates=time_format is None, infer_schema_length=None)
    if time_format is not None:
        frame = frame.with_columns(pl.col(time).str.to_datetime(time_format))
    frame = frame.rename({time: "timestamp"})
    frame = frame.rename({c: _clean(c) for c in frame.columns if c != "timestamp"})
    return frame.drop([_clean(d) for d in drop]), {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--time", default="timestamp", help="the time column's header")
    parser.add_argument("--time-format", help="strftime layout when not ISO 8601")
    parser.add_argument("--known", nargs="*", default=[], help="columns known in advance")
    parser.add_argument("--drop", nargs="*", default=[], help="columns to leave out")
    parser.add_argument("--holidays", help="country[-region] for the calendar, e.g. DE-BW")
    parser.add_argument(
        "--reuse-peers", action="store_true", help="reuse the peers' forecasts of an earlier run"
    )
    parser.add_argument(
        "--platform-only", action="store_true", help="the default and the seasonal naives only"
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    if not args.csv.is_file():
        parser.error(f"no such file: {args.csv}")
    try:
        frame, _ = own_series(args.csv, args.time, args.time_format, args.drop)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        parser.error(f"cannot read {args.csv.name}: {exc}")
    options: dict[str, Any] = {
        "target": _clean(args.target),
        "known": [_clean(k) for k in args.known],
        "holidays": args.holidays,
    }
    name = args.csv.stem
    forecast_bench.SERIES[name] = lambda: (frame, options)
    try:
        result = forecast_bench.run_series(name, args.reuse_peers, args.platform_only)
    except InvalidInput as exc:
        parser.error(f"{exc.message} {exc.details or ''}".strip())
    forecast_bench.print_table([result])


if __name__ == "__main__":
    main()
