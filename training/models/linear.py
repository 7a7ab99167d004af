"""`linear`: DLinear-style trend/remainder decomposition, a linear head on each, per quantile.

The heads correct the shared linear (NLinear-style) path of `QuantileForecaster`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from training.models.common import CalendarEffect, CovariateSummary, QuantileForecaster, Shape


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

    def zero_correction(self) -> None:
        for layer in (self.trend, self.remainder):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def project(
        self,
        target: torch.Tensor,
        past: torch.Tensor,
        future: torch.Tensor | None,
        exog: torch.Tensor,
    ) -> torch.Tensor:
        trend = moving_average(target, self.kernel)
        raw: torch.Tensor = self.trend(trend) + self.remainder(target - trend)
        raw = raw.view(-1, self.shape.horizon, self.shape.n_quantiles)
        if self.covariates is not None:
            raw = raw + self.covariates(past)
        if self.calendar is not None and future is not None:
            raw = raw + self.calendar(future)
        return raw
