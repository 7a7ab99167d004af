"""Charts stay bounded and faithful; suggestions follow the evidence (hypothesis + cases)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from control_plane.datasets.schemas import IngestFacts, RangeRule
from control_plane.explore import charts
from control_plane.explore.quality import default_range, quality_report
from control_plane.explore.suggest import suggest_features
from loadstar_core.features.auto import suggest_plan
from loadstar_core.profile import profile
from schemas.feature_plan import FeatureOp

SETTINGS = settings(max_examples=60, deadline=None)


def hourly(values: np.ndarray, **others: np.ndarray) -> pl.DataFrame:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = pl.datetime_range(start, start.replace(year=2100), "1h", eager=True, time_zone="UTC")[
        : len(values)
    ]
    return pl.DataFrame({"timestamp": times, "load": values, **others})


@SETTINGS
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=2000),
    st.integers(10, 400),
)
def test_series_is_bounded_and_keeps_the_extremes(values: list[float], max_points: int) -> None:
    chart = charts.series_chart(hourly(np.array(values)), "load", max_points)
    assert len(chart.t) == len(chart.y) <= max(max_points, 1)
    assert chart.originalPoints == len(values)
    assert max(chart.y) == max(values) and min(chart.y) == min(values)
    assert chart.t == sorted(chart.t)
    assert chart.method == ("none" if len(values) <= max_points else "minmax")


def test_acf_finds_the_period_of_a_sine() -> None:
    t = np.arange(24 * 30)
    frame = hourly(np.sin(2 * np.pi * t / 24))
    chart = charts.acf_chart(frame, "load", 3600.0)
    assert chart is not None and chart.values[0] == pytest.approx(1.0)
    assert chart.lags[-1] == 336 and chart.stepSeconds == 3600.0
    assert chart.values[24] > 0.9
    assert chart.values[12] < -0.9


@pytest.mark.parametrize(
    ("step", "grid"), [(60, 600), (300, 600), (900, 900), (3600, 3600), (86_400, 86_400)]
)
def test_acf_grid_keeps_two_weeks_under_2016_lags(step: float, grid: float) -> None:
    assert charts.acf_step(step) == grid and 14 * 86_400 / charts.acf_step(step) <= 2016


def test_density_integrates_to_one_and_box_is_ordered() -> None:
    values = pl.Series("load", np.random.default_rng(0).normal(10, 2, 5000))
    density = charts.density_chart(values)
    assert density is not None
    width = density.x[1] - density.x[0]
    assert sum(density.density) * width == pytest.approx(1.0, abs=0.01)
    box = charts.box_chart(pl.Series("load", [*range(100), 1000]))
    assert box is not None and box.outliers == 1 and box.whiskerHigh == 99 and box.max == 1000


def test_profiles_have_every_slot() -> None:
    t = np.arange(24 * 21)
    chart = charts.profile_chart(hourly(t % 24 * 1.0), "load", "daily")
    assert chart.slot == list(range(24)) and chart.mean == [float(h) for h in range(24)]
    weekly = charts.profile_chart(hourly(t * 1.0), "load", "weekly")
    assert len(weekly.mean) == 168 and sum(weekly.count) == t.size


def suggestions(frame: pl.DataFrame) -> list[tuple[str, dict[str, object], str]]:
    found = suggest_features(frame, "load")
    for f in found:  # every suggestion is a valid plan op
        msgspec.convert({"op": f.op, **f.params}, FeatureOp)
    return [(f.op, f.params, f.reason) for f in found]


def test_daily_cycle_suggests_lag_24_and_seasonality_with_the_acf() -> None:
    t = np.arange(24 * 28)
    rng = np.random.default_rng(3)
    load = 50 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, t.size)
    temp = load * 0.5 + rng.normal(0, 1, t.size)
    found = suggestions(hourly(load, temp=temp, noise=rng.normal(0, 1, t.size)))
    lag24 = next(r for op, p, r in found if op == "lag" and p["lags"] == [24])
    assert "daily cycle: autocorrelation at 24h (lag 24) = 0.9" in lag24 and "at 12h" in lag24
    assert any(op == "seasonality" and p["daily"] is True for op, p, _ in found)


def test_explore_suggests_exactly_the_ops_of_the_default_plan() -> None:
    """One rule set: what Explore suggests is what an auto plan trains with."""
    t = np.arange(24 * 28)
    rng = np.random.default_rng(7)
    load = 50 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 1, t.size)
    frame = hourly(load, temp=load * 0.3 + rng.normal(0, 1, t.size))
    plan, _ = suggest_plan(frame, "load")
    assert [(f.op, f.params) for f in suggest_features(frame, "load")] == [
        (
            type(op).__struct_config__.tag,
            {k: v for k, v in msgspec.structs.asdict(op).items() if v is not None},
        )
        for op in plan.ops
    ]


def test_random_walk_gets_differencing_and_no_seasonal_lag() -> None:
    walk = np.cumsum(np.random.default_rng(4).normal(0, 1, 24 * 28))
    found = suggestions(hourly(walk))
    diff = next(r for op, _, r in found if op == "diff")
    assert "lag-1 autocorrelation 0.9" in diff
    assert not any(op == "lag" for op, _, _ in found)
    calendar = next(r for op, _, r in found if op == "seasonality")
    assert "no clear autocorrelation peak" in calendar


def test_quality_rules() -> None:
    load = np.concatenate([np.random.default_rng(5).normal(100, 5, 500), [1e4]])
    frame = hourly(load)
    prof = profile(frame, 3600.0)
    assert default_range(prof.stats["load"]) is not None
    facts = IngestFacts(sortedOnUpload=True, duplicateTimestamps=0, timezone="naive")
    report = quality_report("ds-x", frame, prof, facts, "1h", {}, datetime.now(UTC))
    rules = {(r.rule, r.column): r for r in report.rules}
    assert rules[("range", "load")].details["violations"] == 1  # 1/501 > 0.1%: fails
    assert not rules[("range", "load")].passed and rules[("notNull", "load")].passed
    assert rules[("monotonicTimestamps", None)].passed and rules[("regularInterval", None)].passed
    loose = quality_report(
        "ds-x", frame, prof, facts, "1h", {"load": RangeRule(max=2e4)}, datetime.now(UTC)
    )
    assert loose.passed and loose.score == 1.0
