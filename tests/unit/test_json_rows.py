"""Rows as the API writes them: every time in UTC with a Z, NaN as null, values kept."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import msgspec
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from loadstar_core.json_rows import json_rows

moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(
    st.lists(st.tuples(moments, st.floats(allow_infinity=False, width=64)), min_size=1),
    st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"]),
)
def test_times_are_utc_and_nan_is_null(rows: list[tuple[datetime, float]], zone: str) -> None:
    frame = pl.DataFrame(
        {"timestamp": [t for t, _ in rows], "value": [v for _, v in rows]},
        schema={"timestamp": pl.Datetime("us", "UTC"), "value": pl.Float64},
    ).with_columns(pl.col("timestamp").dt.convert_time_zone(zone))
    out = json_rows(frame)
    assert len(out) == len(rows)
    for (moment, value), row in zip(rows, out, strict=True):
        assert row["timestamp"].endswith("Z")
        assert datetime.fromisoformat(row["timestamp"]) == moment
        assert row["value"] is None if math.isnan(value) else row["value"] == value
    msgspec.json.encode(out)  # nothing left that JSON cannot carry


def test_dates_and_other_types_become_text() -> None:
    frame = pl.DataFrame(
        {"day": [date(2024, 2, 29)], "site": ["north"], "ok": [True]},
        schema={"day": pl.Date, "site": pl.Categorical, "ok": pl.Boolean},
    )
    assert json_rows(frame) == [{"day": "2024-02-29", "site": "north", "ok": True}]
