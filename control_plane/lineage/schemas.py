"""Wire shape of a lineage graph."""

from __future__ import annotations

import msgspec

from control_plane.lineage.records import NodeType
from schemas.base import Wire


class LineageNode(Wire):
    """A record: `id` as its own API names it (a model version is `name:version`)."""

    id: str
    type: NodeType
    label: str
    missing: bool = False  # referenced by a record but no longer there


class LineageEdge(Wire):
    """`from` is upstream of `to` (dataset -> plan -> job -> version -> deployment)."""

    from_: str = msgspec.field(name="from")
    to: str
    fromType: NodeType
    toType: NodeType


class LineageGraph(Wire):
    root: LineageNode
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = False
