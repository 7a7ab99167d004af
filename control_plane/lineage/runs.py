"""The run view: a training run's inputs (what it read) and outputs (what it made)."""

from __future__ import annotations

from control_plane.lineage.records import Ref, fetch
from control_plane.lineage.schemas import LineageRun
from control_plane.lineage.service import lineage


async def run_view(run_id: str) -> LineageRun:
    graph = await lineage("trainingJob", run_id)
    root = (graph.root.type, graph.root.id)
    by_key = {(n.type, n.id): n for n in graph.nodes}
    record = await fetch(Ref("trainingJob", graph.root.id))
    return LineageRun(
        runId=graph.root.id,
        status=record.extra.get("status") if record else None,
        inputs=[by_key[(e.fromType, e.from_)] for e in graph.edges if (e.toType, e.to) == root],
        outputs=[by_key[(e.toType, e.to)] for e in graph.edges if (e.fromType, e.from_) == root],
        graph=graph,
    )
