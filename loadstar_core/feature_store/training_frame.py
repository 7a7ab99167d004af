"""A training frame from a feature-store query: one row per grid point of one entity over
[start, end), each feature joined `as of` that point (never a value from its future).

The control plane snapshots the features' offline histories (long form: `key`, `entity`,
`eventTime`, `value`; `key` is `group.feature`); the training worker builds the frame
from that snapshot with this function, so every attempt of a job trains on the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import polars as pl

from loadstar_core.feature_store.point_in_time import ENTITY, TIME, as_of_join

HISTORY_SCHEMA = {
    "key": pl.String,
    ENTITY: pl.String,
    TIME: pl.Datetime("us", "UTC"),
    "value": pl.Float64,
}


def grid_spine(entity: str, start: datetime, end: datetime, step_seconds: int) -> pl.DataFrame:
    """The entity at every grid point in [start, end): start rounded up to the grid."""
    step = timedelta(seconds=step_seconds)
    first = -(-int(start.timestamp()) // step_seconds) * step_seconds
    times = pl.datetime_range(
        datetime.fromtimestamp(first, start.tzinfo),
        end - timedelta(microseconds=1),
        step,
        time_zone="UTC",
        eager=True,
    )
    return pl.DataFrame({ENTITY: [entity] * len(times), TIME: times}).with_columns(
        pl.col(TIME).dt.cast_time_unit("us")
    )


def build_frame(
    histories: pl.DataFrame,
    spine: pl.DataFrame,
    columns: Mapping[str, str],
    timestamp_column: str = "timestamp",
    ttl: timedelta | None = None,
) -> pl.DataFrame:
    """`timestamp_column` and one column per `columns` item (`group.feature -> name`)."""
    by_key = {
        key: histories.filter(pl.col("key") == key).select(ENTITY, TIME, "value") for key in columns
    }
    joined = as_of_join(spine, by_key, ttl)
    return joined.select(
        pl.col(TIME).alias(timestamp_column), *[pl.col(k).alias(c) for k, c in columns.items()]
    )
