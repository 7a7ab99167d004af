"""External nodes and edges: recorded through the API, read beside the derived ones."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from control_plane.lineage.records import NODE_TYPES, Ref, fetch
from control_plane.lineage.schemas import ExternalEdgeIn, ExternalNodeIn, LineageEdge, LineageNode
from control_plane.lineage.tables import ExternalEdge, ExternalNode
from schemas.errors import Conflict, InvalidInput, NotFound

_METADATA_BYTES = 64 << 10


def _metadata(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        loaded: dict[str, Any] = json.loads(value)
        return loaded
    return dict(value or {})


def _check_metadata(metadata: dict[str, Any]) -> None:
    if len(json.dumps(metadata)) > _METADATA_BYTES:
        raise InvalidInput("metadata is larger than 64 KiB", {"field": "metadata"})


async def _record(
    row: ExternalNode | ExternalEdge, metadata: dict[str, Any], actor: str, taken: Conflict
) -> None:
    """Save a new external node or edge with its metadata and who recorded it, when; a
    duplicate raises `taken`."""
    _check_metadata(metadata)
    row.metadata = metadata
    row.created_by = actor
    row.created_at = datetime.now().astimezone()
    try:
        await row.save()
    except UniqueViolationError as exc:
        raise taken from exc


def node_of(row: dict[str, Any]) -> LineageNode:
    return LineageNode(
        id=row["node_id"],
        type=row["node_type"],
        label=row["name"] or row["node_id"],
        external=True,
        createdAt=row["created_at"],
        metadata=_metadata(row["metadata"]),
    )


def edge_of(row: dict[str, Any]) -> LineageEdge:
    return LineageEdge(
        from_=row["source_id"],
        to=row["target_id"],
        fromType=row["source_type"],
        toType=row["target_type"],
        external=True,
        edgeType=row["edge_type"],
        metadata=_metadata(row["metadata"]),
    )


async def create_node(data: ExternalNodeIn, actor: str) -> LineageNode:
    if data.type in NODE_TYPES:
        raise InvalidInput(
            f"{data.type} nodes are derived from the platform's records; "
            "record an outside thing under a type of its own (e.g. scadaExport)",
            {"field": "type", "derived": list(NODE_TYPES)},
        )
    row = ExternalNode(node_type=data.type, node_id=data.id, name=data.name)
    taken = Conflict(
        f"an external {data.type} {data.id!r} exists already", {"type": data.type, "id": data.id}
    )
    await _record(row, data.metadata, actor, taken)
    return node_of(row.to_dict())


async def exists(ref: Ref) -> bool:
    if ref.derived:
        return await fetch(ref) is not None
    return await ExternalNode.exists().where(
        (ExternalNode.node_type == ref.type) & (ExternalNode.node_id == ref.id)
    )


async def create_edge(data: ExternalEdgeIn, actor: str) -> LineageEdge:
    source, target = Ref(data.from_.type, data.from_.id), Ref(data.to.type, data.to.id)
    if source == target:
        raise InvalidInput("an edge joins two different nodes", {"field": "to"})
    _check_metadata(data.metadata)
    for name, ref in (("from", source), ("to", target)):
        if not await exists(ref):
            raise NotFound(
                f"no {ref.type} {ref.id!r} (record external nodes first)",
                {"field": name, "type": ref.type, "id": ref.id},
            )
    row = ExternalEdge(
        source_type=source.type,
        source_id=source.id,
        target_type=target.type,
        target_id=target.id,
        edge_type=data.edgeType,
    )
    taken = Conflict(
        "this edge exists already",
        {"from": [source.type, source.id], "to": [target.type, target.id]},
    )
    await _record(row, data.metadata, actor, taken)
    return edge_of(row.to_dict())


async def keep_node(
    node_type: str, node_id: str, name: str, metadata: dict[str, Any], actor: str
) -> None:
    """Record an external node another slice produces (a notebook, its run); kept as it is
    when it exists already."""
    await ExternalNode.insert(
        ExternalNode(
            node_type=node_type,
            node_id=node_id,
            name=name,
            metadata=metadata,
            created_by=actor,
            created_at=datetime.now(UTC),
        )
    ).on_conflict(action="DO NOTHING")


async def keep_edge(source: Ref, target: Ref, actor: str, edge_type: str = "produced") -> None:
    """Record an edge another slice produces, without checking its ends; kept as it is when
    it exists already."""
    await ExternalEdge.insert(
        ExternalEdge(
            source_type=source.type,
            source_id=source.id,
            target_type=target.type,
            target_id=target.id,
            edge_type=edge_type,
            metadata={},
            created_by=actor,
            created_at=datetime.now(UTC),
        )
    ).on_conflict(action="DO NOTHING")


async def nodes(refs: Iterable[Ref]) -> dict[Ref, LineageNode]:
    """The external nodes among `refs`, in one query."""
    wanted = [r for r in refs if not r.derived]
    if not wanted:
        return {}
    rows = await ExternalNode.raw(
        "SELECT n.* FROM lineage_external_node n "
        "JOIN unnest({}::text[], {}::text[]) AS w(t, i) ON n.node_type = w.t AND n.node_id = w.i",
        [r.type for r in wanted],
        [r.id for r in wanted],
    )
    return {Ref(r["node_type"], r["node_id"]): node_of(r) for r in rows}


async def edges_touching(refs: Iterable[Ref]) -> list[LineageEdge]:
    """External edges with either end among `refs`, in one query."""
    wanted = list(refs)
    if not wanted:
        return []
    types, ids = [r.type for r in wanted], [r.id for r in wanted]
    rows = await ExternalEdge.raw(
        "SELECT e.* FROM lineage_external_edge e JOIN unnest({}::text[], {}::text[]) AS w(t, i) "
        "ON e.source_type = w.t AND e.source_id = w.i "
        "UNION SELECT e.* FROM lineage_external_edge e JOIN unnest({}::text[], {}::text[]) "
        "AS w(t, i) ON e.target_type = w.t AND e.target_id = w.i",
        types,
        ids,
        types,
        ids,
    )
    return [edge_of(r) for r in sorted(rows, key=lambda r: r["id"])]


async def edges_from(sources: Iterable[Ref]) -> list[tuple[LineageEdge, datetime | None, bool]]:
    """External edges out of `sources`, each with its target's creation time and whether the
    target is an external node (one query; the graph filters targets with them)."""
    wanted = list(sources)
    if not wanted:
        return []
    rows = await ExternalEdge.raw(
        "SELECT e.*, t.created_at AS target_created_at, t.id IS NOT NULL AS target_external "
        "FROM lineage_external_edge e "
        "JOIN unnest({}::text[], {}::text[]) AS w(t, i) "
        "ON e.source_type = w.t AND e.source_id = w.i "
        "LEFT JOIN lineage_external_node t "
        "ON t.node_type = e.target_type AND t.node_id = e.target_id "
        "ORDER BY e.id",
        [r.type for r in wanted],
        [r.id for r in wanted],
    )
    return [(edge_of(r), r["target_created_at"], r["target_external"]) for r in rows]


async def known_type(node_type: str) -> bool:
    return await ExternalNode.exists().where(ExternalNode.node_type == node_type)


async def every_node() -> list[LineageNode]:
    rows = await ExternalNode.select().order_by(ExternalNode.id)
    return [node_of(r) for r in rows]


async def every_edge() -> list[LineageEdge]:
    rows = await ExternalEdge.select().order_by(ExternalEdge.id)
    return [edge_of(r) for r in rows]
