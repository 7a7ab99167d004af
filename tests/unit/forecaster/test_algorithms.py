"""Every algorithm learns a daily cycle, deterministically, and starts from the ridge fit."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import torch

from loadstar_core.features.align import align_frame
from training.data import prepare_series
from training.models import ALGORITHMS, parse_hyperparams
from training.models.warm_start import fit_linear_starts
from training.pipeline import build_graph
from training.trainer import Trainer, evaluation_loss

from .synthetic import daily_frame, small_plan

SMALL: dict[str, dict[str, Any]] = {
    "auto": {},
    "tide": {"hidden_size": 32, "decoder_width": 4},
    "linear": {},
    "mlp": {"hidden_sizes": [32]},
    "patchtst": {
        "d_model": 16,
        "n_heads": 2,
        "n_layers": 1,
        "d_ff": 32,
        "patch_len": 8,
        "stride": 8,
    },
}


def _setup(algorithm: str, **extra: object) -> tuple[Trainer, torch.Tensor]:
    plan = small_plan()
    series = prepare_series(align_frame(daily_frame(), plan), plan, (0.7, 0.15, 0.15))
    params = parse_hyperparams(algorithm, {**SMALL[algorithm], "batch_size": 64, **extra})
    graph = build_graph(plan, series, params)
    trainer = Trainer(
        graph,
        series,
        params,
        plan.quantiles,
        workdir=Path(tempfile.mkdtemp(prefix="loadstar-test-")),
        emit=lambda kind, payload: None,
    )
    trainer.save_checkpoint = lambda: trainer.checkpoint_path  # type: ignore[method-assign]
    return trainer, trainer.quantiles


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_lowers_the_validation_loss(algorithm: str) -> None:
    trainer, quantiles = _setup(algorithm, epochs=3, warm_start=False, lr=3e-3, patience=10)
    before = evaluation_loss(trainer.graph, trainer.val, quantiles, trainer.device)
    result = trainer.fit()
    after = evaluation_loss(trainer.graph, trainer.val, quantiles, trainer.device)
    assert after < 0.7 * before
    assert result.best_val_loss == pytest.approx(after, rel=1e-5)
    assert len(result.history) == result.epochs_run


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_ridge_start_forecasts_before_any_epoch(algorithm: str) -> None:
    trainer, quantiles = _setup(algorithm)
    graph = trainer.graph
    cold = evaluation_loss(graph, trainer.val, quantiles, trainer.device)
    graph.forecaster.warm_start(
        fit_linear_starts(graph, trainer.train, trainer.val, [0.05, 0.5, 0.95], refit=False)[0]
    )
    warm = evaluation_loss(graph, trainer.val, quantiles, trainer.device)
    assert warm < 0.5 * cold


def test_training_is_deterministic_with_a_seed() -> None:
    weights = []
    for _ in range(2):
        trainer, _ = _setup("mlp", epochs=2, seed=7, dropout=0.2)
        trainer.fit()
        weights.append(trainer.graph.state_dict())
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    other, _ = _setup("mlp", epochs=2, seed=8, dropout=0.2)
    other.fit()
    assert not all(torch.equal(weights[0][k], other.graph.state_dict()[k]) for k in weights[0])
