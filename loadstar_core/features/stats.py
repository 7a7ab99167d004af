"""Normalization statistics of the plan inputs, computed on the training split only."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import polars as pl

from schemas.base import Wire
from schemas.errors import InvalidInput

DROPOUT_SHARE = 0.01  # at most this share of exact zeros ...
NEAR_ZERO = 0.25  # ... and the other readings' 1st percentile at least this share of their median


class InputStats(Wire):
    mean: float
    std: float  # population (ddof=0), as the literature's StandardScaler
    min: float
    max: float
    # an exact 0 on this input is a dropout, not a reading (`zeros_are_dropouts`)
    dropoutZeros: bool = False

    def zscore(self) -> tuple[float, float]:
        """(shift, scale) of the z-score; a constant input keeps scale 1."""
        return self.mean, self.std if self.std > 0 else 1.0

    def minmax(self) -> tuple[float, float]:
        span = self.max - self.min
        return self.min, span if span > 0 else 1.0


class FeatureStats(Wire):
    """Per-input statistics; baked into the exported graph as constants."""

    inputs: dict[str, InputStats]

    def shift_scale(self, name: str, method: str) -> tuple[float, float]:
        stats = self.inputs[name]
        return stats.zscore() if method == "zscore" else stats.minmax()


def zeros_are_dropouts(values: npt.NDArray[np.float64]) -> bool:
    """True when a reading of exactly 0 is a meter's dropout rather than a value: zeros
    are rare (at most 1% of readings) and the other readings never come near zero (their
    1st percentile is positive and at least a quarter of their median), as for a building's
    or a grid's load. A line that idles at zero, or a signed input, never qualifies."""
    readings = values[values != 0.0]
    if readings.size == 0 or values.size - readings.size > DROPOUT_SHARE * values.size:
        return False
    low, median = np.quantile(readings, [0.01, 0.5], method="lower")
    return bool(low > 0.0 and low >= NEAR_ZERO * median)


def compute_stats(frame: pl.DataFrame, names: list[str]) -> FeatureStats:
    """Statistics of `names` over the rows of `frame` (nulls ignored)."""
    result: dict[str, InputStats] = {}
    for name in names:
        column = frame.get_column(name).cast(pl.Float64).drop_nulls()
        if column.len() == 0:
            raise InvalidInput(f"input {name!r} has no values in the training split", {})
        values = (column.mean(), column.std(ddof=0), column.min(), column.max())
        floats = [float(v) if isinstance(v, int | float) else math.nan for v in values]
        if not all(math.isfinite(v) for v in floats):
            raise InvalidInput(f"input {name!r} has non-finite values", {"input": name})
        dropouts = zeros_are_dropouts(column.to_numpy())
        result[name] = InputStats(
            mean=floats[0], std=floats[1], min=floats[2], max=floats[3], dropoutZeros=dropouts
        )
    return FeatureStats(inputs=result)
