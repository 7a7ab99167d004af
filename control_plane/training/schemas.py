"""Request and response bodies of `/api/training`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire
from schemas.feature_plan import FeaturePlan
from schemas.training_job.protocol import JobStatus


class FeatureQuery(Wire):
    """Train from the feature store: `features` as `group.feature` (the target among
    them), one entity, grid points in [start, end) at the plan's frequency, each joined
    `as of` its own time; a value older than `ttlSeconds` counts as missing."""

    features: Annotated[list[str], Meta(min_length=1, max_length=200)]
    entity: Annotated[str, Meta(min_length=1, max_length=200)]
    start: datetime
    end: datetime
    target: str
    ttlSeconds: Annotated[int, Meta(ge=1)] | None = None


class CreateJob(Wire):
    """A dataset and a stored feature plan, or a `featureQuery` with a `plan` (inline, or
    `featurePlanId`) whose inputs are the query's feature names."""

    datasetId: str = ""
    featurePlanId: str = ""
    featureQuery: FeatureQuery | None = None
    plan: FeaturePlan | None = None
    algorithm: str | None = None
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)
    maxAttempts: int = 3
    overrideQuality: bool = False  # train although the dataset's last quality report failed
    # the model lab's designs: an architecture instead of an algorithm, an augmentation
    architectureId: str | None = None
    augmentationId: str | None = None


class Artifact(Wire):
    name: str
    uri: str
    sha256: str = ""
    bytes: int = 0


class JobOut(Wire, omit_defaults=False):
    id: str
    jobId: str  # the same id, under the name seed 000 gives it
    datasetId: str
    featurePlanId: str
    algorithm: str
    hyperparams: dict[str, Any]
    status: JobStatus
    progress: float
    attempt: int
    maxAttempts: int
    error: str
    evaluation: dict[str, Any]
    artifacts: list[Artifact]
    card: dict[str, Any]
    cardMarkdown: str
    signature: dict[str, Any]
    featureQuery: dict[str, Any] | None  # the query and the feature versions it read
    createdBy: str
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None
    lastSeq: int


class JobBuild(msgspec.Struct, frozen=True, kw_only=True):
    """What a job built, as serving reads it: the plan it trained on and its stored
    artifacts (as the worker wrote them)."""

    plan: dict[str, Any] | None
    artifacts: list[dict[str, Any]]


class JobPage(Wire, omit_defaults=False):
    items: list[JobOut]
    total: int
    page: int
    pageSize: int


class ControlRequest(Wire):
    action: Literal["stop", "pause", "resume"]


class MetricPoint(Wire, omit_defaults=False):
    seq: int
    ts: str
    payload: dict[str, Any]


class LogLine(Wire, omit_defaults=False):
    seq: int
    ts: str
    level: str
    message: str


class LogPage(Wire, omit_defaults=False):
    items: list[LogLine]
    total: int
    page: int
    pageSize: int


class RegisterRequest(Wire):
    modelName: str
    description: str = ""


class AlgorithmInfo(Wire, omit_defaults=False):
    name: str
    description: str
    default: bool


class AssetTrainingRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Seed 003: `{asset_id, data_url}` (snake_case as the seed writes it); `target` picks
    the column to forecast (default: `value`, `load`... or the first numeric column)."""

    asset_id: str
    data_url: str
    target: str | None = None
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)  # default: the defaults


class AssetJobOut(msgspec.Struct, kw_only=True):
    """A seed-003 job: accepted at once, then its progress and the version it registered."""

    job_id: str
    asset_id: str
    status: JobStatus
    progress: float
    data_url: str
    dataset_id: str
    feature_plan_id: str
    model_name: str
    model_version: int | None
    stage: str | None
    error: str
    created_at: datetime
    finished_at: datetime | None
