"""`mlp`: a residual MLP over the target history, covariate summaries and future calendar."""

from __future__ import annotations

import torch
from torch import nn

from training.models.common import (
    CovariateSummary,
    QuantileForecaster,
    Shape,
    Window,
)


class MLPForecaster(QuantileForecaster):
    def __init__(
        self,
        shape: Shape,
        *,
        instance_norm: str,
        hidden_sizes: list[int],
        dropout: float,
        covariate_rank: int,
    ) -> None:
        super().__init__(shape, instance_norm)
        outputs = shape.horizon * shape.n_quantiles
        self.covariates = CovariateSummary(shape, covariate_rank) if covariate_rank else None
        width = shape.lookback + shape.n_features * covariate_rank
        width += shape.horizon * shape.n_calendar
        layers: list[nn.Module] = []
        for hidden in hidden_sizes:
            layers += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout)]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, outputs)

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        return (self.head,)

    def project(self, x: Window) -> torch.Tensor:
        parts = [x.target]
        if self.covariates is not None:
            parts.append(self.covariates.encode(x.past))
        if x.future is not None:
            parts.append(x.future.flatten(1))
        raw: torch.Tensor = self.head(self.body(torch.cat(parts, dim=1)))
        return raw.view(-1, self.shape.horizon, self.shape.n_quantiles)
