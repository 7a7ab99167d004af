"""The compiled hot path (`_hotpath.c`) against the Python readers it stands in for.

Whenever the compiled reader takes a body, legalizing from its columns gives what the
general decode gives, bit for bit and error for error; on plain bodies it always takes
them; on damaged bytes it steps aside or still agrees, and never crashes. The compiled
bucket means and the answer's numbers equal numpy's to the bit.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import envelope, jsonrows, missing, prepare_contract, timegrid
from loadstar_core.postprocess.envelope import SIGNIFICANT_DIGITS, _columns
from loadstar_core.postprocess.legalize import legalize_window
from loadstar_core.postprocess.timegrid import Gridded, Ordered, bucket_means, order_rows
from loadstar_core.postprocess.typed import decode_typed
from loadstar_core.postprocess.units import Conversion
from schemas.contracts import InferenceInput
from schemas.errors import LoadstarError
from tests.unit.postprocess.builders import contract

CONTRACT = contract(lookback=12, maxMissingRatio=0.5, frequency="15min")
PLAN = prepare_contract(CONTRACT)
START = datetime(2024, 2, 28, 22, tzinfo=UTC)


def test_the_compiled_module_is_built() -> None:
    """`make install` builds it; without a C compiler the Python readers serve, slower."""
    assert jsonrows.COMPILED
    assert timegrid.bucket is not None and envelope.quantile_columns is not None


def stamp(minutes: int, layout: str) -> str:
    moment = START + timedelta(minutes=minutes)
    if layout == "offset":
        return moment.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    if layout == "minus":
        return moment.astimezone(timezone(-timedelta(hours=9, minutes=30))).isoformat()
    if layout == "z":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if layout == "space":
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if layout == "minutes":
        return moment.strftime("%Y-%m-%dT%H:%M")
    if layout == "millis":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{minutes % 1000:03d}+01:00"
    if layout == "micros":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return moment.replace(tzinfo=None).isoformat()


LAYOUTS = ("offset", "minus", "z", "space", "minutes", "millis", "micros", "naive")
odd_stamps = st.sampled_from(
    [
        "2024-02-29T01:00:00",  # a leap day
        "2023-02-29T01:00:00",  # no such day
        "2024-02-29T24:00:00",
        "2024-02-29T01:60:00",
        "2024-02-29T01:00:60",
        "2024-02-29T01:00:00+24:00",
        "2024-02-29T01:00:00+2:00",
        "2024-02-29T01:00:00.5",
        "2024-02-29T01:00:00.1234567",
        "2024-02-29t01:00:00",
        "2024-02-29T01:00:00\\u002b02:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "2024-02-29",
        "2024-02-29T01",
        "２０２４-02-29T01:00:00",
        "",
    ]
)


def number_text(value: float | int, style: str) -> str:
    if isinstance(value, int) or style == "json":
        return msgspec.json.encode(value).decode()
    if style == "fixed":
        return f"{value:.4f}"
    if style == "exp":
        return f"{value:.12e}"
    return f"{value:.17g}".replace("inf", "1e999")


numbers = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 2)),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0.0, -0.0, 1e308, 5e-324, 123456789012345678901234.5]),
)
odd_values = st.sampled_from(
    ["null", "true", '"12.5"', "1e999", "-", "01", "1.", ".5", "1e", "[1]", '{"a": 1}', "NaN"]
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A predict body as a caller could write it, and whether it is plain (the compiled
    reader must take it)."""
    layout = draw(st.sampled_from(LAYOUTS))
    n = draw(st.integers(1, 30))
    minutes = draw(st.lists(st.integers(-300, 600), min_size=n, max_size=n))
    if draw(st.booleans()):
        minutes.sort()
    odd = draw(st.integers(0, 4)) == 0
    space = draw(st.sampled_from(["", " ", "\n  "]))
    rows = []
    for k in range(n):
        text = stamp(minutes[k], layout)
        if odd and draw(st.integers(0, 6)) == 0:
            text = draw(odd_stamps)
        fields = [f'"timestamp":{space}"{text}"']
        for source in PLAN.sources:
            if draw(st.integers(0, 6)):
                value = number_text(draw(numbers), draw(st.sampled_from(["json", "fixed", "exp"])))
                if odd and draw(st.integers(0, 12)) == 0:
                    value = draw(odd_values)
                fields.append(f'"{source}":{space}{value}')
        if draw(st.integers(0, 5)) == 0:
            fields.append(f'"quality":{space}' + draw(st.sampled_from(['"good"', "1", "null"])))
        order = draw(st.permutations(fields)) if draw(st.integers(0, 3)) == 0 else fields
        rows.append("{" + f",{space}".join(order) + "}")
    key = draw(st.sampled_from(["series", "historical_data"]))
    parts = [f'"{key}":{space}[{space}' + f",{space}".join(rows) + f"{space}]"]
    if draw(st.booleans()):
        parts.append('"units": {"value": "W", "temp": "degF"}')
    if draw(st.booleans()):
        parts.append(f'"horizon": {draw(st.integers(0, 5))}')
    if odd and draw(st.booleans()):
        parts.append(draw(st.sampled_from(['"unknown": 1', '"series": []', '"entity": "a"'])))
    parts = draw(st.permutations(parts))
    return ("{" + space + ", ".join(parts) + space + "}").encode(), not odd


def general(body: bytes) -> Any:
    """The window (or the error) as the gateway made it before the compiled reader."""
    payload = decode_typed(body, PLAN)
    try:
        payload = payload or msgspec.json.decode(body, type=InferenceInput)
        with np.errstate(over="ignore"):  # means of values near 1e308 overflow, both ways
            return legalize_window(CONTRACT, payload, PLAN)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return "undecodable"
    except LoadstarError as exc:
        return (exc.code, exc.message, exc.details)


def compiled(body: bytes) -> Any:
    read = jsonrows.read_body(body, PLAN)
    if read is None:
        return None
    payload, columns = read
    try:
        with np.errstate(over="ignore"):
            return legalize_window(CONTRACT, payload, PLAN, columns)
    except LoadstarError as exc:
        return (exc.code, exc.message, exc.details)


def assert_same(got: Any, expected: Any) -> None:
    if isinstance(expected, tuple) or isinstance(got, tuple) or expected == "undecodable":
        assert got == expected
        return
    assert got.window.tobytes() == expected.window.tobytes()
    assert (got.grid_end_s, got.filled, got.warnings, got.horizon, got.unit) == (
        expected.grid_end_s, expected.filled, expected.warnings, expected.horizon, expected.unit,
    )  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(bodies())
def test_the_compiled_reader_answers_as_the_general_decode(case: tuple[bytes, bool]) -> None:
    body, plain = case
    got = compiled(body)
    event("read" if got is not None else "stepped aside")
    if plain:
        assert got is not None, body[:300]
    if got is not None:
        assert_same(got, general(body))


@settings(max_examples=400, deadline=None)
@given(bodies(), st.data())
def test_damaged_bytes_step_aside_or_agree(case: tuple[bytes, bool], data: st.DataObject) -> None:
    body = bytearray(case[0])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(body) - 1))
        action = data.draw(st.sampled_from(["set", "cut", "insert"]))
        byte = data.draw(st.sampled_from(b'"{}[],:\\ 0-9.eE+tnZT\x00\x80\xff'))
        if action == "set":
            body[at] = byte
        elif action == "cut":
            del body[at : at + data.draw(st.integers(1, 20))]
        else:
            body.insert(at, byte)
        if not body:
            return
    got = compiled(bytes(body))
    event("read" if got is not None else "stepped aside")
    if got is not None:
        assert_same(got, general(bytes(body)))


def test_a_body_cut_anywhere_never_reads_past_its_end() -> None:
    rows = [{"timestamp": f"2025-07-01T{h:02d}:00:00+02:00", "value": h + 0.5} for h in range(12)]
    body = msgspec.json.encode({"series": rows, "units": {"value": "kW"}})
    assert compiled(body) is not None
    for end in range(len(body)):
        assert jsonrows.read_body(body[:end], PLAN) is None


def test_numbers_of_every_length_read_as_python_reads_them() -> None:
    texts = [
        "0", "-0", "1e22", "1e23", "9007199254740993", "0.1", "2.2250738585072011e-308",
        "1.7976931348623157e308", "4.9e-324", "1234567890123456789012345",
        "0.30000000000000004", "123.456e-5", "1E+2", "-0.0000000000000000000000001",
    ]  # fmt: skip
    rows = ",".join(
        f'{{"timestamp":"2025-07-01T0{i % 9}:00:00Z","value":{t}}}' for i, t in enumerate(texts)
    )
    read = jsonrows.read_body(f'{{"series":[{rows}]}}'.encode(), PLAN)
    assert read is not None
    got = read[1].values[:, PLAN.sources.index("value")]
    assert got.tobytes() == np.array([float(t) for t in texts]).tobytes()


def assert_same_grid(got: Gridded, expected: Gridded) -> None:
    assert got.end_us == expected.end_us
    assert got.means.tobytes() == expected.means.tobytes()
    for name in ("gaps", "missing", "before_offset", "before_value"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))


cells = st.one_of(
    st.just(math.nan),
    st.sampled_from([0.0, -0.0, 1e300, -1e300, 5e-324]),
    st.floats(-1e300, 1e300, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-(10**12), 10**13), min_size=1, max_size=40, unique=True),
    st.integers(1, 3),
    st.integers(1, 20),
    st.data(),
)
def test_compiled_bucket_means_are_numpy_s(
    times: list[int], n_cols: int, lookback: int, data: st.DataObject
) -> None:
    times.sort()
    values = np.array(
        [[data.draw(cells) for _ in range(n_cols)] for _ in times], dtype=np.float64
    ).reshape(len(times), n_cols)
    rows = Ordered(epoch_us=np.array(times, dtype=np.int64), values=values, duplicates=0)
    frequency = data.draw(st.sampled_from([60_000_000, 900_000_000, 86_400_000_000]))
    got = bucket_means(rows, frequency, lookback)
    saved, timegrid.bucket = timegrid.bucket, None
    try:
        expected = bucket_means(rows, frequency, lookback)
    finally:
        timegrid.bucket = saved
    assert_same_grid(got, expected)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 5),
    st.sampled_from([(1.0, 0.0), (0.001, 0.0), (1.8, 32.0), (1000.0, -273.15)]),
    st.data(),
)
def test_compiled_answer_numbers_are_numpy_s(
    horizon: int, q: int, conversion: tuple[float, float], data: st.DataObject
) -> None:
    rows = horizon + data.draw(st.integers(0, 2))
    scale = 10.0 ** data.draw(st.integers(-30, 30))
    raw = np.array(
        [[data.draw(st.floats(-1e6, 1e6)) * scale for _ in range(q)] for _ in range(rows)]
    )
    order = tuple(data.draw(st.permutations(range(q))))
    plan = type("Plan", (), {"quantile_order": np.array(order, dtype=np.intp)})()
    factor, offset = conversion
    conv = Conversion(factor=factor, offset=offset)
    expected = _columns(raw, plan, horizon, conv)  # type: ignore[arg-type]
    assert envelope.quantile_columns is not None
    got = envelope.quantile_columns(
        raw, horizon, order, factor, offset, conv.is_identity, SIGNIFICANT_DIGITS
    )
    assert got[1:] == expected[1:]
    assert np.array(got[0]).tobytes() == np.array(expected[0]).tobytes()


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_model_output_is_left_to_the_numpy_way(bad: float) -> None:
    assert envelope.quantile_columns is not None
    raw = np.array([[1.0, 2.0, bad]])
    assert envelope.quantile_columns(raw, 1, (0, 1, 2), 1.0, 0.0, True, 6) is None


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 30), st.integers(1, 4), st.data())
def test_compiled_linear_fill_is_np_interp_s(rows: int, n_cols: int, data: st.DataObject) -> None:
    window = np.array(
        [[data.draw(cells) for _ in range(n_cols)] for _ in range(rows)], dtype=np.float64
    )
    gaps = np.isnan(window) | np.array(
        [[data.draw(st.integers(0, 6)) == 0 for _ in range(n_cols)] for _ in range(rows)]
    )
    before_offset = np.array([data.draw(st.integers(1, 50)) for _ in range(n_cols)])
    before_value = np.array([data.draw(cells) for _ in range(n_cols)], dtype=np.float64)
    got = missing._interpolate(window, gaps, before_offset, before_value)
    saved, missing.compiled_fill = missing.compiled_fill, None
    try:
        with np.errstate(all="ignore"):  # inf - inf in a slope: np.interp's own care
            expected = missing._interpolate(window, gaps, before_offset, before_value)
    finally:
        missing.compiled_fill = saved
    assert got.tobytes() == expected.tobytes()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-(10**12), 10**13), min_size=1, max_size=40, unique=True),
    st.integers(1, 3),
    st.integers(1, 20),
    st.data(),
)
def test_compiled_grid_of_converted_columns_is_numpy_s(
    times: list[int], n_sources: int, lookback: int, data: st.DataObject
) -> None:
    if data.draw(st.integers(0, 4)):
        times.sort()  # else most often unsorted: the compiled grid steps aside
    by_source = np.array(
        [[data.draw(cells) for _ in times] for _ in range(n_sources)], dtype=np.float64
    ).reshape(n_sources, len(times))
    picks = tuple(data.draw(st.lists(st.integers(0, n_sources - 1), min_size=1, max_size=4)))
    scales = tuple(
        data.draw(st.sampled_from([None, (0.001, 0.0), (1.8, 32.0), (5.0 / 9.0, -17.7)]))
        for _ in picks
    )
    epoch_us = np.array(times, dtype=np.int64)
    frequency = data.draw(st.sampled_from([60_000_000, 900_000_000, 86_400_000_000]))
    with np.errstate(all="ignore"):
        got = timegrid.compiled_grid(epoch_us, by_source, picks, scales, frequency, lookback)
        if times != sorted(times):
            assert got is None
            return
        assert got is not None
        model = by_source.T[:, list(picks)]
        for j, scale in enumerate(scales):
            if scale is not None:
                model[:, j] = Conversion(*scale).apply(model[:, j])
        saved, timegrid.bucket = timegrid.bucket, None
        try:
            expected = bucket_means(order_rows(epoch_us, model), frequency, lookback)
        finally:
            timegrid.bucket = saved
    assert_same_grid(got, expected)
