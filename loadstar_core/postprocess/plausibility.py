"""Plausibility of a legalized window: readings far outside the training range of an input,
and exact zeros on an input whose model reads them as meter dropouts.

"Far" is more than one training span (max - min) beyond either end. The window's median,
when it lands inside the training range once multiplied or divided by 1000, names a likely
unit slip (kW sent into a field mapped as W, or the reverse). The model mends both kinds of
reading inside its graph (`training/features/repair.py`); these warnings say it did.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from schemas.contracts import DeploymentContract, OutputWarning
from schemas.errors import InputOutOfRange

SLIPS = (1000.0, 0.001)


def _number(value: float) -> str:
    return f"{value:.4g}"


def range_warnings(
    contract: DeploymentContract, ranged: npt.NDArray[np.intp], window: npt.NDArray[np.float32]
) -> list[OutputWarning]:
    """INPUT_OUT_OF_RANGE warnings for `ranged` inputs of the [L, n] window (model units);
    raises InputOutOfRange instead when the deployment refuses such windows."""
    columns = window[:, ranged].astype(np.float64)
    with np.errstate(all="ignore"):
        lows, highs = np.nanmin(columns, axis=0), np.nanmax(columns, axis=0)
    found: list[OutputWarning] = []
    for k, j in enumerate(ranged.tolist()):
        spec = contract.inputs[j]
        assert spec.trainingRange is not None
        lo, hi = float(min(spec.trainingRange)), float(max(spec.trainingRange))
        span = max(hi - lo, 1e-9 * max(abs(lo), abs(hi), 1.0))
        low, high = float(lows[k]), float(highs[k])
        if not (high > hi + span or low < lo - span):
            continue
        value = high if high - hi >= lo - low else low
        median = float(np.nanmedian(columns[:, k]))
        slip = next((f for f in SLIPS if lo <= median / f <= hi), None)
        message = (
            f"'{spec.source}' ({spec.name}) reads {_number(value)} {spec.unit}, far outside "
            f"the range the model was trained on, {_number(lo)} .. {_number(hi)} {spec.unit}"
        )
        if slip is not None:
            ratio = "1000x" if slip > 1 else "0.001x"
            message += (
                f"; the readings are about {ratio} the training range: a unit slip? "
                "(check the unit the field is mapped as, e.g. kW sent into a W field)"
            )
        details = {
            "field": spec.source,
            "input": spec.name,
            "value": value,
            "unit": spec.unit,
            "trainingMin": lo,
            "trainingMax": hi,
            "unitSlip": None if slip is None else slip,
        }
        if contract.outOfRange == "refuse":
            raise InputOutOfRange(message, details)
        found.append(OutputWarning(code="INPUT_OUT_OF_RANGE", message=message, details=details))
    return found


def dropout_warnings(
    contract: DeploymentContract, dropouts: npt.NDArray[np.intp], window: npt.NDArray[np.float32]
) -> list[OutputWarning]:
    """DROPOUT_MENDED for each `dropouts` input of the [L, n] window that reads exactly 0."""
    counts = (window[:, dropouts] == 0).sum(axis=0)
    found: list[OutputWarning] = []
    for j, count in zip(dropouts.tolist(), counts.tolist(), strict=True):
        if not count:
            continue
        spec = contract.inputs[j]
        message = (
            f"'{spec.source}' ({spec.name}) reads exactly 0 at {count} of {window.shape[0]} "
            "points; the model reads such zeros as meter dropouts and fills them from the "
            "same time a day or a week away"
        )
        details = {"field": spec.source, "input": spec.name, "points": count}
        found.append(OutputWarning(code="DROPOUT_MENDED", message=message, details=details))
    return found
