"""Many meters, one model: one job fits one forecaster across every series of a long frame.

The frame names its series in one column (`series_column`: an asset or meter id). Each
series is aligned on its own, split in time on its own (the job's split fractions), and
z-scored by its own training statistics (`loadstar_core.features.series_scaling`). The
scaled series are pooled: the forecaster trains on the windows of all of them, with the
series' identity as one-hot inputs known over the whole window and horizon, so the ridge
and the networks can give each series its own level and calendar shape.

The exported graph (`GlobalGraph`) takes the raw window and the series' index as its
`series` input, scales with that series' statistics (constants in the graph), appends the
one-hot identity, runs the pooled forecaster and returns quantiles on the series' own scale.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import polars as pl
import torch
from torch import nn

from loadstar_core.features.align import align_frame
from loadstar_core.features.layout import calendar_phases, seasonal_period
from loadstar_core.features.series_scaling import MAX_SERIES, SeriesScaling, fit_series_scaling
from loadstar_core.features.stats import compute_stats
from loadstar_core.hyperparams import CommonParams
from schemas.errors import InvalidInput
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan, PlanInput
from training.data import (
    Batch,
    SeriesData,
    SplitBounds,
    WindowSet,
    chronological_split,
    prepare_series,
)
from training.evaluate import predict, seasonal_naive
from training.graph import ForecastGraph

SERIES_INPUT = "series"


BLOCKS = 8  # three-hour blocks of the day: an asset's own shift pattern, coarsely
# Own cells need a few Saturdays per asset: below this many weeks of training rows they
# overfit (on the synthetic factory, 5 weeks: 2-16% worse than without; 17 weeks: 4-11%
# better), and the assets share the calendar cells alone.
MIN_WEEKS_FOR_CELLS = 8
WEEK = 7 * 86_400
DAY_TYPES = ("work", "sat", "off")
PHASE_EPSILON = 1e-4


def asset_calendar(phases: torch.Tensor, onehot: torch.Tensor) -> torch.Tensor:
    """[..., 2|3] calendar phases (+ holiday flag) and [..., S] series one-hot ->
    [..., S * BLOCKS * 3]: which asset, day type (working day, Saturday, Sunday or holiday)
    and block of the day. The shared calendar cells give every asset the same daily shape;
    these let the pooled ridge give each asset its own (a night shift on one line only)."""
    day, week = phases[..., 0], phases[..., 1]
    weekday = torch.floor(week * 7.0 + PHASE_EPSILON)
    holiday = phases[..., 2] if phases.shape[-1] > 2 else torch.zeros_like(day)
    off = torch.clamp((weekday >= 6.0).float() + holiday, max=1.0)
    saturday = (weekday == 5.0).float() * (1.0 - off)
    types = torch.stack([1.0 - off - saturday, saturday, off], dim=-1)
    block = torch.clamp(torch.floor(day * BLOCKS + PHASE_EPSILON), 0.0, BLOCKS - 1.0)
    grid = torch.arange(BLOCKS, dtype=phases.dtype, device=phases.device)
    blocks = (block.unsqueeze(-1) == grid).to(phases.dtype)
    cells = (blocks.unsqueeze(-1) * types.unsqueeze(-2)).flatten(-2)  # [..., BLOCKS * 3]
    return (onehot.unsqueeze(-1) * cells.unsqueeze(-2)).flatten(-2)


def asset_calendar_names(column: str, assets: list[str]) -> list[str]:
    return [
        f"{column}={asset}@{kind}{3 * b:02d}h"
        for asset in assets
        for b in range(BLOCKS)
        for kind in DAY_TYPES
    ]


def identity_name(column: str, asset: str) -> str:
    """The name of the one-hot input that says "this window is `asset`"."""
    return f"{column}={asset}"


@dataclass(frozen=True)
class PooledSeries(SeriesData):
    """Several series one after another; windows never cross from one into the next.

    `blocks`: per series, its first row in the pooled tensors and its own split (rows
    relative to that first row). `split` is the first series' (what the card shows)."""

    blocks: tuple[tuple[int, SplitBounds], ...] = ()
    row_series: torch.Tensor | None = None  # [T] long: which series each pooled row is

    def windows(self, part: str) -> WindowSet:
        """The windows of `part` of every series, interleaved in time (backtest folds cut
        the pooled set by position, so every fold holds every series)."""
        keys: list[torch.Tensor] = []
        origins: list[torch.Tensor] = []
        base: WindowSet | None = None
        for index, (offset, bounds) in enumerate(self.blocks):
            local = getattr(bounds, part)
            found = WindowSet(
                self, (offset + local[0], offset + local[1]), own_history=part == "train"
            )
            kept = found.origins[found.origins >= offset + self.lookback]
            base = base or found
            origins.append(kept)
            keys.append((kept - offset) * len(self.blocks) + index)
        assert base is not None
        order = torch.argsort(torch.cat(keys))
        merged = copy.copy(base)
        merged.origins = torch.cat(origins)[order]
        return merged

    def series_of(self, windows: WindowSet) -> torch.Tensor:
        """[N] long: the series of each window."""
        assert self.row_series is not None
        return self.row_series[windows.origins]


@dataclass(frozen=True)
class Pooled:
    """What `pool_series` prepared: the pooled data, its plan and the scaling."""

    outer: FeaturePlan  # the plan the user wrote (inputs in their own units)
    plan: FeaturePlan  # the pooled forecaster's: + one one-hot input per series, known
    series: PooledSeries
    scaling: SeriesScaling
    column: str
    ranges: dict[str, list[float]]  # per outer input index, [min, max] over training rows


def pool_series(frame: pl.DataFrame, plan: FeaturePlan, params: CommonParams) -> Pooled:
    column = params.series_column
    assert column is not None
    if column not in frame.columns:
        raise InvalidInput(
            f"the dataset has no column {column!r} to tell its series apart",
            {"field": "series_column", "column": column, "columns": frame.columns},
        )
    if params.split_rows is not None:
        raise InvalidInput(
            "split_rows cannot be used with series_column: each series is split by fractions",
            {"field": "split_rows"},
        )
    ids = frame.get_column(column).cast(pl.String)
    assets = sorted(a for a in ids.unique().to_list() if a is not None and a != "")
    if not 1 <= len(assets) <= MAX_SERIES:
        raise InvalidInput(
            f"series_column {column!r} must hold 1 to {MAX_SERIES} series",
            {"field": "series_column", "series": len(assets)},
        )
    names = plan.input_names
    a, b, c = params.split
    aligned: dict[str, pl.DataFrame] = {}
    bounds: dict[str, SplitBounds] = {}
    for asset in assets:
        rows = frame.filter(ids == asset).drop(column)
        aligned[asset] = align_frame(rows, plan, max_gap=params.max_gap)
        bounds[asset] = chronological_split(aligned[asset].height, (a, b, c))
    train = {
        asset: aligned[asset]
        .slice(0, bounds[asset].train[1])
        .select(names)
        .to_numpy()
        .astype(np.float64)
        for asset in assets
    }
    scaling = fit_series_scaling(train)
    mean, std = scaling.arrays()
    onehot = [identity_name(column, asset) for asset in assets]
    weeks = min(b.train[1] for b in bounds.values()) * FREQUENCY_SECONDS[plan.frequency] / WEEK
    own_cells = plan.uses_calendar and weeks >= MIN_WEEKS_FOR_CELLS
    cells = asset_calendar_names(column, assets) if own_cells else []
    extra = [*onehot, *cells]
    inner = msgspec.structs.replace(
        plan, inputs=[*plan.inputs, *(PlanInput(name=n, unit="1", known=True) for n in extra)]
    )
    blocks, parts, scaled_frames = [], [], []
    offset = 0
    for k, asset in enumerate(assets):
        frame_k = aligned[asset]
        z = (frame_k.select(names).to_numpy().astype(np.float64) - mean[k]) / std[k]
        columns: dict[str, Any] = {plan.timestampColumn: frame_k.get_column(plan.timestampColumn)}
        columns.update({n: pl.Series(n, z[:, j]).fill_nan(None) for j, n in enumerate(names)})
        columns.update({n: np.full(frame_k.height, float(j == k)) for j, n in enumerate(onehot)})
        if cells:
            epoch = frame_k.get_column(plan.timestampColumn).dt.epoch("ms").to_numpy() / 1000.0
            phases = torch.from_numpy(calendar_phases(epoch.astype(np.float64), plan.holidays))
            identity = torch.zeros(frame_k.height, len(assets))
            identity[:, k] = 1.0
            found = asset_calendar(phases, identity).numpy()
            columns.update({n: found[:, j] for j, n in enumerate(cells)})
        scaled = pl.DataFrame(columns)
        parts.append(prepare_series(scaled, inner, bounds[asset]))
        scaled_frames.append(scaled.slice(0, bounds[asset].train[1]))
        blocks.append((offset, bounds[asset]))
        offset += frame_k.height
    first = parts[0]
    pooled = PooledSeries(
        frame=pl.concat([p.frame for p in parts]),
        values=torch.cat([p.values for p in parts]),
        invalid=torch.cat([p.invalid for p in parts]),
        phases=torch.cat([p.phases for p in parts]),
        target_index=first.target_index,
        known_index=first.known_index,
        lookback=plan.lookback,
        horizon=plan.horizon,
        split=first.split,
        stats=compute_stats(pl.concat(scaled_frames), inner.input_names),
        blocks=tuple(blocks),
        row_series=torch.cat(
            [torch.full((p.values.shape[0],), k, dtype=torch.long) for k, p in enumerate(parts)]
        ),
    )
    ranges: dict[str, list[float]] = {}
    for j in range(len(names)):
        column_values = np.concatenate([t[:, j] for t in train.values()])
        column_values = column_values[~np.isnan(column_values)]
        if column_values.size:
            ranges[str(j)] = [float(column_values.min()), float(column_values.max())]
    return Pooled(plan, inner, pooled, scaling, column, ranges)


class GlobalGraph(nn.Module):
    """Raw window + series index -> quantiles on that series' own scale."""

    mean: torch.Tensor
    std: torch.Tensor
    identity: torch.Tensor

    def __init__(self, inner: ForecastGraph, pooled: Pooled) -> None:
        super().__init__()
        self.inner = inner
        mean, std = pooled.scaling.arrays()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.register_buffer("identity", torch.eye(len(pooled.scaling.assets)))
        names = pooled.outer.input_names
        self.known = [names.index(n) for n in pooled.outer.known_inputs]
        self.target_index = names.index(pooled.outer.target)
        self.uses_calendar = pooled.outer.uses_calendar
        self.horizon = pooled.outer.horizon
        self.asset_cells = len(pooled.plan.inputs) > len(names) + len(pooled.scaling.assets)

    def input_names(self) -> list[str]:
        names = ["window"] + (["calendar"] if self.uses_calendar else [])
        return names + (["future"] if self.known else []) + [SERIES_INPUT]

    def forward(
        self,
        window: torch.Tensor,
        calendar: torch.Tensor | None = None,
        future: torch.Tensor | None = None,
        series: torch.Tensor | None = None,
    ) -> torch.Tensor:
        assert series is not None
        index = series.reshape(-1).round().long().clamp(0, self.identity.shape[0] - 1)
        mean, std, onehot = self.mean[index], self.std[index], self.identity[index]
        scaled = (window - mean.unsqueeze(1)) / std.unsqueeze(1)
        length, horizon = window.shape[1], self.horizon
        identity = onehot.unsqueeze(1).expand(-1, length + horizon, -1)
        if self.asset_cells:
            assert calendar is not None
            identity = torch.cat([identity, asset_calendar(calendar, identity)], dim=-1)
        scaled = torch.cat([scaled, identity[:, :length]], dim=-1)
        ahead = identity[:, length:]
        if self.known and future is not None:
            known_future = (future - mean[:, self.known].unsqueeze(1)) / std[
                :, self.known
            ].unsqueeze(1)
            ahead = torch.cat([known_future, ahead], dim=-1)
        quantiles: torch.Tensor = self.inner(scaled, calendar, ahead)
        t = self.target_index
        return quantiles * std[:, t, None, None] + mean[:, t, None, None]


def raw_batch(pooled: Pooled, windows: WindowSet, index: torch.Tensor) -> Batch:
    """Windows of the pooled set back on their own series' scale, with their series index."""
    batch = windows.batch(index)
    ids = pooled.series.series_of(windows)[index]
    mean, std = (torch.tensor(x, dtype=torch.float32)[ids] for x in pooled.scaling.arrays())
    n = len(pooled.outer.input_names)
    known = [pooled.outer.input_names.index(k) for k in pooled.outer.known_inputs]
    t = pooled.outer.input_names.index(pooled.outer.target)
    return Batch(
        window=batch.window[..., :n] * std.unsqueeze(1) + mean.unsqueeze(1),
        calendar=batch.calendar,
        target=batch.target * std[:, t, None] + mean[:, t, None],
        future=batch.future[..., : len(known)] * std[:, known].unsqueeze(1)
        + mean[:, known].unsqueeze(1),
        series=ids.float().unsqueeze(1),
    )


def per_asset_metrics(graph: ForecastGraph, pooled: Pooled) -> dict[str, dict[str, float]]:
    """Test MAE, [first, last] quantile coverage and seasonal-naive MAE of each series, on
    its own scale (the pooled evaluation is in per-series z-scores)."""
    windows = pooled.series.windows("test")
    quantiles, target, history = predict(graph, windows)
    ids = pooled.series.series_of(windows).numpy()
    mean, std = pooled.scaling.arrays()
    t = pooled.outer.input_names.index(pooled.outer.target)
    period = seasonal_period(pooled.outer)
    median = graph.median_index
    found: dict[str, dict[str, float]] = {}
    for k, asset in enumerate(pooled.scaling.assets):
        mine = ids == k
        if not mine.any():
            continue
        a, s = mean[k, t], std[k, t]
        q, y, h = quantiles[mine] * s + a, target[mine] * s + a, history[mine] * s + a
        naive = seasonal_naive(h, period, pooled.outer.horizon)
        found[asset] = {
            "mae": float(np.abs(q[..., median] - y).mean()),
            "seasonalNaiveMae": float(np.abs(naive - y).mean()),
            "coverage": float(((y >= q[..., 0]) & (y <= q[..., -1])).mean()),
            "testWindows": int(mine.sum()),
            "targetMean": float(a),
            "targetStd": float(s),
        }
    return found
