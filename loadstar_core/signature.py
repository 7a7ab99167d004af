"""The serving signature of a plan's exported graph: its input and output tensors, with
fields, units and (for a trained version) each field's training range. One function for
the worker that exports a model and the control plane that checks an uploaded one."""

from __future__ import annotations

from typing import Any

from schemas.feature_plan import FeaturePlan


def quantile_label(level: float) -> str:
    """0.05 -> "p05", 0.5 -> "p50", 0.025 -> "p2.5"."""
    percent = level * 100
    return f"p{round(percent):02d}" if abs(percent - round(percent)) < 1e-9 else f"p{percent:g}"


def signature_of(
    plan: FeaturePlan,
    ranges: dict[str, list[float]] | None = None,
    dropouts: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Input and output tensors of the exported graph, with fields, units and (given the
    training series) each field's training range, and `dropoutZeros` on the inputs whose
    exact zeros the graph reads as meter dropouts."""
    ranges = ranges or {}
    fields: list[dict[str, Any]] = []
    for j, i in enumerate(plan.inputs):
        field: dict[str, Any] = {"name": i.name, "unit": i.unit}
        if str(j) in ranges:
            field["trainingRange"] = ranges[str(j)]
        if i.name in dropouts:
            field["dropoutZeros"] = True
        fields.append(field)
    inputs: list[dict[str, Any]] = [
        {
            "name": "window",
            "dtype": "float32",
            "shape": [-1, plan.lookback, len(plan.inputs)],
            "fields": fields,
        }
    ]
    if plan.uses_calendar:
        fields = [{"name": "dayPhase", "unit": "1"}, {"name": "weekPhase", "unit": "1"}]
        if plan.holidays is not None:
            fields.append({"name": "holiday", "unit": "1", "calendar": plan.holidays})
        inputs.append(
            {
                "name": "calendar",
                "dtype": "float32",
                "shape": [-1, plan.lookback + plan.horizon, len(fields)],
                "fields": fields,
            }
        )
    if plan.known_inputs:
        units = {i.name: i.unit for i in plan.inputs}
        inputs.append(
            {
                "name": "future",
                "dtype": "float32",
                "shape": [-1, plan.horizon, len(plan.known_inputs)],
                "fields": [{"name": n, "unit": units[n]} for n in plan.known_inputs],
            }
        )
    target_unit = next((i.unit for i in plan.inputs if i.name == plan.target), "")
    output = {
        "name": "quantiles",
        "dtype": "float32",
        "shape": [-1, plan.horizon, len(plan.quantiles)],
        "quantiles": list(plan.quantiles),
        "labels": [quantile_label(q) for q in plan.quantiles],
        "unit": target_unit,
    }
    return {
        "inputs": inputs,
        "outputs": [output],
        "target": plan.target,
        "frequency": plan.frequency,
        "lookback": plan.lookback,
        "horizon": plan.horizon,
    }
