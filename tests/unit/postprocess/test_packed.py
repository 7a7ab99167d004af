"""The packed-rows reader against the field-by-field one: whenever it answers, it answers
the same; on uniform rows it always answers; on anything irregular it steps aside."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.packed import read_packed
from loadstar_core.postprocess.rows import read_columns
from loadstar_core.postprocess.timestamps import parse_timestamps
from schemas.errors import InvalidInput

SOURCES = ("value", "temp", "production")
START = datetime(2025, 3, 29, 22, tzinfo=UTC)


def stamp(k: int, layout: str) -> str:
    moment = START + timedelta(minutes=15 * k)
    if layout == "offset":
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    if layout == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if layout == "millis":
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{k % 1000:03d}"
    return moment.replace(tzinfo=None).isoformat()


def reference(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    cols = read_columns(rows, "timestamp", SOURCES)
    times = parse_timestamps(cols.timestamps, "timestamp")
    return times.epoch_us, cols.values, cols.present, times.naive


def agree(rows: list[dict[str, Any]]) -> bool:
    """Asserts agreement when the packed reader answers; returns whether it did."""
    packed = read_packed(rows, "timestamp", SOURCES)
    try:
        epoch_us, values, present, naive = reference(rows)
    except InvalidInput:
        assert packed is None, "the packed reader accepted rows the reference refuses"
        return False
    if packed is None:
        return False
    np.testing.assert_array_equal(packed.times.epoch_us, epoch_us)
    assert packed.times.naive == naive
    np.testing.assert_array_equal(packed.values, values)
    np.testing.assert_array_equal(packed.present, present)
    return True


numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=40),
    layout=st.sampled_from(["offset", "z", "millis", "naive"]),
    kinds=st.tuples(*[st.sampled_from(["float", "int16", "fixint", "absent"])] * 3),
    data=st.data(),
)
def test_uniform_rows_are_read_in_one_pass_and_agree(
    n: int, layout: str, kinds: tuple[str, ...], data: st.DataObject
) -> None:
    draw = {
        "float": st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
        "int16": st.integers(min_value=256, max_value=65535),
        "fixint": st.integers(min_value=-32, max_value=127),
    }
    rows = []
    for k in range(n):
        row: dict[str, Any] = {"timestamp": stamp(k, layout)}
        for source, kind in zip(SOURCES, kinds, strict=True):
            if kind != "absent":
                row[source] = data.draw(draw[kind])
        rows.append(row)
    assert agree(rows), "uniform rows must take the packed path"


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"timestamp": st.sampled_from([stamp(k, "offset") for k in range(6)])},
            optional={
                "value": st.one_of(numbers, st.none(), st.booleans(), st.text(max_size=3)),
                "temp": st.one_of(numbers, st.none()),
                "production": numbers,
                "note": st.text(max_size=4),
            },
        ),
        min_size=1,
        max_size=12,
    )
)
def test_irregular_rows_agree_or_step_aside(rows: list[dict[str, Any]]) -> None:
    agree(rows)


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(value=None),
        lambda r: r.update(value=True),
        lambda r: r.update(value="12"),
        lambda r: r.update(value=math.inf),
        lambda r: r.update(value=math.nan),
        lambda r: r.pop("temp"),
        lambda r: r.update(vaule=r.pop("value")),  # a same-length typo of one key
        lambda r: r.update(timestamp=r["timestamp"].replace("T", "t")),
        lambda r: r.update(timestamp="2025-02-30T00:00:00+02:00"),
        lambda r: r.update(production=300),  # another width of int than the others
        lambda r: r.update(  # the same instant at another offset (a DST change)
            timestamp=datetime.fromisoformat(r["timestamp"])
            .astimezone(timezone(timedelta(hours=1)))
            .isoformat()
        ),
    ],
)
def test_one_odd_row_sends_the_request_the_long_way(change: Any) -> None:
    rows = [
        {"timestamp": stamp(k, "offset"), "value": 1.5 * k, "temp": 20.25, "production": 7}
        for k in range(20)
    ]
    assert read_packed(rows, "timestamp", SOURCES) is not None
    change(rows[11])
    assert read_packed(rows, "timestamp", SOURCES) is None
