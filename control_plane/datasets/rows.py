"""Canonical rows as JSON-ready dicts: timestamps as ISO 8601 UTC, NaN as null."""

from __future__ import annotations

from typing import Any

import polars as pl

from control_plane.datasets import storage
from control_plane.datasets.schemas import DatasetOut, DatasetRows
from control_plane.settings import Settings

ISO_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"


def json_ready(frame: pl.DataFrame) -> list[dict[str, Any]]:
    exprs: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            utc = col.dt.convert_time_zone("UTC") if dtype.time_zone else col
            exprs.append(utc.dt.to_string(ISO_UTC))
        elif dtype == pl.Date:
            exprs.append(col.dt.to_string("%Y-%m-%d"))
        elif dtype.is_float():
            exprs.append(col.fill_nan(None))
        elif dtype.is_numeric() or dtype in (pl.Boolean, pl.String):
            exprs.append(col)
        else:
            exprs.append(col.cast(pl.String, strict=False))
    return frame.select(exprs).to_dicts()


def read_rows(settings: Settings, dataset: DatasetOut, offset: int, limit: int) -> DatasetRows:
    """One page of the canonical Parquet, read from S3 with only the row groups it needs."""
    page = storage.read_canonical(settings, dataset.id, lambda s: s.slice(offset, limit))
    return DatasetRows(
        datasetId=dataset.id,
        columns=page.columns,
        rows=json_ready(page),
        offset=offset,
        limit=limit,
        total=dataset.rows,
    )
