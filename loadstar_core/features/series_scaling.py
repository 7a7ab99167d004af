"""Many meters, one model: each series z-scored by its own training statistics.

A global model sees every series on one scale (mean 0, std 1 per series and input) and
gives its forecast back on each series' own scale. The statistics are fitted on the
training rows of each series only; an input that is constant (or absent) in a series'
training rows gets std 1, so it is only shifted. Pure numpy, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.contract import asset_index
from schemas.errors import InvalidInput

__all__ = ["SeriesScaling", "asset_index", "fit_series_scaling", "scale", "unscale"]

FloatArray = npt.NDArray[np.float64]
MIN_STD = 1e-6
MAX_SERIES = 512


class SeriesScaling(msgspec.Struct, frozen=True):
    """Per series (rows, in `assets` order) and input (columns): mean and std."""

    assets: list[str]
    mean: list[list[float]]
    std: list[list[float]]

    def arrays(self) -> tuple[FloatArray, FloatArray]:
        return np.asarray(self.mean, dtype=np.float64), np.asarray(self.std, dtype=np.float64)


def fit_series_scaling(train: Mapping[str, npt.ArrayLike]) -> SeriesScaling:
    """`train`: per asset, its training rows [T, n_inputs] (NaN where unobserved)."""
    if not train:
        raise InvalidInput("no series to fit", {})
    assets = sorted(train)
    means, stds = [], []
    for asset in assets:
        rows = np.asarray(train[asset], dtype=np.float64)
        if rows.ndim != 2:
            raise InvalidInput("series rows must be [time, inputs]", {"asset": asset})
        observed = ~np.isnan(rows)
        count = observed.sum(axis=0)
        filled = np.where(observed, rows, 0.0)
        mean = np.divide(filled.sum(axis=0), count, out=np.zeros(rows.shape[1]), where=count > 0)
        square = np.where(observed, (rows - mean) ** 2, 0.0).sum(axis=0)
        std = np.sqrt(np.divide(square, count, out=np.zeros(rows.shape[1]), where=count > 0))
        means.append(mean.tolist())
        stds.append(np.where(std > MIN_STD * np.maximum(1.0, np.abs(mean)), std, 1.0).tolist())
    return SeriesScaling(assets=assets, mean=means, std=stds)


def scale(values: npt.ArrayLike, scaling: SeriesScaling, asset: str) -> FloatArray:
    """[..., n_inputs] values of `asset` -> z-scores by that series' training statistics."""
    row = asset_index(scaling.assets, asset)
    mean, std = scaling.arrays()
    scaled: FloatArray = (np.asarray(values, dtype=np.float64) - mean[row]) / std[row]
    return scaled


def unscale(z: npt.ArrayLike, scaling: SeriesScaling, asset: str, column: int) -> FloatArray:
    """z-scores of input `column` of `asset` -> values on that series' own scale."""
    row = asset_index(scaling.assets, asset)
    mean, std = scaling.arrays()
    values: FloatArray = np.asarray(z, dtype=np.float64) * std[row, column] + mean[row, column]
    return values
