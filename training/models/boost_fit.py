"""Fitting the trees of `boosted.py` on the ridge's residuals, and the check that earns them.

Two LightGBM fits, each for absolute error (the p50 is judged by it), on rows of
(window, forecast step) sampled evenly from the windows (at most `MAX_ROWS`):

1. on every training window, for `MAX_ROUNDS` rounds, keeping the round with the lowest
   MAE on the validation windows (the most recent data before the forecasts, which the
   ridge's own choices are also made on): how many rounds the trees earn, and their
   validation MAE at that round against the ridge's. The
   trees serve only when they lower it by `CLEAR_GAIN`; the intervals are then calibrated
   with this fit;
2. with the same rounds on training and validation, on the residuals of the ridge
   refitted on both: what serves (as the ridge itself is refitted).

Stopping on the last quarter of the training windows instead (what came first) let one
season decide the rounds for another: on a building's load it stopped at 36 rounds where
validation kept improving to 300 (validation MAE 0.125 against 0.121, test 1.90 against
1.82 kWh). Stopping after 30 rounds without a new best (what came next) read a plateau's
noise as the end: on a steel plant it kept 48 rounds where the whole curve's lowest point
is at 97 (validation MAE 0.2491 against 0.2485, test 0.266 against 0.258).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import torch

from training.data import WindowSet
from training.graph import ForecastGraph
from training.models.boosted import BoostedCorrection, StepFeatures
from training.models.common import LinearStart
from training.models.trees import TreeEnsemble

MAX_ROWS = 150_000  # (window, step) rows per fit: windows next to each other barely differ
MAX_ROUNDS = 300
MIN_ROUNDS = 10  # fewer rounds earned on validation: the trees found nothing
MIN_WINDOWS = 200  # fewer training windows: too few to learn regimes from
CLEAR_GAIN = 0.02  # validation MAE this much lower than the ridge's, or the ridge serves
CHUNK = 1024
PARAMS: dict[str, Any] = {
    "objective": "l1",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "max_depth": 6,  # the graph walks complete trees of this depth
    "min_data_in_leaf": 200,
    "lambda_l2": 1.0,
    "feature_fraction": 0.8,
    "deterministic": True,
    "force_col_wise": True,
    "verbose": -1,
}


@dataclass(frozen=True)
class BoostResult:
    """What the check found; `held_out` and `refit` are set only when the trees serve."""

    rounds: int
    ridge_mae: float  # validation windows, z-scored target units
    boosted_mae: float
    reason: str
    held_out: BoostedCorrection | None = None
    refit: BoostedCorrection | None = None

    @property
    def served(self) -> bool:
        return self.refit is not None

    def card(self) -> dict[str, Any]:
        return {
            "served": self.served,
            "rounds": self.rounds,
            "validationMaeRidge": self.ridge_mae,
            "validationMaeTrees": self.boosted_mae,
            "reason": self.reason,
        }


@torch.no_grad()
def step_rows(
    graph: ForecastGraph, features: StepFeatures, parts: list[WindowSet], limit: int = MAX_ROWS
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows [N * H, F] float32 and the ridge's residuals [N * H] (z-scored) of
    every `stride`-th window of `parts`, so that at most `limit` rows come back."""
    graph.eval()
    total = sum(len(p) for p in parts)
    stride = max(1, math.ceil(total * features.horizon / limit))
    rows, residuals = [], []
    for part in parts:
        index = torch.arange(0, len(part), stride)
        for start in range(0, len(index), CHUNK):
            batch = part.batch(index[start : start + CHUNK])
            median = graph.normalized(batch.window, batch.calendar, batch.future)[
                ..., graph.median_index
            ]
            x = features(graph.repair(batch.window), batch.calendar, batch.future, median)
            y = graph.normalize_target(batch.target) - median
            rows.append(x.reshape(-1, x.shape[-1]).float().numpy())
            residuals.append(y.reshape(-1).double().numpy())
    x_all, y_all = np.concatenate(rows), np.concatenate(residuals)
    keep = np.isfinite(y_all) & np.isfinite(x_all).all(axis=1)
    return x_all[keep], y_all[keep]


def _train(x: np.ndarray, y: np.ndarray, rounds: int, seed: int) -> lgb.Booster:
    params = {**PARAMS, "seed": seed, "num_threads": torch.get_num_threads()}
    return lgb.train(params, lgb.Dataset(x, y, params={"verbose": -1}), num_boost_round=rounds)


def _stopped(
    x: np.ndarray, y: np.ndarray, x_stop: np.ndarray, y_stop: np.ndarray, seed: int
) -> lgb.Booster:
    """`MAX_ROUNDS` trees on (x, y); `best_iteration` is the round whose absolute error on
    the stopping rows is the lowest of the whole curve (a plateau's noise is not its end)."""
    params = {**PARAMS, "seed": seed, "num_threads": torch.get_num_threads()}
    fit = lgb.Dataset(x, y, params={"verbose": -1})
    stop = lgb.Dataset(x_stop, y_stop, reference=fit)
    return lgb.train(
        params,
        fit,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[stop],
        callbacks=[lgb.early_stopping(MAX_ROUNDS, verbose=False)],
    )


def correction(features: StepFeatures, model: lgb.Booster) -> BoostedCorrection:
    """The fitted trees as a module of the graph."""
    return BoostedCorrection(
        copy.deepcopy(features), TreeEnsemble.from_lightgbm(model.dump_model())
    )


def fit_booster(
    graph: ForecastGraph,
    features: StepFeatures,
    train: WindowSet,
    val: WindowSet,
    refit_start: LinearStart | None,
    seed: int = 0,
) -> BoostResult:
    """The two fits of the module's docstring; `graph` holds the ridge fitted on the
    training windows, `refit_start` the ridge refitted with validation (what serves)."""
    if len(train) < MIN_WINDOWS or len(val) == 0:
        return BoostResult(0, math.nan, math.nan, f"fewer than {MIN_WINDOWS} training windows")
    x_val, y_val = step_rows(graph, features, [val])
    ridge_mae = float(np.abs(y_val).mean())
    x_train, y_train = step_rows(graph, features, [train])
    stopped = _stopped(x_train, y_train, x_val, y_val, seed)
    rounds = int(stopped.best_iteration)
    if rounds < MIN_ROUNDS:
        return BoostResult(rounds, ridge_mae, ridge_mae, "the trees earned no rounds")
    held_out = stopped  # predicts and dumps the trees up to its best round
    boosted_mae = float(np.abs(y_val - held_out.predict(x_val)).mean())
    if boosted_mae > (1.0 - CLEAR_GAIN) * ridge_mae:
        return BoostResult(rounds, ridge_mae, boosted_mae, "not clearly better on validation")
    refit_graph = copy.deepcopy(graph)
    if refit_start is not None:
        refit_graph.forecaster.warm_start(refit_start)
    x_all, y_all = step_rows(refit_graph, features, [train, val])
    refit = _train(x_all, y_all, rounds, seed)
    return BoostResult(
        rounds,
        ridge_mae,
        boosted_mae,
        "served",
        held_out=correction(features, held_out),
        refit=correction(features, refit),
    )
