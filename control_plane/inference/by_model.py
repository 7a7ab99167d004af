"""Predict by model id: the contract a deployment of that version would have, the version
published to Triton when needed, and every window of a batch in one Triton call."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import numpy as np

from control_plane.deployments.basis import version_basis
from control_plane.deployments.contract import build_contract, merge_inputs
from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.schemas import Mapping
from control_plane.deployments.service import ensure_published
from control_plane.deployments.units import validate_contract_units
from control_plane.inference.schemas import BatchPrediction, BatchWindow, ModelPredict
from control_plane.registry.resolve import resolve_version
from loadstar_core.postprocess import (
    format_output,
    legalize_window,
    prepare_contract,
    requested_asset,
    series_input,
)
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from schemas.errors import InvalidInput
from triton_repo.inference_client import Inputs


def _windows(data: ModelPredict) -> list[InferenceInput]:
    if (data.series is None) == (data.batch is None):
        raise InvalidInput("give either series or batch", {"fields": ["series", "batch"]})
    if data.version is not None and data.alias is not None:
        raise InvalidInput(
            "give either version or alias, not both", {"fields": ["version", "alias"]}
        )
    batch = data.batch or [
        BatchWindow(
            series=data.series or [],
            units=data.units,
            timestamp=data.timestamp,
            future=data.future,
            assetId=data.assetId,
        )
    ]
    return [
        InferenceInput(
            series=w.series,
            units=w.units,
            timestamp=w.timestamp,
            future=w.future,
            assetId=w.assetId or data.assetId,
        )
        for w in batch
    ]


async def contract_for(
    data: ModelPredict, runtime: DeploymentRuntime
) -> tuple[DeploymentContract, str]:
    version = await resolve_version(data.modelId, data.version, data.alias)
    basis = await version_basis(data.modelId, version)
    mapping = data.mapping or Mapping()
    contract = build_contract(
        deployment_id="",
        basis=basis,
        inputs=merge_inputs(basis, [], mapping),
        fill=mapping.fill or "linear",
        max_missing_ratio=0.2 if mapping.maxMissingRatio is None else mapping.maxMissingRatio,
        timestamp_field=mapping.timestampField or "timestamp",
        asset_id=None,
    )
    validate_contract_units(contract)
    return contract, await ensure_published(runtime, basis)


def _without_deployment(output: InferenceOutput) -> InferenceOutput:
    meta = msgspec.structs.replace(output.meta, deploymentId=None)
    return msgspec.structs.replace(output, meta=meta)


async def predict_by_model(
    data: ModelPredict, runtime: DeploymentRuntime
) -> InferenceOutput | BatchPrediction:
    windows = _windows(data)
    contract, triton_model = await contract_for(data, runtime)
    plan = prepare_contract(contract)
    legal = []
    ids = []  # a global model's series index per window
    for index, window in enumerate(windows):
        try:
            if (asset := series_input(contract, requested_asset(window))) is not None:
                ids.append(asset)
            legal.append(legalize_window(contract, window, plan))
        except InvalidInput as exc:
            if data.batch is not None:
                exc.details = {**exc.details, "window": index}
            raise
    stacked = np.stack([lw.window for lw in legal])
    calendars = [lw.calendar for lw in legal if lw.calendar is not None]
    futures = [lw.future for lw in legal if lw.future is not None]
    calendar = np.stack(calendars) if calendars else None
    future = np.stack(futures) if futures else None
    series = np.concatenate(ids) if ids else None
    raw, _ = await runtime.inference.infer_many(
        triton_model, contract.version, Inputs(stacked, calendar, future, series)
    )
    now = datetime.now(UTC)
    outputs = [
        _without_deployment(format_output(contract, lw, raw[i], None, now, plan))
        for i, lw in enumerate(legal)
    ]
    if data.batch is None:
        return outputs[0]
    return BatchPrediction(modelId=contract.modelId, version=contract.version, outputs=outputs)
