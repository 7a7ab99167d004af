"""What a user would pick instead of the platform, scored on the same test origins.

Each peer maps (aligned frame, origins, plan) -> (p05, p50, p95) arrays [N, H]:
seasonal naive (a day and a week back), statsforecast MSTL and AutoETS refitted at each
origin on a trailing history, and LightGBM quantile regression on lags, calendar and
covariates (one direct model for every step, the step an input).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd
import polars as pl
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS

from loadstar_core.features.layout import calendar_phases
from schemas.feature_plan import FREQUENCY_SECONDS, FeaturePlan

Forecast = tuple[np.ndarray, np.ndarray, np.ndarray]  # p05, p50, p95, each [N, H]
STAT_HISTORY_DAYS = 28  # trailing history a statistical peer is refitted on
LEVEL = 90


@dataclass(frozen=True)
class Problem:
    """The aligned series and where the forecasts start."""

    plan: FeaturePlan
    frame: pl.DataFrame  # aligned grid, nulls where the data had long gaps
    origins: np.ndarray  # row index of the first forecast point
    train_end: int  # rows before this index may be used for fitting

    @property
    def per_day(self) -> int:
        return 86_400 // FREQUENCY_SECONDS[self.plan.frequency]

    def target(self) -> np.ndarray:
        return self.frame.get_column(self.plan.target).to_numpy().astype(float)

    def filled_target(self) -> np.ndarray:
        """The target with gaps forward-filled, for peers that cannot take gaps."""
        column = self.frame.get_column(self.plan.target)
        return column.fill_null(strategy="forward").fill_null(strategy="backward").to_numpy()

    def actuals(self) -> np.ndarray:
        y = self.target()
        return np.stack([y[o : o + self.plan.horizon] for o in self.origins])


def seasonal_naive(problem: Problem, period: int) -> Forecast:
    """The value `period` points before each step, repeated; intervals from the training
    errors of the same rule (their 5% and 95% quantiles)."""
    y, horizon = problem.filled_target(), problem.plan.horizon
    steps = np.arange(horizon)
    lag = period * (steps // period + 1)  # stays in the history for long horizons
    point = np.stack([y[o + steps - lag] for o in problem.origins])
    train = y[: problem.train_end]
    errors = train[period:] - train[:-period]
    low, high = np.quantile(errors, [0.05, 0.95])
    return point + low, point, point + high


def _statsforecast(problem: Problem, make: Callable[[int, int], object]) -> Forecast:
    y, horizon = problem.filled_target(), problem.plan.horizon
    history = STAT_HISTORY_DAYS * problem.per_day
    stamps = problem.frame.get_column(problem.plan.timestampColumn).to_numpy()
    lows, mids, highs = [], [], []
    freq = f"{FREQUENCY_SECONDS[problem.plan.frequency]}s"
    for origin in problem.origins:
        start = max(0, origin - history)
        df = pd.DataFrame({"unique_id": "s", "ds": stamps[start:origin], "y": y[start:origin]})
        model = make(problem.per_day, origin - start)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sf = StatsForecast(models=[model], freq=freq, n_jobs=1)
            out = sf.forecast(df=df, h=horizon, level=[LEVEL])
        name = str(model)
        mids.append(out[name].to_numpy())
        lows.append(out[f"{name}-lo-{LEVEL}"].to_numpy())
        highs.append(out[f"{name}-hi-{LEVEL}"].to_numpy())
    return np.stack(lows), np.stack(mids), np.stack(highs)


def mstl(problem: Problem) -> Forecast:
    def make(per_day: int, points: int) -> object:
        seasons = [s for s in (per_day, 7 * per_day) if 2 * s <= points and s > 1]
        return MSTL(season_length=seasons or [1], trend_forecaster=AutoETS(model="ZZN"))

    return _statsforecast(problem, make)


def auto_ets(problem: Problem) -> Forecast:
    return _statsforecast(problem, lambda per_day, _: AutoETS(season_length=per_day))


def _gbm_rows(problem: Problem, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direct-forecast design: one row per (origin, step)."""
    plan, per_day = problem.plan, problem.per_day
    y = problem.filled_target()
    names = plan.input_names
    values = {
        n: problem.frame.get_column(n).fill_null(strategy="forward").to_numpy() for n in names
    }
    epoch = problem.frame.get_column(plan.timestampColumn).dt.epoch("s").to_numpy().astype(float)
    phases = calendar_phases(epoch, plan.holidays)
    known = set(plan.known_inputs)
    horizon = plan.horizon
    rows, targets = [], []
    for h in range(horizon):
        t = origins + h  # the forecast step
        day_lag = per_day * (h // per_day + 1)
        week_lag = 7 * per_day * (h // (7 * per_day) + 1)
        columns = [
            np.full(len(origins), h),
            y[origins - 1],
            y[origins - 2],
            y[origins - 1 - per_day + 1],
            y[np.maximum(t - day_lag, 0)],
            y[np.maximum(t - week_lag, 0)],
            np.array([y[max(o - per_day, 0) : o].mean() for o in origins]),
            np.floor(phases[t, 0] * 24),
            np.floor(phases[t, 1] * 7),
        ]
        if plan.holidays:
            columns.append(phases[t, 2])
        for name in names:
            if name == plan.target:
                continue
            columns.append(values[name][origins - 1])
            if name in known:
                columns.append(values[name][t])
        rows.append(np.stack(columns, axis=1))
        targets.append(problem.target()[t])
    return np.concatenate(rows), np.concatenate(targets)


def lightgbm(problem: Problem) -> Forecast:
    """Quantile LightGBM on lags; trained on origins of the training rows (every 4th)."""
    first = 7 * problem.per_day + 1
    train_origins = np.arange(first, problem.train_end - problem.plan.horizon, 4)
    x, y = _gbm_rows(problem, train_origins)
    keep = np.isfinite(y)
    test_x, _ = _gbm_rows(problem, problem.origins)
    out = []
    for alpha in (0.05, 0.5, 0.95):
        params = {"objective": "quantile", "alpha": alpha, "learning_rate": 0.05}
        data = lgb.Dataset(x[keep], y[keep], params={"verbose": -1})
        model = lgb.train({**params, "verbose": -1, "num_threads": 2}, data, num_boost_round=300)
        pred = np.asarray(model.predict(test_x))
        out.append(pred.reshape(problem.plan.horizon, len(problem.origins)).T)
    low, mid, high = out
    return np.minimum(low, mid), mid, np.maximum(high, mid)


PEERS: dict[str, Callable[[Problem], Forecast]] = {
    "naive-day": lambda p: seasonal_naive(p, p.per_day),
    "naive-week": lambda p: seasonal_naive(p, 7 * p.per_day),
    "MSTL": mstl,
    "AutoETS": auto_ets,
    "LightGBM": lightgbm,
}
