"""The plan's feature ops on a polars frame, for previews; twin of `torch_ops`.

Applied to a whole frame, the frame's first row plays the role of the window start:
earlier points are that row's value repeated, as in the torch module.
"""

from __future__ import annotations

import polars as pl

from loadstar_core.features.layout import (
    DAY_SECONDS,
    calendar_terms,
    normalize_methods,
    validate_plan,
)
from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import Diff, FeaturePlan, Lag, Rolling, Seasonality


def shifted(series: pl.Series, k: int) -> pl.Series:
    if series.len() == 0:
        return series
    return series.shift(k, fill_value=series[0])


def rolling(series: pl.Series, window: int, stat: str) -> pl.Series:
    if series.len() == 0:
        return series
    padded = pl.concat([pl.Series([series[0]] * (window - 1), dtype=series.dtype), series])
    if stat == "mean":
        result = padded.rolling_mean(window)
    elif stat == "std":
        result = padded.rolling_std(window, ddof=0)
    elif stat == "min":
        result = padded.rolling_min(window)
    else:
        result = padded.rolling_max(window)
    return result.slice(window - 1)


def calendar_frame(timestamps: pl.Series, daily_order: int, weekly_order: int) -> pl.DataFrame:
    """Fourier terms of the day and week phases (timestamps without zone are UTC)."""
    epoch = timestamps.dt.epoch("ms").cast(pl.Float64) / 1000.0
    phases = {
        "day": (epoch % DAY_SECONDS) / DAY_SECONDS,
        "week": ((epoch / DAY_SECONDS + 3.0) % 7.0) / 7.0,
    }
    columns: dict[str, pl.Series] = {}
    for period, order in (("day", daily_order), ("week", weekly_order)):
        for k in range(1, order + 1):
            angle = phases[period] * (2.0 * 3.141592653589793 * k)
            columns[f"{period}_sin{k}"] = angle.sin()
            columns[f"{period}_cos{k}"] = angle.cos()
    return pl.DataFrame(columns)


def feature_frame(df: pl.DataFrame, plan: FeaturePlan, stats: FeatureStats) -> pl.DataFrame:
    """The timestamp column followed by every feature column of the plan, row by row."""
    validate_plan(plan)
    methods = normalize_methods(plan)
    values: dict[str, pl.Series] = {}
    for name in plan.input_names:
        series = df.get_column(name).cast(pl.Float64)
        if name in methods:
            shift, scale = stats.shift_scale(name, methods[name])
            series = (series - shift) / scale
        values[name] = series.alias(name)
    out: list[pl.Series] = [df.get_column(plan.timestampColumn), *values.values()]
    for op in plan.ops:
        if isinstance(op, Lag):
            out += [shifted(values[op.input], k).alias(f"{op.input}_lag{k}") for k in op.lags]
        elif isinstance(op, Rolling):
            out += [
                rolling(values[op.input], op.window, s).alias(f"{op.input}_roll{op.window}_{s}")
                for s in op.stats
            ]
        elif isinstance(op, Diff):
            series = values[op.input]
            diff = series - shifted(series, op.periods)
            out.append(diff.alias(f"{op.input}_diff{op.periods}"))
        elif isinstance(op, Seasonality):
            terms = calendar_terms(plan)
            timestamps = df.get_column(plan.timestampColumn)
            out += calendar_frame(timestamps, terms.daily_order, terms.weekly_order).get_columns()
    return pl.DataFrame(out)
