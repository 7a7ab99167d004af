"""The calendar cells of the exogenous block: one cell per forecast step, at that step's
time of day and day of the week (Sundays and public holidays share a day type)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.features.layout import calendar_phases
from loadstar_core.features.stats import FeatureStats, InputStats
from schemas.feature_plan import FeaturePlan, PlanInput, Seasonality
from training.features.exog import DAYS, ExogenousBlock

LOOKBACK, HORIZON = 8, 16
STATS = FeatureStats(inputs={"load": InputStats(mean=0.0, std=1.0, min=0.0, max=1.0)})


def _block(weekly: bool, holidays: str | None) -> ExogenousBlock:
    plan = FeaturePlan(
        target="load",
        inputs=[PlanInput(name="load", unit="kW")],
        frequency="1h",
        lookback=LOOKBACK,
        horizon=HORIZON,
        ops=[Seasonality(weekly=weekly, holidays=holidays)],
    )
    return ExogenousBlock(plan, STATS)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 1, 1)),
    holidays=st.sampled_from([None, "DE", "MA"]),
)
def test_each_step_lights_its_hour_and_weekday(start: dt.datetime, holidays: str | None) -> None:
    block = _block(weekly=True, holidays=holidays)
    assert block.day_types == DAYS and block.width == 24 * DAYS
    hour = start.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
    stamps = [hour + dt.timedelta(hours=k) for k in range(LOOKBACK + HORIZON)]
    epoch = np.array([s.timestamp() for s in stamps], dtype=np.float64)
    calendar = torch.from_numpy(calendar_phases(epoch, holidays))[None]
    cells = block(torch.zeros(1, LOOKBACK, 1), calendar, None)[0]  # [H, 24 * 7]
    assert torch.all(cells.sum(-1) == 1.0)
    lit = cells.argmax(-1).tolist()
    for step, stamp in enumerate(stamps[LOOKBACK:]):
        holiday = holidays is not None and bool(calendar[0, LOOKBACK + step, 2] > 0.5)
        off = stamp.weekday() == 6 or holiday
        day = DAYS - 1 if off else stamp.weekday()  # Monday 0 .. Saturday 5, then off days
        assert lit[step] == stamp.hour * DAYS + day, (stamp, lit[step])


def test_a_friday_and_a_monday_at_the_same_hour_are_different_cells() -> None:
    block = _block(weekly=True, holidays=None)
    monday = dt.datetime(2024, 3, 4, 15, tzinfo=dt.UTC)  # a Monday
    hours = [dt.timedelta(days=d, hours=k) for d in (0, 4) for k in range(-LOOKBACK, HORIZON)]
    epoch = np.array([(monday + h).timestamp() for h in hours])
    calendar = torch.from_numpy(calendar_phases(epoch)).reshape(2, LOOKBACK + HORIZON, 2)
    cells = block(torch.zeros(2, LOOKBACK, 1), calendar, None)
    assert not torch.equal(cells[0], cells[1])


def test_without_a_weekly_season_only_holidays_are_a_day_type() -> None:
    assert _block(weekly=False, holidays="DE").day_types == 2
