"""Feature-plan ops suggested from the data, each with the number that argues for it.

Pure: the evidence (autocorrelations, trend, scales, correlations) is measured on a
polars frame, and the rules turn it into `{op, params, reason}` with params exactly as
the feature plan's ops take them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from control_plane.explore.charts import DAY, WEEK, acf_at
from control_plane.explore.schemas import AcfChart, FeatureSuggestion
from control_plane.explore.stats import TIMESTAMP

STRONG_ACF = 0.5
# A cycle is a peak, not just memory: the ACF at the period must stand above the ACF
# half a period earlier (daily) or a day either side (weekly). A trending or persistent
# series has a high but flat ACF and gets no seasonal lag.
DAILY_PROMINENCE = 0.1
WEEKLY_PROMINENCE = 0.05
PERSISTENT_ACF = 0.8
TREND_CORRELATION = 0.3
EXOGENOUS_CORRELATION = 0.3
NOISY = 0.5
MAX_EXOGENOUS = 3


@dataclass(frozen=True)
class Evidence:
    target: str
    step_seconds: float
    span_seconds: float
    acf: AcfChart | None
    lag1: float | None = None  # at the data's own step
    time_correlation: float | None = None
    drift: float | None = None  # fitted linear change over the whole span
    noise_ratio: float | None = None  # std of steps / std of values
    means: dict[str, float] = field(default_factory=dict)
    stds: dict[str, float] = field(default_factory=dict)
    correlations: dict[str, float] = field(default_factory=dict)  # other column -> r


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def gather_evidence(
    frame: pl.DataFrame, target: str, numeric: list[str], step_seconds: float, acf: AcfChart | None
) -> Evidence:
    y = pl.col(target).cast(pl.Float64).fill_nan(None)
    seconds = pl.col(TIMESTAMP).dt.epoch("s").cast(pl.Float64)
    others = [c for c in numeric if c != target]
    as_float = {c: pl.col(c).cast(pl.Float64).fill_nan(None) for c in numeric}
    exprs = [
        pl.corr(y, y.shift(1)).alias("lag1"),
        pl.corr(y, seconds).alias("time_r"),
        (pl.cov(y, seconds) / seconds.var()).alias("slope"),
        y.diff().std().alias("step_std"),
        (seconds.max() - seconds.min()).alias("span"),
        *[as_float[c].mean().alias(f"mean:{c}") for c in numeric],
        *[as_float[c].std().alias(f"std:{c}") for c in numeric],
        *[pl.corr(y, as_float[c]).alias(f"r:{c}") for c in others],
    ]
    measured = frame.select(exprs).row(0, named=True)
    span = _number(measured["span"]) or 0.0
    target_std = _number(measured[f"std:{target}"])
    slope, step_std = _number(measured["slope"]), _number(measured["step_std"])
    return Evidence(
        target=target,
        step_seconds=step_seconds,
        span_seconds=span,
        acf=acf,
        lag1=_number(measured["lag1"]),
        time_correlation=_number(measured["time_r"]),
        drift=slope * span if slope is not None else None,
        noise_ratio=step_std / target_std if step_std is not None and target_std else None,
        means={c: v for c in numeric if (v := _number(measured[f"mean:{c}"])) is not None},
        stds={c: v for c in numeric if (v := _number(measured[f"std:{c}"])) is not None},
        correlations={c: v for c in others if (v := _number(measured[f"r:{c}"])) is not None},
    )


def _steps(seconds: float, step: float) -> int | None:
    """Whole number of data steps in `seconds`, if it is one."""
    count = seconds / step
    return round(count) if count >= 1 and abs(count - round(count)) < 1e-9 else None


def cycle(acf: AcfChart | None, period: float) -> tuple[float, float, str] | None:
    """(ACF at the period, the ACF it is compared with, where) when the period is a peak."""
    if acf is None:
        return None
    value = acf_at(acf, period)
    if period == DAY:
        contrast, where, needed = acf_at(acf, DAY / 2), "12h", DAILY_PROMINENCE
    else:
        before, after = acf_at(acf, period - DAY), acf_at(acf, period + DAY)
        contrast = None if before is None or after is None else (before + after) / 2
        where, needed = "6d/8d", WEEKLY_PROMINENCE
    if value is None or contrast is None or value < STRONG_ACF or value - contrast < needed:
        return None
    return value, contrast, where


def _why(code: str, english: str, **params: str) -> dict[str, Any]:
    """A reason as English text and as a message code with its parameters (for the console)."""
    return {"reason": english.format(**params), "reasonCode": code, "reasonParams": params}


def _periodic(e: Evidence) -> list[FeatureSuggestion]:
    out: list[FeatureSuggestion] = []
    strong: dict[str, float] = {}
    for name, period, label in (("daily", DAY, "24h"), ("weekly", WEEK, "168h")):
        steps = _steps(period, e.step_seconds)
        found = cycle(e.acf, period)
        if steps is None or found is None or e.span_seconds < 2 * period:
            continue
        value, contrast, where = found
        strong[name] = value
        out.append(
            FeatureSuggestion(
                op="lag",
                params={"input": e.target, "lags": [steps]},
                **_why(
                    f"cycle{name.capitalize()}",
                    f"strong {name} cycle: autocorrelation at {{period}} (lag {{lag}}) = {{acf}}"
                    " (vs {contrast} at {where})",
                    period=label,
                    lag=str(steps),
                    acf=f"{value:.2f}",
                    contrast=f"{contrast:.2f}",
                    where=where,
                ),
                score=round(value, 4),
            )
        )
    if strong:
        evidence = ", ".join(f"{k} ACF {v:.2f}" for k, v in strong.items())
        out.append(
            FeatureSuggestion(
                op="seasonality",
                params={
                    "daily": "daily" in strong,
                    "weekly": "weekly" in strong,
                    "fourierOrder": 3,
                },
                **_why(
                    "calendar",
                    "calendar terms for the repeating pattern ({evidence})",
                    evidence=evidence,
                ),
                score=round(max(strong.values()), 4),
            )
        )
    return out


def _persistence(e: Evidence) -> list[FeatureSuggestion]:
    if e.lag1 is None or e.lag1 < PERSISTENT_ACF:
        return []
    return [
        FeatureSuggestion(
            op="lag",
            params={"input": e.target, "lags": [1, 2, 3]},
            **_why(
                "persistence", "persistence: lag-1 autocorrelation = {acf}", acf=f"{e.lag1:.2f}"
            ),
            score=round(e.lag1, 4),
        )
    ]


def _rolling(e: Evidence) -> list[FeatureSuggestion]:
    day = _steps(DAY, e.step_seconds)
    daily = cycle(e.acf, DAY)
    if day is not None and day >= 2 and daily is not None:
        window, why = (
            day,
            _why(
                "rollingDaily",
                "the level of the last 24h ({steps} steps) under a daily cycle (ACF {acf})",
                steps=str(day),
                acf=f"{daily[0]:.2f}",
            ),
        )
    elif e.noise_ratio is not None and e.noise_ratio >= NOISY:
        window = max(3, round(3600 / e.step_seconds))
        why = _why(
            "rollingNoisy",
            "noisy: step-to-step changes are {share} of the spread; smooth over {steps} steps",
            share=f"{e.noise_ratio:.0%}",
            steps=str(window),
        )
    else:
        window = max(2, round(6 * 3600 / e.step_seconds))
        why = _why(
            "rollingRecent",
            "recent level and volatility over 6h ({steps} steps)",
            steps=str(window),
        )
    return [
        FeatureSuggestion(
            op="rolling",
            params={"input": e.target, "window": window, "stats": ["mean", "std"]},
            **why,
            score=round(e.noise_ratio or 0.0, 4),
        )
    ]


def _trend(e: Evidence) -> list[FeatureSuggestion]:
    r = e.time_correlation
    near_unit_root = e.lag1 is not None and e.lag1 >= 0.98
    if (r is None or abs(r) < TREND_CORRELATION) and not near_unit_root:
        return []
    if r is not None and abs(r) >= TREND_CORRELATION:
        std = e.stds.get(e.target)
        size = f" ({abs(e.drift) / std:.1f} std)" if e.drift is not None and std else ""
        drift = e.drift or 0.0
        why = _why(
            "trend",
            "trend: the level drifts by {drift}{size} over the data (r with time = {r})",
            drift=f"{drift:.3g}",
            size=size,
            r=f"{r:.2f}",
        )
    else:
        why = _why(
            "randomWalk",
            "near-random-walk: lag-1 autocorrelation {acf}; model the changes",
            acf=f"{e.lag1:.3f}",
        )
    return [
        FeatureSuggestion(
            op="diff", params={"input": e.target, "periods": 1}, score=abs(r or 0.0), **why
        )
    ]


def _normalize(e: Evidence) -> list[FeatureSuggestion]:
    scales = {c: s for c, s in e.stds.items() if s > 0}
    if not scales:
        return []
    low, high = min(scales, key=scales.__getitem__), max(scales, key=scales.__getitem__)
    ratio = scales[high] / scales[low]
    if len(scales) > 1 and ratio >= 10:
        why = _why(
            "scales",
            "inputs on different scales: std from {low} ({lowColumn}) to {high} ({highColumn})",
            low=f"{scales[low]:.3g}",
            lowColumn=low,
            high=f"{scales[high]:.3g}",
            highColumn=high,
        )
    else:
        mean, std = e.means.get(e.target, 0.0), scales.get(e.target, 1.0)
        why = _why(
            "centre",
            "centre and scale for the network: {column} has mean {mean}, std {std}",
            column=e.target,
            mean=f"{mean:.3g}",
            std=f"{std:.3g}",
        )
    return [
        FeatureSuggestion(op="normalize", params={"method": "zscore"}, score=round(ratio, 4), **why)
    ]


def _exogenous(e: Evidence) -> list[FeatureSuggestion]:
    related = sorted(
        ((c, r) for c, r in e.correlations.items() if abs(r) >= EXOGENOUS_CORRELATION),
        key=lambda item: -abs(item[1]),
    )[:MAX_EXOGENOUS]
    return [
        FeatureSuggestion(
            op="lag",
            params={"input": c, "lags": [1]},
            **_why(
                "exogenous",
                "{column} correlates with {target} (r = {r})",
                column=c,
                target=e.target,
                r=f"{r:.2f}",
            ),
            score=round(abs(r), 4),
        )
        for c, r in related
    ]


def suggest_features(e: Evidence) -> list[FeatureSuggestion]:
    """Persistence, cycles, smoothing, trend, scaling, related inputs, in that order."""
    return [
        *_persistence(e),
        *_periodic(e),
        *_rolling(e),
        *_trend(e),
        *_normalize(e),
        *_exogenous(e),
    ]
