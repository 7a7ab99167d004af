"""The lineage graph around one record: everything upstream and everything downstream.

A record's parents are the records it references, most specific first, leaving out any
that an earlier one already leads to (a version made by a job hangs under the job, not
also under the job's plan and dataset). Its children are the records whose parents
include it. Both directions walk the same rule, so the graph is the same whichever node
it is asked from.
"""

from __future__ import annotations

from collections import deque

from control_plane.lineage.records import (
    NODE_TYPES,
    NodeType,
    Record,
    Ref,
    fetch,
    referencing,
    split_version_id,
    version_id,
)
from control_plane.lineage.schemas import LineageEdge, LineageGraph, LineageNode
from schemas.errors import InvalidInput, NotFound

MAX_NODES = 500


class _Walk:
    """One request's reads, cached: a record is fetched at most once."""

    def __init__(self) -> None:
        self.records: dict[Ref, Record | None] = {}

    async def record(self, ref: Ref) -> Record | None:
        if ref not in self.records:
            self.records[ref] = await fetch(ref)
        return self.records[ref]

    async def ancestors(self, ref: Ref) -> set[Ref]:
        record = await self.record(ref)
        found: set[Ref] = set()
        for parent in record.refs if record else ():
            found |= {parent} | await self.ancestors(parent)
        return found

    async def parents(self, record: Record) -> list[Ref]:
        chosen: list[Ref] = []
        implied: set[Ref] = set()
        for ref in record.refs:
            if ref not in implied and ref not in chosen:
                chosen.append(ref)
                implied |= await self.ancestors(ref)
        return chosen

    async def children(self, ref: Ref) -> list[Ref]:
        found: list[Ref] = []
        for candidate in await referencing(ref):
            self.records.setdefault(candidate.ref, candidate)
            if ref in await self.parents(candidate) and candidate.ref not in found:
                found.append(candidate.ref)
        return found


def parse_ref(node_type: str, node_id: str) -> Ref:
    if node_type not in NODE_TYPES:
        raise InvalidInput(
            f"unknown node type {node_type!r}",
            {"field": "nodeType", "allowed": list(NODE_TYPES)},
        )
    kind: NodeType = node_type  # type: ignore[assignment]
    node_id = node_id.strip("/")
    if kind == "modelVersion":
        parsed = split_version_id(node_id)
        if parsed is None:
            raise InvalidInput(
                "a model version id is `name:version` or `name/version`",
                {"field": "id", "id": node_id},
            )
        node_id = version_id(*parsed)
    return Ref(kind, node_id)


async def lineage(node_type: str, node_id: str) -> LineageGraph:
    root = parse_ref(node_type, node_id)
    walk = _Walk()
    if await walk.record(root) is None:
        raise NotFound(f"no {root.type} {root.id!r}", {"nodeType": root.type, "id": root.id})
    edges: set[tuple[Ref, Ref]] = set()
    order: list[Ref] = [root]
    truncated = False
    for upstream in (True, False):
        queue, seen = deque([root]), {root}
        while queue:
            ref = queue.popleft()
            if upstream:
                record = await walk.record(ref)
                nexts = await walk.parents(record) if record else []
            else:
                nexts = await walk.children(ref)
            for other in nexts:
                if other not in order and len(order) >= MAX_NODES:
                    truncated = True
                    continue
                edges.add((other, ref) if upstream else (ref, other))
                if other not in order:
                    order.append(other)
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    nodes = [await _node(walk, ref) for ref in order]
    index = {ref: i for i, ref in enumerate(order)}
    ordered = sorted(edges, key=lambda e: (index[e[0]], index[e[1]]))
    return LineageGraph(
        root=nodes[0],
        nodes=nodes,
        edges=[
            LineageEdge(from_=a.id, to=b.id, fromType=a.type, toType=b.type) for a, b in ordered
        ],
        truncated=truncated,
    )


async def _node(walk: _Walk, ref: Ref) -> LineageNode:
    record = await walk.record(ref)
    if record is None:
        return LineageNode(id=ref.id, type=ref.type, label=f"{ref.id} (missing)", missing=True)
    return LineageNode(id=ref.id, type=ref.type, label=record.label)
