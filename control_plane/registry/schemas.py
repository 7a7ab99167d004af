"""Wire shapes of the registry: models, versions, stage transitions, aliases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

Stage = Literal["None", "Staging", "Production", "Archived"]
STAGES: tuple[Stage, ...] = ("None", "Staging", "Production", "Archived")

# No ':' or '/' in a model name, so `name:version` (lineage ids) always parses.
ModelName = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
ArtifactUri = Annotated[str, Meta(pattern=r"^s3://[^/]+/.+")]


class CreateModel(Wire):
    name: ModelName
    description: str = ""


class RegisteredModelOut(Wire):
    name: str
    description: str
    latestVersion: int | None
    aliases: dict[str, int]
    createdBy: str
    createdAt: datetime
    updatedAt: datetime
    tags: list[str] = []


class ModelPage(Wire):
    items: list[RegisteredModelOut]
    total: int
    page: int
    pageSize: int


class VersionArtifact(Wire):
    """One file of a version (the ONNX graph, the card, the evaluation...)."""

    name: str
    uri: str
    sha256: str = ""
    bytes: int = 0


class CreateVersion(Wire):
    """A version: its model artifact (an `s3://` URI that must exist), evaluation, card,
    input signature (inputs with units, window, quantiles) and where it came from."""

    artifactUri: ArtifactUri
    signature: dict[str, Any] = msgspec.field(default_factory=dict)
    metrics: dict[str, Any] = msgspec.field(default_factory=dict)
    artifacts: list[VersionArtifact] = msgspec.field(default_factory=list)
    card: dict[str, Any] = msgspec.field(default_factory=dict)
    description: str = ""
    sourceJobId: str | None = None
    datasetId: str | None = None
    featurePlanId: str | None = None


class ModelVersionOut(Wire):
    name: str
    version: int
    stage: Stage
    artifactUri: str
    artifacts: list[VersionArtifact]
    metrics: dict[str, Any]
    card: dict[str, Any]
    signature: dict[str, Any]
    description: str
    sourceJobId: str | None
    datasetId: str | None
    featurePlanId: str | None
    aliases: list[str]
    createdBy: str
    createdAt: datetime
    updatedAt: datetime
    tags: list[str] = []


class VersionPage(Wire):
    items: list[ModelVersionOut]
    total: int
    page: int
    pageSize: int


class StageRequest(Wire):
    """Move a version to `stage`. Staging and Production hold one version of a model each:
    the one there before is archived (`archiveExisting`, the default) or, when false,
    demoted to None."""

    stage: Stage
    comment: str = ""
    archiveExisting: bool = True


class StageTransitionOut(Wire):
    name: str
    version: int
    fromStage: Stage
    toStage: Stage
    comment: str
    actor: str
    at: datetime


class StageResult(Wire):
    version: ModelVersionOut
    transitions: list[StageTransitionOut]


class AliasRequest(Wire):
    version: Annotated[int, Meta(ge=1)]


class AliasOut(Wire):
    name: str
    alias: str
    version: int
    updatedBy: str
    updatedAt: datetime


AliasEventState = Literal["pending", "done", "failed"]


class AliasEventOut(Wire):
    """One recorded alias move and how following it went (after the move committed)."""

    id: int
    alias: str
    version: int | None  # None: the alias was deleted
    actor: str
    state: AliasEventState
    attempts: int
    error: str
    createdAt: datetime
    finishedAt: datetime | None


Tag = Annotated[str, Meta(min_length=1, max_length=64)]


class ModelPatch(Wire):
    """Fields left out stay as they are. A rename is refused while a deployment serves it."""

    name: ModelName | None = None
    description: Annotated[str, Meta(max_length=4000)] | None = None
    tags: Annotated[list[Tag], Meta(max_length=32)] | None = None


class VersionPatch(Wire):
    description: Annotated[str, Meta(max_length=4000)] | None = None
    tags: Annotated[list[Tag], Meta(max_length=32)] | None = None
