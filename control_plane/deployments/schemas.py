"""Request and response bodies of `/api/deployments`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire
from schemas.contracts import DeploymentContract


class MappingInput(Wire):
    """A model input fed from the caller's `source` field, sent in `unit` (the caller's)."""

    name: str
    source: str
    unit: str | None = None
    required: bool | None = None


class Mapping(Wire):
    inputs: list[MappingInput] = []
    fill: Literal["linear", "ffill"] | None = None
    maxMissingRatio: Annotated[float, Meta(ge=0.0, le=1.0)] | None = None
    timestampField: str | None = None
    # readings far outside an input's training range: warn (INPUT_OUT_OF_RANGE) or refuse
    outOfRange: Literal["warn", "refuse"] | None = None


class CreateDeployment(Wire):
    modelId: str
    version: int | None = None
    alias: str | None = None  # follow an alias (e.g. "Production") instead of a fixed version
    assetId: str | None = None
    name: str = ""
    mapping: Mapping | None = None


class DeploymentOut(Wire, omit_defaults=False):
    id: str
    name: str
    modelId: str
    version: int
    followAlias: str | None
    assetId: str | None
    tritonModel: str
    status: str
    apiUrl: str
    revision: int
    contract: DeploymentContract
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class DeploymentCreated(Wire, omit_defaults=False):
    """The token is shown here once; only its hash is stored."""

    id: str
    apiUrl: str
    apiToken: str
    status: str
    deployment: DeploymentOut


class TokenOut(Wire, omit_defaults=False):
    apiToken: str
    revision: int


class RollbackRequest(Wire):
    version: int


class ChangeOut(Wire, omit_defaults=False):
    revision: int
    kind: str
    details: dict[str, Any]
    actor: str
    createdAt: datetime


class ContractOut(Wire, omit_defaults=False):
    contract: DeploymentContract
    exampleRequest: dict[str, Any]
    exampleOutput: dict[str, Any] | None
    exampleError: str | None
    snippets: dict[str, str]
    # the unit answers come in when a request names no `units` (the mapping's unit for the
    # target, else the contract's outputUnit); a request's `units` for the target wins
    answerUnit: str


class LatencySeries(Wire, omit_defaults=False):
    """Triton's cumulative counters for one model version and the derived means."""

    model: str
    version: str
    requestSuccess: float
    requestFailure: float
    inferenceCount: float
    execCount: float
    requestDurationUs: float
    queueDurationUs: float
    computeInputDurationUs: float
    computeInferDurationUs: float
    computeOutputDurationUs: float
    meanRequestUs: float | None
    meanQueueUs: float | None
    meanComputeUs: float | None
    p99RequestUs: float | None
    quantiles: dict[str, float]


class DeploymentMetrics(Wire, omit_defaults=False):
    deploymentId: str
    scrapedAt: str
    available: bool
    message: str
    series: list[LatencySeries]


KeyScope = Literal["predict", "detect", "train"]


class CreateKey(Wire):
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    scopes: list[KeyScope] = msgspec.field(default_factory=lambda: ["predict", "detect"])
    expiresAt: datetime | None = None  # none: the key never expires


class KeyOut(Wire, omit_defaults=False):
    """A key as listed: never its secret, only the last characters to tell keys apart."""

    id: str
    deploymentId: str
    name: str
    scopes: list[str]
    hint: str
    status: Literal["active", "expired", "revoked"]
    createdBy: str
    createdAt: datetime
    expiresAt: datetime | None
    lastUsedAt: datetime | None
    revokedAt: datetime | None


class KeyCreated(Wire, omit_defaults=False):
    """The secret is shown here once; only its hash is stored."""

    key: KeyOut
    secret: str
