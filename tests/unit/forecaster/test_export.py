"""The exported ONNX graph reproduces the torch model, with and without calendar input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from loadstar_core.features.align import align_frame
from training.data import prepare_series
from training.export import export_onnx
from training.models import ALGORITHMS, parse_hyperparams
from training.pipeline import build_graph

from .synthetic import daily_frame, small_plan
from .test_algorithms import SMALL


@pytest.mark.parametrize(
    ("algorithm", "calendar"), [(a, True) for a in ALGORITHMS] + [("linear", False)]
)
def test_onnx_matches_torch_on_held_out_windows(
    tmp_path: Path, algorithm: str, calendar: bool
) -> None:
    plan = small_plan(calendar=calendar)
    series = prepare_series(align_frame(daily_frame(), plan), plan, (0.7, 0.15, 0.15))
    graph = build_graph(plan, series, parse_hyperparams(algorithm, SMALL[algorithm]))
    graph.interval_scale.copy_(torch.tensor([1.3, 1.0, 0.8]))  # the calibration is exported too
    test = series.windows("test")
    report = export_onnx(graph, test.batch(torch.arange(len(test))), tmp_path)
    assert report.max_rel_diff < 1e-4 and report.checked_windows == len(test)
    model = onnx.load(str(report.path))
    assert model.opset_import[0].version >= 17
    names = [i.name for i in model.graph.input]
    assert names == (["window", "calendar"] if calendar else ["window"])
    # Dynamic batch: one window and many windows both run.
    session = ort.InferenceSession(str(report.path))
    batch = test.batch(torch.arange(3))
    feeds = {"window": batch.window.numpy()}
    if calendar:
        feeds["calendar"] = batch.calendar.numpy()
    out = session.run(["quantiles"], feeds)[0]
    assert out.shape == (3, plan.horizon, 3)
    assert np.all(np.diff(out, axis=-1) >= 0)
    with torch.no_grad():
        expected = graph.eval()(batch.window, batch.calendar if calendar else None).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    parity = np.load(report.parity_path)
    assert parity["window"].shape == (1, plan.lookback, 2)
    assert parity["quantiles"].shape == (1, plan.horizon, 3)
