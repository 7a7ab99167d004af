"""The whole lineage graph, filtered and paged.

Derived records are few next to what outside systems may report, so they are read whole
(one query per table) and their edges worked out in memory by the same parent rule the
walk uses; external nodes are paged in SQL. Nodes come derived first (in the order of
`NODE_TYPES`, then by id), then external (by type, then id). An edge is listed on the
page of its `from` node, when both its ends pass the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from control_plane.lineage import external
from control_plane.lineage.records import NODE_TYPES, Record, Ref, every_record
from control_plane.lineage.schemas import LineageEdge, LineageNode, LineagePage
from control_plane.lineage.service import lineage, parse_ref
from control_plane.lineage.tables import ExternalNode
from schemas.errors import InvalidInput


@dataclass(frozen=True)
class GraphFilter:
    types: frozenset[str] | None = None  # None: every type
    since: datetime | None = None
    until: datetime | None = None

    def wants_type(self, node_type: str) -> bool:
        return self.types is None or node_type in self.types

    def passes(self, node: LineageNode) -> bool:
        if not self.wants_type(node.type):
            return False
        if self.since is None and self.until is None:
            return True
        if node.createdAt is None:
            return False
        return (self.since is None or node.createdAt >= self.since) and (
            self.until is None or node.createdAt < self.until
        )


def _derived_edges(records: list[Record]) -> list[tuple[Ref, Ref]]:
    """(parent, child) pairs by the walk's rule: the most specific references only."""
    by_ref = {r.ref: r for r in records}
    ancestry: dict[Ref, frozenset[Ref]] = {}

    def ancestors(ref: Ref, path: frozenset[Ref] = frozenset()) -> frozenset[Ref]:
        if ref not in ancestry:
            record = by_ref.get(ref)
            found: set[Ref] = set()
            for parent in record.refs if record and ref not in path else ():
                found |= {parent} | ancestors(parent, path | {ref})
            ancestry[ref] = frozenset(found)
        return ancestry[ref]

    pairs: list[tuple[Ref, Ref]] = []
    for record in records:
        chosen: list[Ref] = []
        implied: set[Ref] = set()
        for ref in record.refs:
            if ref not in implied and ref not in chosen:
                chosen.append(ref)
                implied |= ancestors(ref)
        pairs += [(parent, record.ref) for parent in chosen if parent in by_ref]
    return pairs


def _node(record: Record) -> LineageNode:
    return LineageNode(
        id=record.ref.id, type=record.ref.type, label=record.label, createdAt=record.created_at
    )


def _external_where(flt: GraphFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = ["node_type <> ALL({})"]
    args: list[Any] = [list(NODE_TYPES)]
    if flt.types is not None:
        clauses.append("node_type = ANY({})")
        args.append(sorted(flt.types))
    if flt.since is not None:
        clauses.append("created_at >= {}")
        args.append(flt.since)
    if flt.until is not None:
        clauses.append("created_at < {}")
        args.append(flt.until)
    return " AND ".join(clauses), args


async def _external_page(
    flt: GraphFilter, offset: int, limit: int
) -> tuple[int, list[LineageNode]]:
    where, args = _external_where(flt)
    counted = await ExternalNode.raw(
        f"SELECT count(*) AS n FROM lineage_external_node WHERE {where}", *args
    )
    rows: list[dict[str, Any]] = []
    if limit > 0:
        rows = await ExternalNode.raw(
            f"SELECT * FROM lineage_external_node WHERE {where} "
            f"ORDER BY node_type, node_id OFFSET {int(offset)} LIMIT {int(limit)}",
            *args,
        )
    return int(counted[0]["n"]), [external.node_of(r) for r in rows]


async def whole_graph(flt: GraphFilter, offset: int, limit: int) -> LineagePage:
    records = await every_record(set(NODE_TYPES)) if _wants_derived(flt) else []
    rank: dict[str, int] = {t: i for i, t in enumerate(NODE_TYPES)}
    derived = sorted(
        (n for n in map(_node, records) if flt.passes(n)), key=lambda n: (rank[n.type], n.id)
    )
    shown = {Ref(n.type, n.id) for n in derived}
    page = derived[offset : offset + limit]
    outside_total, outside_page = await _external_page(
        flt, max(0, offset - len(derived)), limit - len(page)
    )
    page += outside_page
    in_page = {Ref(n.type, n.id) for n in page}
    edges = [
        LineageEdge(from_=a.id, to=b.id, fromType=a.type, toType=b.type)
        for a, b in _derived_edges(records)
        if a in in_page and b in shown
    ]
    edges += await _external_edges_from(in_page, shown, flt)
    total = len(derived) + outside_total
    following = offset + len(page)
    return LineagePage(
        nodes=page,
        edges=edges,
        total=total,
        offset=offset,
        limit=limit,
        nextOffset=following if following < total else None,
    )


def _wants_derived(flt: GraphFilter) -> bool:
    return flt.types is None or any(t in NODE_TYPES for t in flt.types)


async def _external_edges_from(
    sources: set[Ref], derived_shown: set[Ref], flt: GraphFilter
) -> list[LineageEdge]:
    kept = []
    for edge, created_at, target_external in await external.edges_from(sources):
        target = Ref(edge.toType, edge.to)
        if target.derived:
            shown = target in derived_shown
        else:
            probe = LineageNode(id=edge.to, type=edge.toType, label="", createdAt=created_at)
            shown = target_external and flt.passes(probe)
        if shown:
            kept.append(edge)
    return kept


async def graph_from(
    flt: GraphFilter, root_type: str, root_id: str, depth: int | None, offset: int, limit: int
) -> LineagePage:
    """The graph within `depth` steps up and down of one node, filtered and paged."""
    root = await parse_ref(root_type, root_id)
    around = await lineage(root.type, root.id, depth)
    nodes = [n for n in around.nodes if flt.passes(n) or n == around.root]
    kept = {(n.type, n.id) for n in nodes}
    page = nodes[offset : offset + limit]
    in_page = {(n.type, n.id) for n in page}
    edges = [
        e for e in around.edges if (e.fromType, e.from_) in in_page and (e.toType, e.to) in kept
    ]
    following = offset + len(page)
    return LineagePage(
        nodes=page,
        edges=edges,
        total=len(nodes),
        offset=offset,
        limit=limit,
        nextOffset=following if following < len(nodes) else None,
    )


def parse_types(text: str | None) -> frozenset[str] | None:
    if not text:
        return None
    types = frozenset(t.strip() for t in text.split(",") if t.strip())
    bad = sorted(t for t in types if not t.replace("_", "").replace("-", "").isalnum())
    if bad:
        raise InvalidInput("types is a comma-separated list of node types", {"types": bad})
    return types or None
