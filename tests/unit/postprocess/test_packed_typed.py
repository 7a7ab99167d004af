"""Typed rows read through their msgpack form against the column-by-column reader and the
general timestamp parser: whenever the packed reader answers it answers the same, on rows
of one timestamp layout it always answers, and on anything else it steps aside."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import prepare_contract
from loadstar_core.postprocess.timestamps import parse_timestamps
from loadstar_core.postprocess.typed import decode_typed, packed_columns, typed_columns
from schemas.errors import InvalidInput
from tests.unit.postprocess.builders import contract

PLAN = prepare_contract(contract(lookback=6, maxMissingRatio=0.5))
START = datetime(2025, 3, 29, 22, tzinfo=UTC)
LAYOUTS = ("offset", "minus", "z", "naive", "space", "millis", "micros")


def stamp(minutes: int, layout: str) -> str:
    moment = START + timedelta(minutes=minutes)
    if layout == "offset":
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    if layout == "minus":
        return moment.astimezone(timezone(-timedelta(hours=9, minutes=30))).isoformat()
    if layout == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if layout == "space":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if layout == "millis":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{minutes % 1000:03d}"
    if layout == "micros":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return moment.replace(tzinfo=None).isoformat()


odd_stamps = st.sampled_from(
    [
        "2025-03-30T01:00:00+02:00",  # another offset than the others
        "2025-03-30T01:00:00+2:00",
        "2025-03-30T01:00:00,5",
        "2025-02-30T01:00:00",  # no such day
        "2025-03-30T24:00:00",
        "2025-03-30T01:00:00+24:00",
        "2025-03-30T01:00:00,02:00",
        "2025-03-30T01:00:00-00:00",
        "2025-03-30T01:00",
        "2025-03-30",
        "2025-03-30T01:00:00Ü",
        "2025-03-30T01:00:0Ü",
        "２０２５-03-30T01:00:00",
        "",
        "x" * 40,
    ]
)
numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0.0, -0.0, 1e308, -5e-324]),
)


def reference(payload: Any) -> Any:
    rows = payload.series
    cols = typed_columns(payload, rows, PLAN)
    assert cols is not None
    try:
        times = parse_timestamps(cols.timestamps, "timestamp")
    except InvalidInput:
        return None
    return times.epoch_us, times.naive, cols.values, cols.present


@st.composite
def typed_bodies(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A body whose rows fit the typed path, and whether every timestamp has one layout."""
    layout = draw(st.sampled_from(LAYOUTS))
    n = draw(st.integers(1, 40))
    minutes = sorted(draw(st.lists(st.integers(-600, 6000), min_size=n, max_size=n)))
    odd = draw(st.booleans())
    rows: list[dict[str, Any]] = []
    for k in range(n):
        text = stamp(minutes[k], layout)
        if odd and draw(st.integers(0, 10)) == 0:
            text = draw(odd_stamps)
        row: dict[str, Any] = {"timestamp": text}
        for field in PLAN.sources:
            if draw(st.integers(0, 5)):
                row[field] = draw(numbers)
        rows.append(row)
    return msgspec.json.encode({"series": rows}), not odd


@settings(max_examples=400, deadline=None)
@given(typed_bodies())
def test_packed_typed_rows_agree_with_the_column_reader(case: tuple[bytes, bool]) -> None:
    body, uniform = case
    payload = decode_typed(body, PLAN)
    assert payload is not None
    packed = packed_columns(payload, payload.series, PLAN)
    expected = reference(payload)
    event("packed" if packed is not None else "stepped aside")
    if uniform:
        assert packed is not None
    if packed is None:
        return
    assert expected is not None, "the packed reader accepted timestamps the parser refuses"
    epoch_us, naive, values, present = expected
    np.testing.assert_array_equal(packed.times.epoch_us, epoch_us)
    assert packed.times.naive == naive
    assert packed.values.tobytes() == values.tobytes()  # -0.0 and every bit kept
    np.testing.assert_array_equal(packed.present, present)


def test_rows_of_different_timestamp_lengths_step_aside() -> None:
    rows = [
        {"timestamp": "2025-07-01T00:00:00Z", "value": 1.0},
        {"timestamp": "2025-07-01T01:00:00.5Z", "value": 2.0},
        {"timestamp": "2025-07-01T02:00:00", "value": 3.0},
    ]
    payload = decode_typed(msgspec.json.encode({"series": rows}), PLAN)
    assert payload is not None
    assert packed_columns(payload, payload.series, PLAN) is None
    assert reference(payload) is not None  # the general parser reads them all


def test_only_typed_requests_take_this_path() -> None:
    rows = [{"timestamp": "2025-07-01T00:00:00Z", "value": math.pi}]
    payload = msgspec.json.decode(msgspec.json.encode({"series": rows}))
    assert packed_columns(payload, rows, PLAN) is None
