"""What drives the load besides its own past, per forecast step, inside the exported graph.

raw window [B, L, n] (+ calendar [B, L + H, 2|3]) (+ known future [B, H, K]) ->
exogenous features [B, H, E]:

- the calendar of each forecast step: time of day (half-hour slots at most) x day type
  (working day, Saturday, Sunday or public holiday) as one-hot cells, which is how
  shifts and weekends shape a factory's load; daily data gets the day type alone. With
  `weekdays` each working day of the week is a type of its own (Monday to Saturday, then
  Sunday or holiday): working weeks differ (a city whose Friday afternoons are quiet, a
  factory with a short Friday shift), but seven types fit each cell on fewer days, so
  `auto` lets its backtest choose (`three_type_map`: the three-type cells are exact sums
  of the seven-type ones);
- each known-in-advance input (production plan, weather forecast) at that step, z-scored,
  with hinges at -1, 0 and +1 so that a linear fit can bend;
- every other input (known ones too) summarised by its last value and its mean over the
  last season (a day), z-scored, the same for every step.

Training statistics are buffers, so serving computes exactly what training saw.
"""

from __future__ import annotations

import torch
from torch import nn

from loadstar_core.features.stats import FeatureStats
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan, Seasonality

KNOTS = (-1.0, 0.0, 1.0)  # hinge points of each known input, in training z-scores
MAX_SLOTS = 48  # day slots of the calendar cells: half hours at most
PHASE_EPSILON = 1e-4  # phases come as float32: keep 13:00 from flooring to 12
WEEKDAYS = 7  # day types with `weekdays`: Monday to Saturday, then Sunday or holiday
# each of those seven types as one of the three: Monday-Friday working, Saturday, off
THREE_OF_SEVEN = (0, 0, 0, 0, 0, 1, 2)


class ExogenousBlock(nn.Module):
    shift: torch.Tensor
    scale: torch.Tensor

    def __init__(self, plan: FeaturePlan, stats: FeatureStats, weekdays: bool = False) -> None:
        super().__init__()
        names = plan.input_names
        known = plan.known_inputs
        self.known_index = [names.index(n) for n in known]
        self.past_index = [i for i, n in enumerate(names) if n != plan.target]
        pairs = [stats.inputs[n].zscore() for n in names]
        self.register_buffer("shift", torch.tensor([p[0] for p in pairs], dtype=torch.float32))
        self.register_buffer("scale", torch.tensor([p[1] for p in pairs], dtype=torch.float32))
        per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
        self.summary_points = max(1, min(per_day, plan.lookback))
        self.lookback, self.horizon = plan.lookback, plan.horizon
        season = next((op for op in plan.ops if isinstance(op, Seasonality)), None)
        self.uses_calendar = season is not None
        daily = season is not None and season.daily and per_day > 1
        self.slots = min(per_day, MAX_SLOTS) if daily else 1
        weekly = season is not None and season.weekly
        self.day_types = (WEEKDAYS if weekdays else 3) if weekly else 2
        self.holidays = season is not None and season.holidays is not None
        n_calendar = self.slots * self.day_types if self.uses_calendar else 0
        self.width = n_calendar + (1 + len(KNOTS)) * len(self.known_index)
        self.width += 2 * len(self.past_index)

    def calendar_cells(self, calendar: torch.Tensor) -> torch.Tensor:
        """[B, H, 2|3] future phases (+ holiday) -> [B, H, slots * day_types] one-hot cells."""
        day, week = calendar[..., 0], calendar[..., 1]
        weekday = torch.floor(week * 7.0 + PHASE_EPSILON)
        holiday = calendar[..., 2] if self.holidays else torch.zeros_like(day)
        off = torch.clamp((weekday >= 6.0).float() + holiday, max=1.0)
        if self.day_types == WEEKDAYS:
            days = torch.arange(WEEKDAYS - 1, dtype=calendar.dtype, device=calendar.device)
            working = (weekday.unsqueeze(-1) == days).float() * (1.0 - off).unsqueeze(-1)
            types = torch.cat([working, off.unsqueeze(-1)], dim=-1)
        elif self.day_types == 3:
            saturday = (weekday == 5.0).float() * (1.0 - off)
            types = torch.stack([1.0 - off - saturday, saturday, off], dim=-1)
        else:
            free = holiday if self.holidays else torch.zeros_like(day)
            types = torch.stack([1.0 - free, free], dim=-1)
        if self.slots == 1:
            return types
        slot = torch.clamp(torch.floor(day * self.slots + PHASE_EPSILON), 0.0, self.slots - 1.0)
        grid = torch.arange(self.slots, dtype=calendar.dtype, device=calendar.device)
        cells = (slot.unsqueeze(-1) == grid).float()  # [B, H, slots]
        return (cells.unsqueeze(-1) * types.unsqueeze(-2)).flatten(-2)

    def three_type_map(self) -> torch.Tensor | None:
        """[E, E3] 0/1: this block's features (seven day types) as the features of the
        same block with three (each three-type cell is the sum of its seven-type cells;
        every other feature maps to itself), or None without seven day types."""
        if self.day_types != WEEKDAYS:
            return None
        cells = self.slots * WEEKDAYS
        rest = self.width - cells
        mapping = torch.zeros(self.width, self.slots * 3 + rest, dtype=torch.float64)
        for slot in range(self.slots):
            for day, three in enumerate(THREE_OF_SEVEN):
                mapping[slot * WEEKDAYS + day, slot * 3 + three] = 1.0
        mapping[cells:, self.slots * 3 :] = torch.eye(rest, dtype=torch.float64)
        return mapping

    def forward(
        self, window: torch.Tensor, calendar: torch.Tensor | None, future: torch.Tensor | None
    ) -> torch.Tensor:
        batch = window.shape[0]
        parts: list[torch.Tensor] = []
        if self.uses_calendar:
            if calendar is None:
                raise ValueError("this plan needs the calendar input")
            parts.append(self.calendar_cells(calendar[:, self.lookback :]))
        if self.known_index:
            if future is None:
                raise ValueError("this plan needs the future input")
            index = self.known_index
            z = (future - self.shift[index]) / self.scale[index]
            # hinges let a linear fit bend: cooling above some temperature, say
            parts += [z, *(torch.relu(z - knot) for knot in KNOTS)]
        if self.past_index:
            index = self.past_index
            z = (window[..., index] - self.shift[index]) / self.scale[index]
            # departures from the window's own level, so a drifting level is not read as news
            level = z.mean(dim=1)
            recent = z[:, -self.summary_points :].mean(dim=1)
            summary = torch.cat([z[:, -1] - level, recent - level], dim=-1)
            parts.append(summary.unsqueeze(1).expand(batch, self.horizon, -1))
        if not parts:
            return window.new_zeros(batch, self.horizon, 0)
        return torch.cat(parts, dim=-1)
