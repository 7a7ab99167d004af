"""Ten-minute data end to end: the suggested plan stays on the data's own grid, trains,
and its exported forecast answers with steps ten minutes apart (not the 15-minute grid)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import numpy as np
import onnxruntime as ort
import polars as pl

from loadstar_core.features.auto import suggest_plan
from loadstar_core.postprocess import format_output, legalize_window, prepare_contract
from schemas.contracts import DeploymentContract, InferenceInput
from training.pipeline import train_forecaster

STEP = timedelta(minutes=10)
START = datetime(2024, 1, 1)


def ten_minute_frame(days: int, seed: int = 0) -> pl.DataFrame:
    """`load` with a daily cycle (144 steps) and a quieter weekend; `temp` a covariate."""
    rng = np.random.default_rng(seed)
    steps = np.arange(days * 144)
    phase = 2 * np.pi * steps / 144
    weekend = ((steps // 144) % 7 >= 5).astype(float)
    temp = 15 + 4 * np.sin(phase - 1.0) + rng.normal(0, 0.3, steps.size)
    load = 80 + 15 * np.sin(phase) - 10 * weekend + 0.8 * temp + rng.normal(0, 1.5, steps.size)
    return pl.DataFrame(
        {
            "timestamp": [START + int(i) * STEP for i in steps],
            "load": load,
            "temp": temp,
        }
    )


def test_a_ten_minute_series_trains_and_forecasts_ten_minutes_apart(tmp_path: Path) -> None:
    frame = ten_minute_frame(days=14)
    plan, _ = suggest_plan(frame, "load")
    assert plan.frequency == "10min" and plan.horizon == 144
    assert plan.uses_calendar
    # the ridge start and one epoch (as the ETTm1 covariates test): `auto`'s backtest of
    # every candidate costs minutes here (144 per-step solves of every candidate)
    result = train_forecaster(
        frame, plan, "linear", {"epochs": 1}, workdir=tmp_path, emit=lambda *_: None
    )
    assert np.isfinite(result.metrics["model"]["mae"])

    contract = msgspec.convert(
        {
            "deploymentId": "dep-10min",
            "modelId": "ten-minutes",
            "version": 1,
            "frequency": plan.frequency,
            "lookback": plan.lookback,
            "horizon": plan.horizon,
            "quantiles": plan.quantiles,
            "timestampField": "timestamp",
            "inputs": [{"name": n, "source": n, "unit": "1"} for n in plan.input_names],
            "target": {"name": "load", "outputUnit": "1"},
            "calendar": plan.uses_calendar,
            "meta": {"datasetId": "ds-10min", "featurePlanId": "fp-10min"},
        },
        DeploymentContract,
    )
    recent = frame.tail(plan.lookback)
    series = [
        {"timestamp": t.replace(tzinfo=UTC).isoformat(), "load": load, "temp": temp}
        for t, load, temp in recent.iter_rows()
    ]
    resolved = prepare_contract(contract)
    legalized = legalize_window(contract, InferenceInput(series=series), resolved)
    assert legalized.frequency_s == 600 and legalized.filled == {"load": 0, "temp": 0}
    assert legalized.calendar is not None
    # the calendar the graph reads advances by ten minutes a step: 1/144 of a day
    assert np.allclose(np.mod(np.diff(legalized.calendar[:, 0]), 1.0), 1 / 144, atol=1e-6)

    session = ort.InferenceSession(str(result.model_path), providers=["CPUExecutionProvider"])
    feeds = {"window": legalized.window[None], "calendar": legalized.calendar[None]}
    wanted = {i.name for i in session.get_inputs()}
    quantiles = session.run(["quantiles"], {k: v for k, v in feeds.items() if k in wanted})[0]
    answer = format_output(contract, legalized, quantiles, plan=resolved)

    times = [datetime.fromisoformat(p.t.replace("Z", "+00:00")) for p in answer.values]
    assert len(times) == 144
    assert times[0] == recent.get_column("timestamp")[-1].replace(tzinfo=UTC) + STEP
    assert {b - a for a, b in itertools.pairwise(times)} == {STEP}
    # a forecast of the cycle, not a flat line: the day's swing (±15) shows in the p50
    medians = np.array([p.y for p in answer.values])
    assert np.ptp(medians) > 15
