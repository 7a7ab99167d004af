"""Interval calibration on the validation split, baked into the graph's `interval_scale`.

For each quantile q the distance to the median is scaled by the factor that makes the
share of validation targets below it equal q (a split-conformal correction), so the
[lowest, highest] interval reaches its nominal coverage on data the fit never saw.
"""

from __future__ import annotations

import numpy as np
import torch

from training.data import WindowSet
from training.graph import ForecastGraph

EVAL_BATCH = 1024
SCALE_RANGE = (0.2, 5.0)


@torch.no_grad()
def normalized_predictions(
    graph: ForecastGraph, windows: WindowSet
) -> tuple[np.ndarray, np.ndarray]:
    """Uncalibrated quantiles [N, H, Q] and targets [N, H], both z-scored."""
    graph.eval()
    preds, targets = [], []
    for start in range(0, len(windows), EVAL_BATCH):
        batch = windows.batch(torch.arange(start, min(start + EVAL_BATCH, len(windows))))
        preds.append(graph.normalized(batch.window, batch.calendar, batch.future).float().cpu())
        targets.append(graph.normalize_target(batch.target).float().cpu())
    return torch.cat(preds).numpy(), torch.cat(targets).numpy()


def interval_scale(
    quantiles: np.ndarray, target: np.ndarray, levels: list[float], median_index: int
) -> np.ndarray:
    """Per-quantile factors on the distance to the median (1 at the median)."""
    median = quantiles[..., median_index]
    factors = np.ones(len(levels))
    for i, level in enumerate(levels):
        if i == median_index:
            continue
        distance = quantiles[..., i] - median  # > 0 above the median, < 0 below
        ratio = ((target - median) / np.where(np.abs(distance) > 1e-9, distance, 1e-9)).ravel()
        # Above: target <= median + s * d  <=>  ratio <= s, so s is the level-quantile.
        # Below: d < 0 flips it, so s is the (1 - level)-quantile.
        factor = np.quantile(ratio, level if i > median_index else 1.0 - level)
        factors[i] = float(np.clip(factor, *SCALE_RANGE))
    return factors


def calibrate_intervals(
    graph: ForecastGraph, windows: WindowSet, levels: list[float]
) -> list[float]:
    """Fit and install the interval scale; returns the factors."""
    quantiles, target = normalized_predictions(graph, windows)
    factors = interval_scale(quantiles, target, levels, graph.median_index)
    graph.interval_scale.copy_(torch.tensor(factors, dtype=torch.float32))
    return [float(f) for f in factors]
