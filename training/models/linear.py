"""`linear`: DLinear-style trend/remainder decomposition, a linear head on each, per quantile.

The heads correct the shared linear (NLinear-style) path of `QuantileForecaster`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from training.models.common import (
    CalendarEffect,
    CovariateSummary,
    QuantileForecaster,
    Shape,
    Window,
)


def moving_average(x: torch.Tensor, kernel: int) -> torch.Tensor:
    """Centred moving average of [B, L] with the ends repeated, as DLinear's series_decomp."""
    left, right = (kernel - 1) // 2, kernel // 2
    padded = torch.cat([x[:, :1].expand(-1, left), x, x[:, -1:].expand(-1, right)], dim=1)
    return F.avg_pool1d(padded.unsqueeze(1), kernel, stride=1).squeeze(1)


class LinearForecaster(QuantileForecaster):
    def __init__(
        self, shape: Shape, *, instance_norm: str, kernel_size: int, covariate_rank: int
    ) -> None:
        super().__init__(shape, instance_norm)
        self.kernel = min(kernel_size, shape.lookback)
        outputs = shape.horizon * shape.n_quantiles
        self.trend = nn.Linear(shape.lookback, outputs)
        self.remainder = nn.Linear(shape.lookback, outputs)
        self.covariates = CovariateSummary(shape, covariate_rank) if covariate_rank else None
        self.calendar = CalendarEffect(shape) if shape.n_calendar else None

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        return (self.trend, self.remainder)

    def project(self, x: Window) -> torch.Tensor:
        trend = moving_average(x.target, self.kernel)
        raw: torch.Tensor = self.trend(trend) + self.remainder(x.target - trend)
        raw = raw.view(-1, self.shape.horizon, self.shape.n_quantiles)
        if self.covariates is not None:
            raw = raw + self.covariates(x.past)
        if self.calendar is not None and x.future is not None:
            raw = raw + self.calendar(x.future)
        return raw
