"""Steps, their jump back, and runs of exact zeros (properties of the rules in
`loadstar_core.postprocess.steps` and `.zeros`, through `find_events`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.events import find_events
from loadstar_core.postprocess.zeros import needed, zero_runs

STEP = 900
T0 = 1_751_536_800
HALF = 16.45


def one_step(v: np.ndarray) -> np.ndarray:
    """A forecaster that expects the last reading: it follows any level after one reading."""
    return np.concatenate(([v[0]], v[:-1]))


def found(v: np.ndarray) -> list:  # type: ignore[type-arg]
    t = T0 + np.arange(v.size) * STEP
    mid = one_step(v)
    return find_events(t, v, mid - HALF, mid, mid + HALF, step_s=STEP, unit="kW")


def noisy(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 410.0 + rng.normal(0, 3, n).clip(-9, 9)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(50, 250), size=st.floats(8.0, 20.0),
       sign=st.sampled_from([-1.0, 1.0]))  # fmt: skip
def test_a_step_the_readings_keep_is_the_new_normal(
    seed: int, at: int, size: float, sign: float
) -> None:
    v = noisy(300, seed)
    v[at:] += sign * size * HALF  # never jumps back
    assert found(v) == []


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(50, 150), length=st.integers(8, 90),
       size=st.floats(8.0, 20.0), sign=st.sampled_from([-1.0, 1.0]))  # fmt: skip
def test_a_step_that_jumps_back_within_a_day_is_one_level_shift(
    seed: int, at: int, length: int, size: float, sign: float
) -> None:
    v = noisy(300, seed)
    v[at : at + length] += sign * size * HALF
    (event,) = found(v)
    assert event.kind == "level_shift"
    assert event.readings == length  # from the step up to the reading before the jump back


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(50, 250), size=st.floats(8.0, 20.0),
       sign=st.sampled_from([-1.0, 1.0]))  # fmt: skip
def test_a_reading_that_comes_back_is_a_spike(seed: int, at: int, size: float, sign: float) -> None:
    v = noisy(300, seed)
    v[at] += sign * size * HALF
    (event,) = found(v)
    assert event.kind == "spike" and event.start <= event.end


@settings(max_examples=50, deadline=None)
@given(rate=st.floats(1e-4, 0.9), level=st.sampled_from([0.99, 0.999, 0.9999]))
def test_the_run_needed_is_the_shortest_rarer_than_the_level(rate: float, level: float) -> None:
    k = needed(rate, level)
    assert k >= 2
    assert rate ** (k - 1) < 1 - level + 1e-12
    assert k == 2 or rate ** (k - 2) >= (1 - level) * (1 - 1e-9)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(700, 900), length=st.integers(1, 30))
def test_exact_zeros_are_a_dropout_once_too_long_for_the_series(
    seed: int, at: int, length: int
) -> None:
    rng = np.random.default_rng(seed)
    v = np.round(rng.normal(0.0, 5.0, 1000), 1)  # crosses zero, repeats now and then
    v[v == 0.0] = 0.1
    v[at : at + length] = 0.0
    present = np.ones(v.size, dtype=bool)
    same = (v[at - 672 + 1 : at] == v[at - 672 : at - 1]).sum()
    runs = zero_runs(v, present, 0.9999)
    assert runs == ([(at, at + length)] if length >= needed(max(same, 1) / 671, 0.9999) else [])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), night=st.integers(8, 40))
def test_zeros_as_long_as_the_week_before_held_are_no_dropout(seed: int, night: int) -> None:
    """A line that is off every night reads zero for as long as it did the night before."""
    rng = np.random.default_rng(seed)
    v = 410.0 + rng.normal(0, 3, 96 * 10)
    for day in range(10):
        v[day * 96 : day * 96 + night] = 0.0
    runs = zero_runs(v, np.ones(v.size, dtype=bool), 0.9999)
    assert all(start < 96 * 7 for start, _ in runs)  # once a week of nights is seen, none


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**16), at=st.integers(50, 250), length=st.integers(2, 4),
       size=st.floats(8.0, 20.0), sign=st.sampled_from([-1.0, 1.0]))  # fmt: skip
def test_an_excursion_no_longer_than_a_spike_is_one_spike(
    seed: int, at: int, length: int, size: float, sign: float
) -> None:
    """Held for up to an hour and back: one spike, though the forecast follows its level."""
    v = noisy(300, seed)
    v[at : at + length] += sign * size * HALF
    (event,) = found(v)
    # with its rebound, and the reading after that when it overshoots (`_persisting`)
    assert event.kind == "spike" and length <= event.readings <= length + 2
