"""Many meters, one model: one job over the long synthetic factory (a `line` column), its
exported graph answering each asset on that asset's own scale."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from infra.demo.factory import factory_frame, one_line
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan, PlanInput, Seasonality
from training.global_series import PooledSeries, pool_series
from training.models import parse_hyperparams
from training.pipeline import train_forecaster

DAYS = 28
PLAN = FeaturePlan(
    target="load_kw",
    inputs=[
        PlanInput(name="load_kw", unit="kW"),
        PlanInput(name="production_plan", unit="1", known=True),
        PlanInput(name="ambient_temp_c", unit="degC", known=True),
    ],
    frequency="15min",
    lookback=96,
    horizon=8,
    ops=[Seasonality(holidays="DE-BW")],
)


@pytest.fixture(scope="module")
def frame():  # type: ignore[no-untyped-def]
    return factory_frame(days=DAYS, lines=2)


def test_the_factory_is_long_form_with_one_row_per_line_and_step(frame) -> None:  # type: ignore[no-untyped-def]
    assert set(frame.get_column("line").unique()) == {"line-a", "line-b"}
    assert frame.height == 2 * DAYS * 96
    a, b = (one_line(frame, n).get_column("load_kw").mean() for n in ("line-a", "line-b"))
    assert a > 1.3 * b  # two meters on clearly different scales


def test_pooled_windows_stay_inside_their_own_series(frame) -> None:  # type: ignore[no-untyped-def]
    params = parse_hyperparams("auto", {"series_column": "line"})
    pooled = pool_series(frame, PLAN, params)
    series = pooled.series
    assert isinstance(series, PooledSeries) and pooled.scaling.assets == ["line-a", "line-b"]
    for part in ("train", "val", "test"):
        windows = series.windows(part)
        ids = series.series_of(windows)
        assert set(ids.tolist()) == {0, 1}, part
        first = series.row_series[windows.origins - PLAN.lookback]
        last = series.row_series[windows.origins + PLAN.horizon - 1]
        assert (first == ids).all() and (last == ids).all(), part
    # each series' training rows are z-scored by their own statistics
    for k, (offset, bounds) in enumerate(series.blocks):
        rows = series.values[offset + bounds.train[0] : offset + bounds.train[1], 0].numpy()
        assert abs(float(np.nanmean(rows))) < 1e-4 and abs(float(np.nanstd(rows)) - 1) < 1e-3, k
    # the identity is a known input: one one-hot column per line (four weeks of data: too
    # few for each line's own calendar cells)
    assert pooled.plan.known_inputs[2:] == ["line=line-a", "line=line-b"]


def test_with_enough_weeks_each_line_gets_its_own_calendar_cells() -> None:
    long = factory_frame(days=84, lines=2)
    pooled = pool_series(long, PLAN, parse_hyperparams("auto", {"series_column": "line"}))
    known = pooled.plan.known_inputs
    assert known[2:4] == ["line=line-a", "line=line-b"]
    assert len(known) == 4 + 2 * 8 * 3 and "line=line-b@sat06h" in known
    windows = pooled.series.windows("train")
    batch = windows.batch(torch.arange(0, len(windows), 97))
    ids = pooled.series.series_of(windows)[torch.arange(0, len(windows), 97)]
    cells = batch.window[..., 5:]  # after 3 inputs and 2 one-hot columns
    # one cell is on per step, and only among the window's own line's cells
    assert torch.all(cells.sum(-1) == 1.0)
    own = cells.reshape(*cells.shape[:2], 2, -1).sum(-1)  # [B, L, line]
    assert torch.all(own[torch.arange(len(ids)), :, ids] == 1.0)


def test_a_missing_series_column_is_refused_by_name(frame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        pool_series(frame, PLAN, parse_hyperparams("auto", {"series_column": "meter"}))
    assert "meter" in refused.value.message and "line" in refused.value.details["columns"]


def test_one_global_model_forecasts_each_asset_on_its_own_scale(frame, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = train_forecaster(
        frame, PLAN, "auto", {"series_column": "line"}, workdir=tmp_path, emit=lambda *_: None
    )
    assert result.signature["assets"] == ["line-a", "line-b"]
    assert result.signature["inputs"][-1]["name"] == "series"
    card = json.loads(result.card_json_path.read_text())
    assert [i["name"] for i in card["featurePlan"]["inputs"]] == PLAN.input_names
    per_asset = result.metrics["perAsset"]
    assert set(per_asset) == {"line-a", "line-b"}
    # the trees' check ran on the pooled windows too (the series one-hot among their features)
    trees = result.metrics["candidates"]["trees"]
    assert trees["validationMaeRidge"] > 0 and trees["reason"]
    for line, scores in per_asset.items():
        # better than the seasonal naive on its own test windows, in its own kW
        assert scores["mae"] < scores["seasonalNaiveMae"], (line, scores)
    session = ort.InferenceSession(str(result.model_path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["window", "calendar", "future", "series"]
    parity = dict(np.load(result.parity_path))
    window = parity["window"]
    feeds = {k: v for k, v in parity.items() if k != "quantiles"}
    answers = {}
    for k in (0, 1):
        feeds["series"] = np.array([[k]], dtype=np.float32)
        answers[k] = session.run(["quantiles"], feeds)[0][0, :, 1]
    # the same raw window read as line-a or line-b: scaled by each line's own statistics
    assert not np.allclose(answers[0], answers[1])
    assert float(window[0, -1, 0]) > 0


def test_networks_train_on_the_pooled_series_too(frame, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = train_forecaster(
        frame,
        PLAN,
        "tide",
        {"series_column": "line", "epochs": 2, "hidden_size": 32},
        workdir=tmp_path,
        emit=lambda *_: None,
    )
    assert result.epochs_run >= 1 and set(result.metrics["perAsset"]) == {"line-a", "line-b"}


def test_without_a_series_column_a_job_is_one_series_as_before(frame, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = train_forecaster(
        one_line(frame, "line-b"), PLAN, "auto", {}, workdir=tmp_path, emit=lambda *_: None
    )
    assert "assets" not in result.signature and "perAsset" not in result.metrics
    session = ort.InferenceSession(str(result.model_path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["window", "calendar", "future"]
