"""Input legalization: a caller's raw rows to the model's float32 window (seed 000 order).

Mapping and required fields, units, timestamps, grid, missing policy — each step raises
the standard error naming the field or row, or adds a warning and goes on.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt

from loadstar_core.features.layout import calendar_phases as layout_calendar
from loadstar_core.postprocess.contract import ResolvedContract, prepare_contract
from loadstar_core.postprocess.future import legalize_future
from loadstar_core.postprocess.missing import check_missing_ratio, fill_gaps
from loadstar_core.postprocess.packed import PackedRows, read_packed
from loadstar_core.postprocess.plausibility import dropout_warnings, range_warnings
from loadstar_core.postprocess.rows import Columns, payload_rows, read_columns
from loadstar_core.postprocess.timegrid import (
    Gridded,
    bucket_means,
    compiled_grid,
    order_rows,
    time_warnings,
)
from loadstar_core.postprocess.timestamps import format_epoch_s, parse_timestamps
from loadstar_core.postprocess.typed import TypedRows, packed_columns, typed_columns
from loadstar_core.postprocess.units import Conversion
from schemas.base import Wire
from schemas.contracts import DeploymentContract, InferenceInput, OutputWarning
from schemas.errors import InvalidInput
from schemas.feature_plan import FREQUENCY_SECONDS

_BELOW_ONE = np.nextafter(np.float32(1.0), np.float32(0.0))


class LegalizedWindow(msgspec.Struct, frozen=True):
    """What the model gets (`window`, `calendar`) and what formatting the answer needs."""

    window: npt.NDArray[np.float32]  # [L, n_inputs], model units, model input order
    grid_start_s: int  # epoch seconds of window[0]
    grid_end_s: int  # epoch seconds of window[-1]
    frequency_s: int
    horizon: int  # the requested horizon (1..contract.horizon)
    filled: dict[str, int]  # per input: window points not observed (filled or zeroed)
    missing_ratio: float  # max over present inputs of missing points / L
    warnings: list[OutputWarning]
    unit: str  # unit of the answer: the caller's unit for the target, else outputUnit
    output_conversion: Conversion  # model output unit -> `unit`
    calendar: npt.NDArray[np.float32] | None = None  # [L + H, 2|3] when the contract asks
    future: npt.NDArray[np.float32] | None = None  # [H, n_known] with known inputs


class WindowReport(Wire):
    """The legalized window as JSON (what `loadstar-postprocess legalize` prints)."""

    window: list[list[float]]
    gridStart: str
    gridEnd: str
    filled: dict[str, int]
    warnings: list[OutputWarning]
    calendar: list[list[float]] | None = None
    future: list[list[float]] | None = None


def calendar_phases(grid_end_epoch_s: int, contract: DeploymentContract) -> npt.NDArray[np.float32]:
    """[L + H, 2|3] float32 for end-(L-1)f ... end+Hf, UTC: the training job's calendar.

    Day phase is (s mod 86400) / 86400, week phase 0 at Monday 00:00 UTC, both in [0, 1);
    with the contract's `holidays` a third column is 1.0 on that calendar's public holidays.
    """
    step = FREQUENCY_SECONDS[contract.frequency]
    offsets = np.arange(-(contract.lookback - 1), contract.horizon + 1, dtype=np.int64)
    seconds = grid_end_epoch_s + step * offsets
    phases = layout_calendar(seconds.astype(np.float64), contract.holidays)
    phases[:, :2] = np.minimum(phases[:, :2], _BELOW_ONE)
    return phases


def _horizon_of(payload: InferenceInput, maximum: int) -> int:
    pairs = (("horizon", payload.horizon), ("forecast_horizon", payload.forecast_horizon))
    given = [(field, value) for field, value in pairs if value is not None]
    if not given:
        return maximum
    if len(given) == 2 and given[0][1] != given[1][1]:
        raise InvalidInput(
            "'horizon' and 'forecast_horizon' disagree", {"field": "horizon", "value": given[0][1]}
        )
    field, value = given[0]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidInput(
            f"'{field}' must be an integer in 1..{maximum}",
            {
                "field": field,
                "value": value if isinstance(value, int) else repr(value),
                "max": maximum,
            },
        )
    return value


def _fill_window(
    plan: ResolvedContract,
    grid: Gridded,
    missing: list[int],
    present: list[bool],
    warnings: list[OutputWarning],
) -> tuple[npt.NDArray[np.float32], dict[str, int]]:
    """Fills gaps by the policy and absent optional inputs with 0, adding the warnings."""
    c = plan.contract
    window = grid.means
    filled: dict[str, int] = {}
    policy_fills: dict[str, int] = {}
    for j, name in enumerate(plan.input_names):
        if not present[j]:
            window[:, j] = 0.0
            filled[name] = c.lookback
            message = f"optional input '{name}' is absent; filled with 0"
            where = {"input": name, "field": c.inputs[j].source}
            warnings.append(
                OutputWarning(code="OPTIONAL_INPUT_ABSENT", message=message, details=where)
            )
            continue
        filled[name] = missing[j]
        if missing[j]:
            policy_fills[name] = missing[j]
    if policy_fills:
        window = fill_gaps(window, c.fill, grid.before_offset, grid.before_value, grid.gaps)
        message = f"{sum(policy_fills.values())} missing points filled ({c.fill})"
        details: dict[str, Any] = {"filled": policy_fills, "policy": c.fill, "lookback": c.lookback}
        warnings.append(OutputWarning(code="FILLED", message=message, details=details))
    # A reading past float32's range becomes inf, which the exported model mends as it
    # mends any reading far outside its training range (range_warnings names it): no
    # RuntimeWarning for what is expected
    with np.errstate(over="ignore"):
        return window.astype(np.float32), filled


def _require(plan: ResolvedContract, present: npt.NDArray[np.bool_]) -> None:
    """INVALID_INPUT for the first required input with no value in any (kept) row."""
    for spec, here in zip(plan.contract.inputs, present.tolist(), strict=True):
        if spec.required and not here:
            raise InvalidInput(
                f"required input '{spec.name}' (field '{spec.source}') has no value in any row",
                {"field": spec.source, "input": spec.name},
            )


def legalize_window(
    contract: DeploymentContract,
    payload: InferenceInput,
    plan: ResolvedContract | None = None,
    columns: PackedRows | None = None,
) -> LegalizedWindow:
    """The model's [L, n_inputs] float32 window for a request, or a LoadstarError.

    `plan` is `prepare_contract(contract)`, computed once per deployment; passing None
    resolves it here (cached). `columns`: the rows already read (`jsonrows.read_body`),
    whose payload carries none. Semantics: issue 3, "Semantics (exact)".
    """
    plan = plan if plan is not None else prepare_contract(contract)
    c = plan.contract
    packed, typed = columns, None
    if packed is None:
        rows = payload_rows(payload)
    horizon = _horizon_of(payload, c.horizon)
    if packed is None:
        packed = packed_columns(payload, rows, plan)  # typed rows of one timestamp layout
        typed = None if packed is not None else typed_columns(payload, rows, plan)
    if packed is None and typed is None:
        packed = read_packed(rows, c.timestampField, plan.sources)
    cols: Columns | TypedRows | None = typed
    if packed is None:
        if cols is None:
            cols = read_columns(rows, c.timestampField, plan.sources)
        values, present = cols.values, cols.present[plan.input_source]
    else:
        values, present = packed.values, packed.present[plan.input_source]
    _require(plan, present)
    units = payload.units
    if c.sourceUnits:  # the deployment's default caller units; the request's own win
        units = {**c.sourceUnits, **units} if units else c.sourceUnits
    conversions = plan.input_conversions(units)
    unit, output_conversion = plan.output_for(units)
    if packed is not None:
        times = packed.times
    else:
        assert cols is not None
        times = parse_timestamps(cols.timestamps, c.timestampField)

    scales = tuple(None if v.is_identity else (v.factor, v.offset) for v in conversions)
    # rows in strictly increasing time, by the compiled loop: converted and gridded at once
    grid = compiled_grid(
        times.epoch_us, np.ascontiguousarray(values.T), plan.input_columns, scales,
        plan.frequency_us, c.lookback,
    )  # fmt: skip
    duplicates = 0
    if grid is None:
        model = values[:, plan.input_source]
        for j, conversion in enumerate(conversions):
            if not conversion.is_identity:
                model[:, j] = conversion.apply(model[:, j])
        ordered = order_rows(times.epoch_us, model)
        duplicates = ordered.duplicates
        if duplicates:  # the rows dropped may have held an input's only values
            present = present & ~np.isnan(ordered.values).all(axis=0)
            _require(plan, present)
        grid = bucket_means(ordered, plan.frequency_us, c.lookback)
    missing, present_inputs = grid.missing.tolist(), present.tolist()
    check_missing_ratio(missing, plan.input_names, present_inputs, c.lookback, c.maxMissingRatio)

    warnings = time_warnings(times.naive, duplicates)
    window, filled = _fill_window(plan, grid, missing, present_inputs, warnings)
    if plan.ranged.size:
        warnings.extend(range_warnings(c, plan.ranged, window))
    if plan.dropouts.size:  # an absent optional input's zeros are OPTIONAL_INPUT_ABSENT
        warnings.extend(dropout_warnings(c, plan.dropouts[present[plan.dropouts]], window))
    frequency_s = plan.frequency_us // 1_000_000
    end_s = grid.end_us // 1_000_000
    considered = [m for m, here in zip(missing, present_inputs, strict=True) if here]
    future = legalize_future(
        plan, payload.future, conversions, end_s, horizon, window[-1], warnings
    )
    return LegalizedWindow(
        window=window,
        grid_start_s=end_s - (c.lookback - 1) * frequency_s,
        grid_end_s=end_s,
        frequency_s=frequency_s,
        horizon=horizon,
        filled=filled,
        missing_ratio=max(considered) / c.lookback if considered else 0.0,
        warnings=warnings,
        unit=unit,
        output_conversion=output_conversion,
        calendar=calendar_phases(end_s, c) if c.calendar else None,
        future=future,
    )


def window_report(legalized: LegalizedWindow) -> WindowReport:
    """JSON view of a legalized window; float32 values printed in their shortest form."""
    ends = format_epoch_s(np.array([legalized.grid_start_s, legalized.grid_end_s], dtype=np.int64))
    calendar = legalized.calendar
    return WindowReport(
        window=legalized.window.astype(str).astype(np.float64).tolist(),
        gridStart=ends[0],
        gridEnd=ends[1],
        filled=legalized.filled,
        warnings=legalized.warnings,
        calendar=None if calendar is None else calendar.astype(str).astype(np.float64).tolist(),
        future=None
        if legalized.future is None
        else legalized.future.astype(str).astype(np.float64).tolist(),
    )
