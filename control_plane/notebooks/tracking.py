"""Runs tracked from notebooks: parameters, metrics by step, artifacts in S3. Each run's
source is its notebook and the version that was saved when it started."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

from litestar.datastructures import UploadFile

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.notebooks import run_models
from control_plane.notebooks.access import notebook_for
from control_plane.notebooks.experiments import ExperimentCheck
from control_plane.notebooks.schemas import (
    ArtifactOut,
    MetricIn,
    MetricOut,
    RunCreate,
    RunEnd,
    RunOut,
)
from control_plane.notebooks.tables import (
    NotebookRunArtifactRow,
    NotebookRunMetricRow,
    NotebookRunRow,
)
from schemas.errors import Conflict, InvalidInput, NotFound

MAX_ARTIFACT_BYTES = 256 << 20


async def run_out(store: ObjectStore, row: NotebookRunRow, full: bool = True) -> RunOut:
    metrics: list[MetricOut] = []
    artifacts: list[ArtifactOut] = []
    if full:
        metrics = [
            MetricOut(key=m.key, value=m.value, step=m.step, loggedAt=m.logged_at)
            for m in await NotebookRunMetricRow.objects()
            .where(NotebookRunMetricRow.run_id == row.id)
            .order_by(NotebookRunMetricRow.id)
        ]
        artifacts = [
            ArtifactOut(
                name=a.name,
                uri=store.uri(a.object_key),
                size=a.size,
                contentType=a.content_type,
                loggedAt=a.logged_at,
            )
            for a in await NotebookRunArtifactRow.objects()
            .where(NotebookRunArtifactRow.run_id == row.id)
            .order_by(NotebookRunArtifactRow.id)
        ]
    return RunOut(
        id=row.id,
        notebookId=row.notebook_id,
        notebookVersion=row.notebook_version,
        name=row.name,
        params=json.loads(row.params) if isinstance(row.params, str) else dict(row.params),
        status=row.status,  # type: ignore[arg-type]
        startedBy=row.started_by,
        startedAt=row.started_at,
        endedAt=row.ended_at,
        metrics=metrics,
        artifacts=artifacts,
        experimentId=row.experiment_id,
        modelName=row.model_name,
        modelVersion=row.model_version,
    )


async def start_run(
    store: ObjectStore,
    user: AuthUser,
    notebook_id: str,
    data: RunCreate,
    check_experiment: ExperimentCheck,
) -> RunOut:
    nb, _ = await notebook_for(user, notebook_id, "execute")
    if data.experimentId is not None:
        await check_experiment(data.experimentId)
    row = NotebookRunRow(
        id=f"nr-{secrets.token_hex(4)}",
        notebook_id=nb.id,
        notebook_version=nb.version,
        name=data.name,
        params=data.params,
        started_by=user.username,
        started_at=datetime.now(UTC),
        experiment_id=data.experimentId,
    )
    await row.save()
    await run_models.record_run(row, user.username)
    return await run_out(store, row)


async def list_runs(store: ObjectStore, user: AuthUser, notebook_id: str) -> list[RunOut]:
    await notebook_for(user, notebook_id)
    rows = (
        await NotebookRunRow.objects()
        .where(NotebookRunRow.notebook_id == notebook_id)
        .order_by(NotebookRunRow.started_at, ascending=False)
    )
    return [await run_out(store, r, full=False) for r in rows]


async def run_for(user: AuthUser, run_id: str, need: str = "read") -> NotebookRunRow:
    row = await NotebookRunRow.objects().where(NotebookRunRow.id == run_id).first()
    if row is None:
        raise NotFound(f"run {run_id!r} not found", {"runId": run_id})
    await notebook_for(user, row.notebook_id, "execute" if need == "write" else "read")
    if need == "write" and row.status != "running":
        raise Conflict(f"run {run_id!r} has ended", {"runId": run_id, "status": row.status})
    return row


async def get_run(store: ObjectStore, user: AuthUser, run_id: str) -> RunOut:
    return await run_out(store, await run_for(user, run_id))


async def log_metrics(user: AuthUser, run_id: str, metrics: list[MetricIn]) -> int:
    row = await run_for(user, run_id, "write")
    if not metrics:
        raise InvalidInput("no metrics given", {"field": "body"})
    now = datetime.now(UTC)
    await NotebookRunMetricRow.insert(
        *[
            NotebookRunMetricRow(
                run_id=row.id, key=m.key, value=m.value, step=m.step, logged_at=now
            )
            for m in metrics
        ]
    )
    return len(metrics)


async def log_artifact(
    store: ObjectStore, user: AuthUser, run_id: str, name: str, data: bytes, content_type: str
) -> ArtifactOut:
    row = await run_for(user, run_id, "write")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:200]
    if not safe or len(data) > MAX_ARTIFACT_BYTES:
        raise InvalidInput("an artifact needs a file name and at most 256 MiB", {"field": "file"})
    key = f"notebook-runs/{row.id}/{safe}"
    await store.put_bytes(key, data, content_type)
    artifact = NotebookRunArtifactRow(
        run_id=row.id,
        name=safe,
        object_key=key,
        size=len(data),
        content_type=content_type,
        logged_at=datetime.now(UTC),
    )
    await artifact.save()
    return ArtifactOut(
        name=safe,
        uri=store.uri(key),
        size=len(data),
        contentType=content_type,
        loggedAt=artifact.logged_at,
    )


async def end_run(store: ObjectStore, user: AuthUser, run_id: str, data: RunEnd) -> RunOut:
    row = await run_for(user, run_id, "write")
    row.status = data.status
    row.ended_at = datetime.now(UTC)
    await row.save()
    return await run_out(store, row)


async def log_model(
    store: ObjectStore, user: AuthUser, run_id: str, model_name: str, file: UploadFile
) -> RunOut:
    row = await run_for(user, run_id, "write")
    raw = await file.read()
    await run_models.log_model(store, row, model_name.strip(), file.filename, raw, user.username)
    return await run_out(store, row)
