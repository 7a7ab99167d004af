"""The standard output (seed 000) from the model's raw quantiles [H, n_quantiles].

Converts to the answer's unit, sorts crossed quantiles (with a warning), rounds to six
significant digits and stamps each step on the grid after the window's end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from loadstar_core.postprocess.contract import ResolvedContract, prepare_contract
from loadstar_core.postprocess.legalize import LegalizedWindow
from loadstar_core.postprocess.timestamps import format_epoch_s
from loadstar_core.postprocess.units import Conversion
from schemas.contracts import (
    DeploymentContract,
    InferenceOutput,
    OutputMeta,
    OutputWarning,
    ValuePoint,
)
from schemas.errors import InferenceFailed, InvalidInput

try:  # the compiled numbers of the answer; without a C compiler at install, numpy's way
    from loadstar_core.postprocess._hotpath import quantile_columns
except ImportError:
    quantile_columns = None

SIGNIFICANT_DIGITS = 6
_POW10 = 10.0 ** np.arange(23)  # exactly representable powers of ten


def round_significant(
    x: npt.ArrayLike, digits: int = SIGNIFICANT_DIGITS
) -> npt.NDArray[np.float64]:
    """Rounds finite values to `digits` significant digits: the double nearest the decimal
    result, as `float(f"{v:.6g}")` gives, without a Python loop in the common case.

    Scaling by an exact power of ten and one correctly rounded multiply/divide back is what
    makes the result the nearest double; magnitudes needing 10**23 or more go through text.
    """
    values = np.asarray(x, dtype=np.float64)
    magnitude = np.abs(values)
    magnitude[magnitude == 0.0] = 1.0
    decimals = (digits - 1) - np.floor(np.log10(magnitude)).astype(np.int64)
    if decimals.size and (decimals.max() > 22 or decimals.min() < -22):
        flat = values.reshape(-1)
        return np.array([float(f"{v:.{digits}g}") for v in flat.tolist()]).reshape(values.shape)
    up = _POW10[np.maximum(decimals, 0)]
    down = _POW10[np.maximum(-decimals, 0)]
    rounded: npt.NDArray[np.float64] = np.rint(values * up / down) / up * down
    return rounded


def _as_quantiles(raw: Any, n_quantiles: int, horizon: int) -> npt.NDArray[np.float64]:
    try:
        values = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InferenceFailed(
            "model output is not a numeric array", {"cause": str(exc)[:200]}, kind="bad_output"
        ) from exc
    while values.ndim > 2 and values.shape[0] == 1:
        values = values[0]
    if values.ndim != 2 or values.shape[1] != n_quantiles or values.shape[0] < horizon:
        raise InferenceFailed(
            f"model output has shape {list(values.shape)}, expected [>={horizon}, {n_quantiles}]",
            {"shape": list(values.shape), "horizon": horizon, "quantiles": n_quantiles},
            kind="bad_output",
        )
    bad = ~np.isfinite(values)
    if bad.any():
        step, column = (int(i) for i in np.argwhere(bad)[0])
        raise InferenceFailed(
            f"model output is not finite at step {step}, quantile column {column}",
            {"step": step, "column": column, "count": int(bad.sum())},
            kind="bad_output",
        )
    return values


def _columns(
    raw: npt.NDArray[np.float64], plan: ResolvedContract, horizon: int, conversion: Conversion
) -> tuple[list[list[float]], int, int]:
    """One rounded list per quantile (in sorted order, in the answer's unit, rows sorted
    where they cross), how many steps crossed and the first that did."""
    steps = conversion.apply(raw[:horizon][:, plan.quantile_order])
    crossed = (steps[:, 1:] < steps[:, :-1]).any(axis=1)
    count = int(crossed.sum())
    if count:
        steps = np.sort(steps, axis=1)
    columns: list[list[float]] = round_significant(steps).T.tolist()
    return columns, count, int(np.argmax(crossed)) if count else 0


def _compiled_columns(
    raw_quantiles: Any, plan: ResolvedContract, horizon: int, conversion: Conversion
) -> tuple[list[list[float]], int, int] | None:
    """`_columns` by the compiled loop (the same bits); None where it is not built, or for
    output the numpy way must judge (a shape or a value to refuse, in its words)."""
    if quantile_columns is None:
        return None
    try:
        values = np.asarray(raw_quantiles, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    while values.ndim > 2 and values.shape[0] == 1:
        values = values[0]
    if values.ndim != 2 or values.shape[1] != len(plan.interval_keys) or values.shape[0] < horizon:
        return None
    order = tuple(plan.quantile_order.tolist())
    got: tuple[list[list[float]], int, int] | None = quantile_columns(
        np.ascontiguousarray(values), horizon, order, conversion.factor, conversion.offset,
        conversion.is_identity, SIGNIFICANT_DIGITS,
    )  # fmt: skip
    return got


@lru_cache(maxsize=1024)
def _step_times(grid_end_s: int, frequency_s: int, horizon: int) -> tuple[str, ...]:
    """The answer's step times (many requests share a window end: computed once each)."""
    steps = grid_end_s + frequency_s * np.arange(1, horizon + 1, dtype=np.int64)
    return tuple(format_epoch_s(steps))


def utc_iso(now: datetime) -> str:
    """ISO 8601 UTC with milliseconds and 'Z'; a naive `now` is taken as UTC."""
    moment = now if now.tzinfo is None else now.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def format_output(
    contract: DeploymentContract,
    legalized: LegalizedWindow,
    raw_quantiles: Any,
    requested_horizon: int | None = None,
    now: datetime | None = None,
    plan: ResolvedContract | None = None,
) -> InferenceOutput:
    """The standard output for one forecast; non-finite or misshapen output -> INFERENCE_FAILED.

    `raw_quantiles` is [H, n_quantiles] (a leading batch axis of 1 is accepted) in the
    model's unit, columns in the contract's quantile order.
    """
    plan = plan if plan is not None else prepare_contract(contract)
    horizon = legalized.horizon if requested_horizon is None else requested_horizon
    if (
        isinstance(horizon, bool)
        or not isinstance(horizon, int)
        or not 1 <= horizon <= contract.horizon
    ):
        raise InvalidInput(
            f"'horizon' must be an integer in 1..{contract.horizon}",
            {"field": "horizon", "value": repr(horizon), "max": contract.horizon},
        )
    conversion = legalized.output_conversion
    got = _compiled_columns(raw_quantiles, plan, horizon, conversion)
    if got is None:
        got = _columns(
            _as_quantiles(raw_quantiles, len(plan.interval_keys), horizon),
            plan,
            horizon,
            conversion,
        )
    columns, crossed, first = got
    warnings = list(legalized.warnings)
    if crossed:
        warnings.append(
            OutputWarning(
                code="QUANTILES_CROSSED",
                message=f"quantiles crossed at {crossed} steps and were sorted",
                details={"steps": crossed, "firstStep": first},
            )
        )
    times = _step_times(legalized.grid_end_s, legalized.frequency_s, horizon)
    median = columns[plan.median_column]
    meta = contract.meta
    return InferenceOutput(
        modelId=contract.modelId,
        version=contract.version,
        timestamp=utc_iso(now if now is not None else datetime.now(UTC)),
        values=[ValuePoint(t=t, y=y) for t, y in zip(times, median, strict=True)],
        unit=legalized.unit,
        intervals=dict(zip(plan.interval_keys, columns, strict=True)),
        confidence=contract.confidence,
        confidenceSource=contract.confidenceSource,
        warnings=warnings,
        meta=OutputMeta(
            datasetId=meta.datasetId,
            featurePlanId=meta.featurePlanId,
            deploymentId=contract.deploymentId,
            assetId=meta.assetId,
        ),
    )
