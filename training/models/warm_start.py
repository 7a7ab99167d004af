"""A closed-form start for every algorithm: ridge regression of the future on the history.

Gradient descent reaches the least-squares linear forecast only slowly and noisily, so
every network begins from it (in instance-normalised units, with the quantile offsets
from its training residuals) and learns what it can add. The ridge strength is chosen
on the validation windows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from training.data import WindowSet
from training.graph import ForecastGraph
from training.models.common import LinearStart

CHUNK = 2048
RIDGE_GRID = (1e-3, 1e-2, 1e-1, 1.0)
BACKTEST_BLOCKS = 4  # the training windows in 4 blocks: the last one, then validation


def _targets(
    graph: ForecastGraph, windows: WindowSet
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(target history [B, L], future [B, H], exogenous [B, H, E]) z-scored, per chunk."""
    for start in range(0, len(windows), CHUNK):
        batch = windows.batch(torch.arange(start, min(start + CHUNK, len(windows))))
        window = graph.repair(batch.window)
        history = graph.normalize_target(window[..., graph.target_index])
        exog = graph.exog(window, batch.calendar, batch.future)
        yield history, graph.normalize_target(batch.target), exog


def _pairs(
    graph: ForecastGraph, windows: WindowSet
) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(history [B, L + 1] with a ones column, exogenous [B, H, E], future [B, H],
    offset unit [B, 1]), float64.

    History and future are in instance units; the offset unit converts a residual in
    those units into the units of the quantile offsets (scaled by the window's spread).
    """
    forecaster = graph.forecaster
    for target, future, exog in _targets(graph, windows):
        history, loc, scale = forecaster.instance(target)
        ones = torch.ones_like(history[:, :1])
        unit = scale / forecaster.spread_ratio(target)
        yield (
            torch.cat([history, ones], dim=1).double().cpu(),
            exog.double().cpu(),
            ((future - loc) / scale).double().cpu(),
            unit.double().cpu(),
        )


@dataclass
class Moments:
    """Sufficient statistics of the per-step least squares [history, 1, exog_h] -> y_h."""

    xx: torch.Tensor  # [D, D], D = L + 1
    xe: torch.Tensor  # [H, D, E]
    ee: torch.Tensor  # [H, E, E]
    xy: torch.Tensor  # [D, H]
    ey: torch.Tensor  # [H, E]
    yy: torch.Tensor  # [H]
    count: int

    def without_exog(self) -> Moments:
        """The same windows with no exogenous features (the target-only fit)."""
        horizon = self.xe.shape[0]
        empty = self.xe[:, :, :0]
        return (
            Moments(
                self.xx, empty, self.ee[:, :0, :0], self.xy, self.ey[:, :0], self.yy, self.count
            )
            if horizon
            else self
        )

    def add(self, other: Moments) -> Moments:
        return Moments(
            self.xx + other.xx,
            self.xe + other.xe,
            self.ee + other.ee,
            self.xy + other.xy,
            self.ey + other.ey,
            self.yy + other.yy,
            self.count + other.count,
        )


def _moments(graph: ForecastGraph, windows: WindowSet) -> Moments:
    total: Moments | None = None
    for x, e, y, _ in _pairs(graph, windows):
        part = Moments(
            xx=x.T @ x,
            xe=torch.einsum("bd,bhe->hde", x, e),
            ee=torch.einsum("bhe,bhf->hef", e, e),
            xy=x.T @ y,
            ey=torch.einsum("bhe,bh->he", e, y),
            yy=(y * y).sum(0),
            count=x.shape[0],
        )
        total = part if total is None else total.add(part)
    assert total is not None
    return total


def _system(m: Moments, start: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-step normal equations [H, K, K] and right-hand sides [H, K] over the history
    rows from `start` on (the intercept last) and every exogenous feature, written once
    into one tensor (the history block is the same for every step)."""
    horizon, n = m.xe.shape[0], m.xx.shape[0] - start
    width = n + m.ee.shape[1]
    gram = torch.empty(horizon, width, width, dtype=m.xx.dtype)
    gram[:, :n, :n] = m.xx[start:, start:]
    gram[:, :n, n:] = m.xe[:, start:]
    gram[:, n:, :n] = m.xe[:, start:].transpose(1, 2)
    gram[:, n:, n:] = m.ee
    return gram, torch.cat([m.xy[start:].T, m.ey], dim=1)


def _solve(m: Moments, keep: int, strength: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Ridge solution: history weights [L + 1, H] (only the last `keep` points non-zero,
    the intercept last) and exogenous weights [H, E]."""
    width = m.xx.shape[0]
    start = width - 1 - keep
    gram, rhs = _system(m, start)
    level = float(torch.diagonal(m.xx)[start:-1].mean())
    penalty = torch.full((width - start,), strength * level, dtype=torch.float64)
    penalty[-1] = 0.0  # the intercept is not shrunk
    # exogenous features are shrunk relative to their own energy (scale-free)
    exog_energy = torch.diagonal(m.ee, dim1=1, dim2=2).mean(0).clamp(min=1e-9)
    penalty = torch.cat([penalty, strength * exog_energy + 1e-9 * level])
    gram.diagonal(dim1=1, dim2=2).add_(penalty)
    factor, _ = torch.linalg.cholesky_ex(gram)
    # two triangular solves: the same numbers as cholesky_solve, six times less CPU here
    forward = torch.linalg.solve_triangular(factor, rhs.unsqueeze(-1), upper=False)
    solution = torch.linalg.solve_triangular(factor.mT, forward, upper=True).squeeze(-1)
    history = torch.zeros_like(m.xy)
    history[start:] = solution[:, : width - start].T
    return history, solution[:, width - start :]


def gram_times(m: Moments, history: torch.Tensor, exog: torch.Tensor) -> torch.Tensor:
    """[H, K] each step's normal matrix (every history row, then the exogenous features)
    times that step's weights, block by block: the [H, K, K] matrix is never built."""
    weights = history.T  # [H, D]
    top = weights @ m.xx + torch.bmm(m.xe, exog.unsqueeze(-1)).squeeze(-1)
    bottom = torch.bmm(weights.unsqueeze(1), m.xe).squeeze(1)
    bottom = bottom + torch.bmm(m.ee, exog.unsqueeze(-1)).squeeze(-1)
    return torch.cat([top, bottom], dim=1)


def _sse(m: Moments, history: torch.Tensor, exog: torch.Tensor) -> float:
    """Sum of squared errors of a solution on the windows `m` summarises."""
    w = torch.cat([history.T, exog], dim=1)  # [H, K]
    rhs = torch.cat([m.xy.T, m.ey], dim=1)
    return float(m.yy.sum() - 2 * (w * rhs).sum() + (w * gram_times(m, history, exog)).sum())


def _lookback_sets(lookback: int, instance_norm: str) -> list[list[int]]:
    """Nested sets of sub-lookbacks whose averaged fits are tried: [L], [L, L/2], ...

    Averaging fits over shorter histories shrinks the long-lag weights, which helps
    when the test period drifts from the training one. With "revin" the normalisation
    depends on the history length, so only the full lookback is used.
    """
    keeps = [lookback]
    while instance_norm != "revin" and keeps[-1] // 2 >= 24 and len(keeps) < 4:
        keeps.append(keeps[-1] // 2)
    return [keeps[: i + 1] for i in range(len(keeps))]


def _total(parts: list[Moments]) -> Moments:
    total = parts[0]
    for part in parts[1:]:
        total = total.add(part)
    return total


def folds(graph: ForecastGraph, train: WindowSet, val: WindowSet) -> list[tuple[Moments, Moments]]:
    """Rolling-origin folds as (fit on, score on) moments: the training windows in blocks;
    fit on all but the last block and score it, then fit on all and score validation."""
    edges = np.linspace(0, len(train), BACKTEST_BLOCKS + 1).astype(int)
    blocks = [_moments(graph, train.part(a, b)) for a, b in itertools.pairwise(edges) if b > a]
    result = [(_total(blocks), _moments(graph, val))]
    if len(blocks) == BACKTEST_BLOCKS:
        result.insert(0, (_total(blocks[:-1]), blocks[-1]))
    return result


def absolute(history: torch.Tensor) -> torch.Tensor:
    """History weights of a last-value-normalised fit, as weights on the raw history:
    y = W (x - x_last) + x_last is linear in x, with 1 - sum(W) on the last point."""
    converted = history.clone()
    converted[-2] += 1.0 - history[:-1].sum(0)
    return converted


Solution = tuple[torch.Tensor, torch.Tensor]  # history weights [L + 1, H], exogenous [H, E]


@dataclass(frozen=True)
class Fits:
    """One ridge forecast fitted twice: on the training windows (`held_out`, scored and
    calibrated on validation) and, with the strength and sub-lookbacks validation chose,
    on training and validation together (`refit`, what serves)."""

    held_out: Solution
    refit: Solution

    def scaled(self, weight: float) -> Fits:
        return Fits(
            (weight * self.held_out[0], weight * self.held_out[1]),
            (weight * self.refit[0], weight * self.refit[1]),
        )

    def plus(self, other: Fits) -> Fits:
        return Fits(
            (self.held_out[0] + other.held_out[0], self.held_out[1] + other.held_out[1]),
            (self.refit[0] + other.refit[0], self.refit[1] + other.refit[1]),
        )

    def absolute(self) -> Fits:
        """History weights of last-value-normalised fits as weights on the raw history."""
        return Fits(
            (absolute(self.held_out[0]), self.held_out[1]),
            (absolute(self.refit[0]), self.refit[1]),
        )


def _averaged(moments: Moments, keeps: list[int], strength: float) -> Solution:
    fits = [_solve(moments, k, strength) for k in keeps]
    return torch.stack([f[0] for f in fits]).mean(0), torch.stack([f[1] for f in fits]).mean(0)


def _best_fit(graph: ForecastGraph, train: WindowSet, val: WindowSet, exogenous: bool) -> Fits:
    """Ridge strength and sub-lookbacks chosen on validation: history and exog weights,
    fitted on training, and refitted on training and validation with the same choice.

    Validation lies just before the test period (and, once deployed, before the
    forecasts): leaving its windows out of the fit that serves loses the most recent
    level and profile (the city's autumn in FORECASTER.md)."""
    moments, val_moments = _moments(graph, train), _moments(graph, val)
    n_exog = moments.xe.shape[2]
    if not exogenous:
        moments, val_moments = moments.without_exog(), val_moments.without_exog()
    lookback = moments.xx.shape[0] - 1
    best: tuple[float, list[int], float, Solution] | None = None
    for keeps in _lookback_sets(lookback, graph.forecaster.instance_norm):
        for strength in RIDGE_GRID:
            solution = _averaged(moments, keeps, strength)
            val_mse = _sse(val_moments, *solution) / max(val_moments.count, 1)
            if best is None or val_mse < best[0]:
                best = (val_mse, keeps, strength, solution)
    assert best is not None
    _, keeps, strength, held_out = best
    refit = _averaged(moments.add(val_moments), keeps, strength)
    if not exogenous:
        empty = torch.zeros(held_out[0].shape[1], n_exog, dtype=held_out[0].dtype)
        held_out, refit = (held_out[0], empty), (refit[0], empty.clone())
    return Fits(held_out, refit)


def _mixture_fit(
    graph: ForecastGraph,
    blend: ForecastGraph | None,
    train: WindowSet,
    val: WindowSet,
    mixture: dict[tuple[str, bool], float],
) -> Fits:
    """The weighted sum of single ridge fits, as weights on the raw history of `graph`
    (not normalised) and on the exogenous features."""
    total: Fits | None = None
    for (norm, exogenous), weight in mixture.items():
        source = graph if norm == "none" else blend
        if source is None:
            raise ValueError("a last-value-normalised member needs the `blend` twin")
        fits = _best_fit(source, train, val, exogenous)
        if norm == "last":
            fits = fits.absolute()
        total = fits.scaled(weight) if total is None else total.plus(fits.scaled(weight))
    assert total is not None
    return total


def _residuals(
    graph: ForecastGraph, windows: WindowSet, solution: torch.Tensor, exog_weight: torch.Tensor
) -> torch.Tensor:
    """[N, H] errors of a linear forecast in instance units (unscaled by the spread)."""
    return torch.cat(
        [y - x @ solution - (e * exog_weight).sum(-1) for x, e, y, _ in _pairs(graph, windows)]
    )


def shift_to_median(train_errors: torch.Tensor, val_errors: torch.Tensor) -> torch.Tensor:
    """[H] the per-step median of the training errors [N, H], when moving the forecast by it
    lowers the mean absolute error of the validation errors [M, H]; else zeros."""
    shift = torch.quantile(train_errors, 0.5, dim=0)
    before = float(val_errors.abs().mean())
    after = float((val_errors - shift).abs().mean())
    return shift if after < before else torch.zeros_like(shift)


def median_shift(
    graph: ForecastGraph,
    train: WindowSet,
    val: WindowSet,
    solution: torch.Tensor,
    exog_weight: torch.Tensor,
) -> torch.Tensor:
    """[H] per-step shift of the least-squares fit to the median of its training errors,
    kept only when the validation windows' absolute error says so (`shift_to_median`).

    The ridge minimises squared error; the median of a skewed error (a load that sits at
    its base most of the time and jumps with a shift) is not at its mean, and a p50 is
    judged by its absolute error."""
    return shift_to_median(
        _residuals(graph, train, solution, exog_weight),
        _residuals(graph, val, solution, exog_weight),
    )


def _linear_start(
    graph: ForecastGraph,
    windows: list[WindowSet],
    solution: torch.Tensor,
    exog_weight: torch.Tensor,
    quantiles: list[float],
) -> LinearStart:
    """The forecast and its quantile offsets from the residuals on `windows`."""
    residuals = torch.cat(
        [
            (y - x @ solution - (e * exog_weight).sum(-1)) * u
            for part in windows
            for x, e, y, u in _pairs(graph, part)
        ]
    ).numpy()
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
        exog_weight=exog_weight.float(),
    )


@torch.no_grad()
def fit_linear_starts(
    graph: ForecastGraph,
    train: WindowSet,
    val: WindowSet,
    quantiles: list[float],
    *,
    exogenous: bool = True,
    blend: ForecastGraph | None = None,
    mixture: dict[tuple[str, bool], float] | None = None,
    refit: bool = True,
) -> tuple[LinearStart, LinearStart | None]:
    """The ridge start of `graph` fitted on the training windows (to train from, and to
    calibrate the intervals on validation) and the same forecast refitted on training and
    validation (what `auto` serves: `Fits`).

    With `blend` (a twin normalised by the last value, while `graph` is not normalised)
    the average of both fits, itself one linear forecast. With `mixture` ((normalisation,
    with the inputs) -> weight, weights summing to 1; "last" fits come from `blend`) the
    weighted sum of those fits, one linear forecast too. Without `refit` (a network trains
    from the start and stops early on validation) the second is None."""
    spreads = [graph.forecaster.spread(target) for target, _, _ in _targets(graph, train)]
    graph.forecaster.spread_mean.fill_(max(float(torch.cat(spreads).mean()), 1e-6))
    if mixture:
        fits = _mixture_fit(graph, blend, train, val, mixture)
    else:
        fits = _best_fit(graph, train, val, exogenous)  # [L + 1, H], [H, E]
    if blend is not None and not mixture:  # the average of this fit and a last-normalised one
        fits = fits.plus(_best_fit(blend, train, val, exogenous).absolute()).scaled(0.5)
    (solution, exog_weight), (refitted, refitted_exog) = fits.held_out, fits.refit
    shift = median_shift(graph, train, val, solution, exog_weight)
    solution[-1] += shift
    refitted[-1] += shift
    held_out = _linear_start(graph, [train], solution, exog_weight, quantiles)
    if not refit:
        return held_out, None
    return held_out, _linear_start(graph, [train, val], refitted, refitted_exog, quantiles)
