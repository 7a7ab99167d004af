"""A feature plan checked against itself and against its dataset.

Every refusal is INVALID_INPUT with `details.field` naming the offending field as a path
(`ops[2].lags`, `inputs[0].name`, `frequency`). The model-side rules stay where the
model is built (`loadstar_core.features.layout.validate_plan`) and run last, so a plan saved
here is one training can execute.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import msgspec

from control_plane.datasets.schemas import DatasetOut
from loadstar_core.features.layout import validate_plan
from schemas.errors import InvalidInput
from schemas.feature_plan import (
    FREQUENCY_SECONDS,
    Diff,
    FeaturePlan,
    Lag,
    Normalize,
    PlanInput,
    Rolling,
)

_VALUE_ROLES = ("numeric", "boolean")


def _refuse(message: str, field: str, **details: Any) -> InvalidInput:
    return InvalidInput(message, {"field": field, **details})


def check_plan_shape(plan: FeaturePlan) -> None:
    """Rules that need no dataset: names, target, windows within the lookback."""
    seen: dict[str, int] = {}
    for i, item in enumerate(plan.inputs):
        if item.name in seen:
            raise _refuse(
                f"input {item.name!r} is listed twice", f"inputs[{i}].name", first=seen[item.name]
            )
        seen[item.name] = i
    if plan.target not in seen:
        raise _refuse(
            f"the target {plan.target!r} is not among the inputs: add it to inputs",
            "target",
            inputs=list(seen),
        )
    q = plan.quantiles
    if any(b <= a for a, b in pairwise(q)):
        raise _refuse("quantiles must be strictly increasing", "quantiles", quantiles=q)
    for i, op in enumerate(plan.ops):
        where = f"ops[{i}]"
        if isinstance(op, Lag | Rolling | Diff) and op.input not in seen:
            raise _refuse(
                f"op {i} ({op_name(op)}) reads {op.input!r}, which is not a plan input",
                f"{where}.input",
                op=op_name(op),
            )
        if isinstance(op, Normalize) and op.inputs is not None:
            unknown = [n for n in op.inputs if n not in seen]
            if unknown:
                raise _refuse(
                    f"op {i} (normalize) names inputs the plan lacks: {unknown}",
                    f"{where}.inputs",
                    op="normalize",
                )
        if isinstance(op, Lag) and max(op.lags) >= plan.lookback:
            raise _refuse(
                f"lag {max(op.lags)} does not fit in lookback {plan.lookback} (lags < lookback)",
                f"{where}.lags",
                op="lag",
                lookback=plan.lookback,
            )
        if isinstance(op, Rolling) and op.window > plan.lookback:
            raise _refuse(
                f"rolling window {op.window} is longer than lookback {plan.lookback}",
                f"{where}.window",
                op="rolling",
                lookback=plan.lookback,
            )
        if isinstance(op, Diff) and op.periods >= plan.lookback:
            raise _refuse(
                f"diff periods {op.periods} do not fit in lookback {plan.lookback}",
                f"{where}.periods",
                op="diff",
                lookback=plan.lookback,
            )
    try:
        validate_plan(plan)
    except InvalidInput as exc:
        if "op" in exc.details and isinstance(exc.details["op"], int):
            exc.details.setdefault("field", f"ops[{exc.details['op']}]")
        exc.details.setdefault("field", "ops")
        raise


def op_name(op: object) -> str:
    return type(op).__name__.lower()


def check_against_dataset(plan: FeaturePlan, dataset: DatasetOut) -> FeaturePlan:
    """The plan with its dataset id set and input units taken from the dataset's columns.

    Refuses columns the dataset lacks or that hold no numbers, a unit other than the
    column's, a frequency finer than the data's, and a window longer than the data.
    """
    time_column = dataset.column(plan.timestampColumn)
    if time_column is None or time_column.role != "timestamp":
        stamps = [c.name for c in dataset.columns if c.role == "timestamp"]
        raise _refuse(
            f"{plan.timestampColumn!r} is not the dataset's timestamp column",
            "timestampColumn",
            timestampColumns=stamps,
        )
    inputs: list[PlanInput] = []
    for i, item in enumerate(plan.inputs):
        column = dataset.column(item.name)
        if column is None:
            raise _refuse(
                f"the dataset has no column {item.name!r}",
                f"inputs[{i}].name",
                columns=[c.name for c in dataset.columns],
            )
        if column.role not in _VALUE_ROLES:
            raise _refuse(
                f"column {item.name!r} is {column.role}, not numeric",
                f"inputs[{i}].name",
                role=column.role,
            )
        unit = item.unit
        if column.unit and unit in ("1", ""):
            unit = column.unit
        elif column.unit and unit != column.unit:
            raise _refuse(
                f"input {item.name!r} is in {column.unit} in the dataset, not {unit}",
                f"inputs[{i}].unit",
                datasetUnit=column.unit,
            )
        inputs.append(PlanInput(name=item.name, unit=unit, known=item.known))
    step = FREQUENCY_SECONDS[plan.frequency]
    if dataset.frequencySeconds and step < dataset.frequencySeconds:
        raise _refuse(
            f"frequency {plan.frequency} is finer than the dataset's {dataset.frequency}",
            "frequency",
            datasetFrequency=dataset.frequency,
        )
    if dataset.start is not None and dataset.end is not None:
        points = int((dataset.end - dataset.start).total_seconds() // step) + 1
        if points < plan.lookback + plan.horizon:
            raise _refuse(
                f"the dataset spans {points} points at {plan.frequency}, fewer than "
                f"lookback + horizon = {plan.lookback + plan.horizon}",
                "lookback",
                points=points,
            )
    return msgspec.structs.replace(plan, inputs=inputs, datasetId=dataset.id)
