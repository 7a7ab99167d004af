"""`tide`: a TiDE-style dense encoder/decoder over the history, the covariates and the
exogenous features of every forecast step (calendar cells, known-future inputs).

It corrects the exogenous ridge forecast of `QuantileForecaster`, so it learns only the
non-linear part: a cooling load that starts above some temperature, a shift pattern that
changes with the production plan, interactions between the calendar and the level.
Das et al., "Long-term Forecasting with TiDE: Time-series Dense Encoder", TMLR 2023.
"""

from __future__ import annotations

import torch
from torch import nn

from training.models.common import CovariateSummary, QuantileForecaster, Shape, Window


class ResidualBlock(nn.Module):
    """TiDE's block: dense -> ReLU -> dense, dropout, plus a linear skip, layer-normed."""

    def __init__(self, width_in: int, hidden: int, width_out: int, dropout: float) -> None:
        super().__init__()
        self.dense = nn.Sequential(
            nn.Linear(width_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, width_out),
            nn.Dropout(dropout),
        )
        self.skip = nn.Linear(width_in, width_out)
        self.norm = nn.LayerNorm(width_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.norm(self.dense(x) + self.skip(x))
        return out


class TiDEForecaster(QuantileForecaster):
    def __init__(
        self,
        shape: Shape,
        *,
        instance_norm: str,
        covariate_rank: int,
        hidden_size: int,
        decoder_width: int,
        exog_width: int,
        dropout: float,
    ) -> None:
        super().__init__(shape, instance_norm)
        horizon = shape.horizon
        self.covariates = CovariateSummary(shape, covariate_rank) if covariate_rank else None
        self.exog_width = exog_width if shape.n_exog else 0
        self.project_exog = nn.Linear(shape.n_exog, exog_width) if shape.n_exog else None
        width = shape.lookback + shape.n_features * covariate_rank + horizon * self.exog_width
        self.encoder = ResidualBlock(width, hidden_size, hidden_size, dropout)
        self.decoder = ResidualBlock(hidden_size, hidden_size, horizon * decoder_width, dropout)
        self.decoder_width = decoder_width
        step_width = decoder_width + shape.n_exog
        self.temporal = nn.Linear(step_width, shape.n_quantiles)

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        return (self.temporal,)

    def project(self, x: Window) -> torch.Tensor:
        parts = [x.target]
        if self.covariates is not None:
            parts.append(self.covariates.encode(x.past))
        if self.project_exog is not None:
            parts.append(self.project_exog(x.exog).flatten(1))
        decoded = self.decoder(self.encoder(torch.cat(parts, dim=1)))
        steps = decoded.view(-1, self.shape.horizon, self.decoder_width)
        if self.shape.n_exog:
            steps = torch.cat([steps, x.exog], dim=-1)
        raw: torch.Tensor = self.temporal(steps)
        return raw
