"""`train_forecaster` end to end: artifacts, events, pause/resume/stop and bad requests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import polars as pl
import pytest
import torch

from schemas.errors import InvalidInput
from training.pipeline import TrainingPaused, TrainingResult, TrainingStopped, train_forecaster

from .synthetic import FAST, daily_frame, small_plan

REPO_DATA = Path(__file__).resolve().parents[3] / "infra" / "demo" / "data"
DATA_DIR = Path(os.environ.get("LOADSTAR_DATA_DIR", REPO_DATA))
ETTH1 = DATA_DIR / "ETTh1.csv"


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, kind: str, payload: dict[str, Any]) -> None:
        json.dumps(payload, allow_nan=False)  # every payload is strict JSON
        self.events.append((kind, payload))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [p for k, p in self.events if k == kind]


def pauses_after(calls: int) -> Any:
    count = {"n": 0}

    def control() -> str:
        count["n"] += 1
        return "pause" if count["n"] == calls else "run"

    return control


@pytest.mark.skipif(not ETTH1.exists(), reason="ETTh1.csv not present")
def test_a_short_run_on_etth1_produces_every_artifact(tmp_path: Path) -> None:
    from loadstar_core.features.auto import suggest_plan

    frame = pl.read_csv(ETTH1, try_parse_dates=True).head(24 * 60)
    plan, _ = suggest_plan(frame, "HUFL", lookback=48, horizon=24, timestamp_column="date")
    emit = Recorder()
    result = train_forecaster(
        frame,
        plan,
        "linear",
        {"epochs": 2},
        workdir=tmp_path,
        emit=emit,
        dataset_id="ds-1",
        plan_id="fp-1",
    )
    for path in (
        result.model_path,
        result.card_json_path,
        result.card_md_path,
        result.parity_path,
        result.checkpoint_path,
    ):
        assert path.exists() and path.stat().st_size > 0
    card = json.loads(result.card_json_path.read_text())
    assert card["data"]["datasetId"] == "ds-1" and card["featurePlan"]["id"] == "fp-1"
    assert card["onnx"]["sha256"] == result.sha256 and card["onnx"]["opset"] >= 17
    assert card["onnx"]["maxRelDiff"] < 1e-4
    assert card["inputContract"]["fields"][0]["name"] == "HUFL"
    metrics = result.metrics
    for key in ("mae", "rmse", "mape", "smape", "mase"):
        assert np.isfinite(metrics["model"][key]) and np.isfinite(metrics["baseline"][key])
    assert set(metrics["model"]["pinball"]) == {"p05", "p50", "p95"}
    assert 0.0 <= metrics["coverage"] <= 1.0 and metrics["intervalWidth"] > 0
    assert "## Test metrics" in result.card_md_path.read_text()
    # Each heading of the page is a message code (with parameters) in the card, in order.
    page_headings = [
        line.lstrip("#").strip()
        for line in result.card_md_path.read_text().splitlines()
        if line.startswith("#")
    ]
    assert [h["text"] for h in card["headings"]] == page_headings
    assert card["headings"][0]["code"] == "title"
    assert card["headings"][0]["params"]["target"] == plan.target
    assert "testMetrics" in [h["code"] for h in card["headings"]]
    # Events: one metric per epoch with progress, then the four artifacts.
    assert [m["epoch"] for m in emit.of("metric")] == list(range(1, result.epochs_run + 1))
    assert all({"trainLoss", "valLoss", "lr", "progress"} <= m.keys() for m in emit.of("metric"))
    assert {a["name"] for a in emit.of("artifact")} == {
        "model.onnx",
        "card.json",
        "card.md",
        "parity.npz",
    }
    assert emit.of("log")[-1]["progress"] == 1.0
    # Log lines a user reads carry a message code and their parameters as text.
    coded = {line["code"]: line for line in emit.of("log") if "code" in line}
    assert {"aligned", "training", "stopped", "exported", "done"} <= coded.keys()
    assert coded["stopped"]["params"]["epochs"] == str(result.epochs_run)
    assert all(isinstance(v, str) for line in coded.values() for v in line["params"].values())
    # The parity sample replays through onnxruntime.
    sample = np.load(result.parity_path)
    session = ort.InferenceSession(str(result.model_path))
    feeds = {i.name: sample[i.name] for i in session.get_inputs()}
    np.testing.assert_allclose(session.run(None, feeds)[0], sample["quantiles"], rtol=1e-6)
    assert result.signature["inputs"][0]["shape"] == [-1, 48, len(plan.inputs)]
    assert result.signature["outputs"][0]["shape"] == [-1, 24, 3]
    for field in result.signature["inputs"][0]["fields"]:  # what serving calls plausible
        low, high = field["trainingRange"]
        assert low <= high


def test_pause_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    frame, plan = daily_frame(), small_plan()
    params = {**FAST, "epochs": 2, "patience": 5, "dropout": 0.2, "hidden_sizes": [16]}

    def run(name: str, **kw: Any) -> TrainingResult:
        return train_forecaster(
            frame, plan, "mlp", params, workdir=tmp_path / name, emit=Recorder(), **kw
        )

    whole = run("whole")
    with pytest.raises(TrainingPaused) as paused:
        run("cut", control=pauses_after(14))
    checkpoint = paused.value.checkpoint
    assert checkpoint == tmp_path / "cut" / "checkpoint.pt" and checkpoint.exists()
    resumed = run("resumed", resume_from=checkpoint)
    assert resumed.metrics == whole.metrics
    assert resumed.epochs_run == whole.epochs_run
    # a checkpoint written before the window's repair existed resumes the same way
    saved = torch.load(checkpoint, weights_only=False)
    for key in ("model", "best_weights"):
        saved[key] = {k: v for k, v in saved[key].items() if not k.startswith("repair.")}
    torch.save(saved, checkpoint)
    assert run("older", resume_from=checkpoint).metrics == whole.metrics


def test_stop_cancels_the_run(tmp_path: Path) -> None:
    with pytest.raises(TrainingStopped):
        train_forecaster(
            daily_frame(),
            small_plan(),
            "linear",
            FAST,
            workdir=tmp_path,
            emit=Recorder(),
            control=lambda: "stop",
        )
    assert not (tmp_path / "model.onnx").exists()


def test_a_checkpoint_from_another_request_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrainingPaused) as paused:
        train_forecaster(
            daily_frame(),
            small_plan(),
            "linear",
            FAST,
            workdir=tmp_path,
            emit=Recorder(),
            control=pauses_after(3),
        )
    with pytest.raises(InvalidInput):
        train_forecaster(
            daily_frame(),
            small_plan(),
            "linear",
            {**FAST, "lr": 0.1},
            workdir=tmp_path,
            emit=Recorder(),
            resume_from=paused.value.checkpoint,
        )


@pytest.mark.parametrize(
    ("algorithm", "hyperparams"),
    [
        ("forest", {}),
        ("linear", {"epochs": 0}),
        ("linear", {"learning_rate": 0.1}),
        ("mlp", {"hidden_sizes": []}),
        ("patchtst", {"d_model": 30, "n_heads": 4}),
        ("linear", {"split": [0.5, 0.5, 0.5]}),
    ],
)
def test_bad_requests_are_invalid_input(
    tmp_path: Path, algorithm: str, hyperparams: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput):
        train_forecaster(
            daily_frame(days=10),
            small_plan(),
            algorithm,
            hyperparams,
            workdir=tmp_path,
            emit=Recorder(),
        )


def test_too_little_data_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        train_forecaster(
            daily_frame(days=3), small_plan(), "linear", FAST, workdir=tmp_path, emit=Recorder()
        )
    assert "trainWindows" in caught.value.details
