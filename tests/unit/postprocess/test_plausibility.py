"""Readings far outside the training range: a warning naming field, value and range, a
likely unit slip named, or the request refused."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import legalize_window
from schemas.contracts import InferenceInput
from schemas.errors import InputOutOfRange

from .builders import contract, rows


def ranged(**overrides: Any) -> Any:
    return contract(
        inputs=[
            {"name": "load", "source": "value", "unit": "kW", "trainingRange": [100.0, 150.0]},
            {"name": "temp", "source": "temp", "unit": "degC"},
        ],
        **overrides,
    )


def out_of_range(window_rows: list[dict[str, Any]], **kw: Any) -> list[Any]:
    legal = legalize_window(ranged(**kw), InferenceInput(series=window_rows, units={"value": "W"}))
    return [w for w in legal.warnings if w.code == "INPUT_OUT_OF_RANGE"]


def test_kw_sent_into_a_w_field_is_a_unit_slip() -> None:
    (warning,) = out_of_range(rows(6, value=[120.0, 121, 119, 118, 122, 125], temp=20.0))
    assert warning.details["field"] == "value" and warning.details["unitSlip"] == 0.001
    assert warning.details["value"] == pytest.approx(0.118, rel=1e-3)
    assert (warning.details["trainingMin"], warning.details["trainingMax"]) == (100.0, 150.0)
    assert "'value' (load) reads 0.118 kW" in warning.message
    assert "100 .. 150 kW" in warning.message and "unit slip" in warning.message


def test_inside_or_near_the_range_is_quiet() -> None:
    near = [60_000.0, 100_000, 150_000, 199_000, 120_000, 130_000]  # W: 60..199 kW
    assert out_of_range(rows(6, value=near, temp=20.0)) == []


def test_far_out_without_a_slip_and_refusal() -> None:
    far = [120_000.0] * 5 + [900_000.0]  # one reading at 900 kW, the rest normal
    (warning,) = out_of_range(rows(6, value=far, temp=20.0))
    assert warning.details["unitSlip"] is None and warning.details["value"] == 900.0
    with pytest.raises(InputOutOfRange) as refused:
        out_of_range(rows(6, value=far, temp=20.0), outOfRange="refuse")
    assert refused.value.details["field"] == "value" and refused.value.status == 422


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(50_000.0, 200_000.0), min_size=6, max_size=6))
def test_readings_within_one_span_of_the_range_never_warn(values: list[float]) -> None:
    assert out_of_range(rows(6, value=values, temp=20.0)) == []


def dropouts(window_rows: list[dict[str, Any]], temp_required: bool = True) -> list[Any]:
    spec = contract(
        inputs=[
            {"name": "load", "source": "value", "unit": "kW", "dropoutZeros": True},
            {"name": "temp", "source": "temp", "unit": "degC", "required": temp_required},
        ]
    )
    legal = legalize_window(spec, InferenceInput(series=window_rows))
    return [w for w in legal.warnings if w.code == "DROPOUT_MENDED"]


@settings(max_examples=50, deadline=None)
@given(zeros=st.sets(st.integers(0, 5), max_size=6))
def test_zeros_on_a_dropout_input_are_counted_and_named(zeros: set[int]) -> None:
    """The model mends them; the answer says where and how many. Zeros on another input
    (temperature at 0 degC) are readings and stay quiet."""
    values = [0.0 if k in zeros else 120.0 + k for k in range(6)]
    found = dropouts(rows(6, value=values, temp=0.0))
    if not zeros:
        assert found == []
        return
    (warning,) = found
    assert warning.details == {"field": "value", "input": "load", "points": len(zeros)}
    assert f"reads exactly 0 at {len(zeros)} of " in warning.message


def test_an_absent_optional_input_is_not_a_dropout() -> None:
    spec = contract(
        inputs=[
            {"name": "load", "source": "value", "unit": "kW"},
            {
                "name": "temp",
                "source": "temp",
                "unit": "degC",
                "required": False,
                "dropoutZeros": True,
            },
        ]
    )
    legal = legalize_window(spec, InferenceInput(series=rows(6, value=[120.0] * 6)))
    codes = [w.code for w in legal.warnings]
    assert "OPTIONAL_INPUT_ABSENT" in codes and "DROPOUT_MENDED" not in codes
