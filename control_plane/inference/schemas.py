"""Predict with a registered version that has no deployment yet: by model id, one window
or a batch of them."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from control_plane.deployments.schemas import Mapping
from schemas.base import Wire
from schemas.contracts import InferenceOutput, Row


class BatchWindow(Wire):
    """One window of a batch: rows as in `series`, in the mapping's field names and units."""

    series: list[Row]
    units: dict[str, str] | None = None
    timestamp: str | None = None
    future: list[Row] | None = None
    assetId: str | None = None  # a global model's asset for this window


class ModelPredict(Wire):
    """`{modelId, version|alias, series|batch}`: the version is published to Triton when it
    is not there yet, and each window goes through the same legalization as a deployment's
    (the model's own field names and units unless `mapping` says otherwise)."""

    modelId: Annotated[str, Meta(min_length=1, max_length=128)]
    version: Annotated[int, Meta(ge=1)] | None = None
    alias: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    series: list[Row] | None = None
    batch: Annotated[list[BatchWindow], Meta(min_length=1, max_length=256)] | None = None
    units: dict[str, str] | None = None
    timestamp: str | None = None
    future: list[Row] | None = None
    mapping: Mapping | None = None
    # A global model (its signature lists `assets`): the asset of `series`, or of every
    # window of `batch` that names none.
    assetId: str | None = None


class BatchPrediction(Wire):
    modelId: str
    version: int
    outputs: list[InferenceOutput]  # one per window, in the batch's order
