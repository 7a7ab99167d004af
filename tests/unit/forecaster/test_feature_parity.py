"""The torch feature module and its polars twin compute the same columns."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import polars as pl
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.features.layout import calendar_phases, feature_columns, validate_plan
from loadstar_core.features.polars_ops import feature_frame
from loadstar_core.features.stats import compute_stats
from schemas.errors import InvalidInput
from schemas.feature_plan import (
    Diff,
    FeatureOp,
    FeaturePlan,
    Lag,
    Normalize,
    PlanInput,
    Rolling,
    Seasonality,
)
from training.features.torch_ops import FeatureBlock

NAMES = ["a", "b"]


@st.composite
def plans(draw: st.DrawFn) -> tuple[FeaturePlan, np.ndarray, int]:
    lookback = draw(st.integers(4, 40))
    horizon = draw(st.integers(1, 6))
    ops: list[FeatureOp] = []
    if draw(st.booleans()):
        ops.append(Normalize(method=draw(st.sampled_from(["zscore", "minmax"])), inputs=["a"]))
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(NAMES))
        kind = draw(st.sampled_from(["lag", "rolling", "diff"]))
        if kind == "lag":
            lags = draw(st.lists(st.integers(1, lookback - 1), min_size=1, max_size=3, unique=True))
            ops.append(Lag(input=name, lags=lags))
        elif kind == "rolling":
            stats: list[Literal["mean", "std", "min", "max"]] = draw(
                st.lists(
                    st.sampled_from(["mean", "std", "min", "max"]),
                    min_size=1,
                    max_size=4,
                    unique=True,
                )
            )
            ops.append(Rolling(input=name, window=draw(st.integers(2, lookback)), stats=stats))
        else:
            ops.append(Diff(input=name, periods=draw(st.integers(1, lookback - 1))))
    if draw(st.booleans()):
        ops.append(
            Seasonality(
                daily=draw(st.booleans()), weekly=True, fourierOrder=draw(st.integers(1, 4))
            )
        )
    plan = FeaturePlan(
        target="a",
        inputs=[PlanInput(name=n) for n in NAMES],
        frequency="1h",
        lookback=lookback,
        horizon=horizon,
        ops=ops,
    )
    values = draw(
        st.lists(
            st.floats(-1e3, 1e3, allow_nan=False, width=32),
            min_size=lookback * 2,
            max_size=lookback * 2,
        )
    )
    start_hour = draw(st.integers(0, 24 * 7 * 52))
    return plan, np.asarray(values, dtype=np.float64).reshape(lookback, 2), start_hour


def _is_unique(plan: FeaturePlan) -> bool:
    columns = feature_columns(plan)
    return len(set(columns)) == len(columns)


@settings(max_examples=40, deadline=None)
@given(plans())
def test_torch_and_polars_features_agree(case: tuple[FeaturePlan, np.ndarray, int]) -> None:
    plan, values, start_hour = case
    if not _is_unique(plan):
        with pytest.raises(InvalidInput):
            validate_plan(plan)
        return
    start = datetime(2020, 1, 1) + timedelta(hours=start_hour)
    stamps = [start + timedelta(hours=i) for i in range(plan.lookback + plan.horizon)]
    frame = pl.DataFrame(
        {"timestamp": stamps[: plan.lookback], "a": values[:, 0], "b": values[:, 1]}
    )
    stats = compute_stats(frame, NAMES)
    expected = feature_frame(frame, plan, stats).drop("timestamp").to_numpy()

    block = FeatureBlock(plan, stats)
    window = torch.tensor(values, dtype=torch.float32).unsqueeze(0)
    calendar = torch.from_numpy(_phases(stamps)).unsqueeze(0)
    past, future = block(window, calendar)
    actual = past[0].numpy().astype(np.float64)
    assert actual.shape == expected.shape
    scale = 1.0 + np.abs(expected).max(axis=0, keepdims=True)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=2e-5 * scale.max() + 1e-4)
    if block.n_calendar:
        assert future is not None and future.shape == (1, plan.horizon, block.n_calendar)


def _phases(stamps: list[datetime]) -> np.ndarray:
    epoch = np.array([(s - datetime(1970, 1, 1)).total_seconds() for s in stamps])
    return calendar_phases(epoch)


def test_edge_padding_repeats_the_first_value() -> None:
    plan = FeaturePlan(
        target="a",
        inputs=[PlanInput(name="a")],
        frequency="1h",
        lookback=4,
        horizon=1,
        ops=[
            Lag(input="a", lags=[2]),
            Diff(input="a", periods=1),
            Rolling(input="a", window=3, stats=["mean", "max"]),
        ],
    )
    frame = pl.DataFrame(
        {"timestamp": [datetime(2024, 1, 1, h) for h in range(4)], "a": [1.0, 2.0, 4.0, 8.0]}
    )
    out = feature_frame(frame, plan, compute_stats(frame, ["a"]))
    assert out["a_lag2"].to_list() == [1.0, 1.0, 1.0, 2.0]
    assert out["a_diff1"].to_list() == [0.0, 1.0, 2.0, 4.0]
    assert out["a_roll3_mean"].to_list() == pytest.approx([1.0, 4 / 3, 7 / 3, 14 / 3])
    assert out["a_roll3_max"].to_list() == [1.0, 2.0, 4.0, 8.0]


def test_calendar_phases_follow_the_contract() -> None:
    # 2024-01-01 was a Monday: week phase 0 at midnight UTC, day phase 0.5 at noon.
    monday = (datetime(2024, 1, 1) - datetime(1970, 1, 1)).total_seconds()
    phases = calendar_phases(np.array([monday, monday + 12 * 3600, monday + 86400 * 3.5]))
    expected = np.array([[0, 0], [0.5, 1 / 14], [0.5, 0.5]], dtype=np.float32)
    assert np.abs(phases - expected).max() < 1e-6


@pytest.mark.parametrize(
    "ops",
    [
        [Lag(input="a", lags=[4])],
        [Rolling(input="a", window=5, stats=["mean"])],
        [Lag(input="zz", lags=[1])],
        [Normalize(), Normalize()],
    ],
)
def test_plans_the_model_cannot_run_are_refused(ops: list[FeatureOp]) -> None:
    plan = FeaturePlan(
        target="a", inputs=[PlanInput(name="a")], frequency="1h", lookback=4, horizon=1, ops=ops
    )
    with pytest.raises(InvalidInput):
        validate_plan(plan)
