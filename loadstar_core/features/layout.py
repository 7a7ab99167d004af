"""The plan checks and the feature-column layout that the torch and polars twins share.

Every op reads an input series that is conceptually extended to the left of its first
point by repeating that first value (edge padding). So a lag, a diff or a trailing
rolling window that reaches before the window start sees the first value there, and
every feature is defined at every position.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays as pyholidays
import numpy as np
import numpy.typing as npt

from schemas.errors import InvalidInput
from schemas.feature_plan import (
    FREQUENCY_SECONDS,
    Diff,
    FeaturePlan,
    Lag,
    Normalize,
    Rolling,
    Seasonality,
)


@dataclass(frozen=True)
class CalendarTerms:
    """Fourier orders of the daily and weekly terms (0 where off)."""

    daily_order: int
    weekly_order: int

    @property
    def columns(self) -> list[str]:
        names: list[str] = []
        for period, order in (("day", self.daily_order), ("week", self.weekly_order)):
            for k in range(1, order + 1):
                names += [f"{period}_sin{k}", f"{period}_cos{k}"]
        return names


def seasonal_period(plan: FeaturePlan) -> int:
    """Points per day when a day fits in the lookback, else 1 (no season)."""
    per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
    return per_day if 2 <= per_day <= plan.lookback else 1


def calendar_terms(plan: FeaturePlan) -> CalendarTerms:
    for op in plan.ops:
        if isinstance(op, Seasonality):
            return CalendarTerms(
                op.fourierOrder if op.daily else 0, op.fourierOrder if op.weekly else 0
            )
    return CalendarTerms(0, 0)


def normalize_methods(plan: FeaturePlan) -> dict[str, str]:
    """Input name -> "zscore" | "minmax" for every input a Normalize op covers."""
    methods: dict[str, str] = {}
    for op in plan.ops:
        if isinstance(op, Normalize):
            for name in op.inputs if op.inputs is not None else plan.input_names:
                methods[name] = op.method
    return methods


def feature_columns(plan: FeaturePlan) -> list[str]:
    """Names of the past feature columns, in the order both twins emit them."""
    columns = list(plan.input_names)
    for op in plan.ops:
        if isinstance(op, Lag):
            columns += [f"{op.input}_lag{k}" for k in op.lags]
        elif isinstance(op, Rolling):
            columns += [f"{op.input}_roll{op.window}_{s}" for s in op.stats]
        elif isinstance(op, Diff):
            columns.append(f"{op.input}_diff{op.periods}")
        elif isinstance(op, Seasonality):
            columns += calendar_terms(plan).columns
    return columns


def validate_plan(plan: FeaturePlan) -> None:
    """Refuse a plan the model cannot execute, with the offending field in the details."""
    names = plan.input_names
    if len(set(names)) != len(names):
        raise InvalidInput("plan inputs must have distinct names", {"inputs": names})
    if plan.target not in names:
        raise InvalidInput(
            "the target must be one of the plan inputs", {"target": plan.target, "inputs": names}
        )
    q = plan.quantiles
    if any(b <= a for a, b in itertools.pairwise(q)):
        raise InvalidInput("quantiles must be strictly increasing", {"quantiles": q})
    seasonality = [op for op in plan.ops if isinstance(op, Seasonality)]
    if len(seasonality) > 1:
        raise InvalidInput("a plan takes at most one seasonality op", {})
    if seasonality and seasonality[0].holidays is not None:
        holiday_calendar(seasonality[0].holidays)
    if any(i.known and i.name == plan.target for i in plan.inputs):
        raise InvalidInput(
            "the target cannot be known in advance: it is what the model forecasts",
            {"target": plan.target},
        )
    normalized: list[str] = []
    for index, op in enumerate(plan.ops):
        where = {"op": index, "kind": type(op).__name__.lower()}
        referenced: list[str] = []
        if isinstance(op, Lag | Rolling | Diff):
            referenced = [op.input]
        elif isinstance(op, Normalize) and op.inputs is not None:
            referenced = op.inputs
        for name in referenced:
            if name not in names:
                raise InvalidInput(f"op {index} reads unknown input {name!r}", where)
        if isinstance(op, Lag) and max(op.lags) >= plan.lookback:
            raise InvalidInput("a lag must be shorter than the lookback", where)
        if isinstance(op, Rolling) and op.window > plan.lookback:
            raise InvalidInput("a rolling window must fit in the lookback", where)
        if isinstance(op, Diff) and op.periods >= plan.lookback:
            raise InvalidInput("diff periods must be shorter than the lookback", where)
        if isinstance(op, Normalize):
            normalized += op.inputs if op.inputs is not None else names
    if len(set(normalized)) != len(normalized):
        raise InvalidInput("an input is normalized by more than one op", {"inputs": normalized})
    columns = feature_columns(plan)
    if len(set(columns)) != len(columns):
        raise InvalidInput("the plan produces the same feature twice", {"columns": columns})


DAY_SECONDS = 86_400


def calendar_phases(
    epoch_seconds: npt.NDArray[np.float64], holidays: str | None = None
) -> npt.NDArray[np.float32]:
    """[T] epoch seconds -> [T, 2] (day phase, week phase) in [0, 1); weeks start Monday UTC.

    With a holiday calendar ("DE", "DE-BW") a third column is 1.0 on its public holidays.
    """
    day = np.mod(epoch_seconds, DAY_SECONDS) / DAY_SECONDS
    week = np.mod(epoch_seconds / DAY_SECONDS + 3.0, 7.0) / 7.0
    columns = [day, week]
    if holidays is not None:
        columns.append(holiday_flags(epoch_seconds, holidays))
    return np.stack(columns, axis=-1).astype(np.float32)


@lru_cache(maxsize=64)
def holiday_calendar(code: str) -> pyholidays.HolidayBase:
    """The `holidays` calendar of "CC" or "CC-SUB"; InvalidInput when it does not exist."""
    country, _, subdivision = code.partition("-")
    try:
        return pyholidays.country_holidays(country, subdiv=subdivision or None)
    except NotImplementedError as error:
        raise InvalidInput(f"no holiday calendar for {code!r}", {"holidays": code}) from error


def holiday_flags(epoch_seconds: npt.NDArray[np.float64], code: str) -> npt.NDArray[np.float64]:
    """1.0 where the UTC date of a timestamp is a public holiday of `code`, else 0.0."""
    days = np.floor(epoch_seconds / DAY_SECONDS).astype(np.int64)
    unique, inverse = np.unique(days, return_inverse=True)
    calendar = holiday_calendar(code)
    epoch = date(1970, 1, 1)
    flags = np.array([(epoch + timedelta(days=int(d))) in calendar for d in unique], dtype=float)
    return flags[inverse]
