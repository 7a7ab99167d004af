"""The plan's feature ops as a torch module: raw window (+calendar) -> feature tensors.

It is the first stage of the exported graph, so serving computes exactly what training
saw. Normalization constants come from the training split and live in buffers. Points
before the window start are the window's first value repeated (see `layout`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from loadstar_core.features.layout import calendar_terms, normalize_methods, validate_plan
from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import Diff, FeaturePlan, Lag, Rolling, Seasonality


def shifted(x: torch.Tensor, k: int) -> torch.Tensor:
    """x[:, t - k] with the first value repeated before the start; x is [B, L]."""
    pad = x[:, :1].expand(-1, k)
    return torch.cat([pad, x[:, : x.shape[1] - k]], dim=1)


def rolling(x: torch.Tensor, window: int, stat: str) -> torch.Tensor:
    """Trailing statistic over `window` points, current included; x is [B, L].

    Mean and standard deviation come from running sums in float64, where E[x^2] - E[x]^2
    does not cancel the way it would in float32; min and max are max-pools.
    """
    padded = torch.cat([x[:, :1].expand(-1, window - 1), x], dim=1)
    if stat in ("min", "max"):
        sign = 1.0 if stat == "max" else -1.0
        return sign * F.max_pool1d((sign * padded).unsqueeze(1), window, stride=1).squeeze(1)
    wide = padded.double()
    zero = torch.zeros_like(wide[:, :1])
    sums = torch.cat([zero, torch.cumsum(wide, dim=1)], dim=1)
    mean = (sums[:, window:] - sums[:, :-window]) / window
    if stat == "mean":
        return mean.to(x.dtype)
    squares = torch.cat([zero, torch.cumsum(wide * wide, dim=1)], dim=1)
    second = (squares[:, window:] - squares[:, :-window]) / window
    return torch.sqrt(torch.clamp(second - mean * mean, min=0.0)).to(x.dtype)


def fourier(phase: torch.Tensor, order: int) -> list[torch.Tensor]:
    """sin/cos of 2*pi*k*phase for k = 1..order; phase is [B, T] in [0, 1)."""
    terms: list[torch.Tensor] = []
    for k in range(1, order + 1):
        angle = phase * (2.0 * math.pi * k)
        terms += [torch.sin(angle), torch.cos(angle)]
    return terms


class FeatureBlock(nn.Module):
    """window [B, L, n_inputs] (+ calendar [B, L+H, 2]) -> past [B, L, F], future [B, H, C]."""

    shift: torch.Tensor
    scale: torch.Tensor

    def __init__(self, plan: FeaturePlan, stats: FeatureStats) -> None:
        super().__init__()
        validate_plan(plan)
        names = plan.input_names
        methods = normalize_methods(plan)
        pairs = [stats.shift_scale(n, methods[n]) if n in methods else (0.0, 1.0) for n in names]
        self.register_buffer("shift", torch.tensor([p[0] for p in pairs], dtype=torch.float32))
        self.register_buffer("scale", torch.tensor([p[1] for p in pairs], dtype=torch.float32))
        self.lookback = plan.lookback
        self.horizon = plan.horizon
        self.uses_calendar = plan.uses_calendar
        terms = calendar_terms(plan)
        self.daily_order, self.weekly_order = terms.daily_order, terms.weekly_order
        self.n_calendar = len(terms.columns)
        # (kind, input index, int parameter, stat) per derived column group, in plan order.
        self.steps: list[tuple[str, int, int, str]] = []
        for op in plan.ops:
            if isinstance(op, Lag):
                self.steps += [("lag", names.index(op.input), k, "") for k in op.lags]
            elif isinstance(op, Rolling):
                index = names.index(op.input)
                self.steps += [("rolling", index, op.window, s) for s in op.stats]
            elif isinstance(op, Diff):
                self.steps.append(("diff", names.index(op.input), op.periods, ""))
            elif isinstance(op, Seasonality) and self.n_calendar:
                self.steps.append(("calendar", -1, 0, ""))
        self.n_features = len(names) + sum(
            self.n_calendar if kind == "calendar" else 1 for kind, *_ in self.steps
        )

    def calendar_features(self, phases: torch.Tensor) -> torch.Tensor:
        """[B, T, 2] (day, week) phases -> [B, T, C] Fourier terms."""
        terms = fourier(phases[..., 0], self.daily_order)
        terms += fourier(phases[..., 1], self.weekly_order)
        return torch.stack(terms, dim=-1)

    def forward(
        self, window: torch.Tensor, calendar: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Past features [B, L, F] and future calendar terms [B, H, C] (None without any)."""
        x = (window - self.shift) / self.scale
        columns = [x]
        past_calendar = future = None
        if self.n_calendar:
            if calendar is None:
                raise ValueError("this plan needs the calendar input")
            past_calendar = self.calendar_features(calendar[:, : self.lookback])
            future = self.calendar_features(calendar[:, self.lookback :])
        for kind, index, param, stat in self.steps:
            series = x[..., index]
            if kind == "lag":
                columns.append(shifted(series, param).unsqueeze(-1))
            elif kind == "diff":
                columns.append((series - shifted(series, param)).unsqueeze(-1))
            elif kind == "rolling":
                columns.append(rolling(series, param, stat).unsqueeze(-1))
            elif past_calendar is not None:
                columns.append(past_calendar)
        return torch.cat(columns, dim=-1), future
