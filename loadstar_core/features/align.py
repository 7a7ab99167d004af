"""A dataset frame aligned onto a plan's grid: what training, previews and suggestions read.

Mean per grid bucket of the plan's frequency on a gap-free grid; short gaps filled
linearly, longer ones left null so that no training window crosses them.
"""

from __future__ import annotations

import polars as pl

from schemas.errors import InvalidInput
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan


def default_max_gap(frequency_seconds: int) -> int:
    """Longest run of missing grid points filled by interpolation: 3 points or 30 minutes."""
    return max(3, 1800 // frequency_seconds)


def timestamp_expr(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column as naive UTC datetimes (strings parsed, zones converted, epochs read)."""
    dtype = frame.schema[column]
    expr = pl.col(column)
    if dtype == pl.String:
        expr = expr.str.to_datetime(strict=False, time_zone="UTC")
    elif dtype.is_integer() or dtype.is_float():
        expr = pl.from_epoch(expr.cast(pl.Int64), time_unit="s")
    elif dtype == pl.Date:
        expr = expr.cast(pl.Datetime("us"))
    elif not isinstance(dtype, pl.Datetime):
        raise InvalidInput(f"column {column!r} is not a timestamp", {"dtype": str(dtype)})
    zoned = dtype == pl.String or (isinstance(dtype, pl.Datetime) and dtype.time_zone is not None)
    if zoned:
        expr = expr.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return expr


def align_frame(
    frame: pl.DataFrame, plan: FeaturePlan, *, max_gap: int | None = None
) -> pl.DataFrame:
    """Mean per grid bucket of the plan's frequency, on a gap-free grid.

    Runs of at most `max_gap` missing points are filled linearly; longer runs stay null
    and no window crosses them.
    """
    ts = plan.timestampColumn
    missing = [c for c in [ts, *plan.input_names] if c not in frame.columns]
    if missing:
        raise InvalidInput("the dataset lacks columns the plan reads", {"missing": missing})
    seconds = FREQUENCY_SECONDS[plan.frequency]
    every = f"{seconds}s"
    values = [pl.col(n).cast(pl.Float64, strict=False) for n in plan.input_names]
    raw = (
        frame.lazy()
        .select(timestamp_expr(frame, ts).dt.cast_time_unit("us").alias(ts), *values)
        .drop_nulls(ts)
        .sort(ts)
        .with_columns(pl.col(ts).dt.truncate(every))
        .group_by(ts, maintain_order=True)
        .agg(pl.col(n).mean() for n in plan.input_names)
        .collect()
    )
    if raw.height == 0:
        raise InvalidInput("the dataset has no rows with a timestamp", {})
    stamps = raw.get_column(ts)
    grid = pl.DataFrame(
        {ts: pl.datetime_range(stamps.min(), stamps.max(), every, eager=True, time_unit="us")}  # type: ignore[call-overload]
    )
    aligned = grid.join(raw, on=ts, how="left")
    gap = max_gap if max_gap is not None else default_max_gap(seconds)
    return aligned.with_columns(_fill_short_gaps(n, gap) for n in plan.input_names)


def _fill_short_gaps(name: str, max_gap: int) -> pl.Expr:
    column = pl.col(name)
    run = column.is_null().rle_id()
    run_length = pl.len().over(run)
    return (
        pl.when(column.is_null() & (run_length <= max_gap))
        .then(column.interpolate())
        .otherwise(column)
        .alias(name)
    )
