"""An architecture drawn in the console: typed blocks (nodes) joined by edges.

The wire form is seed 004's `{name, nodes: [{id, type, data}], edges: [{source, target}]}`;
`position` keeps where the console drew a node. What each `type` takes in `data` and what
shape it makes is `loadstar_core.architecture`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from schemas.base import Wire

NodeId = Annotated[str, Meta(min_length=1, max_length=64)]


class ArchNode(Wire):
    id: NodeId
    type: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    position: dict[str, float] | None = None


class ArchEdge(Wire):
    source: NodeId
    target: NodeId
    id: str | None = None


class ShapeContext(Wire, omit_defaults=False):
    """The sizes shapes are resolved against when no feature plan is at hand (the builder);
    a training job resolves them again against its plan."""

    lookback: Annotated[int, Meta(ge=2, le=20000)] = 96
    horizon: Annotated[int, Meta(ge=1, le=5000)] = 24
    features: Annotated[int, Meta(ge=1, le=4096)] = 1
    quantiles: Annotated[int, Meta(ge=1, le=99)] = 3


class ArchitectureGraph(Wire):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    nodes: list[ArchNode]
    edges: list[ArchEdge] = msgspec.field(default_factory=list)
    description: str = ""
    context: ShapeContext | None = None
    projectId: str | None = None  # the project it belongs to (its members' roles apply)
