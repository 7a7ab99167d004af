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


class ProjectPatch(Wire):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "archived"] | msgspec.UnsetType = msgspec.UNSET


LinkKind = Literal["dataset", "featurePlan", "experiment", "model", "deployment"]


class ProjectLinkBody(Wire):
    kind: LinkKind
    refId: Annotated[str, Meta(min_length=1, max_length=128)]


class MemberBody(Wire):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    role: Literal["owner", "member", "viewer"] = "member"


class ProjectOut(Wire, omit_defaults=False):
    id: str
    name: str
    description: str
    status: str
    members: list[MemberBody]
    links: list[ProjectLinkBody]
    experiments: int
    createdBy: str
    createdAt: datetime
    updatedAt: datetime
