"""Where in time a rule fails: runs of failing rows and holes between timestamps.

Pure polars. `gap_table` is the one computation of holes that the data-quality report and
the Explore page share, so both name the same outages with the same times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl

from loadstar_core.json_rows import json_rows
from schemas.quality import TimeRange

TIMESTAMP = "timestamp"
MAX_RANGES = 50
SAMPLES = 5
_ROW = "__row"
_BAD = "__bad"


def gap_table(
    frame: pl.LazyFrame, step_seconds: float, longer_than_seconds: float | None = None
) -> pl.LazyFrame:
    """Holes between consecutive rows longer than 1.5 steps (or `longer_than_seconds`):
    `after` (last time before), `before` (first time after), `seconds`, `missingPoints`
    (whole steps that are absent), in row order."""
    expected_us = step_seconds * 1e6
    limit_us = (longer_than_seconds * 1e6) if longer_than_seconds else 1.5 * expected_us
    step = pl.col(TIMESTAMP).dt.epoch("us").diff()
    return (
        frame.select(
            pl.col(TIMESTAMP).shift(1).alias("after"),
            pl.col(TIMESTAMP).alias("before"),
            step.alias("__step"),
        )
        .filter(pl.col("__step") > limit_us)
        .select(
            "after",
            "before",
            (pl.col("__step") / 1e6).alias("seconds"),
            ((pl.col("__step") / expected_us).round(0) - 1).cast(pl.Int64).alias("missingPoints"),
        )
    )


def regular_share(frame: pl.LazyFrame, step_seconds: float) -> float:
    """Share of steps within 1% of the expected one (1.0 with fewer than two rows)."""
    expected = step_seconds * 1e6
    steps = frame.select(pl.col(TIMESTAMP).dt.epoch("us").diff().slice(1).alias("s"))
    out = steps.select(
        ((pl.col("s") - expected).abs() <= 0.01 * expected).sum().alias("ok"), pl.len().alias("n")
    ).collect()
    n = int(out["n"][0])
    return int(out["ok"][0]) / n if n else 1.0


def failing_runs(frame: pl.LazyFrame, mask: pl.Expr) -> pl.DataFrame:
    """Consecutive rows where `mask` holds, as `start`, `end`, `points` (row order)."""
    flagged = (
        frame.select(pl.col(TIMESTAMP), mask.fill_null(False).alias(_BAD))
        .with_row_index(_ROW)
        .filter(pl.col(_BAD))
    )
    return (
        flagged.with_columns(
            (pl.col(_ROW).cast(pl.Int64).diff().fill_null(2) != 1).cum_sum().alias("__run")
        )
        .group_by("__run")
        .agg(
            pl.col(TIMESTAMP).min().alias("start"),
            pl.col(TIMESTAMP).max().alias("end"),
            pl.len().alias("points"),
        )
        .sort("__run")
        .select("start", "end", "points")
        .collect()
    )


def as_ranges(runs: pl.DataFrame, limit: int = MAX_RANGES) -> list[TimeRange]:
    """The `limit` longest runs, in time order."""
    if runs.height > limit:
        runs = runs.sort(["points", "start"], descending=[True, False]).head(limit)
    runs = runs.sort(["start", "end", "points"])
    return [
        TimeRange(start=_utc(s), end=_utc(e), points=int(p))
        for s, e, p in runs.select("start", "end", "points").iter_rows()
    ]


def samples(frame: pl.LazyFrame, mask: pl.Expr, columns: list[str]) -> list[dict[str, Any]]:
    picked = frame.filter(mask.fill_null(False)).head(SAMPLES).select(TIMESTAMP, *columns)
    return json_rows(picked.collect())


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
