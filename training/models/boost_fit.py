"""Fitting the trees of `boosted.py`, and the check that earns them.

Two kinds of trees, each fitted by LightGBM for absolute error (the p50 is judged by it)
on rows of (window, forecast step) sampled evenly from the windows (at most `MAX_ROWS`),
with the same features (the ridge's p50 among them): residual trees forecast the ridge's
error, direct trees the target itself. What serves is the equal-weight average of the
two forecasts (ridge plus residual trees, direct trees), or the first alone when the
direct trees earn no rounds or when only the first clears the check below. Each kind is
fitted twice:

1. on every training window, for `MAX_ROUNDS` rounds, keeping the round with the lowest
   MAE on the validation windows (the most recent data before the forecasts, which the
   ridge's own choices are also made on): how many rounds the trees earn. The average's
   validation MAE, and the residual trees' alone, are compared with the ridge's; trees
   serve only when they lower it by `CLEAR_GAIN` (`served_share`), and the intervals are
   then calibrated with this fit;
2. with the same rounds on training and validation, against the ridge refitted on both:
   what serves (as the ridge itself is refitted).

Why an average with fixed weights: on five real series whose trees serve (a steel plant,
a grid, a house, two buildings) the average's test MAE was 0.4-3.2% below the residual
trees alone, while weights chosen on validation picked the residual trees alone on the steel
plant (validation 0.2485 against 0.2529, test 0.2584 against 0.2502): the forecast
combination that wins out of sample is the one not fitted to the last few months.

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
from training.models.boosted import MEDIAN_COLUMN, BoostedCorrection, StepFeatures
from training.models.common import LinearStart
from training.models.trees import TreeEnsemble, weighted_sum

MAX_ROWS = 150_000  # (window, step) rows per fit: windows next to each other barely differ
MAX_ROUNDS = 300
MIN_ROUNDS = 10  # fewer rounds earned on validation: the trees found nothing
MIN_WINDOWS = 200  # fewer training windows: too few to learn regimes from
CLEAR_GAIN = 0.02  # validation MAE this much lower than the ridge's, or the ridge serves
DIRECT_SHARE = 0.5  # of the direct trees in the served p50, when they earn their rounds
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

    rounds: int  # of the residual trees
    ridge_mae: float  # validation windows, z-scored target units
    boosted_mae: float
    reason: str
    held_out: BoostedCorrection | None = None
    refit: BoostedCorrection | None = None
    direct_rounds: int = 0
    direct_share: float = 0.0

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
            "directRounds": self.direct_rounds,
            "directShare": self.direct_share,
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


def correction(
    features: StepFeatures,
    residual: lgb.Booster,
    direct: lgb.Booster | None = None,
    direct_share: float = 0.0,
) -> BoostedCorrection:
    """The fitted trees as a module of the graph: one ensemble, each kind's leaves weighted
    by its share."""
    parts = [(residual.dump_model(), 1.0 - direct_share)]
    if direct is not None and direct_share:
        parts.append((direct.dump_model(), direct_share))
    else:
        direct_share = 0.0
    trees = TreeEnsemble.from_lightgbm(weighted_sum(parts))
    return BoostedCorrection(copy.deepcopy(features), trees, direct_share)


def served_share(maes: dict[float, float], ridge_mae: float) -> float | None:
    """Of the direct trees' shares tried (validation MAE each), the largest whose MAE is
    `CLEAR_GAIN` below the ridge's: the average where it clears the check, else the
    residual trees alone (share 0) where they do; None when none does."""
    clear = [share for share, mae in maes.items() if mae <= (1.0 - CLEAR_GAIN) * ridge_mae]
    return max(clear) if clear else None


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
    # the direct trees: the target itself (the residual plus the ridge's p50, a feature)
    direct = _stopped(
        x_train, y_train + x_train[:, MEDIAN_COLUMN], x_val, y_val + x_val[:, MEDIAN_COLUMN], seed
    )
    direct_rounds = int(direct.best_iteration)
    # both predict up to their best round
    residual = np.asarray(stopped.predict(x_val))
    maes = {0.0: float(np.abs(y_val - residual).mean())}
    if direct_rounds >= MIN_ROUNDS:
        moved = np.asarray(direct.predict(x_val)) - x_val[:, MEDIAN_COLUMN]
        mixed = (1.0 - DIRECT_SHARE) * residual + DIRECT_SHARE * moved
        maes[DIRECT_SHARE] = float(np.abs(y_val - mixed).mean())
    share = served_share(maes, ridge_mae)
    if share is None:  # the card gives the average's score where it was tried
        tried = max(maes)
        reason = "not clearly better on validation"
        return BoostResult(rounds, ridge_mae, maes[tried], reason, None, None, direct_rounds, tried)
    boosted_mae = maes[share]
    refit_graph = copy.deepcopy(graph)
    if refit_start is not None:
        refit_graph.forecaster.warm_start(refit_start)
    x_all, y_all = step_rows(refit_graph, features, [train, val])
    refit = _train(x_all, y_all, rounds, seed)
    refit_direct = None
    if share:
        refit_direct = _train(x_all, y_all + x_all[:, MEDIAN_COLUMN], direct_rounds, seed)
    return BoostResult(
        rounds,
        ridge_mae,
        boosted_mae,
        "served",
        held_out=correction(features, stopped, direct, share),
        refit=correction(features, refit, refit_direct, share),
        direct_rounds=direct_rounds,
        direct_share=share,
    )
