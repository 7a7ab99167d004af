"""`suggest_plan` finds the season, the frequency and the inputs, with reasons."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from loadstar_core.features.auto import infer_frequency, suggest_plan
from loadstar_core.features.layout import validate_plan
from schemas.errors import InvalidInput
from schemas.feature_plan import Lag, Normalize, Rolling, Seasonality

from .synthetic import daily_frame


def test_a_daily_cycle_gives_a_daily_lag_and_calendar_terms() -> None:
    plan, suggestions = suggest_plan(daily_frame(days=60), "load")
    assert plan.frequency == "1h" and plan.horizon == 24
    assert plan.input_names == ["load", "temp"]
    lags = [op for op in plan.ops if isinstance(op, Lag)]
    assert lags and lags[0].lags == [24]
    seasons = [op for op in plan.ops if isinstance(op, Seasonality)]
    assert seasons and seasons[0].daily and seasons[0].holidays is None
    assert any(isinstance(op, Normalize) for op in plan.ops)
    lag_reason = next(s for s in suggestions if s.op is lags[0])
    assert "autocorrelation at 24h (lag 24)" in lag_reason.reason and lag_reason.score is not None
    assert lag_reason.score > 0.5
    # the same reason as a message code with its parameters, for a console in any language
    assert lag_reason.code == "cycleDaily" and lag_reason.params["dailyLag"] == "24"
    assert all(s.code for s in suggestions)
    validate_plan(plan)


def test_a_random_walk_gets_no_season() -> None:
    rng = np.random.default_rng(3)
    hours = 96 * 60
    frame = pl.DataFrame(
        {
            "timestamp": [datetime(2024, 1, 1) + timedelta(minutes=15 * i) for i in range(hours)],
            "power": np.cumsum(rng.normal(size=hours)),
        }
    )
    plan, _ = suggest_plan(frame, "power")
    assert plan.frequency == "15min" and plan.horizon == 96 and plan.lookback == 720
    assert not any(isinstance(op, Lag) for op in plan.ops)
    # calendar cells are always offered; the fit shrinks them where they do not help
    season = next(op for op in plan.ops if isinstance(op, Seasonality))
    assert season.daily and season.weekly
    validate_plan(plan)


def test_known_inputs_and_holidays_reach_the_plan() -> None:
    frame = daily_frame(days=30).with_columns(pl.lit(1.0).alias("flat"))
    plan, _ = suggest_plan(frame, "load", known=["temp"], holidays="DE-BW")
    assert plan.known_inputs == ["temp"] and plan.holidays == "DE-BW"
    validate_plan(plan)
    with pytest.raises(InvalidInput):
        suggest_plan(frame, "load", known=["load"])
    with pytest.raises(InvalidInput):
        suggest_plan(frame, "load", known=["nope"])
    bad, _ = suggest_plan(frame, "load", holidays="XX")
    with pytest.raises(InvalidInput, match="holiday"):
        validate_plan(bad)


def test_short_data_shrinks_the_lookback() -> None:
    plan, _ = suggest_plan(daily_frame(days=20), "load")
    assert plan.lookback + plan.horizon <= 0.7 * 20 * 24 / 4 + 1
    validate_plan(plan)


def test_explicit_windows_and_constant_columns() -> None:
    frame = daily_frame(days=30).with_columns(pl.lit(1.0).alias("flat"), pl.lit("a").alias("label"))
    plan, _ = suggest_plan(frame, "load", lookback=72, horizon=6, quantiles=(0.1, 0.5, 0.9))
    assert (plan.lookback, plan.horizon, plan.quantiles) == (72, 6, [0.1, 0.5, 0.9])
    assert plan.input_names == ["load", "temp"]


@pytest.mark.parametrize(
    ("minutes", "frequency"),
    [(1, "1min"), (5, "5min"), (9.5, "10min"), (10, "10min"), (12, "15min"), (20, "30min")],
)
def test_frequency_is_the_median_interval_rounded_up_to_a_plan_frequency(
    minutes: float, frequency: str
) -> None:
    stamps = [datetime(2024, 1, 1) + timedelta(minutes=minutes * i) for i in range(50)]
    assert infer_frequency(pl.DataFrame({"t": stamps}), "t") == frequency


def test_ten_minute_data_gets_a_ten_minute_plan() -> None:
    """144 steps a day: a day ahead, the lookback capped at 720 points (five days), the
    daily lag and a day's rolling window; the weekly lag (1008) does not fit the window,
    the calendar cells carry the week."""
    rng = np.random.default_rng(5)
    steps = np.arange(144 * 60)
    day = np.sin(2 * np.pi * steps / 144) + 0.3 * np.sin(4 * np.pi * steps / 144)
    frame = pl.DataFrame(
        {
            "timestamp": [datetime(2024, 1, 1) + timedelta(minutes=10 * int(i)) for i in steps],
            "load": 50 + 10 * day + rng.normal(0, 0.5, steps.size),
        }
    )
    plan, suggestions = suggest_plan(frame, "load")
    assert (plan.frequency, plan.lookback, plan.horizon) == ("10min", 720, 144)
    assert next(s for s in suggestions if s.kind == "frequency").value == "10min"
    lags = next(op for op in plan.ops if isinstance(op, Lag))
    assert lags.lags == [144]
    assert next(op for op in plan.ops if isinstance(op, Rolling)).window == 144
    season = next(op for op in plan.ops if isinstance(op, Seasonality))
    assert season.daily and season.weekly
    validate_plan(plan)


@pytest.mark.parametrize("target", ["missing", "label"])
def test_a_bad_target_is_invalid_input(target: str) -> None:
    frame = daily_frame(days=5).with_columns(pl.lit("a").alias("label"))
    with pytest.raises(InvalidInput):
        suggest_plan(frame, target)
