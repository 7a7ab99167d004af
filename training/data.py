"""Training data: read a frame, align it to the plan's grid, split it in time, window it.

Windows are never materialised: a `WindowSet` holds the aligned series once and gathers
the rows of a batch of windows by index when asked.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import torch

from loadstar_core.features.layout import calendar_phases
from loadstar_core.features.stats import FeatureStats, compute_stats
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan


def read_frame(path: Path) -> pl.DataFrame:
    """A CSV or Parquet file as a frame (CSV dates parsed)."""
    if path.suffix.lower() in {".parquet", ".pq"}:
        return pl.read_parquet(path)
    return pl.read_csv(path, try_parse_dates=True)


@dataclass(frozen=True)
class SplitBounds:
    """Row ranges [start, end) of the forecast targets of each split.

    A validation or test window's input may reach back `lookback` rows before its start.
    """

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]

    def as_dict(self) -> dict[str, list[int]]:
        return {"train": list(self.train), "val": list(self.val), "test": list(self.test)}


def chronological_split(n_rows: int, fractions: tuple[float, float, float]) -> SplitBounds:
    total = sum(fractions)
    if any(f < 0 for f in fractions) or not math.isclose(total, 1.0, abs_tol=1e-6):
        raise InvalidInput("split fractions must be >= 0 and sum to 1", {"split": fractions})
    train_end = int(n_rows * fractions[0])
    val_end = train_end + int(n_rows * fractions[1])
    return SplitBounds((0, train_end), (train_end, val_end), (val_end, n_rows))


@dataclass(frozen=True)
class Batch:
    window: torch.Tensor  # [B, L, n_inputs] raw values
    calendar: torch.Tensor  # [B, L + H, 2 or 3] day/week phases (+ holiday flag)
    target: torch.Tensor  # [B, H] raw target values
    future: torch.Tensor  # [B, H, n_known] raw values of the known-in-advance inputs
    series: torch.Tensor | None = None  # [B, 1] series index (global models only)


class WindowSet:
    """The windows whose forecast origin lies in one split, gathered lazily per batch."""

    def __init__(self, series: SeriesData, bounds: tuple[int, int], *, own_history: bool) -> None:
        lookback, horizon = series.lookback, series.horizon
        first = bounds[0] + lookback if own_history else max(bounds[0], lookback)
        last = bounds[1] - horizon + 1
        origins = torch.arange(first, max(first, last), dtype=torch.long)
        invalid = torch.cumsum(torch.cat([torch.zeros(1), series.invalid.float()]), 0)
        if origins.numel():
            spans = invalid[origins + horizon] - invalid[origins - lookback]
            origins = origins[spans == 0]
        if series.target_holes is not None and origins.numel():
            # a dropout read as the target's future teaches a fall to zero: not a window
            holes = torch.cumsum(torch.cat([torch.zeros(1), series.target_holes.float()]), 0)
            origins = origins[holes[origins + horizon] == holes[origins]]
        self.series = series
        self.origins = origins
        self.offsets = torch.arange(-lookback, horizon, dtype=torch.long)

    def __len__(self) -> int:
        return int(self.origins.numel())

    def part(self, start: int, end: int) -> WindowSet:
        """The windows [start, end) of this set, in time order (for backtest folds)."""
        view = copy.copy(self)
        view.origins = self.origins[start:end]
        return view

    def batch(
        self,
        index: torch.Tensor,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> Batch:
        """The windows `index`; `transform` (augmentation) sees their values [B, L + H, n]."""
        rows = self.origins[index].unsqueeze(1) + self.offsets  # [B, L + H]
        lookback = self.series.lookback
        values = self.series.values[rows]
        if transform is not None:
            values = transform(values)
        return Batch(
            window=values[:, :lookback],
            calendar=self.series.phases[rows],
            target=values[:, lookback:, self.series.target_index],
            future=values[:, lookback:][..., self.series.known_index],
        )


@dataclass(frozen=True)
class SeriesData:
    """The aligned series of one job, its split and its training statistics."""

    frame: pl.DataFrame
    values: torch.Tensor  # [T, n_inputs] float32, NaN where unfilled
    invalid: torch.Tensor  # [T] bool
    phases: torch.Tensor  # [T, 2 or 3] float32
    target_index: int
    known_index: list[int]  # columns of the known-in-advance inputs
    lookback: int
    horizon: int
    split: SplitBounds
    stats: FeatureStats
    target_holes: torch.Tensor | None = None  # [T] bool: the target's dropout zeros

    def windows(self, part: str) -> WindowSet:
        bounds = getattr(self.split, part)
        return WindowSet(self, bounds, own_history=part == "train")


def prepare_series(
    aligned: pl.DataFrame, plan: FeaturePlan, split: SplitBounds | tuple[float, float, float]
) -> SeriesData:
    """Tensors, split and train-only statistics of an aligned frame."""
    bounds = split if isinstance(split, SplitBounds) else chronological_split(aligned.height, split)
    if (
        not 0
        <= bounds.train[0]
        < bounds.train[1]
        <= bounds.val[1]
        <= bounds.test[1]
        <= aligned.height
    ):
        raise InvalidInput("split rows are out of order or beyond the data", bounds.as_dict())
    names = plan.input_names
    array = aligned.select(names).to_numpy().astype(np.float32)
    epoch = aligned.get_column(plan.timestampColumn).dt.epoch("ms").to_numpy() / 1000.0
    stats = compute_stats(aligned.slice(bounds.train[0], bounds.train[1] - bounds.train[0]), names)
    values = torch.from_numpy(array)
    target_index = names.index(plan.target)
    holes = None
    if stats.inputs[plan.target].dropoutZeros:
        holes = values[:, target_index] == 0
    return SeriesData(
        frame=aligned,
        values=values,
        invalid=torch.isnan(values).any(dim=1),
        phases=torch.from_numpy(calendar_phases(epoch.astype(np.float64), plan.holidays)),
        target_index=target_index,
        known_index=[names.index(n) for n in plan.known_inputs],
        lookback=plan.lookback,
        horizon=plan.horizon,
        split=bounds,
        stats=stats,
        target_holes=holes,
    )
