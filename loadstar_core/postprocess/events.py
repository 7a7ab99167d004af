"""Anomaly events: readings and their calibrated forecast bands -> the few events worth an alarm.

Readings are placed on the model's grid (absent points are missing data). A reading's
score is its distance from the expected value (p50) over that side's half of the
calibrated band (p95 - p50 above, p50 - p05 below). The alarm interval is the band widened
to the policy's `level` assuming exponential (Laplace) tails: forecast errors of load have
heavier tails than a normal law, and the hold-out quantiles say nothing beyond p95. For a
90% band the alarm threshold is ln(1 / (1 - level)) / ln(10) half-bands: 3 at 99.9%, 4 at
99.99%, 6 at 99.9999%. Scores are then divided by the local error scale (`local_scale`):
how much wider than calibrated the errors of the day before each reading ran, so a
restless stretch the hold-out never saw does not read as a string of anomalies. Then, in
this order of precedence, each reading belongs to at most one event:

- missing: grid points without a reading (or with a NaN one), at least `missingMinutes`;
- dropout: readings near zero where the alarm interval rules zero out (or, for two exact
  zeros in a row, where the 99% interval does), from a positive or a negative level;
- stuck: the same non-zero reading repeated for `stuckMinutes` (live meters are noisy);
- spike / level shift: runs of readings outside the alarm interval (gaps up to
  `mergeGapMinutes` bridged), kept when they last `minDurationMinutes` or peak past the
  `strongLevel` interval; up to `spikeMaxMinutes` (and two readings, for the rebound of
  a forecast made from a window ending at the spike) a spike, longer a level shift. A run
  goes on while the readings after its first one stay outside the alarm interval of the
  expectation *before* the change, on the same side (`_persisting`): a forecast made from
  a window holding a new level follows it, so a shift would otherwise read as one reading.
  A short run the next readings keep is a step, not a spike (`steps`): no event, unless it
  jumps back within a day (then a level shift from the step to the jump back).

Exact zeros held longer than the series' own repeats make plausible are a dropout too
(`zeros`), judged before the rest.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.steps import (
    SHIFT_LIMIT_MINUTES,
    kept,
    pair_level,
    paired_shifts,
)
from loadstar_core.postprocess.zeros import zero_runs
from schemas.errors import InvalidInput
from schemas.watching import AnomalyEvent, AnomalyPolicy, EventKind

Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

# a power unit's factor to kW: energy above expected is reported in kWh for these
_KW = {"W": 1e-3, "kW": 1.0, "MW": 1e3, "GW": 1e6}


def z_of(coverage: float) -> float:
    """A Laplace law's half-width (in scale units) of a two-sided interval of this coverage."""
    return math.log(1.0 / (1.0 - coverage))


LOCAL_WINDOW = 96  # readings before each one whose errors set its local scale


def local_scale(z: Floats, checked: Mask, band: float, window: int = LOCAL_WINDOW) -> Floats:
    """Per reading, how much wider than calibrated the forecast errors of the `window`
    readings before it ran (1 at least: never narrower than calibrated).

    The mean |z| of those within 4 half-bands (readings past that are anomalies, not
    restlessness, and are left out) against what a calibrated Laplace law gives for them.
    Only the past counts (a reading's own error never hides it); with fewer than a
    quarter of the window scored, the calibrated scale stands."""
    n = z.size
    b = 1.0 / z_of(band)  # the Laplace scale in half-bands
    clip = 4.0
    tail = math.exp(-clip / b)
    expected = b - clip * tail / (1.0 - tail)  # E[|z| given |z| <= clip]
    usable = checked & (np.abs(z) <= clip)
    count = np.concatenate(([0.0], np.cumsum(usable.astype(np.float64))))
    total = np.concatenate(([0.0], np.cumsum(np.where(usable, np.abs(z), 0.0))))
    hi = np.arange(n)  # readings [i - window, i)
    lo = np.maximum(0, hi - window)
    counted = count[hi] - count[lo]
    mean = (total[hi] - total[lo]) / np.maximum(counted, 1.0)
    ok = counted >= window // 4
    return np.where(ok, np.maximum(1.0, mean / expected), 1.0)


def _runs(mask: Mask) -> list[tuple[int, int]]:
    """[start, stop) of every run of True."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _bridge(mask: Mask, gap: int) -> list[tuple[int, int]]:
    """Runs of True, with runs separated by at most `gap` False points joined."""
    merged: list[tuple[int, int]] = []
    for start, stop in _runs(mask):
        if merged and start - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def _steps(minutes: float, step_s: int) -> int:
    return max(1, math.ceil(minutes * 60.0 / step_s - 1e-9))


def number(value: float, digits: int = 3) -> str:
    """A number for a sentence: `digits` significant figures, no exponent."""
    if not math.isfinite(value):
        return str(value)
    rounded = float(f"{value:.{digits}g}")
    text = f"{rounded:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def duration(minutes: float) -> str:
    """'45 min', '1 h 30 min', '2 d 3 h'."""
    total = round(minutes)
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min" if mins or minutes >= 1 else f"{number(minutes * 60, 2)} s"


def _iso(seconds: int) -> str:
    stamp = np.datetime64(int(seconds), "s")
    return str(np.datetime_as_string(stamp, unit="s", timezone="UTC"))


class _Grid:
    """The readings and bands on the model's grid, with each reading's score."""

    def __init__(
        self,
        times_s: npt.ArrayLike,
        columns: tuple[npt.ArrayLike, ...],  # values, lower, expected, upper
        step_s: int,
        band: float,
        until_s: int | None,
    ) -> None:
        t = np.asarray(times_s, dtype=np.int64).reshape(-1)
        cols = [np.asarray(a, dtype=np.float64).reshape(-1) for a in columns]
        if any(c.size != t.size for c in cols):
            raise InvalidInput(
                "readings and bands differ in length",
                {"readings": int(t.size), "lengths": [int(c.size) for c in cols]},
            )
        if step_s <= 0:
            raise InvalidInput("the grid step must be positive", {"stepS": step_s})
        self.step_s = step_s
        self.t0 = int(t.min()) // step_s * step_s if t.size else 0
        index = (t - self.t0) // step_s
        n = int(index.max()) + 1 if t.size else 0
        if until_s is not None and t.size:  # grid points up to `until_s` without a reading
            n = max(n, (int(until_s) - self.t0) // step_s + 1)
        self.n = n
        self.v, self.lo, self.mid, self.hi = (np.full(n, np.nan) for _ in range(4))
        order = np.argsort(index, kind="stable")  # a repeated grid point keeps its last reading
        for target, col in zip((self.v, self.lo, self.mid, self.hi), cols, strict=True):
            target[index[order]] = col[order]
        self.present: Mask = ~np.isnan(self.v)
        lo = np.minimum(self.lo, self.hi)
        hi = np.maximum(self.lo, self.hi)
        mid = np.clip(self.mid, lo, hi)
        self.checked: Mask = self.present & ~(np.isnan(lo) | np.isnan(hi) | np.isnan(mid))
        floor = 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(mid)))
        above = np.maximum(hi - mid, floor)
        below = np.maximum(mid - lo, floor)
        self.band = band
        self.sigma: Floats = np.where(self.v >= mid, above, below)
        with np.errstate(invalid="ignore"):
            raw: Floats = np.where(self.checked, (self.v - mid) / self.sigma, 0.0)
        self.raw = raw  # in calibrated half-bands: what events report
        self.scale: Floats = local_scale(raw, self.checked, band)
        self.z: Floats = raw / self.scale  # in local half-bands: what raises events
        self.mid = mid

    def time(self, i: int) -> int:
        return self.t0 + i * self.step_s


def _persisting(g: _Grid, outside: Mask, taken: Mask, z_alarm: float) -> Mask:
    """Readings after an out-of-band one that stay outside *its* alarm interval (the
    expectation before the change) on the same side: a level that moved and stayed. A
    forecast made from a window holding the new level follows it, so without this a shift
    reads as one out-of-band reading (then one more at its end)."""
    held = outside.copy()
    for start, _ in _runs(outside):
        side = np.sign(g.z[start])
        width = g.sigma[start] * g.scale[start]
        # the step into the run; a level that stays never steps back by half of it (else an
        # expectation drifting the same way, such as a forecast made hours before, would
        # stretch the event past its end)
        before = g.v[start - 1] if start > 0 and g.checked[start - 1] else g.mid[start]
        step_back = max(side * (g.v[start] - before), z_alarm * width) / 2
        i = start + 1
        while i < g.n and g.checked[i] and not taken[i]:
            moved = side * (g.v[i] - g.mid[start]) / width > z_alarm
            back = side * (g.v[i] - g.v[i - 1]) < -step_back
            if back or not (moved and side * g.z[i] > 0.5):
                break
            held[i] = True
            i += 1
    return held


def _event(
    g: _Grid, kind: EventKind, start: int, stop: int, unit: str, reason: str
) -> AnomalyEvent:
    span = slice(start, stop)
    readings = stop - start
    minutes = readings * g.step_s / 60.0
    scored = g.checked[span]
    peak = peak_at = expected = energy = None
    score = 0.0
    if scored.any():
        i = start + _peak(g, start, stop)
        score = float(np.abs(g.raw[i]))
        peak, peak_at, expected = float(g.v[i]), _iso(g.time(i)), float(g.mid[i])
        if unit in _KW:
            excess = (g.v[span] - g.mid[span])[scored]
            energy = float(excess.sum()) * g.step_s / 3600.0 * _KW[unit]
    elif kind != "missing" and g.present[span].any():
        i = start + int(np.flatnonzero(g.present[span])[0])
        peak, peak_at = float(g.v[i]), _iso(g.time(i))
    return AnomalyEvent(
        kind=kind,
        start=_iso(g.time(start)),
        end=_iso(g.time(stop - 1)),
        readings=readings,
        durationMinutes=minutes,
        peak=peak,
        peakAt=peak_at,
        expected=expected,
        energyAboveExpectedKWh=None if energy is None else float(number(energy, 4)),
        score=float(number(score, 3)),
        unit=unit,
        reason=reason,
    )


def _peak(g: _Grid, start: int, stop: int) -> int:
    """Offset of the farthest reading on the side of the event's first scored one: the
    rebound after a spike (judged by a forecast made from the spike) never wins."""
    span = slice(start, stop)
    scored = g.checked[span]
    z = g.raw[span]
    side = np.sign(z[np.flatnonzero(scored)[0]])
    return int(np.argmax(np.where(scored & (np.sign(z) == side), np.abs(z), -1.0)))


def _load_reason(g: _Grid, start: int, stop: int, unit: str, kind: EventKind) -> str:
    span = slice(start, stop)
    ok = g.checked[span]
    got, want = float(g.v[span][ok].mean()), float(g.mid[span][ok].mean())
    if kind == "spike":  # a spike reads by its peak, not by a mean with its rebound
        i = start + _peak(g, start, stop)
        got, want = float(g.v[i]), float(g.mid[i])
    lasting = duration((stop - start) * g.step_s / 60.0)
    what = "Spike" if kind == "spike" else "Level shift"
    if want > 0 and got >= 0:
        return (
            f"{what}: load {number(got / want, 2)}x the expected {number(want)} {unit} "
            f"for {lasting}"
        )
    side = "above" if got > want else "below"
    return (
        f"{what}: load {number(abs(got - want))} {unit} {side} the expected "
        f"{number(want)} {unit} for {lasting}"
    )


def find_events(
    times_s: npt.ArrayLike,
    values: npt.ArrayLike,
    lower: npt.ArrayLike,
    expected: npt.ArrayLike,
    upper: npt.ArrayLike,
    *,
    step_s: int,
    unit: str,
    policy: AnomalyPolicy | None = None,
    band: float = 0.90,
    until_s: int | None = None,
) -> list[AnomalyEvent]:
    """The events among readings at `times_s` (epoch seconds), all values in `unit`.

    `lower`/`upper` bound the calibrated band of coverage `band` around `expected`; NaN
    bands leave a reading unscored (it can still be missing or stuck). Events are ordered
    by start. `until_s`: the time up to which readings were due ("now"), so that readings
    that have stopped arriving count as missing data.
    """
    policy = policy or AnomalyPolicy()
    g = _Grid(times_s, (values, lower, expected, upper), step_s, band, until_s)
    taken = np.zeros(g.n, dtype=np.bool_)
    spans: list[list[Any]] = []  # [kind, start, stop]: built into events at the end

    def claim(kind: EventKind, start: int, stop: int) -> None:
        taken[start:stop] = True
        spans.append([kind, start, stop])

    for start, stop in _runs(~g.present):
        if stop - start >= _steps(policy.missingMinutes, step_s):
            claim("missing", start, stop)

    for start, stop in zero_runs(g.v, g.present, policy.level):  # exact zeros held too long
        if stop - start >= _steps(policy.dropoutMinutes, step_s):
            claim("dropout", start, stop)

    z_band = z_of(band)
    z_alarm = z_of(policy.level) / z_band
    z_strong = z_of(max(policy.strongLevel, policy.level)) / z_band
    with np.errstate(invalid="ignore"):
        near_zero = np.abs(g.v) <= policy.zeroFraction * np.abs(g.mid)
        toward = np.sign(g.z) == -np.sign(g.mid)  # a drop to 0 from a negative level too
        # a continuous meter reads exactly 0 twice in a row by a fault: then 0 two half-bands
        # out is enough (a 99% interval); else near 0 must leave the alarm interval
        zero = g.v == 0.0
        paired = zero & (np.r_[False, zero[:-1]] | np.r_[zero[1:], False])
        far = np.where(paired, 2.0, z_alarm)
    dropped = g.checked & near_zero & toward & (np.abs(g.z) > far) & ~taken
    for start, stop in _runs(dropped):
        if stop - start >= _steps(policy.dropoutMinutes, step_s):
            claim("dropout", start, stop)

    same = np.zeros(g.n, dtype=np.bool_)
    if g.n > 1:
        with np.errstate(invalid="ignore"):
            same[1:] = g.present[1:] & g.present[:-1] & (g.v[1:] == g.v[:-1])
    for start, stop in _runs(same):
        start -= 1  # the first reading of the flat stretch
        if stop - start < _steps(policy.stuckMinutes, step_s) or taken[start:stop].any():
            continue
        if float(g.v[start]) != 0.0:  # a line that is off may read 0 for hours: a dropout's call
            claim("stuck", start, stop)

    outside = g.checked & (np.abs(g.z) > z_alarm) & ~taken
    outside = _persisting(g, outside, taken, z_alarm)

    def _pieces(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """A bridged run never spans another event: split it there, trimmed to flagged ends."""
        out = []
        for start, stop in runs:
            for a, b in _runs(~taken[start:stop]):
                flagged = np.flatnonzero(outside[start + a : start + b])
                if flagged.size:
                    out.append((start + a + int(flagged[0]), start + a + int(flagged[-1]) + 1))
        return out

    gap = _steps(policy.mergeGapMinutes, step_s) - 1
    need = _steps(policy.minDurationMinutes, step_s) if policy.minDurationMinutes > 0 else 1
    # never under two readings: a forecast made from a window ending at a spike rebounds
    spike_max = max(2, _steps(policy.spikeMaxMinutes, step_s) if policy.spikeMaxMinutes else 0)
    ends = {span[2]: span for span in spans}
    shift_limit = _steps(SHIFT_LIMIT_MINUTES, step_s)
    for start, stop in _pieces(_bridge(outside, gap)):
        # the readings up to an hour after an event (a dropout, a stuck meter, a gap, a
        # spike) are judged by forecasts made from the bad window: their recovery belongs
        # to that event
        reach = max(gap + 2, spike_max + 1)
        before = next((ends[e] for e in range(start, start - reach, -1) if e in ends), None)
        if before is not None:
            taken[before[2] : stop] = True
            del ends[before[2]]
            before[2] = stop
            ends[stop] = before
            continue
        strong = float(np.abs(g.z[start:stop]).max()) > z_strong
        if int(outside[start:stop].sum()) < need and not strong:
            continue
        if stop - start <= spike_max and kept(g.v, g.mid, g.checked, start, stop):
            continue  # a step kept: a level shift if it jumps back (below), else the new normal
        kind: EventKind = "spike" if stop - start <= spike_max else "level_shift"
        claim(kind, start, stop)

    z_pair = z_of(pair_level(policy.level, shift_limit)) / z_band
    short = (spike_max, z_alarm)
    for start, stop in paired_shifts(g.v, g.z, g.mid, g.checked, taken, z_pair, shift_limit, short):
        spans.append(["spike" if stop - start <= spike_max else "level_shift", start, stop])

    events = [_event(g, k, a, b, unit, _reason(g, k, a, b, unit)) for k, a, b in spans]
    events.sort(key=lambda e: e.start)
    return events


def _reason(g: _Grid, kind: EventKind, start: int, stop: int, unit: str) -> str:
    lasting = duration((stop - start) * g.step_s / 60.0)
    span = slice(start, stop)
    mids = g.mid[span][g.checked[span]]
    if kind == "missing":
        absent = int((~g.present[span]).sum())
        return f"No readings for {duration(absent * g.step_s / 60.0)} ({absent} expected)"
    if kind == "dropout":
        want = number(float(mids.mean())) if mids.size else "more"
        return (
            f"Dropout: reading {number(float(g.v[start]))} {unit} where {want} {unit} was "
            f"expected, for {lasting}"
        )
    if kind == "stuck":
        expected = (
            f" while {number(float(mids.min()))}-{number(float(mids.max()))} {unit} was expected"
            if mids.size
            else ""
        )
        return f"Stuck meter: reading {number(float(g.v[start]))} {unit} for {lasting}{expected}"
    return _load_reason(g, start, stop, unit, kind)


def event_of(events: list[AnomalyEvent], stamps: list[str]) -> list[int | None]:
    """For each ISO timestamp (as events write them), the index of the event covering it."""
    out: list[int | None] = []
    for stamp in stamps:
        found = None
        for i, e in enumerate(events):
            if e.start <= stamp <= e.end:
                found = i
                break
        out.append(found)
    return out
