"""`suggest_plan`: a feature plan derived from the data, each choice with its reason.

The defaults have to hold on energy data nobody has looked at: a grid at the data's own
sampling interval, two weeks of history (capped), one day ahead, every other numeric
column as an input, and calendar terms and seasonal lags only where the target's
autocorrelation shows the season.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl

from loadstar_core.features.align import align_frame, timestamp_expr
from loadstar_core.features.seasons import (
    PERSISTENCE_ACF,
    autocorrelation,
    find_seasons,
    season_code,
)
from schemas.base import Wire
from schemas.errors import InvalidInput
from schemas.feature_plan import (
    FREQUENCY_SECONDS,
    Diff,
    FeatureOp,
    FeaturePlan,
    Frequency,
    Lag,
    Normalize,
    PlanInput,
    Rolling,
    Seasonality,
)

MAX_INPUTS = 16
MAX_MISSING = 0.2
MAX_LOOKBACK = 720
MAX_HORIZON = 288
TRAIN_SHARE = 0.7


class Suggestion(Wire):
    """One choice of the suggested plan and why it was made."""

    kind: Literal["frequency", "lookback", "horizon", "input", "op"]
    reason: str
    op: FeatureOp | None = None
    name: str | None = None
    value: int | str | None = None
    score: float | None = None
    # The reason as a message code and its parameters (numbers already formatted), so a
    # console words it in its reader's language; `reason` is the English text.
    code: str = ""
    params: dict[str, str] = {}


def infer_frequency(frame: pl.DataFrame, column: str) -> Frequency:
    """The finest plan frequency not finer than the median sampling interval."""
    stamps = frame.select(timestamp_expr(frame, column).alias("t")).drop_nulls().sort("t")
    steps = stamps.get_column("t").diff().dt.total_seconds().drop_nulls()
    steps = steps.filter(steps > 0)
    if steps.len() == 0:
        raise InvalidInput("cannot infer a sampling interval from the timestamps", {})
    median = float(steps.median())  # type: ignore[arg-type]
    for name, seconds in sorted(FREQUENCY_SECONDS.items(), key=lambda item: item[1]):
        if seconds >= 0.9 * median:
            return name  # type: ignore[return-value]
    return "1d"


def _numeric_inputs(frame: pl.DataFrame, target: str, timestamp: str) -> list[str]:
    names = []
    for name, dtype in frame.schema.items():
        if name in (target, timestamp) or not dtype.is_numeric():
            continue
        column = frame.get_column(name)
        if column.null_count() > MAX_MISSING * frame.height or column.n_unique() < 3:
            continue
        names.append(name)
    return names


def _window_sizes(
    frequency: Frequency, rows: int, lookback: int | None, horizon: int | None
) -> tuple[int, int]:
    per_day = max(1, 86_400 // FREQUENCY_SECONDS[frequency])
    h = horizon or min(max(per_day, 7 if per_day == 1 else per_day), MAX_HORIZON)
    if lookback is not None:
        return lookback, h
    wanted = min(14 * per_day if per_day > 1 else 8 * 7, MAX_LOOKBACK)
    # Keep at least ~4 windows' worth of training rows per window length.
    affordable = int(TRAIN_SHARE * rows / 4) - h
    return max(2, min(wanted, affordable)), h


def suggest_plan(
    df: pl.DataFrame,
    target: str,
    *,
    frequency: Frequency | None = None,
    lookback: int | None = None,
    horizon: int | None = None,
    quantiles: tuple[float, ...] = (0.05, 0.5, 0.95),
    timestamp_column: str = "timestamp",
    known: Sequence[str] = (),
    holidays: str | None = None,
) -> tuple[FeaturePlan, list[Suggestion]]:
    """A plan for forecasting `target` from `df`, and the reasons for each of its parts.

    `known` names the columns whose future values are known in advance (a production
    plan, a weather forecast); `holidays` the public-holiday calendar ("DE", "DE-BW").
    """
    unknown = [n for n in known if n not in df.columns or n == target]
    if unknown:
        raise InvalidInput(
            "known-in-advance inputs must be other columns of the dataset", {"known": unknown}
        )
    for column in (target, timestamp_column):
        if column not in df.columns:
            raise InvalidInput(f"no column {column!r} in the dataset", {"columns": df.columns})
    if not df.schema[target].is_numeric():
        raise InvalidInput(
            f"the target {target!r} is not numeric", {"dtype": str(df.schema[target])}
        )
    suggestions: list[Suggestion] = []
    if frequency is None:
        frequency = infer_frequency(df, timestamp_column)
        suggestions.append(
            Suggestion(
                kind="frequency",
                value=frequency,
                reason="median interval between timestamps",
                code="frequency",
            )
        )
    others = _numeric_inputs(df, target, timestamp_column)
    probe = FeaturePlan(
        target=target,
        inputs=[PlanInput(name=n) for n in [target, *others]],
        frequency=frequency,
        lookback=2,
        horizon=1,
        timestampColumn=timestamp_column,
    )
    aligned = align_frame(df, probe)
    train = aligned.head(max(int(TRAIN_SHARE * aligned.height), 1))
    lookback, horizon = _window_sizes(frequency, aligned.height, lookback, horizon)
    suggestions += [
        Suggestion(
            kind="lookback",
            value=lookback,
            reason="two weeks of history, capped "
            f"at {MAX_LOOKBACK} points and by the length of the data",
            code="lookback",
            params={"max": str(MAX_LOOKBACK)},
        ),
        Suggestion(
            kind="horizon",
            value=horizon,
            reason="one day ahead (a week for daily data)",
            code="horizon",
        ),
    ]
    values = train.get_column(target).to_numpy().astype(np.float64)
    ranked = sorted(others, key=lambda n: -abs(_correlation(values, train.get_column(n))))
    ranked = [n for n in ranked if n not in known]
    inputs = [target, *known, *ranked[: max(MAX_INPUTS - 1 - len(known), 0)]]
    for name in inputs[1:]:
        score = _correlation(values, train.get_column(name))
        suggestions.append(
            Suggestion(
                kind="input",
                name=name,
                score=round(score, 3),
                reason=f"{name}: numeric column, correlation {score:.2f} with {target}",
                code="inputCorrelation",
                params={"name": name, "r": f"{score:.2f}", "target": target},
            )
        )
    ops = _season_ops(values, target, frequency, lookback, suggestions, holidays)
    plan = FeaturePlan(
        target=target,
        inputs=[PlanInput(name=n, known=n in known) for n in inputs],
        frequency=frequency,
        lookback=lookback,
        horizon=horizon,
        quantiles=list(quantiles),
        ops=ops,
        timestampColumn=timestamp_column,
    )
    return plan, suggestions


def _correlation(values: np.ndarray, column: pl.Series) -> float:
    other = column.to_numpy().astype(np.float64)
    both = ~(np.isnan(values) | np.isnan(other))
    if both.sum() < 3 or np.std(values[both]) == 0 or np.std(other[both]) == 0:
        return 0.0
    return float(np.corrcoef(values[both], other[both])[0, 1])


def _season_ops(
    values: np.ndarray,
    target: str,
    frequency: Frequency,
    lookback: int,
    suggestions: list[Suggestion],
    holidays: str | None = None,
) -> list[FeatureOp]:
    per_day = max(1, 86_400 // FREQUENCY_SECONDS[frequency])
    normalize = Normalize(method="zscore")
    ops: list[FeatureOp] = [normalize]
    suggestions.append(
        Suggestion(
            kind="op",
            op=normalize,
            reason="inputs differ in scale: z-score with training-split statistics",
            code="normalize",
        )
    )

    def add(
        op: FeatureOp,
        reason: str,
        code: tuple[str, dict[str, str]],
        score: float | None = None,
    ) -> None:
        ops.append(op)
        suggestions.append(
            Suggestion(
                kind="op",
                op=op,
                reason=reason,
                score=None if score is None else round(score, 3),
                code=code[0],
                params=code[1],
            )
        )

    acf = autocorrelation(values, min(7 * per_day, max(values.size - 2, 1)))
    seasons = find_seasons(acf, per_day)
    lags = [season.lag for season in seasons if season.lag < lookback]
    if lags:
        add(
            Lag(input=target, lags=lags),
            "; ".join(season.reason for season in seasons if season.lag in lags),
            season_code([season for season in seasons if season.lag in lags]),
            max(season.acf for season in seasons),
        )
    # Calendar cells are always offered: shifts, weekends and holidays drive a factory's
    # load even where two weeks of autocorrelation hide them, and the fit shrinks them
    # where they do not help.
    calendar_op = Seasonality(daily=per_day > 1, weekly=True, fourierOrder=3, holidays=holidays)
    evidence = "; ".join(season.reason for season in seasons) or "no clear autocorrelation peak"
    calendar = f"holidays {holidays}" if holidays else "no holiday calendar"
    add(
        calendar_op,
        f"hour of day x day type at each forecast step ({calendar}; {evidence})",
        ("calendarSeasonal" if seasons else "calendar", {"holidays": holidays or "-"}),
    )
    window = per_day if 1 < per_day <= lookback else min(lookback, 7)
    if window >= 2:
        add(
            Rolling(input=target, window=window, stats=["mean", "std"]),
            f"level and volatility over the last {window} points",
            ("rolling", {"window": str(window)}),
        )
    persistence = float(acf[1]) if acf.size > 1 else math.nan
    if math.isfinite(persistence) and persistence >= PERSISTENCE_ACF and lookback > 1:
        add(
            Diff(input=target, periods=1),
            f"lag-1 autocorrelation {persistence:.2f}: recent changes carry on",
            ("persistence", {"acf": f"{persistence:.2f}"}),
            persistence,
        )
    return ops
