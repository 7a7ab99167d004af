"""Lineage routes: `/api/lineage/{nodeType}/{id}` (as before) and the `/api/v2/lineage`
set: the whole graph, external nodes and edges, the run view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Body, Parameter

from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.lineage import external, graph, runs, service
from control_plane.lineage.schemas import (
    ExternalEdgeIn,
    ExternalNodeIn,
    LineageEdge,
    LineageGraph,
    LineageNode,
    LineagePage,
    LineageRun,
)

_NODE_DOC = (
    "nodeType: dataset | featurePlan | trainingJob | modelVersion | deployment, or the type "
    "of an external node. A model version's id is `name:version` or `name/version`. Derived "
    "from the records' own references (dataset -> feature plan -> training job -> model "
    "version -> deployment), with the external edges recorded through the API beside them "
    "(`external: true`)."
)
Depth = Annotated[int | None, Parameter(ge=0, le=50, default=None)]


class LineageController(Controller):
    path = "/api/lineage"
    tags = ["lineage"]

    @get(
        "/{node_type:str}/{node_id:path}",
        summary="Upstream and downstream of a record",
        description=_NODE_DOC,
    )
    async def lineage(self, node_type: str, node_id: str, depth: Depth) -> LineageGraph:
        return await service.lineage(node_type, node_id, depth)


class LineageV2Controller(Controller):
    path = "/api/v2/lineage"
    tags = ["lineage"]

    @get(
        "/graph",
        summary="The whole lineage graph, filtered and paged",
        description=(
            "Filters: `types` (comma-separated node types), `since`/`until` (a node's "
            "creation time, ISO 8601), `rootType`+`rootId` with `depth` (steps up and down "
            "from that node; the root is always included). Nodes come derived first, then "
            "external; an edge is listed on the page of its `from` node."
        ),
    )
    async def whole(
        self,
        types: Annotated[str | None, Parameter(default=None, max_length=2000)],
        since: Annotated[datetime | None, Parameter(default=None)],
        until: Annotated[datetime | None, Parameter(default=None)],
        root_type: Annotated[str | None, Parameter(query="rootType", default=None)],
        root_id: Annotated[str | None, Parameter(query="rootId", default=None)],
        depth: Depth,
        offset: Annotated[int, Parameter(ge=0, default=0)],
        limit: Annotated[int, Parameter(ge=1, le=5000, default=500)],
    ) -> LineagePage:
        flt = graph.GraphFilter(graph.parse_types(types), since, until)
        if root_type or root_id:
            return await graph.graph_from(flt, root_type or "", root_id or "", depth, offset, limit)
        return await graph.whole_graph(flt, offset, limit)

    @post("/node", guards=[writer_guard], status_code=201, summary="Record an external node")
    async def add_node(self, user: AuthUser, data: ExternalNodeIn = Body()) -> LineageNode:
        return await external.create_node(data, user.username)

    @post("/edge", guards=[writer_guard], status_code=201, summary="Record an external edge")
    async def add_edge(self, user: AuthUser, data: ExternalEdgeIn = Body()) -> LineageEdge:
        return await external.create_edge(data, user.username)

    @get("/runs/{run_id:str}", summary="A training run: its inputs, outputs and graph")
    async def run(self, run_id: str) -> LineageRun:
        return await runs.run_view(run_id)

    @get(
        "/{node_type:str}/{node_id:path}",
        summary="Upstream and downstream of a node",
        description=_NODE_DOC,
    )
    async def node(self, node_type: str, node_id: str, depth: Depth) -> LineageGraph:
        return await service.lineage(node_type, node_id, depth)
