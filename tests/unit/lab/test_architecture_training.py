"""A drawn architecture trains, exports to ONNX that matches torch, and augmentation
reaches the training windows only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
import torch

from tests.unit.forecaster.synthetic import FAST, daily_frame, small_plan
from training.graph import ForecastGraph
from training.pipeline import train_forecaster

from .arch_samples import every_block_graph, skip_graph

AUGMENT = [
    {"type": "jitter", "probability": 1.0, "sigma": 0.05},
    {"type": "scaling", "probability": 0.5},
    {"type": "timeWarp", "probability": 0.5},
    {"type": "mixup", "probability": 0.5},
    {"type": "gaps", "probability": 0.5, "fill": "ffill"},
]


def _onnx_matches(result: Any) -> None:
    saved = np.load(result.parity_path)
    feeds = {k: saved[k] for k in saved.files if k != "quantiles"}
    session = ort.InferenceSession(str(result.model_path), providers=["CPUExecutionProvider"])
    out = session.run(["quantiles"], feeds)[0]
    np.testing.assert_allclose(out, saved["quantiles"], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("graph", [skip_graph(), every_block_graph()], ids=["skip", "zoo"])
def test_an_architecture_trains_and_exports_like_torch(
    graph: dict[str, Any], tmp_path: Path
) -> None:
    params = {**FAST, "architecture": graph, "warm_start": False}
    result = train_forecaster(
        daily_frame(),
        small_plan(),
        "architecture",
        params,
        workdir=tmp_path,
        emit=lambda *_: None,
    )
    assert result.algorithm == "architecture"
    assert result.hyperparams["architecture"]["name"] == graph["name"]
    _onnx_matches(result)  # export_onnx itself refuses a relative difference >= 1e-4


def test_augmentation_changes_training_windows_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every forward pass in train mode and in eval mode is recorded: eval-mode windows
    (validation, test, calibration, export) are all windows of the series as measured;
    train-mode windows are not."""
    seen: list[tuple[bool, torch.Tensor]] = []
    original = ForecastGraph.normalized

    def spy(self: ForecastGraph, window: torch.Tensor, *rest: Any) -> torch.Tensor:
        seen.append((self.training, window.detach().cpu().clone()))
        return original(self, window, *rest)

    monkeypatch.setattr(ForecastGraph, "normalized", spy)
    frame, plan = daily_frame(), small_plan()
    params = {**FAST, "architecture": skip_graph(), "augmentation": AUGMENT}
    result = train_forecaster(
        frame, plan, "architecture", params, workdir=tmp_path, emit=lambda *_: None
    )
    values = frame.select(plan.input_names).to_numpy().astype(np.float32)
    measured = {
        values[i : i + plan.lookback].tobytes() for i in range(len(values) - plan.lookback + 1)
    }
    trained = [w for training, w in seen if training]
    evaluated = [w for training, w in seen if not training]
    assert trained and evaluated
    for batch in evaluated:
        assert all(row.numpy().tobytes() in measured for row in batch)
    changed = sum(row.numpy().tobytes() not in measured for batch in trained for row in batch)
    assert changed > 0.9 * sum(len(batch) for batch in trained)  # jitter has probability 1
    assert result.hyperparams["augmentation"][0]["type"] == "jitter"
