"""The forecast period's known inputs and the holiday calendar: examples and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loadstar_core.features.layout import holiday_flags
from loadstar_core.postprocess import calendar_phases, legalize_window, prepare_contract
from loadstar_core.postprocess.future import bucket_future
from loadstar_core.postprocess.legalize import window_report
from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import InputMissingExceeds, InvalidInput

from .builders import START, contract, rows

HOUR = timedelta(hours=1)
AFTER = START + 6 * HOUR  # the first grid point after a 6-row window from START
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def known_contract(**overrides: Any) -> DeploymentContract:
    """load (target), temp, and production known in advance (unit kW)."""
    inputs = [
        {"name": "load", "source": "value", "unit": "kW"},
        {"name": "temp", "source": "temp", "unit": "degC"},
        {"name": "production", "source": "plan", "unit": "kW", "known": True},
    ]
    return contract(**{"inputs": inputs, **overrides})


def window_rows() -> list[dict[str, Any]]:
    return rows(6, value=1.0, temp=20.0, plan=[1.0, 1, 1, 1, 1, 5])


def future_rows(values: list[Any], start: datetime = AFTER) -> list[dict[str, Any]]:
    return rows(len(values), start=start, plan=values)


def legalize(dep: DeploymentContract, **fields: Any) -> Any:
    return legalize_window(dep, InferenceInput(series=window_rows(), **fields), None)


def test_future_rows_become_the_future_tensor() -> None:
    out = legalize(known_contract(), future=future_rows([2.0, 3, 4, 5]))
    assert out.future is not None and out.future.dtype == np.float32
    assert out.future.shape == (4, 1) and out.future[:, 0].tolist() == [2, 3, 4, 5]
    assert out.warnings == []
    assert window_report(out).future == [[2.0], [3.0], [4.0], [5.0]]


def test_future_values_are_converted_like_the_window() -> None:
    out = legalize(known_contract(), future=future_rows([2000.0] * 4), units={"plan": "W"})
    assert out.future is not None and out.future[:, 0].tolist() == [2, 2, 2, 2]
    assert out.window[-1, 2] == pytest.approx(0.005)  # the window's 5 W, in kW
    default = known_contract(sourceUnits={"plan": "MW"})
    assert legalize(default, future=future_rows([1.0] * 4)).future[0, 0] == 1000.0


def test_future_gaps_are_filled_by_the_policy_and_reported() -> None:
    linear = legalize(known_contract(), future=future_rows([2.0, None, 4, 6]))
    assert linear.future[:, 0].tolist() == [2, 3, 4, 6]
    assert [w.code for w in linear.warnings] == ["FILLED"]
    assert linear.warnings[0].details["future"] == {"production": 1}
    first_missing = legalize(known_contract(fill="ffill"), future=future_rows([None, 3, 4, 6]))
    assert first_missing.future[:, 0].tolist() == [5, 3, 4, 6]  # the window's last value


def test_points_past_the_requested_horizon_may_be_left_out() -> None:
    out = legalize(known_contract(), future=future_rows([2.0, 3.0]), horizon=2)
    assert out.future[:, 0].tolist() == [2, 3, 3, 3] and out.warnings == []


def test_rows_outside_the_forecast_period_are_ignored() -> None:
    given = (
        future_rows([9.0, 9.0], start=START)
        + future_rows([2.0] * 4)
        + future_rows([9.0], start=AFTER + 4 * HOUR)
    )
    assert legalize(known_contract(), future=given).future[:, 0].tolist() == [2, 2, 2, 2]


def test_absent_future_names_what_the_deployment_needs() -> None:
    with pytest.raises(InvalidInput) as info:
        legalize(known_contract())
    assert "needs production (field 'plan', kW) for the 4 points after 2025-07-01T05:00:00Z" in (
        info.value.message
    )
    assert info.value.details["field"] == "future"
    assert info.value.details["fields"] == ["plan"]


def test_sparse_future_is_refused() -> None:
    with pytest.raises(InputMissingExceeds) as info:
        legalize(known_contract(maxMissingRatio=0.2), future=future_rows([2.0, None, None, 4]))
    assert info.value.details["input"] == "production" and info.value.details["missing"] == 2
    with pytest.raises(InputMissingExceeds):  # rows, but none with the field
        legalize(known_contract(maxMissingRatio=1.0), future=rows(4, start=AFTER, other=1.0))


def test_optional_known_input_may_be_absent() -> None:
    inputs = [
        {"name": "load", "source": "value", "unit": "kW"},
        {"name": "production", "source": "plan", "unit": "kW", "known": True, "required": False},
    ]
    out = legalize(contract(inputs=inputs), future=rows(4, start=AFTER, other=1.0))
    assert out.future[:, 0].tolist() == [0, 0, 0, 0]
    assert [w.code for w in out.warnings] == ["OPTIONAL_INPUT_ABSENT"]


def test_no_known_inputs_no_future() -> None:
    out = legalize(contract(), future=future_rows([1.0] * 4))
    assert out.future is None


def test_holiday_column_follows_the_calendar() -> None:
    dep = contract(lookback=2, horizon=24, frequency="1h", calendar=True, holidays="DE")
    christmas_eve = int(datetime(2025, 12, 24, 23, tzinfo=UTC).timestamp())
    phases = calendar_phases(christmas_eve, dep)
    assert phases.shape == (26, 3)
    assert phases[:2, 2].tolist() == [0.0, 0.0] and phases[2:, 2].tolist() == [1.0] * 24
    plain = calendar_phases(christmas_eve, contract(lookback=2, horizon=24, calendar=True))
    np.testing.assert_array_equal(plain, phases[:, :2])


def test_unknown_holiday_calendar_is_refused() -> None:
    with pytest.raises(InvalidInput):
        prepare_contract(contract(calendar=True, holidays="XX"))


@SETTINGS
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=12
    ),
    shift=st.integers(-3, 3),
    horizon=st.integers(1, 8),
)
def test_bucketing_keeps_each_point_inside_the_period(
    values: list[float | None], shift: int, horizon: int
) -> None:
    step_us = 3_600_000_000
    start = 1_000 * step_us
    times = np.array([start + (k + shift) * step_us for k in range(len(values))], dtype=np.int64)
    column = np.array([np.nan if v is None else v for v in values], dtype=np.float64)[:, None]
    grid = bucket_future(times, column, start, step_us, horizon)
    assert grid.means.shape == (horizon, 1)
    for k in range(horizon):
        i = k - shift
        given = 0 <= i < len(values) and values[i] is not None
        assert grid.gaps[k, 0] == (not given)
        if given:
            assert grid.means[k, 0] == values[i]


@SETTINGS
@given(
    plan=st.lists(
        st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False, width=32)),
        min_size=4,
        max_size=4,
    ),
    fill=st.sampled_from(["linear", "ffill"]),
    ratio=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
)
def test_future_is_finite_or_refused(plan: list[float | None], fill: str, ratio: float) -> None:
    dep = known_contract(fill=fill, maxMissingRatio=ratio)
    missing = sum(v is None for v in plan)
    try:
        out = legalize(dep, future=future_rows(plan))
    except InputMissingExceeds:
        assert missing == 4 or missing / 4 > ratio
        return
    assert missing / 4 <= ratio and missing < 4
    assert out.future is not None and np.isfinite(out.future).all()
    for k, v in enumerate(plan):
        if v is not None:
            assert out.future[k, 0] == np.float32(v)


def test_holiday_flags_are_the_layouts() -> None:
    dep = contract(lookback=48, horizon=48, calendar=True, holidays="DE-BW")
    end = int(datetime(2026, 1, 5, 12, tzinfo=UTC).timestamp())  # Epiphany 6 Jan in BW
    phases = calendar_phases(end, dep)
    seconds = end + 3600 * np.arange(-47, 49, dtype=np.int64)
    np.testing.assert_array_equal(phases[:, 2], holiday_flags(seconds.astype(float), "DE-BW"))
    assert phases[:, 2].sum() == 24.0
