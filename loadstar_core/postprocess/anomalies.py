"""Anomalies: observations outside the [lower, upper] interval forecast for their time.

`find_anomalies` is the rule itself; `check_observations` applies it to a caller's rows
and a standard output (what the CLI and offline checks use).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.contract import ResolvedContract, prepare_contract
from loadstar_core.postprocess.envelope import round_significant
from loadstar_core.postprocess.events import event_of, find_events
from loadstar_core.postprocess.rows import payload_rows, read_columns
from loadstar_core.postprocess.timegrid import grid_end, order_rows, time_warnings
from loadstar_core.postprocess.timestamps import parse_one, parse_timestamps
from loadstar_core.postprocess.units import resolve_conversion
from schemas.contracts import (
    Anomaly,
    AnomalyReport,
    DeploymentContract,
    InferenceInput,
    OutputWarning,
)
from schemas.errors import InvalidInput
from schemas.watching import AnomalyPolicy


class ForecastPoint(msgspec.Struct, forbid_unknown_fields=False):
    t: str
    y: float | None = None


class ForecastIntervals(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The parts of a standard output an anomaly check reads (a whole one decodes too)."""

    values: list[ForecastPoint]
    intervals: dict[str, list[float]]
    unit: str | None = None


def _percent(value: float) -> str:
    return f"{value:.0f}%" if value >= 10 else f"{value:.2g}%"


def _reason(excess: float, bound: float, label: str, above: bool) -> str:
    verb = "exceeds" if above else "below"
    if bound == 0.0:
        return f"{verb} {label} by {excess:.6g}"
    return f"{verb} {label} by {_percent(100.0 * excess / abs(bound))}"


def find_anomalies(
    timestamps: Sequence[str],
    values: npt.ArrayLike,
    lower: npt.ArrayLike,
    expected: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    lower_label: str = "p05",
    upper_label: str = "p95",
) -> list[Anomaly]:
    """Every observation strictly outside [lower, upper] (all in one unit), in input order.

    score = distance outside the interval / interval width (or / |expected| when the
    interval is a point); NaN observations or bounds are skipped.
    """
    arrays = [np.asarray(a, dtype=np.float64).reshape(-1) for a in (values, lower, expected, upper)]
    if any(a.size != len(timestamps) for a in arrays):
        raise InvalidInput(
            "observations and intervals differ in length",
            {"observations": len(timestamps), "lengths": [int(a.size) for a in arrays]},
        )
    v, lo, mid, hi = arrays
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)
    usable = ~(np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(mid))
    above = usable & (v > hi)
    below = usable & (v < lo)
    out: list[Anomaly] = []
    for i in np.flatnonzero(above | below):
        is_above = bool(above[i])
        bound = float(hi[i] if is_above else lo[i])
        excess = float(v[i] - hi[i]) if is_above else float(lo[i] - v[i])
        width = float(hi[i] - lo[i])
        scale = width if width > 0 else max(abs(float(mid[i])), 1e-12)
        label = upper_label if is_above else lower_label
        rounded = round_significant(np.array([v[i], mid[i], lo[i], hi[i], excess / scale]))
        out.append(
            Anomaly(
                timestamp=timestamps[int(i)],
                value=float(rounded[0]),
                expected=float(rounded[1]),
                lower=float(rounded[2]),
                upper=float(rounded[3]),
                score=float(rounded[4]),
                reason=_reason(excess, bound, label, is_above),
            )
        )
    return out


def _interval_columns(
    forecast: ForecastIntervals,
) -> tuple[list[str], list[npt.NDArray[np.float64]]]:
    try:
        keys = sorted(forecast.intervals, key=lambda k: float(k.lstrip("p")))
    except ValueError as exc:
        raise InvalidInput("interval keys must look like 'p05'", {"field": "intervals"}) from exc
    n = len(forecast.values)
    if len(keys) < 2 or any(len(forecast.intervals[k]) != n for k in keys):
        raise InvalidInput(
            "intervals need at least two quantiles, one number per forecast value",
            {"field": "intervals", "values": n},
        )
    middle = "p50" if "p50" in keys else keys[len(keys) // 2]
    chosen = [keys[0], middle, keys[-1]]
    return chosen, [np.asarray(forecast.intervals[k], dtype=np.float64) for k in chosen]


def check_observations(
    contract: DeploymentContract,
    observations: InferenceInput,
    forecast: ForecastIntervals,
    plan: ResolvedContract | None = None,
    policy: AnomalyPolicy | None = None,
) -> AnomalyReport:
    """Checks each observation of the target against the forecast for its grid point, and
    groups what is worth an alarm at `policy` (default: `AnomalyPolicy()`) into events."""
    plan = plan if plan is not None else prepare_contract(contract)
    c = plan.contract
    if plan.target_input < 0:
        raise InvalidInput("the contract's target is not one of its inputs", {"field": "target"})
    source = c.inputs[plan.target_input].source
    rows: Sequence[Any] = payload_rows(observations)
    cols = read_columns(rows, c.timestampField, (source,))
    times = parse_timestamps(cols.timestamps, c.timestampField)
    ordered = order_rows(times.epoch_us, cols.values)
    caller_unit = (observations.units or {}).get(
        source, c.sourceUnits.get(source, c.inputs[plan.target_input].unit)
    )
    unit = forecast.unit or c.target.outputUnit
    values = resolve_conversion(caller_unit, unit, source).apply(ordered.values[:, 0])

    keys, (lo, mid, hi) = _interval_columns(forecast)
    forecast_us = np.array(
        [parse_one(p.t, i, "values.t")[0] for i, p in enumerate(forecast.values)], dtype=np.int64
    )
    slot = {int(t): i for i, t in enumerate(forecast_us)}
    buckets = [grid_end(int(t), plan.frequency_us) for t in ordered.epoch_us]
    match = np.array([slot.get(b, -1) for b in buckets], dtype=np.int64)
    matched = match >= 0
    idx = match[matched]
    seen = ordered.epoch_us[matched]
    resolution: Literal["s", "us"] = "s" if not (seen % 1_000_000).any() else "us"
    stamps = np.datetime_as_string(seen.astype("datetime64[us]"), unit=resolution, timezone="UTC")
    anomalies = find_anomalies(
        [str(s) for s in stamps.tolist()],
        values[matched],
        lo[idx],
        mid[idx],
        hi[idx],
        lower_label=keys[0],
        upper_label=keys[2],
    )
    policy = policy or AnomalyPolicy()
    events = find_events(
        np.asarray(buckets, dtype=np.int64)[matched] // 1_000_000,
        values[matched],
        lo[idx],
        mid[idx],
        hi[idx],
        step_s=plan.frequency_us // 1_000_000,
        unit=unit,
        policy=policy,
        band=_coverage(keys[0], keys[2]),
    )
    grid = np.asarray(buckets, dtype=np.int64)[matched] // 1_000_000
    which = event_of(events, [str(np.datetime64(int(s), "s")) + "Z" for s in grid.tolist()])
    at = {a.timestamp: i for i, a in enumerate(anomalies)}
    for stamp, event in zip(stamps.tolist(), which, strict=True):
        if event is not None and str(stamp) in at:
            anomalies[at[str(stamp)]].event = event
    warnings = time_warnings(times.naive, ordered.duplicates)
    unmatched = int((~matched).sum())
    if unmatched:
        message = f"{unmatched} observations fall outside the forecast and were not checked"
        details = {"count": unmatched}
        warnings.append(OutputWarning(code="OUTSIDE_FORECAST", message=message, details=details))
    return AnomalyReport(
        assetId=c.meta.assetId, anomalies=anomalies, warnings=warnings, events=events, policy=policy
    )


def _coverage(lower: str, upper: str) -> float:
    """The nominal coverage of the band between two quantile keys ('p05', 'p95' -> 0.9)."""
    return (float(upper.lstrip("p")) - float(lower.lstrip("p"))) / 100.0
