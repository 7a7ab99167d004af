"""Metric summaries of runs, folded from events once per finished run and kept.

The run table needs every metric's last, min and max for every run; folding thousands of
metric events on each listing is what makes run tables slow. A summary is stored
(`RunSummary`) with the event seq it saw and folded again only when newer events arrive,
so listing reads stored summaries and sorts by them in SQL.
"""

from __future__ import annotations

import json
from typing import Any

from control_plane.lab.tables import RunSummary
from control_plane.training import run_view

Summary = dict[str, dict[str, float | None]]


def test_metrics(evaluation: dict[str, Any]) -> Summary:
    """The test evaluation's headline numbers, as metrics with one value."""
    model = evaluation.get("model") or {}
    picked = {f"test.{k}": v for k, v in model.items() if isinstance(v, int | float)}
    for key in ("coverage", "intervalWidth", "maeImprovementPct"):
        if isinstance(evaluation.get(key), int | float):
            picked[f"test.{key}"] = evaluation[key]
    return {k: {"last": float(v), "min": float(v), "max": float(v)} for k, v in picked.items()}


_UPSERT = """
INSERT INTO lab_run_summary (job_id, last_seq, metrics)
SELECT x.job_id, x.last_seq, x.metrics
FROM jsonb_to_recordset({}::text::jsonb) AS x(job_id text, last_seq int, metrics jsonb)
ON CONFLICT (job_id) DO UPDATE SET last_seq = EXCLUDED.last_seq, metrics = EXCLUDED.metrics
"""


async def fold(jobs: list[tuple[str, int]]) -> dict[str, Summary]:
    """Fold the jobs' events (and test evaluations) and keep the summaries, each with the
    event seq it saw (`jobs`: id and last event seq): a later event makes it stale, so an
    active run is folded again."""
    if not jobs:
        return {}
    ids = [job_id for job_id, _ in jobs]
    folded = await run_view.metric_summaries(ids)
    evaluations = {j.id: j.evaluation for j in await run_view.job_rows(ids, evaluation=True)}
    out: dict[str, Summary] = {}
    for job_id, _ in jobs:
        summary: Summary = {
            name: {"last": v.last, "min": v.min, "max": v.max}
            for name, v in folded.get(job_id, {}).items()
        }
        summary.update(test_metrics(evaluations.get(job_id) or {}))
        out[job_id] = summary
    records = [
        {"job_id": job_id, "last_seq": last_seq, "metrics": out[job_id]}
        for job_id, last_seq in jobs
    ]
    await RunSummary.raw(_UPSERT, json.dumps(records))
    return out


_STALE = """
SELECT j.id, j.last_seq FROM training_job j
LEFT JOIN lab_run r ON r.job_id = j.id
LEFT JOIN lab_experiment e ON e.id = r.experiment_id
LEFT JOIN lab_run_summary s ON s.job_id = j.id
WHERE ({where}) AND (s.job_id IS NULL OR s.last_seq <> j.last_seq)
"""


async def refresh(where: str, args: list[Any]) -> None:
    """Fold the runs matching `where` whose summary is missing or stale (see `run_query`)."""
    stale = await RunSummary.raw(_STALE.format(where=where), *args)
    await fold([(r["id"], r["last_seq"]) for r in stale])


async def summaries(jobs: list[run_view.JobRecord]) -> dict[str, Summary]:
    """{jobId: {metric: {last, min, max}}} for `job_rows` results."""
    ids = [j.id for j in jobs]
    cached = {
        r["job_id"]: r
        for r in await RunSummary.select()
        .where(RunSummary.job_id.is_in(ids or [""]))
        .output(load_json=True)
    }
    out: dict[str, Summary] = {}
    stale = []
    for job in jobs:
        hit = cached.get(job.id)
        if hit is not None and hit["last_seq"] == job.last_seq:
            out[job.id] = hit["metrics"]
        else:
            stale.append((job.id, job.last_seq))
    out.update(await fold(stale))
    return out
