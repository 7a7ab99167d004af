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


def test_check_observations_groups_alarm_worthy_readings_into_events() -> None:
    dep = contract()
    hours = list(range(6, 18))
    forecast = ForecastIntervals(
        values=[ForecastPoint(t=iso(START + timedelta(hours=h))) for h in hours],
        intervals={"p05": [400.0] * 12, "p50": [410.0] * 12, "p95": [420.0] * 12},
        unit="kW",
    )
    values = [411.0, 409.0, 423.0, 1000.0, 1100.0, 950.0, 405.0, 412.0, 0.0, 0.0, 409.0, 411.0]
    series = [
        {"timestamp": iso(START + timedelta(hours=h)), "value": v}
        for h, v in zip(hours, values, strict=True)
    ]
    report = check_observations(dep, InferenceInput(series=series), forecast)
    assert len(report.anomalies) == 6  # every reading outside [p05, p95], as before
    assert [(e.kind, e.readings) for e in report.events] == [("level_shift", 3), ("dropout", 2)]
    shift = report.events[0]
    assert shift.reason == "Level shift: load 2.5x the expected 410 kW for 3 h"
    assert shift.energyAboveExpectedKWh == pytest.approx((1000 + 1100 + 950 - 3 * 410) * 1.0)
    assert [a.event for a in report.anomalies] == [None, 0, 0, 0, 1, 1]
    assert report.policy is not None and report.policy.level == 0.9999
