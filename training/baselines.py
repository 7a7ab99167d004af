"""What the model must beat, on its own test windows: the seasonal naive for every season
the data has (a day, a week) and statsforecast's MSTL on a sample of the test origins.

The headline of a card is the improvement over the hardest of them, so a model that only
beats yesterday's load cannot claim a gain it does not have against last week's.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan

MSTL_ORIGINS = 12  # test origins MSTL is refitted at (evenly spaced)
MSTL_HISTORY_DAYS = 28


def season_lags(plan: FeaturePlan, rows: int) -> dict[str, int]:
    """Named seasonal periods in grid points that fit the data: a day, a week."""
    per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
    periods = {"day": per_day, "week": 7 * per_day} if per_day > 1 else {"week": 7}
    return {name: lag for name, lag in periods.items() if 2 * lag < rows}


def seasonal_naive_at(
    series: np.ndarray, origins: np.ndarray, horizon: int, period: int
) -> np.ndarray:
    """[N, H]: the value one season (or whole seasons) before each step, from the series."""
    steps = np.arange(horizon)
    lag = period * (steps // period + 1)
    index = np.maximum(origins[:, None] + steps - lag, 0)
    values: np.ndarray = series[index]
    return values


def mstl_forecasts(series: np.ndarray, origins: np.ndarray, plan: FeaturePlan) -> np.ndarray:
    """[N, H] MSTL (daily and weekly seasons, ETS trend) refitted at each origin on a
    trailing history; NaN in the history is carried forward."""
    from statsforecast.models import MSTL, AutoETS

    per_day = 86_400 // FREQUENCY_SECONDS[plan.frequency]
    history = MSTL_HISTORY_DAYS * max(per_day, 1)
    out = []
    for origin in origins:
        window = series[max(0, origin - history) : origin].astype(np.float64)
        window = _carry_forward(window)
        seasons = [s for s in (per_day, 7 * per_day) if s > 1 and 2 * s <= len(window)]
        model = MSTL(season_length=seasons or [1], trend_forecaster=AutoETS(model="ZZN"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = model.forecast(y=window, h=plan.horizon)["mean"]
        out.append(np.asarray(forecast, dtype=np.float64))
    return np.stack(out)


def _carry_forward(values: np.ndarray) -> np.ndarray:
    mask = np.isnan(values)
    if not mask.any():
        return values
    index = np.where(~mask, np.arange(len(values)), 0)
    np.maximum.accumulate(index, out=index)
    filled = values[index]
    return np.where(np.isnan(filled), np.nanmean(values), filled)


def compare(
    point: np.ndarray,
    target: np.ndarray,
    series: np.ndarray,
    origins: np.ndarray,
    plan: FeaturePlan,
    with_mstl: bool = True,
) -> list[dict[str, Any]]:
    """Each baseline's MAE beside the model's MAE on the same windows, hardest first."""
    results = []
    for name, lag in season_lags(plan, len(series)).items():
        naive = seasonal_naive_at(series, origins, plan.horizon, lag)
        usable = np.isfinite(naive).all(axis=1)
        if usable.any():
            results.append(
                _row(f"seasonal-naive ({name}, {lag} points)", naive, point, target, usable)
            )
    if with_mstl and len(origins):
        sample = np.unique(
            np.linspace(0, len(origins) - 1, min(MSTL_ORIGINS, len(origins))).astype(int)
        )
        try:
            mstl = mstl_forecasts(series, origins[sample], plan)
        except (ValueError, np.linalg.LinAlgError):  # too short or degenerate for MSTL
            mstl = None
        if mstl is not None:
            mask = np.isfinite(mstl).all(axis=1)
            results.append(_row("MSTL (statsforecast)", mstl, point[sample], target[sample], mask))
    return sorted(results, key=lambda r: r["improvementPct"])


def _row(
    name: str, forecast: np.ndarray, point: np.ndarray, target: np.ndarray, usable: np.ndarray
) -> dict[str, Any]:
    base = float(np.abs(forecast[usable] - target[usable]).mean())
    mine = float(np.abs(point[usable] - target[usable]).mean())
    return {
        "name": name,
        "mae": base,
        "modelMae": mine,
        "windows": int(usable.sum()),
        "improvementPct": 100 * (1 - mine / base) if base > 0 else 0.0,
    }
