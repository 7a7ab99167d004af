"""A notebook run beside the platform: its lineage (notebook -> run ->
model version, as external nodes and edges) and the model version it logs."""

from __future__ import annotations

import json

from control_plane.adapters.object_store import ObjectStore
from control_plane.lineage.external import keep_edge, keep_node
from control_plane.lineage.records import Ref, version_id
from control_plane.notebooks.tables import NotebookRow, NotebookRunMetricRow, NotebookRunRow
from control_plane.registry import service as registry
from control_plane.registry.schemas import CreateVersion
from schemas.errors import Conflict, InvalidInput

NOTEBOOK_NODE = "notebook"
RUN_NODE = "notebookRun"
MAX_MODEL_BYTES = 512 << 20


async def record_run(row: NotebookRunRow, by: str) -> None:
    """Lineage: the notebook, then this run of it (at the version it started from)."""
    nb = await NotebookRow.objects().where(NotebookRow.id == row.notebook_id).first()
    label = nb.name if nb is not None else row.notebook_id
    await keep_node(NOTEBOOK_NODE, row.notebook_id, label, {"notebookId": row.notebook_id}, by)
    meta = {
        "notebookId": row.notebook_id,
        "notebookVersion": row.notebook_version,
        "experimentId": row.experiment_id,
    }
    await keep_node(RUN_NODE, row.id, row.name or row.id, meta, by)
    await keep_edge(Ref(NOTEBOOK_NODE, row.notebook_id), Ref(RUN_NODE, row.id), by)


async def last_metrics(run_id: str) -> dict[str, float]:
    rows = (
        await NotebookRunMetricRow.objects()
        .where(NotebookRunMetricRow.run_id == run_id)
        .order_by(NotebookRunMetricRow.id)
    )
    return {m.key: m.value for m in rows}


async def log_model(
    store: ObjectStore,
    row: NotebookRunRow,
    model_name: str,
    file_name: str,
    data: bytes,
    by: str,
) -> tuple[str, int]:
    """Store the model file, register it as the next version of `model_name` (created when
    new) with the run's last metrics and its notebook as source, and record the lineage."""
    if row.model_name is not None:
        raise Conflict(
            f"run {row.id!r} has logged {row.model_name} v{row.model_version} already",
            {"runId": row.id, "modelName": row.model_name, "modelVersion": row.model_version},
        )
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in file_name)[:200]
    if not data or len(data) > MAX_MODEL_BYTES or not safe:
        raise InvalidInput("a model needs a non-empty file of at most 512 MiB", {"field": "file"})
    key = f"notebook-runs/{row.id}/model/{safe}"
    await store.put_bytes(key, data)
    source = {
        "kind": "notebook",
        "notebookId": row.notebook_id,
        "notebookVersion": row.notebook_version,
        "runId": row.id,
    }
    params = json.loads(row.params) if isinstance(row.params, str) else dict(row.params)
    version = await registry.register_version(
        model_name,
        CreateVersion(
            artifactUri=store.uri(key),
            metrics=await last_metrics(row.id),
            card={"source": source, "params": params},
            description=f"logged from notebook run {row.name or row.id}",
        ),
        by,
        store=store,
        create_model=True,
    )
    row.model_name, row.model_version = model_name, version.version
    await row.save([NotebookRunRow.model_name, NotebookRunRow.model_version])
    target = Ref("modelVersion", version_id(model_name, version.version))
    await keep_edge(Ref(RUN_NODE, row.id), target, by)
    return model_name, version.version
