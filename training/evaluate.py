"""Test-split evaluation against a seasonal-naive baseline, in target units.

Point metrics use the quantile nearest the median. MASE divides by the in-sample MAE
of the seasonal-naive forecast on the training rows. The normalised MSE/MAE (z-scored
with training statistics) are the numbers the literature reports.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from loadstar_core.features.layout import seasonal_period
from loadstar_core.signature import quantile_label
from schemas.feature_plan import FeaturePlan
from training.baselines import compare
from training.data import SeriesData, WindowSet
from training.graph import ForecastGraph

EVAL_BATCH = 1024


def seasonal_naive(history: np.ndarray, period: int, horizon: int) -> np.ndarray:
    """[N, L] target history -> [N, H]: the last season repeated."""
    lookback = history.shape[1]
    return history[:, lookback - period + np.arange(horizon) % period]


@torch.no_grad()
def predict(graph: ForecastGraph, windows: WindowSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(quantiles [N, H, Q], target [N, H], target history [N, L]) in target units."""
    graph.eval()
    quantiles, targets, histories = [], [], []
    for start in range(0, len(windows), EVAL_BATCH):
        batch = windows.batch(torch.arange(start, min(start + EVAL_BATCH, len(windows))))
        quantiles.append(graph(batch.window, batch.calendar, batch.future).float().cpu())
        targets.append(batch.target.cpu())
        histories.append(batch.window[..., graph.target_index].cpu())
    return tuple(torch.cat(t).double().numpy() for t in (quantiles, targets, histories))  # type: ignore[return-value]


def point_metrics(point: np.ndarray, target: np.ndarray, mase_scale: float) -> dict[str, Any]:
    error = point - target
    absolute = np.abs(error)
    magnitude = np.abs(target)
    usable = magnitude > 1e-8 * max(float(magnitude.mean()), 1e-12)
    denominator = np.abs(target) + np.abs(point)
    smape = np.where(denominator > 0, 2 * absolute / np.where(denominator > 0, denominator, 1), 0)
    mae = float(absolute.mean())
    return {
        "mae": mae,
        "rmse": float(np.sqrt((error**2).mean())),
        "mape": float((absolute[usable] / magnitude[usable]).mean() * 100)
        if usable.any()
        else float("nan"),
        "smape": float(smape.mean() * 100),
        "mase": mae / mase_scale if mase_scale > 0 else float("nan"),
    }


def mase_scale(series: SeriesData, period: int) -> float:
    start, end = series.split.train
    target = series.values[start:end, series.target_index].double().numpy()
    for lag in (period, 1):
        if len(target) > lag:
            scale = float(np.nanmean(np.abs(target[lag:] - target[:-lag])))
            if scale > 0:
                return scale
    return 0.0


def evaluate(graph: ForecastGraph, series: SeriesData, plan: FeaturePlan) -> dict[str, Any]:
    """Every test metric of the model and of the seasonal-naive baseline."""
    windows = series.windows("test")
    quantiles, target, history = predict(graph, windows)
    levels = plan.quantiles
    period = seasonal_period(plan)
    point = quantiles[..., graph.median_index]
    baseline = seasonal_naive(history, period, plan.horizon)
    scale = mase_scale(series, period)
    mean, std = float(graph.target_mean), float(graph.target_std)
    model = point_metrics(point, target, scale)
    model["mseNormalized"] = float((((point - target) / std) ** 2).mean())
    model["maeNormalized"] = float((np.abs(point - target) / std).mean())
    error = target[..., None] - quantiles
    pinball = np.maximum(np.array(levels) * error, (np.array(levels) - 1) * error).mean(axis=(0, 1))
    model["pinball"] = {quantile_label(q): float(p) for q, p in zip(levels, pinball, strict=True)}
    lower, upper = quantiles[..., 0], quantiles[..., -1]
    base = point_metrics(baseline, target, scale)
    base["mseNormalized"] = float((((baseline - target) / std) ** 2).mean())
    base["maeNormalized"] = float((np.abs(baseline - target) / std).mean())
    series_target = series.values[:, series.target_index].double().numpy()
    rivals = compare(point, target, series_target, windows.origins.numpy(), plan)
    hardest = rivals[0] if rivals else None
    naive_gain = 100 * (1 - model["mae"] / base["mae"]) if base["mae"] > 0 else 0.0
    return {
        "model": model,
        "baseline": {"name": f"seasonal-naive (period {period})", **base},
        # the headline: the improvement over the hardest baseline, named
        "maeImprovementPct": hardest["improvementPct"] if hardest else naive_gain,
        "bestBaseline": hardest["name"] if hardest else f"seasonal-naive (period {period})",
        "baselines": rivals,
        "coverage": float(((target >= lower) & (target <= upper)).mean()),
        "nominalCoverage": levels[-1] - levels[0],
        "intervalWidth": float((upper - lower).mean()),
        "testWindows": len(windows),
        # per forecast step (1..H): how error and coverage grow with the horizon
        "perStep": {
            "mae": np.abs(point - target).mean(axis=0).tolist(),
            "coverage": ((target >= lower) & (target <= upper)).mean(axis=0).tolist(),
        },
        "targetMean": mean,
        "targetStd": std,
    }
