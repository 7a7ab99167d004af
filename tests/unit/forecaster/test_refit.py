"""`auto` serves its ridge refitted on training and validation; the intervals are still
calibrated on validation with the fit that did not see it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import onnxruntime as ort
import pytest
import torch

from loadstar_core.features.align import align_frame
from training.calibration import calibrate_intervals
from training.data import prepare_series
from training.models import parse_hyperparams
from training.models.common import LinearStart
from training.pipeline import build_graph, choose_candidate, train_forecaster
from training.trainer import evaluation_loss

from .synthetic import daily_frame, small_plan


def _loss(graph: Any, start: LinearStart, windows: Any, quantiles: list[float]) -> float:
    graph.forecaster.warm_start(start)
    return evaluation_loss(graph, windows, torch.tensor(quantiles), torch.device("cpu"))


def test_the_refit_has_learnt_from_validation() -> None:
    from training.models.warm_start import fit_linear_starts

    plan = small_plan()
    series = prepare_series(align_frame(daily_frame(days=60), plan), plan, (0.6, 0.25, 0.15))
    graph = build_graph(plan, series, parse_hyperparams("auto", {}))
    train, val = series.windows("train"), series.windows("val")
    held_out, refit = fit_linear_starts(graph, train, val, plan.quantiles)
    assert refit is not None
    assert not torch.equal(held_out.weight, refit.weight)
    # validation is in the refit's data: its error there is lower than the held-out fit's
    assert _loss(graph, refit, val, plan.quantiles) < _loss(graph, held_out, val, plan.quantiles)


def test_auto_calibrates_on_the_held_out_fit_and_serves_the_refit(tmp_path: Path) -> None:
    from training.models.warm_start import fit_linear_starts

    plan = small_plan()
    frame = daily_frame(days=60)
    logs: list[dict[str, Any]] = []
    result = train_forecaster(
        frame, plan, "auto", {}, workdir=tmp_path, emit=lambda _, p: logs.append(p)
    )
    assert "refit" in [line.get("code") for line in logs]
    card = json.loads(result.card_json_path.read_text())
    series = prepare_series(align_frame(frame, plan), plan, (0.7, 0.1, 0.2))
    served, _ = choose_candidate(plan, series, parse_hyperparams("auto", {}))
    graph = build_graph(plan, series, served)
    twin = msgspec.structs.replace(served, instance_norm="last")
    blend = build_graph(plan, series, twin) if served.ensemble else None
    train, val = series.windows("train"), series.windows("val")
    held_out, refit = fit_linear_starts(
        graph, train, val, plan.quantiles, exogenous=served.exogenous, blend=blend
    )
    graph.forecaster.warm_start(held_out)
    scale, _ = calibrate_intervals(graph, val, plan.quantiles)
    assert list(card["calibration"].values()) == pytest.approx(scale)  # not on what it saw
    assert refit is not None
    graph.forecaster.warm_start(refit)  # and what serves is the refit
    test = series.windows("test")
    batch = test.batch(torch.arange(len(test)))
    with torch.no_grad():
        expected = graph.eval()(batch.window, batch.calendar, batch.future).numpy()
    session = ort.InferenceSession(str(result.model_path), providers=["CPUExecutionProvider"])
    feeds = {"window": batch.window.numpy(), "calendar": batch.calendar.numpy()}
    feeds = {i.name: feeds[i.name] for i in session.get_inputs()}
    np.testing.assert_allclose(session.run(None, feeds)[0], expected, rtol=1e-4, atol=1e-3)
