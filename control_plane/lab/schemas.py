"""Request and response bodies of the model lab."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from loadstar_core.augmentation import AugmentationStep
from schemas.architecture import ArchEdge, ArchNode, ShapeContext
from schemas.base import Wire

Name = Annotated[str, Meta(min_length=1, max_length=200)]


class ArchitectureOut(Wire, omit_defaults=False):
    id: str
    name: str
    description: str
    nodes: list[ArchNode]
    edges: list[ArchEdge]
    context: ShapeContext
    shapes: dict[str, list[int]]  # each node's output shape per sample, against `context`
    projectId: str | None
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class ShapeReport(Wire, omit_defaults=False):
    context: ShapeContext
    shapes: dict[str, list[int]]
    order: list[str]


class BlockInfo(Wire, omit_defaults=False):
    type: str
    description: str
    minInputs: int
    maxInputs: int
    defaults: dict[str, Any]


class AugmentationBody(Wire):
    name: Name
    pipeline: list[AugmentationStep]
    desc: str = ""


class AugmentationOut(Wire, omit_defaults=False):
    id: str
    name: str
    desc: str
    pipeline: list[AugmentationStep]
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class PreviewRequest(Wire):
    pipeline: list[AugmentationStep]
    datasetId: str | None = None
    column: str | None = None
    lookback: Annotated[int, Meta(ge=2, le=2000)] = 48
    horizon: Annotated[int, Meta(ge=1, le=1000)] = 12
    count: Annotated[int, Meta(ge=1, le=16)] = 4
    seed: Annotated[int, Meta(ge=0)] = 0


class PreviewWindow(Wire, omit_defaults=False):
    original: list[float]
    augmented: list[float]


class PreviewOut(Wire, omit_defaults=False):
    lookback: int
    horizon: int
    source: str
    windows: list[PreviewWindow]


class ProjectBody(Wire):
    name: Name
    description: str = ""
    private: bool = False  # seen by its members (and admins) only


class ProjectPatch(Wire):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "archived"] | msgspec.UnsetType = msgspec.UNSET
    private: bool | msgspec.UnsetType = msgspec.UNSET


LinkKind = Literal["dataset", "featurePlan", "experiment", "model", "deployment"]


class ProjectLinkBody(Wire):
    kind: LinkKind
    refId: Annotated[str, Meta(min_length=1, max_length=128)]


class MemberBody(Wire):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    role: Literal["owner", "editor", "viewer"] = "editor"


class ProjectOut(Wire, omit_defaults=False):
    id: str
    name: str
    description: str
    status: str
    private: bool
    members: list[MemberBody]
    links: list[ProjectLinkBody]
    experiments: int
    myRole: str | None  # the caller's role: owner | editor | viewer
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class RunCreate(Wire):
    """A run of an experiment: a training job of an algorithm or of a lab architecture."""

    datasetId: str
    featurePlanId: str
    name: str = ""
    algorithm: str | None = None
    architectureId: str | None = None
    augmentationId: str | None = None
    weightId: str | None = None
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)


class ExperimentCreate(Wire):
    """Seed 004's `POST /experiments`: an experiment, and its first run when a dataset and
    a feature plan are given."""

    name: Name
    description: str = ""
    projectId: str | None = None
    datasetId: str | None = None
    featurePlanId: str | None = None
    algorithm: str | None = None
    architectureId: str | None = None
    augmentationId: str | None = None
    weightId: str | None = None
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)


class Rename(Wire):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET


class ExperimentControl(Wire):
    action: Literal["stop", "pause", "resume"]
    runId: str | None = None


class SaveRequest(Wire):
    runId: str | None = None
    name: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)


class MetricRange(Wire, omit_defaults=False):
    last: float | None
    min: float | None
    max: float | None


class RunRow(Wire, omit_defaults=False):
    id: str
    name: str
    experimentId: str | None
    status: str
    algorithm: str
    architectureId: str | None
    augmentationId: str | None
    weightId: str | None
    datasetId: str
    featurePlanId: str
    params: dict[str, Any]  # flat: nested values as dotted keys, the graph by its name
    metrics: dict[str, MetricRange]  # every metric event's field, and the test evaluation's
    createdAt: datetime
    kind: Literal["training", "notebook"] = "training"  # a training job, or a notebook's run
    notebookId: str | None = None  # a notebook run's source, at the version it started from
    notebookVersion: int | None = None
    modelName: str | None = None  # the model version a notebook run logged
    modelVersion: int | None = None


class RunPage(Wire, omit_defaults=False):
    items: list[RunRow]
    total: int
    page: int
    pageSize: int
    paramColumns: list[str]
    metricColumns: list[str]


class ExperimentOut(Wire, omit_defaults=False):
    id: str
    name: str
    description: str
    projectId: str | None
    status: str  # the newest run's status, "empty" without runs
    runs: int
    createdBy: str
    createdAt: datetime
    updatedAt: datetime
    canEdit: bool = True  # whether the caller may change it (its project's role)


class RunMetrics(Wire, omit_defaults=False):
    runId: str
    points: list[dict[str, Any]]


class Comparison(Wire, omit_defaults=False):
    runs: list[RunRow]
    paramDiff: dict[str, dict[str, Any]]  # parameter -> runId -> value, where runs differ
    curves: dict[str, list[dict[str, Any]]]  # runId -> per-epoch points
    perStep: dict[str, dict[str, list[float]]]  # runId -> metric -> one value per step


class WeightOut(Wire, omit_defaults=False):
    id: str
    name: str
    format: str
    bytes: int
    sha256: str
    signature: dict[str, Any]
    metrics: dict[str, Any]
    architectureId: str | None
    sourceRun: str | None
    tags: list[str]
    notes: str
    createdBy: str
    createdAt: datetime
    updatedAt: datetime


class WeightPatch(Wire):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    tags: list[Annotated[str, Meta(min_length=1, max_length=64)]] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    notes: str | msgspec.UnsetType = msgspec.UNSET


class RegisterWeight(Wire):
    """An .onnx weight as the next version of `modelName` (created if new), served with
    `featurePlanId`'s contract; `signature` declares the tensors (inputs with fields and
    units, `quantiles` output), else it is built from the plan; either must match the graph."""

    modelName: Annotated[str, Meta(min_length=1, max_length=128)]
    featurePlanId: Annotated[str, Meta(min_length=1, max_length=64)]
    description: str = ""
    signature: dict[str, Any] = msgspec.field(default_factory=dict)
