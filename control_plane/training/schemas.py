"""Request and response bodies of `/api/training`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from schemas.base import Wire
from schemas.training_job.protocol import JobStatus


class CreateJob(Wire):
    datasetId: str
    featurePlanId: str
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
    createdBy: str
    createdAt: datetime
    startedAt: datetime | None
    finishedAt: datetime | None
    lastSeq: int


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
