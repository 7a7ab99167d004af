"""Chart data for one column: downsampled series, box, density, profiles, autocorrelation.

Pure: polars/numpy in, chart Structs out. Every chart is bounded in size whatever the
row count (the series by min/max downsampling, the ACF by a coarser regular grid).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import polars as pl

from control_plane.explore.schemas import (
    AcfChart,
    BoxChart,
    DensityChart,
    ProfileChart,
    SeriesChart,
)
from loadstar_core.features.seasons import autocorrelation
from loadstar_core.json_rows import ISO_UTC
from loadstar_core.profile import TIMESTAMP, numeric_values, quantile_sorted

DAY = 86_400.0
WEEK = 7 * DAY
MAX_ACF_LAGS = 2016  # two weeks at 10 minutes
DENSITY_POINTS = 256


def series_chart(frame: pl.DataFrame, column: str, max_points: int) -> SeriesChart:
    """Keep each bucket's minimum and maximum (in time order): spikes survive, <= max_points."""
    data = frame.select(TIMESTAMP, column).filter(pl.col(column).is_not_null())
    data = data.filter(pl.col(column).cast(pl.Float64).is_finite())
    n = data.height
    method: Literal["none", "minmax"] = "none"
    if n > max_points:
        buckets = max(1, max_points // 2)
        indexed = data.with_row_index("i").with_columns(bucket=(pl.col("i") * buckets // n))
        picks = indexed.group_by("bucket").agg(
            lo=pl.col("i").get(pl.col(column).arg_min()),
            hi=pl.col("i").get(pl.col(column).arg_max()),
        )
        keep = pl.concat([picks["lo"], picks["hi"]]).unique().sort()
        data = data[keep.cast(pl.Int64).to_list()]
        method = "minmax"
    t = data[TIMESTAMP].dt.to_string(ISO_UTC).to_list()
    return SeriesChart(
        column=column,
        t=t,
        y=data[column].cast(pl.Float64).to_list(),
        originalPoints=n,
        method=method,
    )


def box_chart(series: pl.Series) -> BoxChart | None:
    ordered = numeric_values(series).sort()
    if ordered.len() == 0:
        return None
    q1, median, q3 = (quantile_sorted(ordered, q) for q in (0.25, 0.5, 0.75))
    fence_low, fence_high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    inside = ordered.filter((ordered >= fence_low) & (ordered <= fence_high))
    return BoxChart(
        column=series.name,
        min=float(ordered[0]),
        q1=q1,
        median=median,
        q3=q3,
        max=float(ordered[-1]),
        whiskerLow=float(inside[0]) if inside.len() else q1,
        whiskerHigh=float(inside[-1]) if inside.len() else q3,
        outliers=ordered.len() - inside.len(),
    )


def density_chart(series: pl.Series, points: int = DENSITY_POINTS) -> DensityChart | None:
    """Binned Gaussian KDE: a fine histogram smoothed by the kernel (exact up to binning)."""
    values = numeric_values(series).to_numpy()
    n = values.size
    if n < 2:
        return None
    low, high = float(values.min()), float(values.max())
    q75, q25 = np.quantile(values, [0.75, 0.25])
    spread = min(float(values.std(ddof=1)), float(q75 - q25) / 1.34) or float(values.std(ddof=1))
    bandwidth = 0.9 * spread * n ** (-0.2) if spread > 0 else 1.0
    low, high = low - 3 * bandwidth, high + 3 * bandwidth
    counts, edges = np.histogram(values, bins=points, range=(low, high))
    width = edges[1] - edges[0]
    radius = max(1, math.ceil(4 * bandwidth / width))
    offsets = np.arange(-radius, radius + 1) * width
    kernel = np.exp(-0.5 * (offsets / bandwidth) ** 2) / (bandwidth * math.sqrt(2 * math.pi))
    density = np.convolve(counts, kernel, mode="full")[radius : radius + points] / n
    centres = (edges[:-1] + edges[1:]) / 2
    return DensityChart(
        column=series.name,
        x=centres.tolist(),
        density=density.tolist(),
        bandwidth=bandwidth,
    )


def profile_chart(frame: pl.DataFrame, column: str, period: str) -> ProfileChart:
    """Mean and std per hour of day, or per hour of week (Monday 00:00 is slot 0)."""
    hour = pl.col(TIMESTAMP).dt.hour().cast(pl.Int32)
    slot = (
        hour
        if period == "daily"
        else (pl.col(TIMESTAMP).dt.weekday().cast(pl.Int32) - 1) * 24 + hour
    )
    size = 24 if period == "daily" else 168
    values = pl.col(column).cast(pl.Float64)
    grouped = (
        frame.select(slot.alias("slot"), values.fill_nan(None).alias("v"))
        .group_by("slot")
        .agg(mean=pl.col("v").mean(), std=pl.col("v").std(), count=pl.col("v").count())
    )
    table = pl.DataFrame({"slot": pl.int_range(0, size, eager=True).cast(pl.Int32)}).join(
        grouped, on="slot", how="left"
    )
    return ProfileChart(
        column=column,
        period="daily" if period == "daily" else "weekly",
        slot=table["slot"].to_list(),
        mean=table["mean"].to_list(),
        std=table["std"].to_list(),
        count=table["count"].fill_null(0).cast(pl.Int64).to_list(),
    )


def acf_step(step_seconds: float) -> float:
    """The coarsest grid that is a whole multiple of the data's step and gives <= 2016
    lags over two weeks (1-minute data is read at 10 minutes)."""
    lags = WEEK * 2 / step_seconds
    return step_seconds * max(1, math.ceil(lags / MAX_ACF_LAGS))


def regular_series(frame: pl.DataFrame, column: str, step_seconds: float) -> np.ndarray:
    """The column averaged onto a regular grid, holes filled linearly (for the ACF)."""
    every = f"{round(step_seconds * 1e6)}us"
    data = frame.select(TIMESTAMP, pl.col(column).cast(pl.Float64).fill_nan(None)).drop_nulls()
    if data.height == 0:
        return np.empty(0)
    grid = data.group_by_dynamic(TIMESTAMP, every=every).agg(pl.col(column).mean())
    grid = grid.upsample(TIMESTAMP, every=every).with_columns(pl.col(column).interpolate())
    out: np.ndarray = grid[column].to_numpy()
    return out


def acf_chart(frame: pl.DataFrame, column: str, step_seconds: float) -> AcfChart | None:
    step = acf_step(step_seconds)
    values = regular_series(frame, column, step)
    if values.size < 3:
        return None
    max_lag = min(round(WEEK * 2 / step), values.size - 1)
    acf = autocorrelation(values, max_lag)
    return AcfChart(
        column=column,
        stepSeconds=step,
        lags=list(range(max_lag + 1)),
        values=[round(float(v), 6) for v in acf],
        confidence=1.96 / math.sqrt(values.size),
    )
