"""The window's holes mended inside the graph: a meter's dropouts and missing readings.

Exported models are called with raw windows, by the gateway and by anyone scoring the
ONNX file on their own data. Many meter exports write a dropout as an exact 0; a linear
forecaster multiplies it by its lag weights and misses the next day by the whole load.
Before any feature, a reading is replaced when it is NaN, exactly 0 on an input whose
training split says zeros are dropouts (`InputStats.dropoutZeros`), or further outside the
training range than the range is wide (a glitch: ten times the load, a sentinel such as
-9999), which the linear fit would carry into every step. The replacement is the
same time of day a day back, else a day ahead, else a week back or ahead (inside the
window, where that reading is sound itself), else the input's training mean.
"""

from __future__ import annotations

import torch
from torch import nn

from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan


class RepairWindow(nn.Module):
    """window [B, L, n_inputs] -> the same window with its holes filled."""

    zero_is_hole: torch.Tensor
    fallback: torch.Tensor
    low: torch.Tensor
    high: torch.Tensor

    def __init__(self, plan: FeaturePlan, stats: FeatureStats) -> None:
        super().__init__()
        names = plan.input_names
        flags = [stats.inputs[n].dropoutZeros for n in names]
        self.register_buffer("zero_is_hole", torch.tensor(flags, dtype=torch.bool))
        means = [stats.inputs[n].mean for n in names]
        self.register_buffer("fallback", torch.tensor(means, dtype=torch.float32))
        spans = [stats.inputs[n].max - stats.inputs[n].min for n in names]
        low = [stats.inputs[n].min - s for n, s in zip(names, spans, strict=True)]
        high = [stats.inputs[n].max + s for n, s in zip(names, spans, strict=True)]
        self.register_buffer("low", torch.tensor(low, dtype=torch.float32))
        self.register_buffer("high", torch.tensor(high, dtype=torch.float32))
        per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
        self.shifts: list[int] = []
        for period in (per_day, 7 * per_day):
            if 1 < period < plan.lookback:
                self.shifts += [period, -period]

    def holes(self, window: torch.Tensor) -> torch.Tensor:
        dropout = (window == 0) & self.zero_is_hole
        return torch.isnan(window) | dropout | (window < self.low) | (window > self.high)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        holes = self.holes(window)
        filled = window
        length = window.shape[1]
        for k in self.shifts:
            # the reading k points earlier (k > 0) or later (k < 0); off the edge, none
            pad = torch.full_like(window[:, : abs(k)], float("nan"))
            if k > 0:
                other = torch.cat([pad, window[:, : length - k]], dim=1)
            else:
                other = torch.cat([window[:, -k:], pad], dim=1)
            take = holes & ~self.holes(other)
            filled = torch.where(take, other, filled)
            holes = holes & ~take
        return torch.where(holes, self.fallback.expand_as(window), filled)
