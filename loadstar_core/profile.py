"""Column statistics and gaps of a canonical frame: polars in, Structs out, no I/O.
Shared by the upload (which profiles while the frame is in memory) and Explore.

Each numeric column is sorted once; quantiles, extremes and the histogram all come from
that sorted copy (binary searches for the bucket edges), so ten million rows cost one
sort per column rather than one pass per statistic.
"""

from __future__ import annotations

import math
import time

import msgspec
import polars as pl

from loadstar_core.quality.timeline import gap_table, regular_share
from schemas.profile import (
    Bucket,
    ColumnStats,
    Gap,
    GapSummary,
    Profile,
    Quantiles,
    ValueCount,
)

QUANTILES = {
    "p01": 0.01,
    "p05": 0.05,
    "p25": 0.25,
    "p50": 0.5,
    "p75": 0.75,
    "p95": 0.95,
    "p99": 0.99,
}
DEFAULT_BUCKETS = 20
TOP_VALUES = 5
LARGEST_GAPS = 10
TIMESTAMP = "timestamp"
# The cached profile's object name beside the canonical Parquet; bump with the format.
PROFILE_OBJECT = "profile-v1.json"


def finite(value: float | int | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def quantile_sorted(values: pl.Series, q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default) on a sorted series."""
    position = q * (values.len() - 1)
    lo = math.floor(position)
    hi = min(lo + 1, values.len() - 1)
    low, high = float(values.item(lo)), float(values.item(hi))
    return low + (high - low) * (position - lo)


def histogram(values: pl.Series, bins: int = DEFAULT_BUCKETS) -> list[Bucket]:
    """Equal-width buckets over [min, max] of a sorted, non-empty, finite series."""
    low, high = float(values.item(0)), float(values.item(-1))
    if low == high:
        return [Bucket(lo=low, hi=high, count=values.len())]
    width = (high - low) / bins
    edges = [low + i * width for i in range(bins)] + [high]
    starts = values.search_sorted(pl.Series(edges[:-1], dtype=pl.Float64), side="left").to_list()
    ends = [*starts[1:], values.len()]
    return [
        Bucket(lo=edges[i], hi=edges[i + 1], count=int(ends[i] - starts[i])) for i in range(bins)
    ]


def numeric_values(series: pl.Series) -> pl.Series:
    """Present, finite values as Float64 (NaN and infinities count as missing)."""
    values = series.cast(pl.Float64)
    return values.filter(values.is_finite())


def column_stats(series: pl.Series, bins: int = DEFAULT_BUCKETS) -> ColumnStats:
    total = series.len()
    dtype = series.dtype
    present = numeric_values(series).sort() if dtype.is_numeric() else series.drop_nulls()
    count = present.len()
    missing = total - count
    base = ColumnStats(
        name=series.name,
        dtype=str(dtype),
        count=count,
        missing=missing,
        missingRate=missing / total if total else 0.0,
    )
    if count == 0:
        return base
    if dtype.is_numeric():
        return _numeric(base, present, bins)
    if dtype == pl.Boolean:
        return _numeric(base, present.cast(pl.Float64).sort(), 2)
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        return base
    counts = present.cast(pl.String).value_counts(sort=True).head(TOP_VALUES)
    top = [ValueCount(value=str(v), count=int(c)) for v, c in counts.iter_rows()]
    return msgspec.structs.replace(base, distinct=present.n_unique(), top=top)


def _numeric(base: ColumnStats, ordered: pl.Series, bins: int) -> ColumnStats:
    std = finite(ordered.std()) if ordered.len() > 1 else 0.0  # type: ignore[arg-type]
    return msgspec.structs.replace(
        base,
        mean=finite(ordered.mean()),  # type: ignore[arg-type]
        std=std,
        min=float(ordered[0]),
        max=float(ordered[-1]),
        quantiles=Quantiles(**{k: quantile_sorted(ordered, q) for k, q in QUANTILES.items()}),
        buckets=histogram(ordered, bins),
    )


def gap_summary(
    timestamps: pl.Series, step_seconds: float | None, largest: int = LARGEST_GAPS
) -> GapSummary:
    """Holes longer than 1.5 steps in sorted timestamps, and the share of regular steps:
    the same computation (`gap_table`) as the data-quality rule of a regular interval."""
    if step_seconds is None or step_seconds <= 0 or timestamps.len() < 2:
        return GapSummary(count=0, missingPoints=0, regularShare=1.0)
    frame = timestamps.alias(TIMESTAMP).to_frame().lazy()
    holes = gap_table(frame, step_seconds).collect()
    biggest = holes.sort("missingPoints", descending=True, maintain_order=True).head(largest)
    return GapSummary(
        count=holes.height,
        missingPoints=int(holes["missingPoints"].sum() or 0),
        regularShare=regular_share(frame, step_seconds),
        largest=[
            Gap(after=after, before=before, missingPoints=int(missing))
            for after, before, missing in biggest.select(
                "after", "before", "missingPoints"
            ).iter_rows()
        ],
    )


def profile(
    frame: pl.DataFrame, step_seconds: float | None, bins: int = DEFAULT_BUCKETS
) -> Profile:
    """Statistics of every column but the timestamp, plus the gaps of the timestamp."""
    started = time.perf_counter()
    stats = {name: column_stats(frame[name], bins) for name in frame.columns if name != TIMESTAMP}
    gaps = gap_summary(frame[TIMESTAMP], step_seconds) if TIMESTAMP in frame.columns else None
    return Profile(
        rows=frame.height,
        stats=stats,
        gaps=gaps or GapSummary(count=0, missingPoints=0, regularShare=1.0),
        computeSeconds=round(time.perf_counter() - started, 4),
    )
