"""Normalization statistics of the plan inputs, computed on the training split only."""

from __future__ import annotations

import math

import polars as pl

from schemas.base import Wire
from schemas.errors import InvalidInput


class InputStats(Wire):
    mean: float
    std: float  # population (ddof=0), as the literature's StandardScaler
    min: float
    max: float

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
        result[name] = InputStats(mean=floats[0], std=floats[1], min=floats[2], max=floats[3])
    return FeatureStats(inputs=result)
