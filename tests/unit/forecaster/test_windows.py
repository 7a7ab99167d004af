"""Alignment to the plan grid, chronological splits and lazily gathered windows."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
import torch

from loadstar_core.features.align import align_frame
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan, PlanInput
from training.data import SplitBounds, chronological_split, prepare_series

PLAN = FeaturePlan(
    target="y",
    inputs=[PlanInput(name="y"), PlanInput(name="x")],
    frequency="1h",
    lookback=4,
    horizon=2,
)


def hourly(values: list[float], start: datetime = datetime(2024, 1, 1)) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "timestamp": [start + timedelta(hours=i) for i in range(len(values))],
            "y": values,
            "x": [v * 10 for v in values],
        }
    )


def test_alignment_averages_each_bucket_and_fills_only_short_gaps() -> None:
    t0 = datetime(2024, 1, 1)
    frame = pl.DataFrame(
        {
            "timestamp": [
                t0,
                t0 + timedelta(minutes=30),
                t0 + timedelta(hours=2),
                t0 + timedelta(hours=9),
            ],
            "y": [1.0, 3.0, 6.0, 20.0],
            "x": [0.0, 0.0, 0.0, 0.0],
        }
    ).sample(fraction=1.0, shuffle=True, seed=1)
    aligned = align_frame(frame, PLAN, max_gap=3)
    assert aligned.height == 10
    y = aligned["y"].to_list()
    assert y[0] == 2.0  # mean of the two readings in the first hour
    assert y[1] == pytest.approx(4.0)  # one missing point, interpolated
    assert y[3:9] == [None] * 6  # six missing points: longer than max_gap, left empty
    assert y[9] == 20.0


def test_zoned_and_string_timestamps_land_on_the_utc_grid() -> None:
    frame = pl.DataFrame(
        {
            "timestamp": ["2024-01-01T02:00:00+02:00", "2024-01-01T01:00:00Z"],
            "y": [1.0, 2.0],
            "x": [0.0, 0.0],
        }
    )
    aligned = align_frame(frame, PLAN)
    assert aligned["timestamp"].to_list() == [datetime(2024, 1, 1, 0), datetime(2024, 1, 1, 1)]


def test_missing_columns_are_invalid_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        align_frame(hourly([1.0]).drop("x"), PLAN)
    assert caught.value.details["missing"] == ["x"]


def test_windows_gather_the_right_rows_without_copying_the_series() -> None:
    values = [float(i) for i in range(30)]
    series = prepare_series(
        align_frame(hourly(values), PLAN), PLAN, SplitBounds((0, 20), (20, 25), (25, 30))
    )
    train, val, test = (series.windows(p) for p in ("train", "val", "test"))
    # Train windows keep their inputs inside the train rows; val/test may reach back.
    assert train.origins.tolist() == list(range(4, 19))
    assert val.origins.tolist() == [20, 21, 22, 23]
    assert test.origins.tolist() == [25, 26, 27, 28]
    batch = val.batch(torch.tensor([1, 3]))
    assert batch.window[:, :, 0].tolist() == [[17, 18, 19, 20], [19, 20, 21, 22]]
    assert batch.window[:, :, 1].tolist() == [[170, 180, 190, 200], [190, 200, 210, 220]]
    assert batch.target.tolist() == [[21, 22], [23, 24]]
    assert batch.calendar.shape == (2, 6, 2)
    assert train.series.values.data_ptr() == val.series.values.data_ptr()


def test_windows_never_cross_unfilled_gaps() -> None:
    values: list[float | None] = [float(i) for i in range(30)]
    values[10:15] = [None] * 5
    frame = hourly([0.0] * 30).with_columns(pl.Series("y", values), pl.Series("x", values))
    series = prepare_series(
        align_frame(frame, PLAN, max_gap=2), PLAN, SplitBounds((0, 30), (30, 30), (30, 30))
    )
    for origin in series.windows("train").origins.tolist():
        rows = range(origin - PLAN.lookback, origin + PLAN.horizon)
        assert not any(10 <= r < 15 for r in rows)


def test_statistics_come_from_the_training_rows_only() -> None:
    values = [1.0] * 10 + [100.0] * 10
    series = prepare_series(align_frame(hourly(values), PLAN), PLAN, (0.5, 0.25, 0.25))
    assert series.stats.inputs["y"].mean == 1.0
    assert series.stats.inputs["y"].std == 0.0
    assert series.split == SplitBounds((0, 10), (10, 15), (15, 20))


def test_split_fractions_are_checked() -> None:
    assert chronological_split(100, (0.7, 0.1, 0.2)) == SplitBounds((0, 70), (70, 80), (80, 100))
    with pytest.raises(InvalidInput):
        chronological_split(100, (0.7, 0.2, 0.2))
    with pytest.raises(InvalidInput):
        prepare_series(
            align_frame(hourly([1.0] * 10), PLAN), PLAN, SplitBounds((0, 8), (8, 12), (12, 14))
        )


def test_standard_ett_split_gives_the_literature_window_count() -> None:
    rows = 14_400 + 100
    values = np.sin(np.arange(rows) / 5.0).tolist()
    plan = FeaturePlan(
        target="y",
        inputs=[PlanInput(name="y"), PlanInput(name="x")],
        frequency="1h",
        lookback=336,
        horizon=96,
    )
    series = prepare_series(
        align_frame(hourly(values), plan),
        plan,
        SplitBounds((0, 8640), (8640, 11520), (11520, 14400)),
    )
    assert len(series.windows("test")) == 2880 - 96 + 1
    assert len(series.windows("train")) == 8640 - 336 - 96 + 1


def test_a_dropout_in_the_target_keeps_windows_that_only_look_back_at_it() -> None:
    """A load that never nears zero: its one exact 0 is a dropout. No window forecasts it
    (the fit would learn a fall to zero); windows that see it in their history stay (the
    graph mends it there, as it will when serving)."""
    values = [100.0 + (i % 24) for i in range(200)]
    values[120] = 0.0
    series = prepare_series(align_frame(hourly(values), PLAN), PLAN, (1.0, 0.0, 0.0))
    assert series.stats.inputs["y"].dropoutZeros
    train = series.windows("train")
    origins = train.origins.tolist()
    assert not any(o <= 120 < o + PLAN.horizon for o in origins)
    assert any(o - PLAN.lookback <= 120 < o for o in origins)
    assert len(origins) == 200 - PLAN.lookback - PLAN.horizon + 1 - PLAN.horizon
    idle = [0.0 if i % 3 == 0 else 100.0 for i in range(200)]  # zero is a reading here
    kept = prepare_series(align_frame(hourly(idle), PLAN), PLAN, (1.0, 0.0, 0.0))
    assert kept.target_holes is None
    assert len(kept.windows("train")) == 200 - PLAN.lookback - PLAN.horizon + 1
