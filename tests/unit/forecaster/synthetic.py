"""Small synthetic series for the training tests: hourly, with a daily cycle."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from schemas.feature_plan import (
    FeatureOp,
    FeaturePlan,
    Lag,
    Normalize,
    PlanInput,
    Rolling,
    Seasonality,
)


def daily_frame(days: int = 40, seed: int = 0) -> pl.DataFrame:
    """`load` follows a daily cycle plus noise; `temp` is a related covariate."""
    rng = np.random.default_rng(seed)
    hours = np.arange(days * 24)
    cycle = np.sin(2 * np.pi * hours / 24) + 0.5 * np.sin(4 * np.pi * hours / 24)
    temp = 20 + 5 * np.sin(2 * np.pi * (hours - 3) / 24) + rng.normal(0, 0.5, hours.size)
    load = 100 + 20 * cycle + 0.5 * (temp - 20) + rng.normal(0, 2, hours.size)
    start = datetime(2024, 1, 1)
    return pl.DataFrame(
        {
            "timestamp": [start + timedelta(hours=int(h)) for h in hours],
            "load": load,
            "temp": temp,
        }
    )


def small_plan(*, lookback: int = 48, horizon: int = 12, calendar: bool = True) -> FeaturePlan:
    ops: list[FeatureOp] = [
        Normalize(),
        Lag(input="load", lags=[24]),
        Rolling(input="load", window=6, stats=["mean", "std"]),
    ]
    if calendar:
        ops.append(Seasonality(daily=True, weekly=False, fourierOrder=2))
    return FeaturePlan(
        target="load",
        inputs=[PlanInput(name="load", unit="kW"), PlanInput(name="temp", unit="degC")],
        frequency="1h",
        lookback=lookback,
        horizon=horizon,
        ops=ops,
    )


FAST = {"epochs": 2, "batch_size": 64, "patience": 2}
