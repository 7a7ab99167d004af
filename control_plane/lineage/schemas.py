"""Wire shape of lineage: nodes, edges, graphs, external records and the run view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

# dataset | featurePlan | trainingJob | modelVersion | deployment, or an external type
NodeTypeName = Annotated[str, Meta(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,49}$")]
NodeIdText = Annotated[str, Meta(min_length=1, max_length=255)]
EdgeType = Literal["data_flow", "execution_flow"]


class LineageNode(Wire):
    """A record: `id` as its own API names it (a model version is `name:version`)."""

    id: str
    type: str
    label: str
    missing: bool = False  # referenced by a record but no longer there
    external: bool = False  # recorded through `POST /api/v2/lineage/node`, not derived
    createdAt: datetime | None = None
    metadata: dict[str, Any] | None = None


class LineageEdge(Wire):
    """`from` is upstream of `to` (dataset -> plan -> job -> version -> deployment)."""

    from_: str = msgspec.field(name="from")
    to: str
    fromType: str
    toType: str
    external: bool = False
    edgeType: str | None = None
    metadata: dict[str, Any] | None = None


class LineageGraph(Wire):
    root: LineageNode
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = False


class LineagePage(Wire):
    """One page of the whole graph: nodes in (type, id) order; an edge is listed on the
    page of its `from` node, so the pages together hold every edge once."""

    nodes: list[LineageNode]
    edges: list[LineageEdge]
    total: int  # nodes matching the filters, over all pages
    offset: int
    limit: int
    nextOffset: int | None = None


class ExternalNodeIn(Wire):
    type: NodeTypeName
    id: NodeIdText
    name: Annotated[str, Meta(max_length=255)] = ""
    metadata: dict[str, Any] = {}


class NodeRefIn(Wire):
    type: NodeTypeName
    id: NodeIdText


class ExternalEdgeIn(Wire):
    """`from` is upstream of `to`; each end is a record of ours or an external node."""

    from_: NodeRefIn = msgspec.field(name="from")
    to: NodeRefIn
    edgeType: EdgeType = "data_flow"
    metadata: dict[str, Any] = {}


class LineageRun(Wire):
    """A training run: what it read, what it made, and the graph around it."""

    runId: str
    status: str | None
    inputs: list[LineageNode]
    outputs: list[LineageNode]
    graph: LineageGraph
