"""Calendar cells with a day type per weekday, and the backtest that chooses them.

Each forecast step lights the cell of its time of day and day of the week (Sundays and
public holidays share one type); the three-type cells are exact sums of the seven-type
ones, so one pass over the windows scores both calendars; `auto` serves seven types
where the working days differ and three where they do not.
"""

from __future__ import annotations

import datetime as dt

import msgspec
import numpy as np
import polars as pl
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.features.align import align_frame
from loadstar_core.features.layout import calendar_phases
from loadstar_core.features.stats import FeatureStats, InputStats
from schemas.feature_plan import FeaturePlan, PlanInput, Seasonality
from training.data import prepare_series
from training.features.exog import WEEKDAYS, ExogenousBlock
from training.models import parse_hyperparams
from training.models.selection import merged
from training.models.warm_start import _moments
from training.pipeline import build_graph, choose_candidate

LOOKBACK, HORIZON = 8, 16
UNIT = InputStats(mean=0.0, std=1.0, min=0.0, max=1.0)
STATS = FeatureStats(inputs={"load": UNIT, "plan": UNIT, "temp": UNIT})


def _plan(weekly: bool = True, holidays: str | None = None, **sizes: int) -> FeaturePlan:
    return FeaturePlan(
        target="load",
        inputs=[
            PlanInput(name="load", unit="kW"),
            PlanInput(name="plan", unit="kW", known=True),
            PlanInput(name="temp", unit="degC"),
        ],
        frequency="1h",
        lookback=sizes.get("lookback", LOOKBACK),
        horizon=sizes.get("horizon", HORIZON),
        ops=[Seasonality(weekly=weekly, holidays=holidays)],
    )


def _calendar(start: dt.datetime, holidays: str | None, count: int = 1) -> torch.Tensor:
    hour = start.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
    steps = LOOKBACK + HORIZON
    epoch = np.array(
        [
            (hour + dt.timedelta(days=7 * w, hours=k)).timestamp()
            for w in range(count)
            for k in range(steps)
        ]
    )
    return torch.from_numpy(calendar_phases(epoch, holidays)).reshape(count, steps, -1)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 1, 1)),
    holidays=st.sampled_from([None, "DE", "MA"]),
)
def test_each_step_lights_its_hour_and_weekday(start: dt.datetime, holidays: str | None) -> None:
    block = ExogenousBlock(_plan(holidays=holidays), STATS, weekdays=True)
    assert block.day_types == WEEKDAYS
    calendar = _calendar(start, holidays)
    cells = block.calendar_cells(calendar[:, LOOKBACK:])[0]  # [H, 24 * 7]
    assert torch.all(cells.sum(-1) == 1.0)
    hour = start.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
    for step, lit in enumerate(cells.argmax(-1).tolist()):
        stamp = hour + dt.timedelta(hours=LOOKBACK + step)
        holiday = holidays is not None and bool(calendar[0, LOOKBACK + step, 2] > 0.5)
        day = WEEKDAYS - 1 if stamp.weekday() == 6 or holiday else stamp.weekday()
        assert lit == stamp.hour * WEEKDAYS + day, (stamp, lit)


@settings(max_examples=40, deadline=None)
@given(
    start=st.datetimes(dt.datetime(2015, 1, 1), dt.datetime(2030, 1, 1)),
    holidays=st.sampled_from([None, "DE", "MA"]),
    seed=st.integers(0, 2**16),
)
def test_three_type_features_are_the_mapped_seven_type_ones(
    start: dt.datetime, holidays: str | None, seed: int
) -> None:
    plan = _plan(holidays=holidays)
    seven, three = ExogenousBlock(plan, STATS, True), ExogenousBlock(plan, STATS, False)
    mapping = seven.three_type_map()
    assert mapping is not None and mapping.shape == (seven.width, three.width)
    generator = torch.Generator().manual_seed(seed)
    window = torch.randn(4, LOOKBACK, 3, generator=generator)
    future = torch.randn(4, HORIZON, 1, generator=generator)
    calendar = _calendar(start, holidays, count=4)
    expected = three(window, calendar, future).double()
    torch.testing.assert_close(seven(window, calendar, future).double() @ mapping, expected)


def test_without_a_weekly_season_there_is_one_calendar() -> None:
    block = ExogenousBlock(_plan(weekly=False, holidays="DE"), STATS, weekdays=True)
    assert block.day_types == 2 and block.three_type_map() is None


def _frame(friday_drop: float, weeks: int = 30, seed: int = 0) -> pl.DataFrame:
    """Hourly load: working-day shifts, quiet weekends and, by `friday_drop`, a quiet
    Friday afternoon; a production plan known in advance; an ambient temperature."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2024, 1, 1)
    stamps = [start + dt.timedelta(hours=k) for k in range(weeks * 7 * 24)]
    hours = np.array([s.hour for s in stamps])
    days = np.array([s.weekday() for s in stamps])
    shift = ((hours >= 6) & (hours < 22)).astype(float)
    working = (days < 5).astype(float)
    friday = ((days == 4) & (hours >= 13)).astype(float)
    plan = 50 + 10 * rng.random(len(stamps))
    load = 100 + 200 * shift * working * (1 - friday_drop * friday) + 0.5 * plan
    return pl.DataFrame(
        {
            "timestamp": stamps,
            "load": load + rng.normal(0, 5, len(stamps)),
            "plan": plan,
            "temp": 15 + rng.normal(0, 3, len(stamps)),
        }
    )


def test_the_merged_moments_are_those_of_the_three_type_graph() -> None:
    plan = _plan(lookback=48, horizon=24)
    series = prepare_series(align_frame(_frame(0.8, weeks=8), plan), plan, (0.7, 0.15, 0.15))
    params = parse_hyperparams("auto", {})
    graphs = {
        w: build_graph(plan, series, msgspec.structs.replace(params, weekdays=w))
        for w in (True, False)
    }
    mapping = graphs[True].exog.three_type_map()
    assert mapping is not None
    train = series.windows("train")
    mapped, direct = merged(_moments(graphs[True], train), mapping), _moments(graphs[False], train)
    for name in ("xx", "xe", "ee", "xy", "ey", "yy"):
        torch.testing.assert_close(getattr(mapped, name), getattr(direct, name))


def test_auto_serves_weekday_cells_only_where_the_working_days_differ() -> None:
    plan = _plan(lookback=168, horizon=24)
    params = parse_hyperparams("auto", {})
    chosen = {}
    for drop in (0.8, 0.0):
        frame = _frame(drop)
        series = prepare_series(align_frame(frame, plan), plan, (0.7, 0.15, 0.15))
        _, choice = choose_candidate(plan, series, params)
        assert "ridge-mix+inputs+weekdays" in choice.scores and "ridge-mix+inputs" in choice.scores
        chosen[drop] = choice
    assert chosen[0.8].weekdays and chosen[0.8].exogenous
    assert not chosen[0.0].weekdays
