"""Trees on top of the ridge: a correction of the p50 that can switch regime.

A plant that is either idle or running has a two-humped next few hours; a linear fit's
p50 sits between the humps whenever a shift's start is uncertain. Gradient-boosted
trees fitted for absolute error on the ridge's residuals, with the ridge's own forecast,
the recent lags, the calendar of each step and the inputs as features, move the p50 to
the hump the evidence points to. A second set of trees, on the same features, forecasts
the target itself; the served p50 is the average of the two forecasts (the ridge's plus
its correction, and the direct one). Every quantile moves with the p50 (the intervals are
calibrated afterwards, on validation, around the corrected p50).

Inside the exported graph: raw window (+ calendar) (+ known future) and the ridge's p50,
all z-scored -> [B, H, F] features (`StepFeatures`) -> `TreeEnsemble` -> [B, H].
"""

from __future__ import annotations

import torch
from torch import nn

from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan
from training.models.trees import TreeEnsemble

RECENT = 4  # points of the short recent mean
MEDIAN_COLUMN = 1  # the ridge's own p50 among the features (after the step)


class StepFeatures(nn.Module):
    """One row of features per (window, forecast step), float32, no missing values."""

    shift: torch.Tensor
    scale: torch.Tensor
    lag_index: torch.Tensor
    steps: torch.Tensor

    def __init__(self, plan: FeaturePlan, stats: FeatureStats, uses_calendar: bool) -> None:
        super().__init__()
        names = plan.input_names
        self.target_index = names.index(plan.target)
        self.past_index = [i for i, n in enumerate(names) if n != plan.target]
        self.known_index = [names.index(n) for n in plan.known_inputs]
        pairs = [stats.inputs[n].zscore() for n in names]
        self.register_buffer("shift", torch.tensor([p[0] for p in pairs], dtype=torch.float32))
        self.register_buffer("scale", torch.tensor([p[1] for p in pairs], dtype=torch.float32))
        self.lookback, self.horizon = plan.lookback, plan.horizon
        per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
        self.summary = max(1, min(per_day, plan.lookback))
        # the same time of day a day back and a week back, for each step, where the
        # window reaches that far: indices into the history
        lags = [p for p in (per_day, 7 * per_day) if 2 <= p <= plan.lookback]
        steps = torch.arange(plan.horizon)
        index = [plan.lookback + steps - p * (steps // p + 1) for p in lags]
        self.register_buffer(
            "lag_index", torch.stack(index) if index else torch.zeros(0, plan.horizon).long()
        )
        self.register_buffer("steps", steps.float() / max(plan.horizon - 1, 1))
        self.uses_calendar = uses_calendar
        self.width = 1 + 1 + 5 + len(lags) + len(self.past_index) + len(self.known_index)
        self.width += 3 if uses_calendar else 0

    def forward(
        self,
        window: torch.Tensor,
        calendar: torch.Tensor | None,
        future: torch.Tensor | None,
        median: torch.Tensor,
    ) -> torch.Tensor:
        batch, horizon = window.shape[0], self.horizon
        z = (window - self.shift) / self.scale
        target = z[..., self.target_index]
        day = target[:, -self.summary :]
        per_window = [
            target[:, -1],
            target[:, -RECENT:].mean(dim=1),
            day.mean(dim=1),
            day.amin(dim=1),
            day.amax(dim=1),
        ]
        per_window += [z[:, -1, i] for i in self.past_index]
        columns = [
            self.steps.expand(batch, horizon),
            median,
            *(target[:, index] for index in self.lag_index),
            *(value.unsqueeze(1).expand(batch, horizon) for value in per_window),
        ]
        if self.uses_calendar:
            if calendar is None:
                raise ValueError("this plan needs the calendar input")
            ahead = calendar[:, self.lookback :]
            columns += [ahead[..., 0], ahead[..., 1]]
            columns.append(ahead[..., 2] if ahead.shape[-1] > 2 else torch.zeros_like(median))
        if self.known_index:
            if future is None:
                raise ValueError("this plan needs the future input")
            index = self.known_index
            known = (future - self.shift[index]) / self.scale[index]
            columns += list(known.unbind(-1))
        return torch.stack(columns, dim=-1)


class BoostedCorrection(nn.Module):
    """(window, calendar, future, ridge p50 [B, H]) -> the trees' correction [B, H].

    `trees` sum to `(1 - direct_share) * residual + direct_share * direct`, where the
    residual trees forecast the ridge's error and the direct trees the target itself;
    the correction subtracts `direct_share` of the ridge's p50, so the corrected p50 is
    that share's mix of the two forecasts."""

    def __init__(
        self, features: StepFeatures, trees: TreeEnsemble, direct_share: float = 0.0
    ) -> None:
        super().__init__()
        self.features = features
        self.trees = trees
        self.direct_share = direct_share

    def forward(
        self,
        window: torch.Tensor,
        calendar: torch.Tensor | None,
        future: torch.Tensor | None,
        median: torch.Tensor,
    ) -> torch.Tensor:
        rows = self.features(window, calendar, future, median)
        batch, horizon, width = rows.shape
        flat: torch.Tensor = self.trees(rows.reshape(batch * horizon, width))
        correction = flat.reshape(batch, horizon)
        if self.direct_share:
            correction = correction - self.direct_share * median
        return correction
