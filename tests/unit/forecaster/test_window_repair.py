"""Holes in a window are mended inside the graph: NaN always, exact zeros on an input whose
training split says they are dropouts. A meter dropout then barely moves the forecast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from loadstar_core.features.align import align_frame
from loadstar_core.features.stats import NEAR_ZERO, FeatureStats, InputStats, zeros_are_dropouts
from training.data import prepare_series
from training.features.repair import RepairWindow
from training.pipeline import train_forecaster

from .synthetic import daily_frame, small_plan

positive = arrays(np.float64, st.integers(50, 400), elements=st.floats(1.0, 1e6))


@settings(max_examples=100, deadline=None)
@given(positive, st.floats(1e-3, 1e3), st.integers(0, 3))
def test_the_dropout_rule_ignores_the_unit_and_a_few_zeros(
    values: np.ndarray, factor: float, zeros: int
) -> None:
    """Scaling the series does not change the answer; a few zeros (at most 1%) do not
    either; more than 1% of zeros, or readings that go negative, mean zero is a value."""
    values = values.copy()
    values[: zeros * values.size // 400] = 0.0  # at most 0.75%
    answer = zeros_are_dropouts(values)
    assert zeros_are_dropouts(values * factor) == answer
    readings = np.sort(values[values != 0])
    low, median = readings[(readings.size - 1) // 100], readings[(readings.size - 1) // 2]
    assert answer == (low >= NEAR_ZERO * median)  # zeros this rare: the spread alone decides
    many = values.copy()
    many[: values.size // 50 + 1] = 0.0  # 2%
    assert not zeros_are_dropouts(many)
    assert not zeros_are_dropouts(values - 2 * values.max())


def test_the_dropout_rule_on_loads() -> None:
    rng = np.random.default_rng(0)
    building = 900 + 100 * rng.standard_normal(5000)
    building[100:105] = 0.0
    assert zeros_are_dropouts(building)
    idle_line = np.where(rng.random(5000) < 0.3, 0.0, 400.0)  # off 30% of the time
    assert not zeros_are_dropouts(idle_line)
    near_zero = np.abs(rng.standard_normal(5000))  # readings that reach zero by themselves
    assert not zeros_are_dropouts(near_zero)


def _repair(flags: tuple[bool, bool], lookback: int = 72) -> RepairWindow:
    plan = small_plan(lookback=lookback)
    stats = FeatureStats(
        inputs={
            "load": InputStats(mean=100.0, std=1.0, min=0, max=200, dropoutZeros=flags[0]),
            "temp": InputStats(mean=20.0, std=1.0, min=0, max=40, dropoutZeros=flags[1]),
        }
    )
    return RepairWindow(plan, stats)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, (2, 72, 2), elements=st.floats(1.0, 79.0, width=32)))
def test_a_window_without_holes_is_left_alone(window: np.ndarray) -> None:
    x = torch.from_numpy(window)
    assert torch.equal(_repair((True, True))(x), x)


def test_holes_take_the_same_hour_a_day_away_and_zeros_only_where_flagged() -> None:
    hours = torch.arange(72, dtype=torch.float32)
    window = torch.stack([100 + hours, 20 + hours / 10], dim=-1).unsqueeze(0).clone()
    window[0, 50, 0] = 0.0  # a dropout on load: filled from 24 hours back
    window[0, 10, 0] = float("nan")  # nothing a day back: a day ahead
    window[0, 60, 1] = 0.0  # temp's zeros are readings here
    window[0, 61, 1] = float("nan")
    out = _repair((True, False))(window)
    assert out[0, 50, 0] == 100 + 26 and out[0, 10, 0] == 100 + 34
    assert out[0, 60, 1] == 0.0 and out[0, 61, 1] == pytest.approx(20 + 3.7)
    short = _repair((True, True), lookback=20)  # no day inside the window: the mean
    assert short(window[:, :20])[0, 10, 0] == 100.0
    glitches = window.clone()
    glitches[0, 30, 0] = 401.0  # past the training range [0, 200] by more than its width
    glitches[0, 40, 0] = 399.0  # a reading further out than training saw, kept
    glitches[0, 35, 1] = -9999.0
    out = _repair((False, False))(glitches)
    assert out[0, 30, 0] == 100 + 6 and out[0, 40, 0] == 399
    assert out[0, 35, 1] == pytest.approx(20 + 1.1)


def test_a_dropout_barely_moves_the_exported_forecast(tmp_path: Path) -> None:
    frame = daily_frame(days=60)
    plan = small_plan(lookback=48, horizon=12)
    result = train_forecaster(frame, plan, "auto", {}, workdir=tmp_path, emit=lambda *_: None)
    assert result.metrics is not None
    series = prepare_series(align_frame(frame, plan), plan, (0.7, 0.15, 0.15))
    assert series.stats.inputs["load"].dropoutZeros
    card = json.loads(result.card_json_path.read_text())
    assert card["inputContract"]["dropoutZeros"] == ["load", "temp"]
    assert "| a 0 read as a dropout | load, temp |" in result.card_md_path.read_text()
    fields = result.signature["inputs"][0]["fields"]  # what a deployment's contract reads
    assert [f.get("dropoutZeros") for f in fields] == [True, True]
    test = series.windows("test").batch(torch.arange(8))
    session = ort.InferenceSession(str(result.model_path))
    names = [i.name for i in session.get_inputs()]
    feeds = {"window": test.window.numpy(), "calendar": test.calendar.numpy()}
    feeds = {n: feeds[n] for n in names}
    clean = session.run(["quantiles"], feeds)[0][..., 1]
    holed = feeds["window"].copy()
    holed[:, 40:44, 0] = 0.0  # four hours of dropout near the end of every window
    holed[:, 30, 1] = np.nan  # and a missing temperature
    holed[:, 20, 0] = 1e6  # and a glitch
    mended = session.run(["quantiles"], {**feeds, "window": holed})[0][..., 1]
    assert np.isfinite(mended).all()
    # the load is about 100 +- 20: a dropout read as 0 would move the p50 by tens of kW
    assert np.abs(mended - clean).mean() < 2.0
