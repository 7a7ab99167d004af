"""Autocorrelation and the season rule: the one place that decides whether a series
repeats daily or weekly, used by the suggested plan and by Explore alike.

Pure numpy. A season shows as an autocorrelation *peak*: at one day above half a day, at
one week above six days. A slow or persistent series correlates at every lag and has no
peak, so it gets no seasonal lag (its calendar terms are decided by the plan).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SEASON_ACF = 0.3  # autocorrelation from which a season is worth modelling
SEASON_PEAK = 0.05  # ... when it stands this far above the off-season lag
PERSISTENCE_ACF = 0.9  # lag-1 autocorrelation from which recent changes are an input


def autocorrelation(values: np.ndarray, max_lag: int) -> np.ndarray:
    """ACF at lags 0..max_lag by FFT (biased estimator, as statsmodels' default).

    Missing values are filled linearly between their neighbours (at the ends, with the
    nearest value); a constant or empty series has ACF 0 beyond lag 0 (and 0 at lag 0).
    """
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    if finite.sum() < 2:
        return np.zeros(max_lag + 1)
    if not finite.all():
        index = np.arange(x.size)
        x = np.interp(index, index[finite], x[finite])
    n = x.size
    centred = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    raw = np.fft.irfft(spectrum * np.conj(spectrum), size)[: max_lag + 1]
    if raw[0] <= 1e-12 * max(1.0, float(np.abs(x).max()) ** 2 * n):
        return np.zeros(max_lag + 1)
    out = np.zeros(max_lag + 1)
    out[: raw.size] = raw / raw[0]
    return out


@dataclass(frozen=True)
class Season:
    """A season that the autocorrelation shows, with the numbers that show it."""

    name: str  # "daily" | "weekly"
    lag: int  # in steps of the series
    acf: float
    contrast: float  # the ACF at the off-season lag it is compared with
    where: str  # that lag, in words ("12h", "6d")

    @property
    def reason(self) -> str:
        label = "24h" if self.name == "daily" else "168h"
        return (
            f"{self.name} cycle: autocorrelation at {label} (lag {self.lag}) = {self.acf:.2f}"
            f" (vs {self.contrast:.2f} at {self.where})"
        )


def season_lags(per_day: int) -> dict[str, tuple[int, int, str]]:
    """For each season the series could show: (lag, off-season lag, its name)."""
    out: dict[str, tuple[int, int, str]] = {"weekly": (7 * per_day, 6 * per_day, "6d")}
    if per_day > 1:
        out = {"daily": (per_day, per_day // 2, "12h"), **out}
    return out


def find_seasons(acf: np.ndarray, per_day: int) -> list[Season]:
    """The daily and weekly seasons whose ACF peak passes the rule (SEASON_ACF, SEASON_PEAK)."""
    found = []
    for name, (lag, reference, where) in season_lags(per_day).items():
        if lag >= acf.size or reference < 1:
            continue
        value, contrast = float(acf[lag]), float(acf[reference])
        if math.isfinite(value) and value >= SEASON_ACF and value - contrast >= SEASON_PEAK:
            found.append(Season(name, lag, value, contrast, where))
    return found


def season_code(seasons: list[Season]) -> tuple[str, dict[str, str]]:
    """The message code and parameters of a seasonal-lag reason (one or both seasons)."""
    params: dict[str, str] = {}
    for season in seasons:
        params |= {
            f"{season.name}Lag": str(season.lag),
            f"{season.name}Acf": f"{season.acf:.2f}",
            f"{season.name}Contrast": f"{season.contrast:.2f}",
        }
    names = [season.name for season in seasons]
    code = "cycleDailyWeekly" if len(names) > 1 else f"cycle{names[0].capitalize()}"
    return code, params
