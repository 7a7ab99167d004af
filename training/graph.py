"""The exported model: raw window (+ calendar) -> quantiles in target units.

Feature ops, the target's training statistics, the network and the interval calibration
all live in this one module, so the ONNX graph serves exactly what was trained.
"""

from __future__ import annotations

import torch
from torch import nn

from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import FeaturePlan
from training.features.exog import ExogenousBlock
from training.features.repair import RepairWindow
from training.features.torch_ops import FeatureBlock
from training.models.boosted import BoostedCorrection
from training.models.common import QuantileForecaster


class ForecastGraph(nn.Module):
    target_mean: torch.Tensor
    target_std: torch.Tensor
    interval_scale: torch.Tensor

    def __init__(
        self,
        plan: FeaturePlan,
        stats: FeatureStats,
        forecaster: QuantileForecaster,
        weekdays: bool = False,
    ) -> None:
        super().__init__()
        self.repair = RepairWindow(plan, stats)  # NaN and dropout zeros, before anything
        self.features = FeatureBlock(plan, stats)
        self.exog = ExogenousBlock(plan, stats, weekdays)
        self.forecaster = forecaster
        self.target_index = plan.input_names.index(plan.target)
        mean, std = stats.inputs[plan.target].zscore()
        self.register_buffer("target_mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("target_std", torch.tensor(std, dtype=torch.float32))
        # Per-quantile factor on the distance to the median, fitted on validation windows.
        self.register_buffer("interval_scale", torch.ones(len(plan.quantiles)))
        self.median_index = forecaster.median_index
        self.uses_calendar = plan.uses_calendar
        self.uses_future = bool(plan.known_inputs)
        # gradient-boosted trees correcting the p50 (`auto`, where its backtest says so)
        self.booster: BoostedCorrection | None = None

    def normalize_target(self, values: torch.Tensor) -> torch.Tensor:
        return (values - self.target_mean) / self.target_std

    def input_names(self) -> list[str]:
        """The exported graph's inputs, in order."""
        names = ["window"]
        names += ["calendar"] if self.uses_calendar else []
        return names + (["future"] if self.uses_future else [])

    def normalized(
        self,
        window: torch.Tensor,
        calendar: torch.Tensor | None,
        future: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Uncalibrated quantiles [B, H, Q] in z-scored target units (what the loss sees)."""
        window = self.repair(window)
        past, future_calendar = self.features(window, calendar)
        exog = self.exog(window, calendar, future)
        target = self.normalize_target(window[..., self.target_index])
        quantiles: torch.Tensor = self.forecaster(target, past, future_calendar, exog)
        if self.booster is not None:  # every quantile moves with the corrected p50
            median = quantiles[..., self.median_index]
            correction = self.booster(window, calendar, future, median)
            quantiles = quantiles + correction.unsqueeze(-1)
        return quantiles

    def calibrated(self, quantiles: torch.Tensor) -> torch.Tensor:
        """Scale each quantile's distance to the median; keep the quantiles ordered."""
        median = quantiles[..., self.median_index : self.median_index + 1]
        scaled = median + (quantiles - median) * self.interval_scale
        columns = list(scaled.unbind(-1))
        for i in range(self.median_index + 1, len(columns)):
            columns[i] = torch.maximum(columns[i], columns[i - 1])
        for i in range(self.median_index - 1, -1, -1):
            columns[i] = torch.minimum(columns[i], columns[i + 1])
        return torch.stack(columns, dim=-1)

    def forward(
        self,
        window: torch.Tensor,
        calendar: torch.Tensor | None = None,
        future: torch.Tensor | None = None,
    ) -> torch.Tensor:
        quantiles = self.calibrated(self.normalized(window, calendar, future))
        return quantiles * self.target_std + self.target_mean
