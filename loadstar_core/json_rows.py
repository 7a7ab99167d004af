"""A frame's rows as JSON-ready dicts, the one way every API answer writes them: times as
ISO 8601 UTC (`...Z`), dates as `YYYY-MM-DD`, NaN as null, other types as text."""

from __future__ import annotations

from typing import Any

import polars as pl

ISO_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"


def json_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
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
