"""What every algorithm shares: instance normalisation, covariate summaries, quantile heads.

An algorithm supplies `project`: instance-normalised target history, centred past features
and future calendar terms -> a correction [B, H, n_quantiles] to the raw quantile parameters
of the shared linear path, and `zero_correction` to start that correction at zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class Shape:
    """Sizes an algorithm is built for."""

    lookback: int
    horizon: int
    n_features: int  # past feature channels (the target's own column included)
    n_calendar: int  # future calendar terms (0 without a seasonality op)
    quantiles: tuple[float, ...]
    season: int = 1  # points per season (a day) when it fits the lookback, else 1
    n_exog: int = 0  # exogenous features per forecast step (features/exog.py)

    @property
    def n_quantiles(self) -> int:
        return len(self.quantiles)

    @property
    def median_index(self) -> int:
        return min(range(len(self.quantiles)), key=lambda i: abs(self.quantiles[i] - 0.5))


def pinball_loss(pred: torch.Tensor, target: torch.Tensor, quantiles: torch.Tensor) -> torch.Tensor:
    """Mean quantile loss; pred [B, H, Q], target [B, H], quantiles [Q]."""
    error = target.unsqueeze(-1) - pred
    return torch.maximum(quantiles * error, (quantiles - 1.0) * error).mean()


def monotone_quantiles(raw: torch.Tensor, median_index: int, spread: torch.Tensor) -> torch.Tensor:
    """[B, H, Q] raw -> non-crossing quantiles: the median plus/minus cumulative softplus,
    the offsets multiplied by the window's relative spread [B, 1]."""
    centre = raw[..., median_index]
    columns = [centre]
    level = centre
    for i in range(median_index + 1, raw.shape[-1]):
        level = level + F.softplus(raw[..., i]) * spread
        columns.append(level)
    level = centre
    below: list[torch.Tensor] = []
    for i in range(median_index - 1, -1, -1):
        level = level - F.softplus(raw[..., i]) * spread
        below.insert(0, level)
    return torch.stack(below + columns, dim=-1)


class CovariateSummary(nn.Module):
    """Past feature channels -> [B, H, Q] through a shared temporal projection of rank r.

    Starts at zero, so a model begins as its target-only self and learns what the other
    channels add.
    """

    def __init__(self, shape: Shape, rank: int) -> None:
        super().__init__()
        self.temporal = nn.Linear(shape.lookback, rank)
        self.mix = nn.Linear(shape.n_features * rank, shape.horizon * shape.n_quantiles)
        nn.init.zeros_(self.mix.weight)
        nn.init.zeros_(self.mix.bias)
        self.horizon, self.n_quantiles = shape.horizon, shape.n_quantiles

    def encode(self, past: torch.Tensor) -> torch.Tensor:
        """[B, L, F] -> [B, F * r]."""
        summary: torch.Tensor = self.temporal(past.transpose(1, 2))
        return summary.flatten(1)

    def forward(self, past: torch.Tensor) -> torch.Tensor:
        mixed: torch.Tensor = self.mix(self.encode(past))
        return mixed.view(-1, self.horizon, self.n_quantiles)


class CalendarEffect(nn.Module):
    """Future calendar terms [B, H, C] -> an additive [B, H, Q] effect (zero at start)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.linear = nn.Linear(shape.n_calendar, shape.n_quantiles, bias=False)
        nn.init.zeros_(self.linear.weight)

    def forward(self, future: torch.Tensor) -> torch.Tensor:
        effect: torch.Tensor = self.linear(future)
        return effect


class Window(NamedTuple):
    """What `project` reads: the instance-normalised history [B, L], the centred past
    features [B, L, P], the future calendar terms [B, H, C] (or None), the exogenous
    features [B, H, E]."""

    target: torch.Tensor
    past: torch.Tensor
    future: torch.Tensor | None
    exog: torch.Tensor


class QuantileForecaster(nn.Module):
    """Target history (globally normalised) + features -> monotone quantiles, same units.

    Every algorithm is a linear forecast of the instance-normalised history (`skip`) plus
    the algorithm's own correction (`project`). With a warm start the linear part is the
    closed-form ridge fit, frozen, and the network learns only what that fit misses.

    Interval widths follow the window's recent spread (RMS of seasonal differences over
    the last week where the lookback holds it, else over what it holds) relative to its
    training average, raised to `spread_power`, so they widen when the series turns more
    volatile than it was in training. A week, not a day: over a day the spread of a
    factory mostly says whether yesterday was a Sunday. The calibration may lower the
    power (see calibration.py).
    """

    spread_mean: torch.Tensor
    spread_power: torch.Tensor
    median_mask: torch.Tensor

    def __init__(self, shape: Shape, instance_norm: str) -> None:
        super().__init__()
        self.shape = shape
        self.instance_norm = instance_norm
        self.median_index = shape.median_index
        self.spread_lag = min(shape.season, shape.lookback - 1)
        self.spread_points = min(max(7 * shape.season, 24), shape.lookback - self.spread_lag)
        self.register_buffer("spread_mean", torch.tensor(1.0))
        self.register_buffer("spread_power", torch.tensor(1.0))
        self.skip = nn.Linear(shape.lookback, shape.horizon * shape.n_quantiles)
        # Per-step linear effect of the exogenous features on the median (ridge start).
        self.exog_weight = nn.Parameter(torch.zeros(shape.horizon, shape.n_exog))
        median = torch.zeros(shape.n_quantiles)
        median[self.median_index] = 1.0
        self.register_buffer("median_mask", median)

    def spread(self, target: torch.Tensor) -> torch.Tensor:
        """[B, L] -> [B, 1] RMS of the lag-`season` differences over the last points."""
        recent = target[:, -self.spread_points :]
        earlier = target[:, -self.spread_points - self.spread_lag : -self.spread_lag]
        return torch.sqrt(((recent - earlier) ** 2).mean(dim=1, keepdim=True))

    def volatility(self, target: torch.Tensor) -> torch.Tensor:
        """The window's spread over the training mean; a floor keeps flat windows wide."""
        floor = 0.1 * self.spread_mean
        return torch.sqrt(self.spread(target) ** 2 + floor**2) / self.spread_mean

    def spread_ratio(self, target: torch.Tensor) -> torch.Tensor:
        """What the interval widths are multiplied by: the volatility to `spread_power`."""
        return self.volatility(target) ** self.spread_power

    def project(self, x: Window) -> torch.Tensor:
        """The algorithm's correction [B, H, Q] to the linear forecast's raw parameters."""
        raise NotImplementedError

    def correction_layers(self) -> tuple[nn.Linear, ...]:
        """The last layers of `project`: zero them and `project` outputs zero."""
        raise NotImplementedError

    def zero_correction(self) -> None:
        """Make `project` output zero, so training starts at the skip."""
        for layer in self.correction_layers():
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def instance(self, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Target history [B, L] -> (instance-normalised history, loc [B, 1], scale [B, 1])."""
        if self.instance_norm == "revin":
            loc = target.mean(dim=1, keepdim=True)
            scale = torch.sqrt(target.var(dim=1, keepdim=True, unbiased=False) + 1e-5)
        elif self.instance_norm == "none":  # the level comes from the exogenous features
            loc = torch.zeros_like(target[:, -1:])
            scale = torch.ones_like(loc)
        else:
            loc = target[:, -1:]
            scale = torch.ones_like(loc)
        return (target - loc) / scale, loc, scale

    def warm_start(self, start: LinearStart) -> None:
        """Begin from a fitted linear forecast, kept fixed, with a zero correction."""
        load_linear_start(self.skip, start, self.median_index)
        self.skip.requires_grad_(False)
        with torch.no_grad():
            self.exog_weight.copy_(start.exog_weight)
        self.exog_weight.requires_grad_(False)
        self.zero_correction()

    def forward(
        self,
        target: torch.Tensor,
        past: torch.Tensor,
        future: torch.Tensor | None,
        exog: torch.Tensor,
    ) -> torch.Tensor:
        history, loc, scale = self.instance(target)
        centred = past - past.mean(dim=1, keepdim=True)
        linear: torch.Tensor = self.skip(history)
        shape = (-1, self.shape.horizon, self.shape.n_quantiles)
        raw = linear.view(shape) + self.project(Window(history, centred, future, exog))
        if self.shape.n_exog:
            effect = (exog * self.exog_weight).sum(dim=-1, keepdim=True)  # [B, H, 1]
            raw = raw + effect * self.median_mask
        quantiles = monotone_quantiles(raw, self.median_index, self.spread_ratio(target) / scale)
        return quantiles * scale.unsqueeze(-1) + loc.unsqueeze(-1)


@dataclass(frozen=True)
class LinearStart:
    """A closed-form linear forecast in instance-normalised units and its residual spread.

    weight [H, L] and bias [H] give the median; offsets [H, Q] are the distances from
    each quantile to the next one nearer the median (0 at the median), all >= 0, in
    units of the window's relative spread.
    """

    weight: torch.Tensor
    bias: torch.Tensor
    offsets: torch.Tensor
    exog_weight: torch.Tensor  # [H, E] per-step effect of the exogenous features


def inverse_softplus(x: torch.Tensor) -> torch.Tensor:
    x = torch.clamp(x, min=1e-4)
    return x + torch.log(-torch.expm1(-x))


@torch.no_grad()
def load_linear_start(layer: nn.Linear, start: LinearStart, median_index: int) -> None:
    """Make `layer` ([L] -> [H * Q]) output `start`: median weights and quantile offsets."""
    horizon, n_quantiles = start.offsets.shape
    weight = layer.weight.view(horizon, n_quantiles, -1)
    bias = layer.bias.view(horizon, n_quantiles)
    weight.zero_()
    weight[:, median_index] = start.weight
    bias[:, median_index] = start.bias
    others = [q for q in range(n_quantiles) if q != median_index]
    bias[:, others] = inverse_softplus(start.offsets[:, others])
