"""Lean views of jobs for run tables: no cards or artifacts, metric histories folded into
last/min/max per metric in one query (the run table and the comparison read these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from control_plane.training.tables import TrainingEventRow, TrainingJob


class JobRecord(msgspec.Struct, frozen=True):
    """A training job as a run table reads it (no plan, card or artifacts)."""

    id: str
    status: str
    algorithm: str
    hyperparams: dict[str, Any] | None
    last_seq: int
    dataset_id: str
    feature_plan_id: str
    progress: float
    error: str
    created_at: datetime
    finished_at: datetime | None
    evaluation: dict[str, Any] | None = None  # the test evaluation, when asked for


class MetricFold(msgspec.Struct, frozen=True):
    """One metric over a job's events: its last value, its smallest and its largest."""

    last: float
    min: float
    max: float


_AGGREGATES = """
SELECT e.job_id, kv.key AS metric,
       (array_agg((kv.value)::text::float8 ORDER BY e.seq DESC))[1] AS last,
       min((kv.value)::text::float8) AS min, max((kv.value)::text::float8) AS max
FROM training_event e, jsonb_each(e.payload) AS kv
WHERE e.type = 'metric' AND jsonb_typeof(kv.value) = 'number' {where}
GROUP BY e.job_id, kv.key
"""


async def job_rows(
    job_ids: list[str] | None = None, *, evaluation: bool = False
) -> list[JobRecord]:
    """id, status, algorithm, hyperparams, plan ids, times and last event seq of jobs (all
    when `job_ids` is None), newest first; with their test evaluation when asked."""
    columns = [TrainingJob.evaluation] if evaluation else []
    query = (
        TrainingJob.select(
            *columns,
            TrainingJob.id,
            TrainingJob.status,
            TrainingJob.algorithm,
            TrainingJob.hyperparams,
            TrainingJob.last_seq,
            TrainingJob.dataset_id,
            TrainingJob.feature_plan_id,
            TrainingJob.progress,
            TrainingJob.error,
            TrainingJob.created_at,
            TrainingJob.finished_at,
        )
        .order_by(TrainingJob.created_at, ascending=False)
        .output(load_json=True)
    )
    if job_ids is not None:
        query = query.where(TrainingJob.id.is_in(job_ids or [""]))
    return msgspec.convert(await query, list[JobRecord])


async def metric_summaries(
    job_ids: list[str] | None = None,
) -> dict[str, dict[str, MetricFold]]:
    """{jobId: {metric: {last, min, max}}} over every metric event of the jobs."""
    if job_ids is None:
        rows = await TrainingEventRow.raw(_AGGREGATES.format(where=""))
    else:
        rows = await TrainingEventRow.raw(
            _AGGREGATES.format(where="AND e.job_id = ANY({})"), job_ids or [""]
        )
    out: dict[str, dict[str, MetricFold]] = {}
    for r in rows:
        out.setdefault(r["job_id"], {})[r["metric"]] = MetricFold(r["last"], r["min"], r["max"])
    return out


async def loss_curves(job_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Every metric point of each job, in order."""
    rows = await (
        TrainingEventRow.select(TrainingEventRow.job_id, TrainingEventRow.payload)
        .where(
            (TrainingEventRow.job_id.is_in(job_ids or [""])) & (TrainingEventRow.type == "metric")
        )
        .order_by(TrainingEventRow.seq)
        .output(load_json=True)
    )
    out: dict[str, list[dict[str, Any]]] = {j: [] for j in job_ids}
    for r in rows:
        out[r["job_id"]].append(r["payload"])
    return out
