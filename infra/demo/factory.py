"""A synthetic factory's electrical load: shifts, weekends, holidays, a production plan,
ambient temperature and meter outages, for several lines at 15-minute resolution.

Pure numpy (holiday dates from the `holidays` package); the same seed gives the same
frame. Tests and benchmarks use it where no real factory data may live in the repository.

Per line, load_kw = base + shift_level * staffed + k_prod * production_plan
                   + k_cool * max(temp - 18, 0) + AR(1) noise, with outages set to null.
`production_plan` is known in advance (the planner publishes it a week ahead) and
`ambient_temp_c` comes from a weather forecast in service, so both are future covariates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import holidays
import numpy as np
import polars as pl

STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class LineProfile:
    """How one production line draws power."""

    name: str
    base_kw: float  # lighting, compressors idling, IT: always on
    shift_kw: float  # extra draw while a shift is staffed
    per_unit_kw: float  # draw per planned unit per hour
    cooling_kw_per_degc: float  # HVAC above 18 degC
    three_shifts: bool  # night shift on working days
    saturday_shift: bool  # a morning shift on Saturdays


LINES = (
    LineProfile("line-a", 420.0, 650.0, 2.2, 14.0, True, True),
    LineProfile("line-b", 260.0, 480.0, 3.1, 9.0, False, True),
    LineProfile("line-c", 180.0, 300.0, 1.6, 6.0, False, False),
)


def _staffed(stamps: list[datetime], line: LineProfile, off_days: set[date]) -> np.ndarray:
    """1.0 where a shift is working, ramping over the first and last quarter hour."""
    out = np.zeros(len(stamps))
    for i, t in enumerate(stamps):
        day = t.date()
        hour = t.hour + t.minute / 60
        if day in off_days or t.weekday() == 6:
            continue
        if t.weekday() == 5:
            out[i] = 1.0 if line.saturday_shift and 6 <= hour < 14 else 0.0
            continue
        if line.three_shifts:
            out[i] = 1.0 if hour >= 6 or hour < 5.5 else 0.3  # changeover dip
        else:
            out[i] = 1.0 if 6 <= hour < 22 else 0.0
    return out


def _temperature(n: int, epoch_days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A seasonal mean, a daily cycle and synoptic weather (an AR(1) on hourly steps)."""
    season = 12.0 - 9.0 * np.cos(2 * np.pi * (epoch_days - 15) / 365.25)
    daily = 4.5 * np.sin(2 * np.pi * (epoch_days % 1.0 - 0.375))
    weather = np.zeros(n)
    shocks = rng.normal(0, 0.35, n)
    for i in range(1, n):
        weather[i] = 0.995 * weather[i - 1] + shocks[i]
    return season + daily + weather


def _production_plan(
    staffed: np.ndarray, stamps: list[datetime], rng: np.random.Generator
) -> np.ndarray:
    """Planned units per hour: a weekly order book level, constant within each shift."""
    weeks = np.array([(t - stamps[0]).days // 7 for t in stamps])
    week_level = rng.uniform(60, 140, weeks.max() + 1)[weeks]
    shifts = np.array([(t - stamps[0]).total_seconds() // (8 * 3600) for t in stamps], dtype=int)
    shift_mix = rng.uniform(0.7, 1.3, shifts.max() + 1)[shifts]
    return np.round(week_level * shift_mix * (staffed > 0.5), 1)


def factory_frame(
    *,
    start: date = date(2024, 4, 1),
    days: int = 120,
    lines: int = 3,
    seed: int = 7,
    country: str = "DE",
    subdivision: str | None = "BW",
    outages: int = 4,
) -> pl.DataFrame:
    """Long-form frame: timestamp (UTC), line, load_kw, production_plan, ambient_temp_c."""
    rng = np.random.default_rng(seed)
    first = datetime(start.year, start.month, start.day, tzinfo=UTC)
    n = days * 96
    stamps = [first + i * STEP for i in range(n)]
    years = sorted({t.year for t in stamps})
    off_days = set(holidays.country_holidays(country, subdiv=subdivision, years=years))
    epoch_days = np.array([t.timestamp() / 86_400 for t in stamps])
    temperature = _temperature(n, epoch_days, rng)
    frames = []
    for line in LINES[:lines]:
        staffed = _staffed(stamps, line, off_days)
        plan = _production_plan(staffed, stamps, rng)
        noise = np.zeros(n)
        shocks = rng.normal(0, 0.03 * (line.base_kw + line.shift_kw), n)
        for i in range(1, n):
            noise[i] = 0.9 * noise[i - 1] + shocks[i]
        load = (
            line.base_kw
            + line.shift_kw * staffed
            + line.per_unit_kw * plan
            + line.cooling_kw_per_degc * np.maximum(temperature - 18.0, 0.0)
            + noise
        )
        observed = load.copy()
        for _ in range(outages):  # the meter drops out for 1-6 hours
            begin = int(rng.integers(0, n - 24))
            observed[begin : begin + int(rng.integers(4, 25))] = np.nan
        frames.append(
            pl.DataFrame(
                {
                    "timestamp": stamps,
                    "line": [line.name] * n,
                    "load_kw": np.round(observed, 2),
                    "production_plan": plan,
                    "ambient_temp_c": np.round(temperature, 2),
                }
            )
        )
    return pl.concat(frames).with_columns(pl.col("load_kw").fill_nan(None))


def one_line(frame: pl.DataFrame, name: str = "line-a") -> pl.DataFrame:
    """The rows of one line without the line column."""
    return frame.filter(pl.col("line") == name).drop("line")
