"""A closed-form start for every algorithm: ridge regression of the future on the history.

Gradient descent reaches the least-squares linear forecast only slowly and noisily, so
every network begins from it (in instance-normalised units, with the quantile offsets
from its training residuals) and learns what it can add. The ridge strength is chosen
on the validation windows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from training.data import WindowSet
from training.graph import ForecastGraph
from training.models.common import LinearStart

CHUNK = 2048
RIDGE_GRID = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)


def _targets(
    graph: ForecastGraph, windows: WindowSet
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(target history [B, L], future [B, H]) z-scored, chunk by chunk."""
    for start in range(0, len(windows), CHUNK):
        batch = windows.batch(torch.arange(start, min(start + CHUNK, len(windows))))
        history = graph.normalize_target(batch.window[..., graph.target_index])
        yield history, graph.normalize_target(batch.target)


def _pairs(
    graph: ForecastGraph, windows: WindowSet
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(history [B, L + 1] with a ones column, future [B, H], offset unit [B, 1]), float64.

    History and future are in instance units; the offset unit converts a residual in
    those units into the units of the quantile offsets (scaled by the window's spread).
    """
    forecaster = graph.forecaster
    for target, future in _targets(graph, windows):
        history, loc, scale = forecaster.instance(target)
        ones = torch.ones_like(history[:, :1])
        unit = scale / forecaster.spread_ratio(target)
        yield (
            torch.cat([history, ones], dim=1).double().cpu(),
            ((future - loc) / scale).double().cpu(),
            unit.double().cpu(),
        )


def _moments(
    graph: ForecastGraph, windows: WindowSet
) -> tuple[torch.Tensor, torch.Tensor, float, int]:
    gram = cross = None
    energy, count = 0.0, 0
    for x, y, _ in _pairs(graph, windows):
        gram = x.T @ x if gram is None else gram + x.T @ x
        cross = x.T @ y if cross is None else cross + x.T @ y
        energy += float((y * y).sum())
        count += x.shape[0]
    assert gram is not None and cross is not None
    return gram, cross, energy, count


def _solve(gram: torch.Tensor, cross: torch.Tensor, keep: int, strength: float) -> torch.Tensor:
    """Ridge solution [L + 1, H] using only the last `keep` history points (rest zero)."""
    width = gram.shape[0]
    rows = torch.arange(width - 1 - keep, width)
    penalty = torch.eye(len(rows), dtype=torch.float64)
    penalty[-1, -1] = 0.0  # the intercept is not shrunk
    level = float(torch.diagonal(gram)[rows[:-1]].mean())
    sub = gram[rows][:, rows] + strength * level * penalty
    solution = torch.zeros_like(cross)
    solution[rows] = torch.linalg.solve(sub, cross[rows])
    return solution


def _lookback_sets(lookback: int, instance_norm: str) -> list[list[int]]:
    """Nested sets of sub-lookbacks whose averaged fits are tried: [L], [L, L/2], ...

    Averaging fits over shorter histories shrinks the long-lag weights, which helps
    when the test period drifts from the training one. With "revin" the normalisation
    depends on the history length, so only the full lookback is used.
    """
    keeps = [lookback]
    while instance_norm == "last" and keeps[-1] // 2 >= 24 and len(keeps) < 4:
        keeps.append(keeps[-1] // 2)
    return [keeps[: i + 1] for i in range(len(keeps))]


@torch.no_grad()
def fit_linear_start(
    graph: ForecastGraph, train: WindowSet, val: WindowSet, quantiles: list[float]
) -> LinearStart:
    spreads = [graph.forecaster.spread(target) for target, _ in _targets(graph, train)]
    graph.forecaster.spread_mean.fill_(max(float(torch.cat(spreads).mean()), 1e-6))
    gram, cross, _, _ = _moments(graph, train)
    val_gram, val_cross, val_energy, val_count = _moments(graph, val)
    lookback = gram.shape[0] - 1
    best: tuple[float, torch.Tensor] | None = None
    for keeps in _lookback_sets(lookback, graph.forecaster.instance_norm):
        for strength in RIDGE_GRID:
            solution = torch.stack([_solve(gram, cross, k, strength) for k in keeps]).mean(0)
            val_sse = val_energy - 2 * float((solution * val_cross).sum())
            val_sse += float((solution * (val_gram @ solution)).sum())
            if best is None or val_sse / max(val_count, 1) < best[0]:
                best = (val_sse / max(val_count, 1), solution)
    assert best is not None
    solution = best[1]  # [L + 1, H]
    residuals = torch.cat([(y - x @ solution) * u for x, y, u in _pairs(graph, train)]).numpy()
    levels = np.quantile(residuals, quantiles, axis=0).T  # [H, Q]
    median = min(range(len(quantiles)), key=lambda i: abs(quantiles[i] - 0.5))
    # The median starts at the least-squares fit; the other quantiles at fit + residual level.
    levels[:, median] = 0.0
    offsets = np.zeros_like(levels)
    offsets[:, median + 1 :] = np.diff(levels[:, median:], axis=1)
    offsets[:, :median] = np.diff(levels[:, : median + 1], axis=1)
    return LinearStart(
        weight=solution[:-1].T.float(),
        bias=solution[-1].float(),
        offsets=torch.from_numpy(np.maximum(offsets, 1e-4)).float(),
    )
