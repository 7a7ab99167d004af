"""Anomaly events from readings and calibrated bands: kinds, grouping, properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.events import duration, find_events, number, z_of
from loadstar_core.postprocess.steps import pair_level
from schemas.errors import InvalidInput
from schemas.watching import AnomalyPolicy

STEP = 900
T0 = 1_751_536_800  # 2025-07-03T10:00:00Z
HALF = 16.45  # a 90% band of +-16.45 kW; the alarm at 99.99% is 4 x 16.45 = 65.8 kW away


def series(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, expected load (a slow wave around 410 kW) and readings with sigma 10 kW noise."""
    rng = np.random.default_rng(seed)
    t = T0 + np.arange(n) * STEP
    mid = 410 + 60 * np.sin(np.arange(n) / 12)
    v = mid + np.clip(rng.normal(0, 10, n), -60, 60)
    return t, mid, v


def events(t: np.ndarray, v: np.ndarray, mid: np.ndarray, **kw: object) -> list:  # type: ignore[type-arg]
    return find_events(t, v, mid - HALF, mid, mid + HALF, step_s=STEP, unit="kW", **kw)  # type: ignore[arg-type]


def test_normal_readings_raise_nothing() -> None:
    t, mid, v = series(2000)
    assert events(t, v, mid) == []


def test_a_lasting_excess_is_one_level_shift_with_a_plain_reason() -> None:
    t, mid, v = series(200)
    mid[:] = 410.0
    v = mid + np.tile([1.0, -1.0], 100)
    v[50:53] = 943.0  # 2.3x for 45 min
    v[53:58] = 943.0 + np.arange(5)
    (event,) = events(t, v, mid, policy=AnomalyPolicy(spikeMaxMinutes=30))
    assert event.kind == "level_shift"
    assert event.readings == 8 and event.durationMinutes == 120
    assert event.start == "2025-07-03T22:30:00Z" and event.end == "2025-07-04T00:15:00Z"
    assert event.reason == "Level shift: load 2.3x the expected 410 kW for 2 h"
    assert event.peak == 947.0 and event.peakAt == "2025-07-04T00:15:00Z"
    assert event.energyAboveExpectedKWh == pytest.approx(sum(v[50:58] - 410) * 0.25, rel=1e-3)


def test_one_reading_spike_needs_the_strong_level() -> None:
    t, mid, v = series(300)
    v[100] = mid[100] + 80  # 4.9 half-bands: past 99.99% but not 99.9999%, and only 15 min
    assert events(t, v, mid) == []
    v[100] = mid[100] + 120  # 7.3 half-bands
    (event,) = events(t, v, mid)
    assert event.kind == "spike" and event.readings == 1
    assert event.score == pytest.approx(120 / HALF, rel=0.01)
    assert event.reason.startswith("Spike: load 1.") and event.reason.endswith("for 15 min")
    assert event.energyAboveExpectedKWh == pytest.approx((v[100] - mid[100]) * 0.25, rel=1e-3)


def test_readings_close_together_are_one_event() -> None:
    t, mid, v = series(300)
    v[[100, 102]] = mid[[100, 102]] + 80  # 4.9 half-bands, 30 min apart: one 45 min event
    (event,) = events(t, v, mid)
    assert (event.readings, event.kind) == (3, "spike")


def test_dropout_stuck_and_missing() -> None:
    t, mid, v = series(400)
    v[50:54] = 0.0
    v[150:166] = v[150]  # 4 h flat while the wave moves
    keep = np.ones(400, dtype=bool)
    keep[250:254] = False  # an hour without readings
    keep[300] = False  # 15 min: under the 30 min minimum
    found = events(t[keep], v[keep], mid[keep])
    assert [(e.kind, e.readings) for e in found] == [("dropout", 4), ("stuck", 16), ("missing", 4)]
    dropout, stuck, missing = found
    assert dropout.reason.startswith("Dropout: reading 0 kW where ")
    assert stuck.reason.startswith(f"Stuck meter: reading {number(v[150])} kW for 4 h while ")
    assert missing.reason == "No readings for 1 h (4 expected)"
    assert missing.peak is None and missing.energyAboveExpectedKWh is None


def test_readings_that_stopped_arriving_are_missing_up_to_now() -> None:
    t, mid, v = series(100)
    assert events(t, v, mid, until_s=int(t[-1])) == []
    (event,) = events(t, v, mid, until_s=int(t[-1]) + 3 * STEP)
    assert (event.kind, event.readings) == ("missing", 3)


def test_zero_where_zero_is_plausible_is_no_dropout() -> None:
    t = T0 + np.arange(50) * STEP
    mid = np.full(50, 2.0)
    v = mid + np.tile([0.5, -0.5], 25)
    v[20:24] = 0.0  # inside the alarm interval of an idle line
    assert find_events(t, v, mid - 1.6, mid, mid + 1.6, step_s=STEP, unit="kW") == []


def test_energy_only_for_power_units() -> None:
    t, mid, v = series(100)
    v[40:44] = mid[40:44] + 200
    (event,) = find_events(t, v, mid - HALF, mid, mid + HALF, step_s=STEP, unit="degC")
    assert event.energyAboveExpectedKWh is None and "degC" in event.reason


def test_lengths_must_agree() -> None:
    with pytest.raises(InvalidInput):
        find_events([1, 2], [1.0], [0.0], [1.0], [2.0], step_s=STEP, unit="kW")


def test_words() -> None:
    assert [duration(m) for m in (15, 45, 60, 90, 1440, 1500)] == [
        "15 min", "45 min", "1 h", "1 h 30 min", "1 d", "1 d 1 h",
    ]  # fmt: skip
    assert [number(x) for x in (410.4, 2346.0, 0.0012345, -0.0)] == ["410", "2350", "0.00123", "0"]
    assert z_of(0.9999) / z_of(0.9) == pytest.approx(4.0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    seed=st.integers(0, 2**16),
    level=st.sampled_from([0.99, 0.999, 0.9999]),
    drop=st.lists(st.integers(0, 299), max_size=40),
    bumps=st.lists(st.tuples(st.integers(0, 299), st.floats(-200, 200)), max_size=10),
)
def test_events_are_ordered_disjoint_and_on_the_grid(
    n: int, seed: int, level: float, drop: list[int], bumps: list[tuple[int, float]]
) -> None:
    t, mid, v = series(n, seed)
    for i, dv in bumps:
        if i < n:
            v[i] += dv
    keep = np.ones(n, dtype=bool)
    keep[[i for i in drop if i < n]] = False
    keep[0] = True
    found = events(t[keep], v[keep], mid[keep], policy=AnomalyPolicy(level=level))
    covered: set[str] = set()
    stamps = {str(np.datetime_as_string(np.datetime64(int(s), "s"), timezone="UTC")) for s in t}
    for e in found:
        assert e.start <= e.end and e.readings >= 1
        assert e.durationMinutes == e.readings * 15
        assert e.start in stamps and e.end in stamps
        assert not covered & {e.start, e.end}
        covered |= {e.start, e.end}
    assert [e.start for e in found] == sorted(e.start for e in found)
    for a, b in itertools.pairwise(found):
        assert a.end < b.start


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    start=st.integers(20, 150),
    length=st.integers(2, 30),
    sigmas=st.floats(10, 30),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_an_excess_lasting_the_minimum_is_always_one_event(
    seed: int, start: int, length: int, sigmas: float, sign: float
) -> None:
    t, mid, v = series(200, seed)
    v[start : start + length] = mid[start : start + length] + sign * sigmas * 10
    found = events(t, v, mid)
    assert len(found) == 1
    (event,) = found
    assert event.readings == length and event.score >= 10 * 10 / HALF * 0.99
    assert event.kind == ("spike" if length <= 4 else "level_shift")


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    scale=st.floats(0.0, 0.99),
    level=st.sampled_from([0.99, 0.999]),
)
def test_readings_inside_the_alarm_and_step_intervals_raise_nothing(
    seed: int, scale: float, level: float
) -> None:
    """Past the narrower step interval, a step and its jump back are a level shift even
    inside the alarm interval (steps.py), so the readings stay inside both."""
    rng = np.random.default_rng(seed)
    n = 300
    t = T0 + np.arange(n) * STEP
    mid = 410 + 60 * np.sin(np.arange(n) / 12)
    day = 86_400 // STEP  # a step that jumps back within a day is a level shift
    inner = min(level, pair_level(level, day))
    reach = HALF * z_of(inner) / z_of(0.9)  # the narrower interval's half-width
    v = mid + scale * reach * rng.uniform(-1, 1, n) + 1e-6 * np.arange(n)
    assert find_events(t, v, mid - HALF, mid, mid + HALF, step_s=STEP, unit="kW",
                       policy=AnomalyPolicy(level=level)) == []  # fmt: skip


def test_a_spike_reads_by_its_peak_not_by_its_rebound() -> None:
    t = T0 + np.arange(50) * STEP
    v = np.full(50, 410.0) + np.tile([0.5, -0.5], 25)
    v[20] = 943.0
    mid = np.concatenate(([410.0], v[:-1]))  # a one-step forecast: the last reading
    (event,) = events(t, v, mid)
    assert event.kind == "spike" and event.readings == 2  # the spike and its rebound
    assert event.peak == 943.0 and event.peakAt == "2025-07-03T15:00:00Z"
    assert event.reason == "Spike: load 2.3x the expected 410 kW for 30 min"
