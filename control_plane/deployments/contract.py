"""Build a deployment's contract from its model version and mapping, and validate units."""

from __future__ import annotations

from typing import Any

from control_plane.deployments.basis import VersionBasis, interval_coverage
from control_plane.deployments.schemas import Mapping
from schemas.contracts import ContractInput, ContractMeta, ContractTarget, DeploymentContract
from schemas.errors import InvalidInput


def merge_inputs(
    basis: VersionBasis, stored: list[dict[str, Any]], mapping: Mapping | None
) -> list[dict[str, Any]]:
    """Model inputs in model order, each with its caller field and caller unit."""
    by_name = {i["name"]: dict(i) for i in stored}
    if mapping is not None:
        known = {i.name for i in basis.plan.inputs}
        for m in mapping.inputs:
            if m.name not in known:
                raise InvalidInput(
                    f"{m.name!r} is not an input of this model",
                    {"field": "inputs", "input": m.name, "modelInputs": sorted(known)},
                )
            entry = by_name.setdefault(m.name, {"name": m.name})
            entry["source"] = m.source
            if m.unit is not None:
                entry["unit"] = m.unit
            if m.required is not None:
                entry["required"] = m.required
    merged = []
    for plan_input in basis.plan.inputs:
        entry = by_name.get(plan_input.name, {})
        merged.append(
            {
                "name": plan_input.name,
                "source": entry.get("source", plan_input.name),
                "unit": entry.get("unit", plan_input.unit),
                "required": entry.get("required", True),
            }
        )
    sources = [m["source"] for m in merged]
    duplicated = sorted({s for s in sources if sources.count(s) > 1})
    if duplicated:
        raise InvalidInput(
            "two model inputs read the same field", {"field": "inputs", "sources": duplicated}
        )
    return merged


def training_ranges(signature: dict[str, Any]) -> dict[str, list[float]]:
    """Per input name, [min, max] over the training split, from the version's signature
    (`inputs[window].fields[*].trainingRange`); inputs it does not cover are absent."""
    found: dict[str, list[float]] = {}
    for tensor in signature.get("inputs") or []:
        if not isinstance(tensor, dict) or tensor.get("name") != "window":
            continue
        for field in tensor.get("fields") or []:
            span = field.get("trainingRange") if isinstance(field, dict) else None
            if (
                isinstance(span, list)
                and len(span) == 2
                and all(isinstance(x, int | float) for x in span)
            ):
                found[str(field["name"])] = [float(span[0]), float(span[1])]
    return found


def dropout_inputs(signature: dict[str, Any]) -> set[str]:
    """The inputs whose exact zeros the version's graph reads as meter dropouts
    (`inputs[window].fields[*].dropoutZeros`)."""
    return {
        str(field["name"])
        for tensor in signature.get("inputs") or []
        if isinstance(tensor, dict) and tensor.get("name") == "window"
        for field in tensor.get("fields") or []
        if isinstance(field, dict) and field.get("dropoutZeros") is True
    }


def build_contract(
    *,
    deployment_id: str,
    basis: VersionBasis,
    inputs: list[dict[str, Any]],
    fill: str,
    max_missing_ratio: float,
    timestamp_field: str,
    asset_id: str | None,
    out_of_range: str = "warn",
) -> DeploymentContract:
    plan = basis.plan
    ranges = training_ranges(basis.signature)
    dropouts = dropout_inputs(basis.signature)
    units = {i.name: i.unit for i in plan.inputs}
    known = set(plan.known_inputs)
    return DeploymentContract(
        deploymentId=deployment_id,
        modelId=basis.model_name,
        version=basis.version,
        frequency=plan.frequency,
        lookback=plan.lookback,
        horizon=plan.horizon,
        quantiles=list(plan.quantiles),
        inputs=[
            ContractInput(
                name=i["name"],
                source=i["source"],
                unit=units[i["name"]],
                required=i["required"],
                known=i["name"] in known,
                trainingRange=ranges.get(i["name"]),
                dropoutZeros=i["name"] in dropouts,
            )
            for i in inputs
        ],
        target=ContractTarget(name=plan.target, outputUnit=units.get(plan.target, "1")),
        timestampField=timestamp_field,
        fill=fill,  # type: ignore[arg-type]
        maxMissingRatio=max_missing_ratio,
        outOfRange=out_of_range,  # type: ignore[arg-type]
        confidence=interval_coverage(basis.metrics),
        calendar=plan.uses_calendar,
        holidays=plan.holidays if plan.uses_calendar else None,
        assets=[str(a) for a in basis.signature.get("assets") or []],
        seriesColumn=basis.signature.get("seriesColumn"),
        sourceUnits={i["source"]: i["unit"] for i in inputs if i["unit"] != units[i["name"]]},
        meta=ContractMeta(
            datasetId=basis.dataset_id, featurePlanId=basis.feature_plan_id, assetId=asset_id
        ),
    )
