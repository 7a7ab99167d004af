"""The local error scale and the persistence rule of anomaly events (properties)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess.events import LOCAL_WINDOW, find_events, local_scale

STEP = 900
T0 = 1_751_536_800
HALF = 16.45

errors = st.lists(st.floats(-20.0, 20.0), min_size=2, max_size=300)


@settings(max_examples=80, deadline=None)
@given(z=errors)
def test_the_scale_is_never_below_one(z: list[float]) -> None:
    a = np.asarray(z)
    scale = local_scale(a, np.ones(a.size, dtype=bool), 0.9)
    assert scale.shape == a.shape and (scale >= 1.0).all() and np.isfinite(scale).all()


@settings(max_examples=80, deadline=None)
@given(z=errors, at=st.integers(0, 299), value=st.floats(-20.0, 20.0))
def test_a_reading_never_sets_its_own_scale_nor_earlier_ones(
    z: list[float], at: int, value: float
) -> None:
    a = np.asarray(z)
    at = at % a.size
    checked = np.ones(a.size, dtype=bool)
    changed = a.copy()
    changed[at] = value
    before = local_scale(a, checked, 0.9)
    after = local_scale(changed, checked, 0.9)
    assert np.array_equal(before[: at + 1], after[: at + 1])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16), wider=st.floats(1.5, 4.0))
def test_restless_errors_widen_the_scale_calm_ones_do_not(seed: int, wider: float) -> None:
    rng = np.random.default_rng(seed)
    b = 1.0 / np.log(10.0)  # calibrated Laplace errors, in half-bands
    calm = rng.laplace(0.0, b, 2000)
    checked = np.ones(calm.size, dtype=bool)
    assert np.median(local_scale(calm, checked, 0.9)[LOCAL_WINDOW:]) < 1.15
    restless = np.clip(rng.laplace(0.0, b * wider, 2000), -3.9, 3.9)
    assert np.median(local_scale(restless, checked, 0.9)[LOCAL_WINDOW:]) > 1.0 + (wider - 1) / 3


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    start=st.integers(120, 200),
    length=st.integers(5, 40),  # past the 60 min a spike may last
    # 12-16 half-bands: more than the alarm (4) plus what the daily wave (60 kW) and the
    # noise (40 kW) can take back within 2 h, and still far from zero (else a dropout)
    shift=st.floats(12.0, 16.0),
    sign=st.sampled_from([-1.0, 1.0]),
)
def test_a_shift_the_forecast_half_follows_is_one_level_shift(
    seed: int, start: int, length: int, shift: float, sign: float
) -> None:
    """A forecaster that carries half the last reading's error follows a shift after its
    first reading and stays off by half of it (at the alarm's edge): one level shift from
    the first shifted reading, held for at least 2 h (the expectation before the change
    anchors it while the daily wave moves less than the shift)."""
    rng = np.random.default_rng(seed)
    n = 300
    base = 410 + 60 * np.sin(np.arange(n) / 12)
    v = base + rng.normal(0, 10, n).clip(-40, 40)
    v[start : start + length] += sign * shift * HALF
    mid = base.copy()
    mid[1:] += 0.5 * (v[:-1] - base[:-1])
    t = T0 + np.arange(n) * STEP
    found = find_events(t, v, mid - HALF, mid, mid + HALF, step_s=STEP, unit="kW")
    (event,) = found
    assert event.kind == "level_shift"
    first = np.datetime_as_string(np.datetime64(int(t[start]), "s"), timezone="UTC")
    assert str(event.start) == str(first) and event.readings >= min(length, 8)
