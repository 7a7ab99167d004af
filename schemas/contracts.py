"""Serving contracts: the deployment contract, inference input/output, errors, events.

These Structs are the source of truth; `python -m schemas.generate` writes the JSON
Schemas beside this file and a test fails when they drift.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire
from schemas.errors import ErrorCode
from schemas.feature_plan import Frequency, Quantile
from schemas.training_job.protocol import EventType
from schemas.watching import AnomalyEvent, AnomalyPolicy


class ContractInput(Wire):
    """One model input, in model order: read from `source`, converted to `unit`.

    `known`: the input is known in advance for the forecast period (a production plan, a
    weather forecast); a caller then also sends its values for the forecast period in the
    request's `future` rows, and the model takes them as its `future` tensor.
    """

    name: str
    source: str
    unit: str = "1"
    required: bool = True
    known: bool = False
    # [min, max] of the input in the training split, in `unit` (from the registry
    # version's signature); None when the version does not say
    trainingRange: list[float] | None = None
    # the model reads an exact 0 on this input as a meter dropout and mends it (the
    # registry version's signature says so); the answer then warns DROPOUT_MENDED
    dropoutZeros: bool = False


class ContractTarget(Wire):
    name: str
    outputUnit: str


class ContractMeta(Wire):
    datasetId: str | None = None
    featurePlanId: str | None = None
    assetId: str | None = None


class DeploymentContract(Wire):
    """Everything the legalization and formatting code needs to serve one deployment."""

    deploymentId: str
    modelId: str
    version: int
    frequency: Frequency
    lookback: Annotated[int, Meta(ge=1)]
    horizon: Annotated[int, Meta(ge=1)]
    quantiles: list[Quantile]
    inputs: Annotated[list[ContractInput], Meta(min_length=1)]
    target: ContractTarget
    timestampField: str = "timestamp"
    fill: Literal["linear", "ffill"] = "linear"
    maxMissingRatio: Annotated[float, Meta(ge=0.0, le=1.0)] = 0.2
    confidence: float = 0.9
    # where `confidence` comes from: the model card's hold-out coverage of the outer
    # interval, or, once enough actuals arrived, the realised coverage in service
    confidenceSource: Literal["hold-out", "live"] = "hold-out"
    # True when the model takes a `calendar` input: [L + H, 2] phases (day, week) in [0, 1).
    calendar: bool = False
    # With a calendar: the public-holiday calendar ("DE", "DE-BW") of its third column, a
    # 0/1 holiday flag per grid point; None: the calendar has the two phases only.
    holidays: str | None = None
    # The units callers send per source field when a request's `units` does not say;
    # precedence: request `units[source]`, then `sourceUnits[source]`, then the input's unit.
    sourceUnits: dict[str, str] = {}
    # a window far outside an input's trainingRange: a warning, or the request refused
    outOfRange: Literal["warn", "refuse"] = "warn"
    # A global model (many meters, one model): the assets it serves, in the order of its
    # `series` input; a request names one in `assetId` (or the path's asset). Empty: one.
    assets: list[str] = []
    seriesColumn: str | None = None  # the training data's column the assets come from
    meta: ContractMeta = msgspec.field(default_factory=ContractMeta)


Row = dict[str, Any]


class InferenceInput(Wire):
    """A caller's raw readings. The seed-003 form (`historical_data`, `forecast_horizon`)
    is accepted as the same thing.

    `future`: for a deployment with inputs known in advance (its contract's inputs with
    `known`), rows for the forecast period: the timestamp field and those inputs' fields,
    in the caller's field names and units (`units` applies as for `series`), covering the
    grid points after the last one of `series`. Short gaps are filled by the deployment's
    fill policy; ignored by deployments without known inputs.
    """

    series: list[Row] | None = None
    units: dict[str, str] | None = None
    horizon: int | None = None
    timestamp: str | None = None
    deploymentId: str | None = None
    historical_data: list[Row] | None = msgspec.field(default=None, name="historical_data")
    forecast_horizon: int | None = msgspec.field(default=None, name="forecast_horizon")
    future: list[Row] | None = None
    # For a deployment of a global model (its contract lists `assets`): which asset this
    # window is. `asset_id` is accepted as the same thing.
    assetId: str | None = None
    asset_id: str | None = msgspec.field(default=None, name="asset_id")
    # a deployment with an online window: the entity whose window the gateway reads (the
    # path's asset when not given); `series`, when given too, adds the newest readings
    entity: str | None = None


class ValuePoint(Wire):
    t: str
    y: float


class OutputWarning(Wire):
    code: str
    message: str
    details: dict[str, Any] = {}


class OutputMeta(Wire):
    datasetId: str | None = None
    featurePlanId: str | None = None
    deploymentId: str | None = None
    assetId: str | None = None


class InferenceOutput(Wire):
    """The standard output (seed 000)."""

    modelId: str
    version: int
    timestamp: str
    values: list[ValuePoint]
    unit: str
    intervals: dict[str, list[float]]
    # the share of actuals expected inside the outer interval; `confidenceSource` says
    # whether it is the hold-out's coverage or the coverage realised in service
    confidence: float
    confidenceSource: Literal["hold-out", "live"]
    warnings: list[OutputWarning]
    meta: OutputMeta


class ErrorBody(Wire, omit_defaults=False):
    """The standard error every service returns; `details` is always present (maybe empty)."""

    code: ErrorCode
    message: str
    details: dict[str, Any] = {}


class Anomaly(Wire):
    timestamp: str
    value: float
    expected: float
    lower: float
    upper: float
    score: float
    reason: str
    # the index in `events` of the alarm event this reading belongs to, if any
    event: int | None = None


class AnomalyReport(Wire, omit_defaults=False):
    """Seed 003's answer: `anomalies` lists every reading outside [p05, p95] (about one in
    ten normal readings); `events` groups what is worth an alarm at the deployment's
    `policy` (see `schemas.watching`)."""

    assetId: str | None
    anomalies: list[Anomaly]
    warnings: list[OutputWarning] = []
    events: list[AnomalyEvent] = []
    policy: AnomalyPolicy | None = None


class TrainingEvent(Wire):
    """One event of a training job, as relayed on `/ws/training/{jobId}`."""

    # the payload each type carries: `schemas.training_job.protocol.JobEvent`

    type: EventType
    payload: dict[str, Any]
    seq: int
    ts: str
    jobId: str = ""
