"""The lineage graph around one record: everything upstream and everything downstream.

A record's parents are the records it references, most specific first, leaving out any
that an earlier one already leads to (a version made by a job hangs under the job, not
also under the job's plan and dataset). Its children are the records whose parents
include it. Both directions walk the same rule, so the graph is the same whichever node
it is asked from. External edges (recorded through the API) are walked beside them.
"""

from __future__ import annotations

from collections import deque

from control_plane.lineage import external
from control_plane.lineage.records import (
    NODE_TYPES,
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
EdgeKey = tuple[Ref, Ref, bool]  # (from, to, external)


class _Walk:
    """One request's reads, cached: a record is fetched at most once."""

    def __init__(self) -> None:
        self.records: dict[Ref, Record | None] = {}
        self.outside: dict[Ref, list[LineageEdge]] = {}
        self.external_edges: dict[EdgeKey, LineageEdge] = {}

    async def record(self, ref: Ref) -> Record | None:
        if ref not in self.records:
            self.records[ref] = await fetch(ref) if ref.derived else None
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
        for candidate in await referencing(ref) if ref.derived else []:
            self.records.setdefault(candidate.ref, candidate)
            if ref in await self.parents(candidate) and candidate.ref not in found:
                found.append(candidate.ref)
        return found

    async def external(self, ref: Ref, upstream: bool) -> list[Ref]:
        """The other ends of the external edges into (upstream) or out of `ref`."""
        if ref not in self.outside:
            self.outside[ref] = await external.edges_touching([ref])
        found: list[Ref] = []
        for edge in self.outside[ref]:
            source, target = Ref(edge.fromType, edge.from_), Ref(edge.toType, edge.to)
            if (target if upstream else source) == ref:
                self.external_edges[(source, target, True)] = edge
                found.append(source if upstream else target)
        return found


async def parse_ref(node_type: str, node_id: str) -> Ref:
    node_id = node_id.strip("/")
    if node_type not in NODE_TYPES:
        if not await external.known_type(node_type):
            raise InvalidInput(
                f"unknown node type {node_type!r}",
                {"field": "nodeType", "allowed": list(NODE_TYPES), "orAnExternalType": True},
            )
        return Ref(node_type, node_id)
    if node_type == "modelVersion":
        parsed = split_version_id(node_id)
        if parsed is None:
            raise InvalidInput(
                "a model version id is `name:version` or `name/version`",
                {"field": "id", "id": node_id},
            )
        node_id = version_id(*parsed)
    return Ref(node_type, node_id)


async def lineage(node_type: str, node_id: str, depth: int | None = None) -> LineageGraph:
    """Upstream and downstream of one node, `depth` steps each way (all when None)."""
    root = await parse_ref(node_type, node_id)
    walk = _Walk()
    if not await external.exists(root):
        raise NotFound(f"no {root.type} {root.id!r}", {"nodeType": root.type, "id": root.id})
    edges: set[EdgeKey] = set()
    order: list[Ref] = [root]
    truncated = False
    for upstream in (True, False):
        queue, seen = deque([(root, 0)]), {root}
        while queue:
            ref, steps = queue.popleft()
            if depth is not None and steps >= depth:
                continue
            nexts = [(r, False) for r in await _derived_next(walk, ref, upstream)]
            nexts += [(r, True) for r in await walk.external(ref, upstream)]
            for other, outside in nexts:
                if other not in order and len(order) >= MAX_NODES:
                    truncated = True
                    continue
                edges.add((other, ref, outside) if upstream else (ref, other, outside))
                if other not in order:
                    order.append(other)
                if other not in seen:
                    seen.add(other)
                    queue.append((other, steps + 1))
    outside_nodes = await external.nodes(order)
    nodes = [await _node(walk, ref, outside_nodes) for ref in order]
    index = {ref: i for i, ref in enumerate(order)}
    ordered = sorted(edges, key=lambda e: (index[e[0]], index[e[1]], e[2]))
    return LineageGraph(
        root=nodes[0],
        nodes=nodes,
        edges=[walk.external_edges.get(key) or _derived_edge(key) for key in ordered],
        truncated=truncated,
    )


async def _derived_next(walk: _Walk, ref: Ref, upstream: bool) -> list[Ref]:
    if not upstream:
        return await walk.children(ref)
    record = await walk.record(ref)
    return await walk.parents(record) if record else []


def _derived_edge(key: EdgeKey) -> LineageEdge:
    a, b, _ = key
    return LineageEdge(from_=a.id, to=b.id, fromType=a.type, toType=b.type)


async def _node(walk: _Walk, ref: Ref, outside: dict[Ref, LineageNode]) -> LineageNode:
    if ref in outside:
        return outside[ref]
    record = await walk.record(ref)
    if record is None:
        return LineageNode(id=ref.id, type=ref.type, label=f"{ref.id} (missing)", missing=True)
    return LineageNode(id=ref.id, type=ref.type, label=record.label, createdAt=record.created_at)
