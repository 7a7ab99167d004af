"""Anomaly events at the default policy: false alarms, recall and delay on injected anomalies.

    .venv/bin/python -m benchmarks.anomaly_bench      # ETTm1 HUFL and OT, factory lines A, C
    .venv/bin/python -m benchmarks.anomaly_bench --seed 3

For each series the last 20% is held back. A one-step quantile forecaster stands in for
a deployed model (as `detect_anomalies` checks each reading against the forecast from the
window before it): ridge regression on the last four readings, the same time a day and a
week before (and the production plan, for the factory), fitted on the first 70%, its
[p05, p50, p95] from the empirical residual quantiles of the next 10% (split conformal).
Into the held-back stretch, cut into 2-day blocks, one anomaly per block is injected
(kinds in turn: spike, level shift, stuck meter, dropout to zero, missing data); the
forecaster then reads the injected series, as a gateway would. Events come from
`find_events` at the default `AnomalyPolicy`.

- false alarms per 1,000 normal readings: events touching no injected anomaly (nor a
  meter outage already in the data), over the readings outside the injected stretches;
- recall: injected anomalies that an event overlaps;
- delay: readings after the anomaly's first one until the event is known, replaying the
  stream one reading at a time (`until_s` = the newest reading's time).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import numpy as np
import polars as pl

from infra.demo.factory import factory_frame, one_line
from loadstar_core.postprocess.events import find_events
from schemas.watching import EVENT_KINDS, AnomalyEvent, AnomalyPolicy

DATA = Path(__file__).resolve().parents[1] / "infra" / "demo" / "data"
STEP = 900
LAGS = (1, 2, 3, 4, 96, 672)
BLOCK = 192  # 2 days of 15-minute readings
Injection = tuple[str, int, int]  # kind, first index, stop index


def _ett(column: str) -> Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    def load() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        frame = pl.read_csv(DATA / "ETTm1.csv", try_parse_dates=True)
        t = frame["date"].dt.epoch("s").to_numpy()
        return t, frame[column].to_numpy().astype(np.float64), None

    return load


def _factory(line: str) -> Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    def load() -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        frame = one_line(factory_frame(), line)
        t = frame["timestamp"].dt.epoch("s").to_numpy()
        v = frame["load_kw"].fill_null(np.nan).to_numpy().astype(np.float64)
        return t, v, frame["production_plan"].to_numpy().astype(np.float64)

    return load


SERIES = {
    "ETTm1 HUFL": (_ett("HUFL"), "kW"),
    "ETTm1 OT": (_ett("OT"), "degC"),
    "factory line A": (_factory("line-a"), "kW"),
    "factory line C": (_factory("line-c"), "kW"),
}


def _design(v: np.ndarray, known: np.ndarray | None) -> np.ndarray:
    """Row i: the readings before i (NaN carried as the last value) and i's known input."""
    filled = pl.Series(v).fill_nan(None).forward_fill().fill_null(0.0).to_numpy()
    cols = [np.roll(filled, lag) for lag in LAGS]
    if known is not None:
        cols.append(known)
    cols.append(np.ones_like(filled))
    return np.column_stack(cols)


class OneStepForecaster:
    """Ridge on lags, with split-conformal [p05, p95] from calibration residuals."""

    def __init__(self, v: np.ndarray, known: np.ndarray | None, fit: slice, cal: slice) -> None:
        x, y = _design(v, known), v
        rows = np.arange(len(v))[fit]
        rows = rows[(rows >= max(LAGS)) & ~np.isnan(y[rows])]
        a = x[rows]
        self.coef = np.linalg.solve(a.T @ a + 1e-3 * np.eye(a.shape[1]), a.T @ y[rows])
        pred = x[cal] @ self.coef
        resid = (y[cal] - pred)[~np.isnan(y[cal])]
        self.q05, self.q50, self.q95 = np.quantile(resid, [0.05, 0.5, 0.95])

    def bands(self, v: np.ndarray, known: np.ndarray | None) -> tuple[np.ndarray, ...]:
        mid = _design(v, known) @ self.coef
        return mid + self.q05, mid + self.q50, mid + self.q95


def inject(
    v: np.ndarray, start: int, stop: int, rng: np.random.Generator, scale: float
) -> tuple[np.ndarray, list[Injection]]:
    """One anomaly per 2-day block of [start, stop), kinds in turn; NaN marks missing.

    Spikes and shifts are sized in `scale`, the forecaster's p50-p95 distance: a spike of
    8-15 of them (the 99.9999% interval is 6), a level shift of 5-10 for 4-12 hours."""
    out = v.copy()
    found: list[Injection] = []
    for n, block in enumerate(range(start, stop - BLOCK + 1, BLOCK)):
        kind = EVENT_KINDS[n % len(EVENT_KINDS)]
        at = block + int(rng.integers(BLOCK // 4, BLOCK // 2))
        if np.isnan(out[at - 4 : at + 40]).any():
            continue  # leave the data's own outages alone
        if kind == "spike":
            length = int(rng.integers(1, 3))
            out[at : at + length] += rng.choice([-1, 1]) * rng.uniform(8.0, 15.0) * scale
        elif kind == "level_shift":
            length = int(rng.integers(16, 48))
            out[at : at + length] += rng.choice([-1, 1]) * rng.uniform(5.0, 10.0) * scale
        elif kind == "stuck":
            length = int(rng.integers(12, 32))
            out[at : at + length] = out[at]
        elif kind == "dropout":
            length = int(rng.integers(2, 16))
            out[at : at + length] = 0.0
        else:
            length = int(rng.integers(4, 24))
            out[at : at + length] = np.nan
        found.append((kind, at, at + length))
    return out, found


def _overlaps(event: AnomalyEvent, t: np.ndarray, a: int, b: int) -> bool:
    start = np.datetime64(event.start.rstrip("Z"), "s").astype(np.int64)
    end = np.datetime64(event.end.rstrip("Z"), "s").astype(np.int64)
    return bool(start <= t[b - 1] and end >= t[a])


def _delay(
    t: np.ndarray,
    v: np.ndarray,
    bands: tuple[np.ndarray, ...],
    a: int,
    b: int,
    policy: AnomalyPolicy,
) -> int:
    """Readings after the first anomalous one until replaying the stream shows the event."""
    lo, mid, hi = bands
    past = max(0, a - 96)
    for k in range(0, (b - a) + 16):
        end = a + k + 1
        ok = ~np.isnan(v[past:end])
        span = slice(past, end)
        found = find_events(
            t[span][ok], v[span][ok], lo[span][ok], mid[span][ok], hi[span][ok],
            step_s=STEP, unit="kW", until_s=int(t[end - 1]), policy=policy,
        )  # fmt: skip
        if any(_overlaps(e, t, a, b) for e in found):
            return k
    return -1


def run(name: str, seed: int, policy: AnomalyPolicy) -> dict[str, object]:
    (load, unit) = SERIES[name]
    t, v, known = load()
    n = len(v)
    fit, cal = slice(0, int(0.7 * n)), slice(int(0.7 * n), int(0.8 * n))
    model = OneStepForecaster(v, known, fit, cal)
    held = int(0.8 * n)
    rng = np.random.default_rng(seed)
    injected_v, injected = inject(v, held, n, rng, model.q95 - model.q50)
    bands = model.bands(injected_v, known)
    span = slice(held, n)
    ok = ~np.isnan(injected_v[span])
    started = time.perf_counter()
    events = find_events(
        t[span][ok], injected_v[span][ok], *(b[span][ok] for b in bands),
        step_s=STEP, unit=unit, until_s=int(t[-1]), policy=policy,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    outages = [(a + held, b + held) for a, b in _nan_runs(v[span])]
    labelled = [(a, b) for _, a, b in injected] + outages
    false = [e for e in events if not any(_overlaps(e, t, a, b) for a, b in labelled)]
    # a forecaster that reads an anomaly in its window is thrown off for a while after it
    after = [(b, b + 8) for _, _, b in injected]
    echoes = [e for e in false if any(_overlaps(e, t, a, b) for a, b in after)]
    abnormal = sum(b - a for a, b in labelled)
    normal = (n - held) - abnormal
    hits = {kind: [0, 0] for kind in EVENT_KINDS}
    delays: list[int] = []
    for kind, a, b in injected:
        hit = any(_overlaps(e, t, a, b) for e in events)
        hits[kind][0] += int(hit)
        hits[kind][1] += 1
        if hit:
            delays.append(_delay(t, injected_v, bands, a, b, policy))
    recall = sum(h for h, _ in hits.values()) / max(1, len(injected))
    return {
        "series": name,
        "readings": n - held,
        "injected": len(injected),
        "events": len(events),
        "false_per_1000": 1000.0 * len(false) / max(1, normal),
        "echo_per_1000": 1000.0 * len(echoes) / max(1, normal),
        "recall": recall,
        "by_kind": {k: f"{h}/{m}" for k, (h, m) in hits.items()},
        "delay_median_min": statistics.median(delays) * 15 if delays else float("nan"),
        "delay_max_min": max(delays) * 15 if delays else float("nan"),
        "ms": seconds * 1000,
        "false": [e.reason for e in false][:3],
        "false_kinds": {k: sum(e.kind == k for e in false) for k in EVENT_KINDS},
    }


def _nan_runs(v: np.ndarray) -> list[tuple[int, int]]:
    mask = np.concatenate(([False], np.isnan(v), [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(mask))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--series", choices=sorted(SERIES), action="append")
    parser.add_argument("--verbose", action="store_true", help="print the false alarms' reasons")
    parser.add_argument("--level", type=float, help="another alarm level than the default")
    parser.add_argument("--min-minutes", type=float, help="another minimum duration")
    args = parser.parse_args()
    policy = AnomalyPolicy()
    if args.level is not None:
        policy = msgspec.structs.replace(policy, level=args.level)
    if args.min_minutes is not None:
        policy = msgspec.structs.replace(policy, minDurationMinutes=args.min_minutes)
    print(f"policy: {policy}")
    header = (
        "| series | held-back readings | injected | events | false alarms / 1000 (goal <= 2) "
        "| of which in the 2 h after an anomaly "
        "| recall (goal >= 90%) | recall by kind | delay median / max | detect ms |"
    )
    print(header)
    print("|" + "---|" * 10)
    for name in args.series or list(SERIES):
        r = run(name, args.seed, policy)
        kinds = ", ".join(f"{k} {v}" for k, v in r["by_kind"].items())  # type: ignore[attr-defined]
        print(
            f"| {name} | {r['readings']} | {r['injected']} | {r['events']} | "
            f"{r['false_per_1000']:.2f} | {r['echo_per_1000']:.2f} | "
            f"{100 * r['recall']:.0f}% | {kinds} | "  # type: ignore[operator]
            f"{r['delay_median_min']:.0f} / {r['delay_max_min']:.0f} min | {r['ms']:.1f} |"
        )
        if args.verbose:
            print("    false alarms by kind:", r["false_kinds"])
            for reason in r["false"]:  # type: ignore[attr-defined]
                print(f"    false alarm: {reason}")


if __name__ == "__main__":
    main()
