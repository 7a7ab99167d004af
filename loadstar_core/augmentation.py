"""Time-series augmentations of training windows: pure numpy, one function per kind.

A window batch is `[B, T, C]` raw values: the lookback `L` steps and the horizon after
them, every input column. Noise-like steps (jitter, synthetic gaps) touch the history only,
so the targets stay what was measured; shape-like steps (scaling, magnitude and time warp,
window slicing, mixup) move history and targets together, so the pair stays consistent.
Each step applies to each window with its `probability`. Training windows only: the
trainer never passes validation or test windows through here.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import numpy as np
from msgspec import Meta

Probability = Annotated[float, Meta(ge=0.0, le=1.0)]
Sigma = Annotated[float, Meta(ge=0.0, le=5.0)]
Knots = Annotated[int, Meta(ge=1, le=64)]


class _Step(
    msgspec.Struct, tag_field="type", rename="camel", forbid_unknown_fields=True, kw_only=True
):
    probability: Probability = 0.5


class Jitter(_Step, tag="jitter"):
    """Gaussian noise on the history, `sigma` times each channel's spread in the window."""

    sigma: Sigma = 0.03


class Scaling(_Step, tag="scaling"):
    """Each channel's departures from its window mean multiplied by one N(1, sigma) factor."""

    sigma: Sigma = 0.1


class MagnitudeWarp(_Step, tag="magnitudeWarp"):
    """Departures from the mean multiplied by a smooth random curve through `knots` points."""

    sigma: Sigma = 0.2
    knots: Knots = 4


class TimeWarp(_Step, tag="timeWarp"):
    """Time stretched and squeezed by a smooth monotone random map, then resampled."""

    sigma: Sigma = 0.2
    knots: Knots = 4


class WindowSlice(_Step, tag="windowSlice"):
    """A random `ratio` of the window, stretched back to its full length."""

    ratio: Annotated[float, Meta(gt=0.0, le=1.0)] = 0.9


class Mixup(_Step, tag="mixup"):
    """A convex mix with another window of the batch, weight max(l, 1 - l), l ~ Beta(a, a)."""

    alpha: Annotated[float, Meta(gt=0.0, le=10.0)] = 0.2


class SyntheticGaps(_Step, tag="gaps"):
    """Runs of history points dropped and filled back as a deployment's policy would."""

    rate: Annotated[float, Meta(ge=0.0, le=0.5)] = 0.05
    max_length: Annotated[int, Meta(ge=1, le=1000)] = 4
    fill: Literal["ffill", "linear"] = "linear"


AugmentationStep = Jitter | Scaling | MagnitudeWarp | TimeWarp | WindowSlice | Mixup | SyntheticGaps
KINDS = {cls.__struct_config__.tag: cls for cls in AugmentationStep.__args__}  # type: ignore[attr-defined]


def _chosen(rng: np.random.Generator, batch: int, probability: float) -> np.ndarray:
    return rng.random(batch) < probability


def _curve(rng: np.random.Generator, steps: int, knots: int, sigma: float) -> np.ndarray:
    """[steps] a smooth curve around 1 through `knots + 2` random points."""
    at = np.linspace(0.0, steps - 1, knots + 2)
    return np.interp(np.arange(steps), at, rng.normal(1.0, sigma, knots + 2))


def _resample(x: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """[T, C] read at fractional `positions` [T] (linear interpolation)."""
    grid = np.arange(x.shape[0])
    return np.stack([np.interp(positions, grid, x[:, c]) for c in range(x.shape[1])], axis=1)


def jitter(x: np.ndarray, step: Jitter, lookback: int, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    spread = x[:, :lookback].std(axis=1, keepdims=True)  # [B, 1, C]
    noise = rng.normal(0.0, 1.0, x[:, :lookback].shape) * spread * step.sigma
    mask = _chosen(rng, x.shape[0], step.probability)
    out[mask, :lookback] += noise[mask]
    return out


def scaling(x: np.ndarray, step: Scaling, rng: np.random.Generator) -> np.ndarray:
    mean = x.mean(axis=1, keepdims=True)
    factor = rng.normal(1.0, step.sigma, (x.shape[0], 1, x.shape[2]))
    mask = _chosen(rng, x.shape[0], step.probability)
    out = x.copy()
    out[mask] = (mean + (x - mean) * factor)[mask]
    return out


def magnitude_warp(x: np.ndarray, step: MagnitudeWarp, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    mean = x.mean(axis=1, keepdims=True)
    for b in np.flatnonzero(_chosen(rng, x.shape[0], step.probability)):
        curves = np.stack(
            [_curve(rng, x.shape[1], step.knots, step.sigma) for _ in range(x.shape[2])], axis=1
        )
        out[b] = mean[b] + (x[b] - mean[b]) * curves
    return out


def time_warp(x: np.ndarray, step: TimeWarp, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    steps = x.shape[1]
    for b in np.flatnonzero(_chosen(rng, x.shape[0], step.probability)):
        speed = np.clip(_curve(rng, steps, step.knots, step.sigma), 0.1, None)
        clock = np.concatenate([[0.0], np.cumsum(speed[:-1])])
        positions = clock * (steps - 1) / max(clock[-1], 1e-12)
        out[b] = _resample(x[b], positions)
    return out


def window_slice(x: np.ndarray, step: WindowSlice, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    steps = x.shape[1]
    span = max(2, round(steps * step.ratio))
    for b in np.flatnonzero(_chosen(rng, x.shape[0], step.probability)):
        start = int(rng.integers(0, steps - span + 1))
        positions = np.linspace(start, start + span - 1, steps)
        out[b] = _resample(x[b], positions)
    return out


def mixup(x: np.ndarray, step: Mixup, rng: np.random.Generator) -> np.ndarray:
    partner = rng.permutation(x.shape[0])
    weight = rng.beta(step.alpha, step.alpha, x.shape[0])
    weight = np.maximum(weight, 1.0 - weight)[:, None, None]
    mask = _chosen(rng, x.shape[0], step.probability)
    out = x.copy()
    out[mask] = (weight * x + (1.0 - weight) * x[partner])[mask]
    return out


def fill_gaps(series: np.ndarray, missing: np.ndarray, fill: str) -> np.ndarray:
    """[T, C] with `missing` [T] points filled: forward fill (the first known value before
    any) or linear interpolation between the known neighbours (ends held)."""
    known = np.flatnonzero(~missing)
    if known.size == 0 or not missing.any():
        return series.copy()
    grid = np.arange(series.shape[0])
    if fill == "linear":
        return np.stack(
            [np.interp(grid, known, series[known, c]) for c in range(series.shape[1])], axis=1
        )
    source = np.maximum.accumulate(np.where(missing, -1, grid))
    source = np.where(source < 0, known[0], source)
    return series[source]


def synthetic_gaps(
    x: np.ndarray, step: SyntheticGaps, lookback: int, rng: np.random.Generator
) -> np.ndarray:
    out = x.copy()
    for b in np.flatnonzero(_chosen(rng, x.shape[0], step.probability)):
        missing = np.zeros(lookback, dtype=bool)
        budget = round(step.rate * lookback)
        while missing.sum() < budget:
            length = int(rng.integers(1, step.max_length + 1))
            start = int(rng.integers(0, lookback))
            missing[start : start + length] = True
        missing[-1] = False  # the last observation is what a request ends at
        out[b, :lookback] = fill_gaps(x[b, :lookback], missing, step.fill)
    return out


def augment(
    x: np.ndarray,
    steps: list[AugmentationStep],
    lookback: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The windows [B, T, C] after every step in order; `x` itself is left unchanged."""
    out = np.asarray(x, dtype=np.float64)
    for step in steps:
        if isinstance(step, Jitter):
            out = jitter(out, step, lookback, rng)
        elif isinstance(step, Scaling):
            out = scaling(out, step, rng)
        elif isinstance(step, MagnitudeWarp):
            out = magnitude_warp(out, step, rng)
        elif isinstance(step, TimeWarp):
            out = time_warp(out, step, rng)
        elif isinstance(step, WindowSlice):
            out = window_slice(out, step, rng)
        elif isinstance(step, Mixup):
            out = mixup(out, step, rng)
        else:
            out = synthetic_gaps(out, step, lookback, rng)
    return out.astype(np.asarray(x).dtype, copy=False)
