"""hypothesis properties of legalization and formatting (issue 3, "Done when")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import msgspec
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from loadstar_core.postprocess import format_output, legalize_window, prepare_contract
from schemas.contracts import DeploymentContract, InferenceInput
from schemas.errors import InputMissingExceeds, LoadstarError
from schemas.feature_plan import FREQUENCY_SECONDS

from .builders import LISTED_CODES, contract, iso

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FREQUENCIES = sorted(FREQUENCY_SECONDS)
VALUES = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32)
ANCHOR = datetime(2025, 7, 1, tzinfo=UTC)


@st.composite
def deployments(draw: st.DrawFn) -> DeploymentContract:
    n_inputs = draw(st.integers(min_value=1, max_value=3))
    units = draw(
        st.lists(st.sampled_from(["kW", "degC", "1", "bar"]), min_size=n_inputs, max_size=n_inputs)
    )
    inputs = [
        {"name": f"in{i}", "source": f"f{i}", "unit": u, "required": i == 0}
        for i, u in enumerate(units)
    ]
    return contract(
        frequency=draw(st.sampled_from(FREQUENCIES)),
        lookback=draw(st.integers(min_value=1, max_value=40)),
        horizon=draw(st.integers(min_value=1, max_value=12)),
        inputs=inputs,
        target={"name": "in0", "outputUnit": units[0]},
        fill=draw(st.sampled_from(["linear", "ffill"])),
        maxMissingRatio=draw(st.sampled_from([0.0, 0.2, 0.5, 1.0])),
    )


def regular_rows(
    dep: DeploymentContract, values: np.ndarray, offset_s: int = 0
) -> list[dict[str, Any]]:
    step = FREQUENCY_SECONDS[dep.frequency]
    start = ANCHOR + timedelta(seconds=offset_s)
    out = []
    for k, row in enumerate(values.tolist()):
        item: dict[str, Any] = {"timestamp": iso(start + timedelta(seconds=k * step))}
        item.update({f"f{j}": v for j, v in enumerate(row)})
        out.append(item)
    return out


def legalize(dep: DeploymentContract, series: list[Any], **fields: Any) -> Any:
    return legalize_window(dep, InferenceInput(series=series, **fields), prepare_contract(dep))


@SETTINGS
@given(dep=deployments(), data=st.data())
def test_complete_regular_series_in_model_units_comes_back_unchanged(
    dep: DeploymentContract, data: st.DataObject
) -> None:
    shape = (dep.lookback, len(dep.inputs))
    values = np.array(
        data.draw(st.lists(VALUES, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
    )
    values = values.reshape(shape)
    out = legalize(dep, regular_rows(dep, values))
    assert np.array_equal(out.window, values.astype(np.float32))
    assert out.warnings == [] and set(out.filled.values()) == {0}


@SETTINGS
@given(dep=deployments(), data=st.data())
def test_window_has_l_rows_and_no_nan_unless_an_error(
    dep: DeploymentContract, data: st.DataObject
) -> None:
    n = data.draw(st.integers(min_value=1, max_value=3 * dep.lookback + 2))
    cell = st.one_of(st.none(), VALUES)
    values = np.array(
        data.draw(
            st.lists(
                st.lists(cell, min_size=len(dep.inputs), max_size=len(dep.inputs)),
                min_size=n,
                max_size=n,
            )
        ),
        dtype=object,
    )
    step_s = FREQUENCY_SECONDS[dep.frequency]
    offsets = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=step_s * (2 * dep.lookback)), min_size=n, max_size=n
        )
    )
    series = [
        {
            "timestamp": iso(ANCHOR + timedelta(seconds=o)),
            **{f"f{j}": v for j, v in enumerate(row) if v is not None},
        }
        for o, row in zip(offsets, values.tolist(), strict=True)
    ]
    try:
        out = legalize(dep, series)
    except LoadstarError as exc:
        assert exc.code in LISTED_CODES
        return
    assert out.window.shape == (dep.lookback, len(dep.inputs))
    assert out.window.dtype == np.float32
    assert not np.isnan(out.window).any()
    assert out.grid_end_s - out.grid_start_s == (dep.lookback - 1) * step_s
    assert out.grid_end_s % step_s == 0


@SETTINGS
@given(dep=deployments(), data=st.data())
def test_shuffling_rows_changes_nothing(dep: DeploymentContract, data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=2, max_value=2 * dep.lookback + 2))
    step_s = FREQUENCY_SECONDS[dep.frequency]
    offsets = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=step_s * 2 * dep.lookback),
            min_size=n,
            max_size=n,
            unique=True,
        )
    )
    cell = st.one_of(st.none(), VALUES)
    series = [
        {
            "timestamp": iso(ANCHOR + timedelta(seconds=o)),
            **{f"f{j}": data.draw(cell) for j in range(len(dep.inputs))},
        }
        for o in offsets
    ]
    shuffled = data.draw(st.permutations(series))
    try:
        first = legalize(dep, series)
    except LoadstarError as exc:
        try:
            legalize(dep, shuffled)
        except LoadstarError as again:
            assert (again.code, again.details) == (exc.code, exc.details)
            return
        raise AssertionError("shuffling turned an error into an answer") from exc
    second = legalize(dep, shuffled)
    assert np.array_equal(first.window, second.window)
    assert first.warnings == second.warnings and first.filled == second.filled
    assert first.grid_end_s == second.grid_end_s


@SETTINGS
@given(
    lookback=st.integers(min_value=1, max_value=60),
    data=st.data(),
    fill=st.sampled_from(["linear", "ffill"]),
)
def test_missing_threshold_is_exact_at_the_boundary(
    lookback: int, data: st.DataObject, fill: str
) -> None:
    missing = data.draw(st.integers(min_value=0, max_value=lookback - 1))  # the last point is known
    gaps = set(
        data.draw(
            st.lists(
                st.integers(min_value=0, max_value=lookback - 2),
                min_size=missing,
                max_size=missing,
                unique=True,
            )
        )
        if missing
        else []
    )
    values = np.array([[np.nan if k in gaps else float(k)] for k in range(lookback)])
    inputs = [{"name": "in0", "source": "f0", "unit": "kW"}]
    at = contract(
        lookback=lookback,
        inputs=inputs,
        target={"name": "in0", "outputUnit": "kW"},
        fill=fill,
        maxMissingRatio=missing / lookback,
    )
    series = [r for r in regular_rows(at, values) if r["f0"] == r["f0"]]
    out = legalize(at, series)  # ratio == threshold: accepted
    assert out.missing_ratio == missing / lookback
    if missing:
        below = msgspec.structs.replace(
            at, maxMissingRatio=float(np.nextafter(missing / lookback, 0.0))
        )
        try:
            legalize(below, series)
        except InputMissingExceeds as exc:
            assert exc.details["missing"] == missing and exc.details["total"] == lookback
        else:
            raise AssertionError("a ratio just over the threshold was accepted")


@SETTINGS
@given(dep=deployments(), data=st.data())
def test_output_intervals_are_monotone_and_steps_follow_the_grid(
    dep: DeploymentContract, data: st.DataObject
) -> None:
    shape = (dep.lookback, len(dep.inputs))
    out = legalize(dep, regular_rows(dep, np.ones(shape)))
    raw = np.array(
        data.draw(
            st.lists(
                st.lists(VALUES, min_size=3, max_size=3), min_size=dep.horizon, max_size=dep.horizon
            )
        )
    )
    horizon = data.draw(st.integers(min_value=1, max_value=dep.horizon))
    result = format_output(dep, out, raw, horizon, ANCHOR)
    low, mid, high = (np.array(result.intervals[k]) for k in ("p05", "p50", "p95"))
    assert len(result.values) == horizon == low.size
    assert (low <= mid).all() and (mid <= high).all()
    assert [v.y for v in result.values] == mid.tolist()
    stamps = [datetime.fromisoformat(v.t) for v in result.values]
    step = timedelta(seconds=FREQUENCY_SECONDS[dep.frequency])
    assert stamps[0] == datetime.fromtimestamp(out.grid_end_s, UTC) + step
    assert all(b - a == step for a, b in pairwise(stamps))
    for value in [*low, *mid, *high]:
        assert float(f"{value:.6g}") == value  # at most six significant digits


STAMPS = ["2025-07-01T00:00:00Z", "2025-07-01T03:15:00+02:00", "2025-07-01 01:00", "2025-02-30"]
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12), st.sampled_from(STAMPS),
)  # fmt: skip
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(["timestamp", "f0", "f1", "f2", "other"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dep=deployments(),
    series=st.lists(st.one_of(st.dictionaries(KEYS, JSON, max_size=5), JSON), max_size=8),
    units=st.one_of(
        st.none(),
        st.dictionaries(
            KEYS, st.sampled_from(["kW", "kw", "W", "degF", "%", "", "bar", "m3/h"]), max_size=3
        ),
    ),
    horizon=st.one_of(st.none(), st.integers(min_value=-3, max_value=20)),
)
def test_an_error_is_always_a_listed_code(
    dep: DeploymentContract, series: list[Any], units: dict[str, str] | None, horizon: int | None
) -> None:
    assume(series is not None)
    try:
        out = legalize(dep, series, units=units, horizon=horizon)
    except LoadstarError as exc:
        assert exc.code in LISTED_CODES
        msgspec.json.encode(exc.details)  # details are always plain JSON
        return
    assert not np.isnan(out.window).any()
    msgspec.json.encode(out.warnings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=JSON, horizon=st.integers(min_value=-2, max_value=8))
def test_any_model_output_formats_or_fails_with_a_listed_code(raw: Any, horizon: int) -> None:
    inputs = [{"name": f"in{i}", "source": f"f{i}", "unit": "kW"} for i in range(3)]
    dep = contract(lookback=2, inputs=inputs, target={"name": "in0", "outputUnit": "W"})
    legal = legalize(dep, regular_rows(dep, np.ones((2, 3))))
    try:
        out = format_output(dep, legal, raw, horizon, ANCHOR)
    except LoadstarError as exc:
        assert exc.code in LISTED_CODES
        msgspec.json.encode(exc.details)
        return
    msgspec.json.encode(out)
