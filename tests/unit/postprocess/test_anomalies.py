"""Anomalies: observations outside the forecast interval, with score and reason."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from loadstar_core.postprocess import ForecastIntervals, check_observations, find_anomalies
from loadstar_core.postprocess.anomalies import ForecastPoint
from schemas.contracts import InferenceInput
from schemas.errors import InvalidInput

from .builders import START, contract, iso


def test_observations_outside_the_interval() -> None:
    stamps = ["t0", "t1", "t2", "t3"]
    found = find_anomalies(
        stamps,
        values=[180.0, 100.0, 50.0, np.nan],
        lower=[90.0, 90.0, 100.0, 90.0],
        expected=[110.0, 110.0, 110.0, 110.0],
        upper=[124.0, 124.0, 120.0, 124.0],
    )
    assert [a.timestamp for a in found] == ["t0", "t2"]
    high, low = found
    assert (high.value, high.expected, high.lower, high.upper) == (180.0, 110.0, 90.0, 124.0)
    assert high.reason == "exceeds p95 by 45%"
    assert high.score == pytest.approx(56 / 34, rel=1e-5)
    assert low.reason == "below p05 by 50%"
    assert low.score == pytest.approx(50 / 20, rel=1e-5)


def test_inside_or_on_the_bounds_is_normal() -> None:
    assert (
        find_anomalies(["a", "b"], [90.0, 124.0], [90.0, 90.0], [100.0, 100.0], [124.0, 124.0])
        == []
    )


def test_labels_and_zero_bounds() -> None:
    (found,) = find_anomalies(
        ["a"], [2.0], [-1.0], [0.0], [0.0], lower_label="p10", upper_label="p90"
    )
    assert found.reason == "exceeds p90 by 2"


def test_lengths_must_agree() -> None:
    with pytest.raises(InvalidInput):
        find_anomalies(["a", "b"], [1.0], [0.0], [0.5], [1.0])


def test_check_observations_matches_grid_points_and_converts_units() -> None:
    dep = contract()
    forecast = ForecastIntervals(
        values=[ForecastPoint(t=iso(START + timedelta(hours=h))) for h in (6, 7)],
        intervals={"p05": [1.0, 1.0], "p50": [2.0, 2.0], "p95": [3.0, 3.0]},
        unit="kW",
    )
    series = [
        {"timestamp": iso(START + timedelta(hours=6, minutes=10)), "value": 5000.0},  # 5 kW: high
        {"timestamp": iso(START + timedelta(hours=7, minutes=50)), "value": 2000.0},  # normal
        {"timestamp": iso(START + timedelta(hours=9)), "value": 9000.0},  # no forecast
    ]
    report = check_observations(dep, InferenceInput(series=series, units={"value": "W"}), forecast)
    (anomaly,) = report.anomalies
    assert anomaly.timestamp == iso(START + timedelta(hours=6, minutes=10))
    assert anomaly.value == 5.0 and anomaly.reason == "exceeds p95 by 67%"
    assert [w.code for w in report.warnings] == ["OUTSIDE_FORECAST"]
