"""`/api/lineage/{nodeType}/{id}`: the upstream and downstream graph of one record."""

from __future__ import annotations

from litestar import Controller, get

from control_plane.lineage import service
from control_plane.lineage.records import NodeType
from control_plane.lineage.schemas import LineageGraph


class LineageController(Controller):
    path = "/api/lineage"
    tags = ["lineage"]

    @get(
        "/{node_type:str}/{node_id:path}",
        summary="Upstream and downstream of a record",
        description=(
            "nodeType: dataset | featurePlan | trainingJob | modelVersion | deployment. "
            "A model version's id is `name:version` or `name/version`. Derived from the "
            "records' own references: dataset -> feature plan -> training job -> model "
            "version -> deployment."
        ),
    )
    async def lineage(self, node_type: NodeType, node_id: str) -> LineageGraph:
        return await service.lineage(node_type, node_id)
