"""What a line controller would send: raw 15-minute readings in its own names and units.

Derived at run time from the hourly data set (which stays unchanged on disk): the last
week, interpolated to 15 minutes, with the load in W instead of kW, renamed fields, a few
readings missing, and optionally one spike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl

DATA = Path(__file__).resolve().parent / "data" / "ETTh1.csv"
TARGET = "HUFL"
# model input -> the caller's field name
FIELD_NAMES = {
    "HUFL": "line_load_w",
    "HULL": "hull_kw",
    "MUFL": "mufl_kw",
    "MULL": "mull_kw",
    "LUFL": "lufl_kw",
    "LULL": "lull_kw",
    "OT": "oil_temp_c",
}
CALLER_UNITS = {"line_load_w": "W"}


def hourly_frame(path: Path = DATA) -> pl.DataFrame:
    return pl.read_csv(path, try_parse_dates=True).rename({"date": "timestamp"})


def quarter_hour_readings(
    frame: pl.DataFrame,
    inputs: list[str],
    days: int = 7,
    missing_every: int = 37,
    spike_at: int | None = None,
) -> list[dict[str, Any]]:
    """The last `days` days at 15-minute resolution, as caller rows (ISO timestamps, UTC)."""
    hours = days * 24 + 1
    tail = frame.tail(hours).select(["timestamp", *inputs])
    upsampled = tail.upsample(time_column="timestamp", every="15m").with_columns(
        [pl.col(c).interpolate() for c in inputs]
    )
    rows: list[dict[str, Any]] = []
    for k, rec in enumerate(upsampled.iter_rows(named=True)):
        if missing_every and k % missing_every == 5:
            continue  # a reading the controller never sent
        ts = rec["timestamp"] + timedelta(minutes=0)
        row: dict[str, Any] = {"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ")}
        for name in inputs:
            value = float(rec[name])
            if name == TARGET:
                value *= 1000.0  # kW -> W, the caller's unit
            row[FIELD_NAMES[name]] = round(value, 4)
        rows.append(row)
    if spike_at is not None:  # a jump of six standard deviations of the recent load
        field = FIELD_NAMES[TARGET]
        values = [r[field] for r in rows if field in r]
        mean = sum(values) / len(values)
        std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        rows[spike_at][field] = round(rows[spike_at][field] + 6.0 * std, 4)
    return rows
