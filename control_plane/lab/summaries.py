"""Metric summaries of runs, folded from events once per finished run and kept.

The run table needs every metric's last, min and max for every run; folding thousands of
metric events on each listing is what makes run tables slow. A finished run's summary
never changes, so it is stored (`RunSummary`) with the event seq it saw; active runs are
folded afresh each time.
"""

from __future__ import annotations

from typing import Any

from control_plane.lab.tables import RunSummary
from control_plane.training import run_view
from schemas.training_job.protocol import TERMINAL

Summary = dict[str, dict[str, float | None]]


def test_metrics(evaluation: dict[str, Any]) -> Summary:
    """The test evaluation's headline numbers, as metrics with one value."""
    model = evaluation.get("model") or {}
    picked = {f"test.{k}": v for k, v in model.items() if isinstance(v, int | float)}
    for key in ("coverage", "intervalWidth", "maeImprovementPct"):
        if isinstance(evaluation.get(key), int | float):
            picked[f"test.{key}"] = evaluation[key]
    return {k: {"last": float(v), "min": float(v), "max": float(v)} for k, v in picked.items()}


async def summaries(jobs: list[dict[str, Any]]) -> dict[str, Summary]:
    """{jobId: {metric: {last, min, max}}} for `job_rows` results."""
    ids = [j["id"] for j in jobs]
    cached = {
        r["job_id"]: r
        for r in await RunSummary.select()
        .where(RunSummary.job_id.is_in(ids or [""]))
        .output(load_json=True)
    }
    out: dict[str, Summary] = {}
    stale = []
    for job in jobs:
        hit = cached.get(job["id"])
        if hit is not None and hit["last_seq"] == job["last_seq"]:
            out[job["id"]] = hit["metrics"]
        else:
            stale.append(job)
    if not stale:
        return out
    stale_ids = [j["id"] for j in stale]
    folded = await run_view.metric_summaries(stale_ids)
    evaluations = {j["id"]: j for j in await run_view.job_rows(stale_ids, evaluation=True)}
    for job in stale:
        summary: Summary = {
            name: {"last": v["last"], "min": v["min"], "max": v["max"]}
            for name, v in folded.get(job["id"], {}).items()
        }
        summary.update(test_metrics(evaluations.get(job["id"], {}).get("evaluation") or {}))
        out[job["id"]] = summary
        if job["status"] in TERMINAL:
            await RunSummary.delete().where(RunSummary.job_id == job["id"])
            await RunSummary(job_id=job["id"], last_seq=job["last_seq"], metrics=summary).save()
    return out
