"""The forecast period's known inputs: a caller's `future` rows to the model's [H, K] tensor.

An input known in advance (a production plan, a weather forecast) is read from the
request's `future` rows exactly as the window reads `series`: the same caller fields, the
same unit conversions, the same timestamps, bucket means over [t, t + f) on the grid
points after the window's last one. The first `horizon` (requested) points must be
covered up to the deployment's missing ratio; gaps there and the points beyond are filled
by its fill policy, with the window's last value as the left neighbour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.contract import ResolvedContract
from loadstar_core.postprocess.missing import fill_gaps
from loadstar_core.postprocess.rows import read_columns
from loadstar_core.postprocess.timegrid import order_rows
from loadstar_core.postprocess.timestamps import format_epoch_s, parse_timestamps
from loadstar_core.postprocess.units import Conversion
from schemas.contracts import OutputWarning
from schemas.errors import InputMissingExceeds, InvalidInput


class FutureGrid(msgspec.Struct, frozen=True):
    """The known inputs on the H grid points after the window, before any filling."""

    means: npt.NDArray[np.float64]  # [H, K] model units, NaN where no observation
    gaps: npt.NDArray[np.bool_]  # [H, K]


def bucket_future(
    epoch_us: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    start_us: int,
    frequency_us: int,
    horizon: int,
) -> FutureGrid:
    """Means of each column's non-null values in [t, t + f) for t = start + k f, k < H.

    Rows outside the H points are ignored; `epoch_us` need not be sorted.
    """
    n_cols = values.shape[1]
    step = (epoch_us - start_us) // frequency_us
    inside = (step >= 0) & (step < horizon)
    chosen = values[inside]
    known = ~np.isnan(chosen)
    slots = (step[inside][:, None] * n_cols + np.arange(n_cols))[known]
    size = horizon * n_cols
    sums = np.bincount(slots, weights=chosen[known], minlength=size)
    counts = np.bincount(slots, minlength=size)
    observed = counts > 0
    means = np.divide(sums, counts, out=np.full(size, np.nan), where=observed)
    return FutureGrid(means=means.reshape(horizon, n_cols), gaps=~observed.reshape(horizon, n_cols))


def _needs(plan: ResolvedContract, names: Sequence[str], points: int, after_s: int) -> str:
    inputs = plan.contract.inputs
    fields = [
        f"{n} (field '{inputs[plan.input_names.index(n)].source}', "
        f"{inputs[plan.input_names.index(n)].unit})"
        for n in names
    ]
    after = format_epoch_s(np.array([after_s], dtype=np.int64))[0]
    return f"this deployment needs {', '.join(fields)} for the {points} points after {after}"


def _details(plan: ResolvedContract, names: Sequence[str], points: int, after_s: int) -> Any:
    inputs = plan.contract.inputs
    return {
        "field": "future",
        "inputs": list(names),
        "fields": [inputs[plan.input_names.index(n)].source for n in names],
        "points": points,
        "after": format_epoch_s(np.array([after_s], dtype=np.int64))[0],
        "frequency": plan.contract.frequency,
    }


def legalize_future(
    plan: ResolvedContract,
    rows: Sequence[Any] | None,
    conversions: Sequence[Conversion],
    grid_end_s: int,
    horizon: int,
    last_values: npt.NDArray[np.float32],
    warnings: list[OutputWarning],
) -> npt.NDArray[np.float32] | None:
    """The model's `future` [H, K] float32, or None for a deployment with no known input.

    `conversions` are the window's (per model input), `last_values` the window's last row,
    `horizon` the requested one. No rows -> INVALID_INPUT; an input with no value, or more
    missing points in the requested horizon than the deployment allows ->
    INPUT_MISSING_EXCEEDS; both name the inputs, their fields and the period.
    """
    known = plan.known_index
    if not known.size:
        return None
    c = plan.contract
    names = [plan.input_names[j] for j in known.tolist()]
    frequency_s = plan.frequency_us // 1_000_000
    full = c.horizon
    if not rows:
        raise InvalidInput(
            f"'future' is missing: {_needs(plan, names, horizon, grid_end_s)}",
            _details(plan, names, horizon, grid_end_s),
        )
    sources = [c.inputs[j].source for j in known.tolist()]
    cols = read_columns(rows, c.timestampField, sources)
    times = parse_timestamps(cols.timestamps, c.timestampField)
    values = cols.values
    for k, j in enumerate(known.tolist()):
        if not conversions[j].is_identity:
            values[:, k] = conversions[j].apply(values[:, k])
    ordered = order_rows(times.epoch_us, values)
    start_us = (grid_end_s + frequency_s) * 1_000_000
    grid = bucket_future(ordered.epoch_us, ordered.values, start_us, plan.frequency_us, full)
    missing = grid.gaps[:horizon].sum(axis=0)
    optional_absent = ~plan.required[known] & (missing == horizon) & ~cols.present
    considered = np.where(optional_absent, -1, missing)
    worst = int(np.argmax(considered))
    ratio = int(considered[worst]) / horizon
    if considered[worst] >= 0 and (ratio > c.maxMissingRatio or considered[worst] == horizon):
        name = names[worst]
        details = _details(plan, [name], horizon, grid_end_s)
        details.update(
            input=name,
            missing=int(considered[worst]),
            total=horizon,
            ratio=ratio,
            threshold=c.maxMissingRatio,
        )
        raise InputMissingExceeds(
            f"{_needs(plan, [name], horizon, grid_end_s)}; 'future' misses "
            f"{int(considered[worst])} of them ({ratio:.1%}, the deployment allows "
            f"{c.maxMissingRatio:.1%})",
            details,
        )
    before_value = last_values[known].astype(np.float64)
    before_value[optional_absent] = np.nan
    means = grid.means
    means[:, optional_absent] = 0.0
    gaps = grid.gaps & ~optional_absent
    filled = fill_gaps(means, c.fill, np.ones(known.size, dtype=np.int64), before_value, gaps)
    in_horizon = {
        n: int(m) for n, m, a in zip(names, missing, optional_absent, strict=True) if m and not a
    }
    if in_horizon:
        warnings.append(
            OutputWarning(
                code="FILLED",
                message=f"{sum(in_horizon.values())} missing future points filled ({c.fill})",
                details={"future": in_horizon, "policy": c.fill, "horizon": horizon},
            )
        )
    for name, absent in zip(names, optional_absent, strict=True):
        if absent:
            where = {"input": name, "field": "future"}
            warnings.append(
                OutputWarning(
                    code="OPTIONAL_INPUT_ABSENT",
                    message=f"optional input '{name}' has no future values; filled with 0",
                    details=where,
                )
            )
    return filled.astype(np.float32)
