"""Unit resolution: pint once into factor/offset, aliases, case-sensitivity, dimensions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.units import Conversion, resolve_conversion
from schemas.errors import InvalidInput, UnitInconsistent

GROUPS = {
    "power": ["W", "kW", "MW", "GW"],
    "energy": ["Wh", "kWh", "MWh"],
    "temperature": ["degC", "degF", "K", "°C", "℃"],
    "pressure": ["Pa", "kPa", "bar", "psi"],
    "flow": ["m3/h", "L/min"],
    "ratio": ["%", "1"],
    "current": ["A"],
    "voltage": ["V"],
}
SAME_DIMENSION = [(a, b) for units in GROUPS.values() for a in units for b in units]
CHAINS = [(a, b, c) for units in GROUPS.values() for a in units for b in units for c in units]
FINITE = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def convert(x: float, src: str, dst: str) -> float:
    return float(resolve_conversion(src, dst).apply(np.array([x]))[0])


@pytest.mark.parametrize(
    ("src", "dst", "x", "expected"),
    [
        ("kW", "W", 1.5, 1500.0),
        ("W", "kW", 1500.0, 1.5),
        ("MW", "kW", 2.0, 2000.0),
        ("GW", "MW", 1.0, 1000.0),
        ("kWh", "Wh", 1.0, 1000.0),
        ("MWh", "kWh", 1.0, 1000.0),
        ("degC", "K", 0.0, 273.15),
        ("°C", "degF", 100.0, 212.0),
        ("℃", "degC", 21.5, 21.5),
        ("degF", "degC", 32.0, 0.0),
        ("bar", "kPa", 1.0, 100.0),
        ("psi", "Pa", 1.0, 6894.757293168361),
        ("m3/h", "L/min", 1.0, 1000.0 / 60.0),
        ("%", "1", 50.0, 0.5),
        ("1", "%", 0.25, 25.0),
        ("A", "A", 3.0, 3.0),
        ("V", "V", 230.0, 230.0),
    ],
)
def test_supported_conversions(src: str, dst: str, x: float, expected: float) -> None:
    assert convert(x, src, dst) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_same_unit_is_identity_bit_for_bit() -> None:
    values = np.array([0.1, -3.3, 1e-300])
    conversion = resolve_conversion("kW", "kW")
    assert conversion.is_identity
    assert conversion.apply(values) is values


def test_resolution_is_cached_affine_pair() -> None:
    first = resolve_conversion("degC", "degF")
    assert isinstance(first, Conversion)
    assert first.factor == pytest.approx(1.8) and first.offset == pytest.approx(32.0)
    assert resolve_conversion("degC", "degF") is first


def test_case_matters_and_the_error_says_so() -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_conversion("kw", "kW", "value")
    assert "case-sensitive" in info.value.message
    assert "did you mean 'kW'" in info.value.message
    assert info.value.details["field"] == "value"
    assert info.value.details["didYouMean"] == "kW"


@pytest.mark.parametrize("unit", ["furlongs_per_fortnight_x", "", "   ", "kW*", "2*kW", "x" * 200])
def test_unknown_unit_is_invalid_input(unit: str) -> None:
    with pytest.raises(InvalidInput) as info:
        resolve_conversion(unit, "kW", "value")
    assert info.value.details["field"] == "value"


@pytest.mark.parametrize(
    ("src", "dst"), [("degC", "kW"), ("kWh", "kW"), ("bar", "m3/h"), ("A", "V")]
)
def test_other_dimension_is_unit_inconsistent(src: str, dst: str) -> None:
    with pytest.raises(UnitInconsistent) as info:
        resolve_conversion(src, dst, "value")
    assert info.value.details["unit"] == src
    assert info.value.details["expectedUnit"] == dst


def _close(a: float, b: float, scale: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * scale)


@settings(max_examples=150, deadline=None)
@given(pair=st.sampled_from(SAME_DIMENSION), x=FINITE)
def test_round_trip_within_1e9_relative(pair: tuple[str, str], x: float) -> None:
    src, dst = pair
    there = resolve_conversion(src, dst)
    back = convert(convert(x, src, dst), dst, src)
    # Relative to the magnitudes involved: an offset (degC -> K) sets the scale near zero.
    scale = max(abs(x), abs(there.offset), abs(there.offset / there.factor), 1e-300)
    assert _close(back, x, scale)


@settings(max_examples=150, deadline=None)
@given(chain=st.sampled_from(CHAINS), x=FINITE)
def test_through_an_intermediate_equals_direct(chain: tuple[str, str, str], x: float) -> None:
    a, b, c = chain
    direct = convert(x, a, c)
    stepped = convert(convert(x, a, b), b, c)
    offsets = [abs(resolve_conversion(u, v).offset) for u, v in ((a, b), (b, c), (a, c))]
    scale = max(abs(direct), abs(x), *offsets, 1e-300)
    assert _close(stepped, direct, scale)
