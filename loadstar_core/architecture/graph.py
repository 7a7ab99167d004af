"""Check a drawn architecture and resolve every node's output shape, in topological order.

One input window, at most one feature-plan node, exactly one quantile head that every
node leads to, no cycles, each node with the number of inputs its block takes, and every
shape resolved. A refusal is INVALID_INPUT naming the node and what does not fit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import msgspec

from loadstar_core.architecture.blocks import BLOCKS, HEAD, BlockError, Params, Shape
from schemas.architecture import ArchitectureGraph, ShapeContext
from schemas.errors import InvalidInput


@dataclass(frozen=True)
class ResolvedGraph:
    """The graph in execution order, each node's parameters, inputs and output shape."""

    order: list[str]
    types: dict[str, str]
    params: dict[str, Params]
    inputs: dict[str, list[str]]  # in edge order: concat keeps it
    shapes: dict[str, Shape]
    head: str


def _refuse(message: str, node: str | None = None, **details: Any) -> InvalidInput:
    where = {"node": node} if node is not None else {}
    return InvalidInput(message, {**where, **details})


def _parse(node_id: str, kind: str, data: dict[str, Any]) -> Params:
    block = BLOCKS.get(kind)
    if block is None:
        raise _refuse(
            f"node {node_id!r} has an unknown type {kind!r}",
            node_id,
            field="type",
            allowed=sorted(BLOCKS),
        )
    try:
        return msgspec.convert(data, block.params)
    except msgspec.ValidationError as error:
        raise _refuse(f"node {node_id!r} ({kind}): {error}", node_id, field="data") from error


def topological_order(nodes: list[str], inputs: dict[str, list[str]]) -> list[str]:
    """Kahn's order (ties in the order nodes were given); INVALID_INPUT on a cycle."""
    position = {n: i for i, n in enumerate(nodes)}
    waiting = {n: len(set(inputs[n])) for n in nodes}
    followers: dict[str, list[str]] = {n: [] for n in nodes}
    for target in nodes:
        for source in dict.fromkeys(inputs[target]):
            followers[source].append(target)
    ready = deque(sorted((n for n in nodes if waiting[n] == 0), key=position.__getitem__))
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for follower in followers[node]:
            waiting[follower] -= 1
            if waiting[follower] == 0:
                ready.append(follower)
    if len(order) < len(nodes):
        stuck = next(n for n in nodes if waiting[n] > 0)
        raise _refuse(f"the graph has a cycle through node {stuck!r}", stuck, field="edges")
    return order


def _leads_to_head(nodes: list[str], inputs: dict[str, list[str]], head: str) -> set[str]:
    seen, todo = {head}, [head]
    while todo:
        for source in inputs[todo.pop()]:
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


def resolve(graph: ArchitectureGraph, context: ShapeContext | None = None) -> ResolvedGraph:
    """Validate `graph` against `context` (the graph's own, else the defaults)."""
    ctx = context or graph.context or ShapeContext()
    if not graph.nodes:
        raise _refuse("the architecture has no nodes", field="nodes")
    ids = [n.id for n in graph.nodes]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate is not None:
        raise _refuse(f"two nodes share the id {duplicate!r}", duplicate, field="id")
    types = {n.id: n.type for n in graph.nodes}
    params = {n.id: _parse(n.id, n.type, n.data) for n in graph.nodes}
    inputs: dict[str, list[str]] = {i: [] for i in ids}
    for edge in graph.edges:
        for end in (edge.source, edge.target):
            if end not in types:
                raise _refuse(
                    f"an edge names node {end!r}, which does not exist", end, field="edges"
                )
        if edge.source == edge.target:
            raise _refuse(f"node {edge.source!r} feeds itself", edge.source, field="edges")
        inputs[edge.target].append(edge.source)
    windows = [i for i in ids if types[i] == "input"]
    heads = [i for i in ids if types[i] == HEAD]
    for found, rule in (
        (windows, "takes exactly one input window"),
        (heads, "ends in exactly one quantile head"),
    ):
        if len(found) != 1:
            raise _refuse(
                f"an architecture {rule}, found {len(found)}",
                found[1] if len(found) > 1 else None,
                field="nodes",
                expected=1,
                got=len(found),
            )
    if sum(types[i] == "features" for i in ids) > 1:
        raise _refuse("an architecture takes the feature plan's output once", field="nodes")
    for node in ids:
        low, high = BLOCKS[types[node]].inputs
        count = len(inputs[node])
        if not low <= count <= high:
            want = f"{low}" if low == high else f"{low} or more"
            raise _refuse(
                f"node {node!r} ({types[node]}) takes {want} input(s), has {count}",
                node,
                field="edges",
                expected=want,
                got=count,
            )
    head = heads[0]
    order = topological_order(ids, inputs)
    useful = _leads_to_head(ids, inputs, head)
    unused = next((n for n in ids if n not in useful), None)
    if unused is not None:
        raise _refuse(
            f"node {unused!r} ({types[unused]}) does not lead to the quantile head",
            unused,
            field="edges",
        )
    shapes: dict[str, Shape] = {}
    for node in order:
        block = BLOCKS[types[node]]
        try:
            shapes[node] = block.shape(params[node], [shapes[s] for s in inputs[node]], ctx)
        except BlockError as error:
            raise _refuse(
                f"node {node!r} ({types[node]}): {error.message}",
                node,
                field="shape",
                **error.details,
            ) from error
    return ResolvedGraph(order, types, params, inputs, shapes, head)


def shapes_of(
    graph: ArchitectureGraph, context: ShapeContext | None = None
) -> dict[str, list[int]]:
    """Each node's output shape (per sample), for the console."""
    return {node: list(shape) for node, shape in resolve(graph, context).shapes.items()}
