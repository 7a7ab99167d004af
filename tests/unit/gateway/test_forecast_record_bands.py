"""A forecast's record holds its three bands in the contract's output unit: converted back
from the caller's unit in one array, bit for bit as each band converted on its own."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge_gateway.recorder import forecast_record, forecast_records
from loadstar_core.postprocess.units import Conversion

FINITE = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
FACTORS = st.sampled_from([1.0, 1000.0, 0.001, 1e6, 1.8, 3.6, 0.277777777])
OFFSETS = st.sampled_from([0.0, 273.15, -273.15, 32.0, -17.7777])


def one_by_one(values: list[float], back: Conversion, to: Conversion) -> list[float]:
    """The rule written per band: back to the model's unit, then to the output unit."""
    if back == to:
        return values
    model = (np.asarray(values, dtype=np.float64) - back.offset) / back.factor
    return cast(list[float], to.apply(model).tolist())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda h: st.lists(st.lists(FINITE, min_size=h, max_size=h), min_size=3, max_size=3)
    ),
    st.tuples(FACTORS, OFFSETS),
    st.tuples(FACTORS, OFFSETS),
    st.booleans(),
)
def test_bands_convert_as_each_band_alone(
    bands: list[list[float]],
    back_parts: tuple[float, float],
    to_parts: tuple[float, float],
    same: bool,
) -> None:
    back = Conversion(*back_parts)
    to = back if same else Conversion(*to_parts)
    keys = ("p05", "p50", "p95")
    plan = SimpleNamespace(
        interval_keys=keys, median_column=1, output_conversion=to, output_unit="kW"
    )
    served = cast(Any, SimpleNamespace(resolved=plan, id="dep"))
    legal = cast(Any, SimpleNamespace(output_conversion=back, grid_end_s=3600, frequency_s=3600))
    record = forecast_record(served, legal, dict(zip(keys, bands, strict=True)))
    for got, band in zip((record.p05, record.p50, record.p95), bands, strict=True):
        want = one_by_one(band, back, to)
        assert np.array_equal(np.asarray(got).view(np.int64), np.asarray(want).view(np.int64))
    assert record.unit == "kW"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.lists(FINITE, min_size=4, max_size=4), min_size=3, max_size=3),
            st.tuples(FACTORS, OFFSETS),
        ),
        min_size=1,
        max_size=8,
    ),
    st.tuples(FACTORS, OFFSETS),
)
def test_a_batch_of_answers_records_each_as_alone(
    answers: list[tuple[list[list[float]], tuple[float, float]]], to_parts: tuple[float, float]
) -> None:
    keys = ("p05", "p50", "p95")
    to = Conversion(*to_parts)
    plan = SimpleNamespace(
        interval_keys=keys, median_column=1, output_conversion=to, output_unit="kW"
    )
    served = cast(Any, SimpleNamespace(resolved=plan, id="dep"))
    items = []
    for bands, back_parts in answers:  # several answers share a conversion, others not
        legal = SimpleNamespace(
            output_conversion=Conversion(*back_parts), grid_end_s=3600, frequency_s=3600
        )
        items.append((served, cast(Any, legal), dict(zip(keys, bands, strict=True))))
    together = forecast_records(items)
    for record, item in zip(together, items, strict=True):
        alone = forecast_record(*item)
        for a, b in ((record.p05, alone.p05), (record.p50, alone.p50), (record.p95, alone.p95)):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
