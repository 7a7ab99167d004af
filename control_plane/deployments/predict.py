"""Predict through the same legalization and formatting the gateway runs, then Triton."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from loadstar_core.postprocess import (
    format_output,
    legalize_window,
    prepare_contract,
    requested_asset,
    series_input,
)
from schemas.contracts import DeploymentContract, InferenceInput, InferenceOutput
from triton_repo.inference_client import Inputs
from triton_repo.pool import Forecaster


async def predict(
    contract: DeploymentContract,
    triton_model: str,
    version: int,
    payload: InferenceInput,
    inference: Forecaster,
) -> InferenceOutput:
    plan = prepare_contract(contract)  # cached per contract: units resolved once
    series = series_input(contract, requested_asset(payload))
    legal = legalize_window(contract, payload, plan)
    calendar = None if legal.calendar is None else legal.calendar[np.newaxis]
    future = None if legal.future is None else legal.future[np.newaxis]
    inputs = Inputs(legal.window[np.newaxis], calendar, future, series)
    raw = await inference.infer(triton_model, version, inputs)
    return format_output(contract, legal, raw[0], None, datetime.now(UTC), plan)
