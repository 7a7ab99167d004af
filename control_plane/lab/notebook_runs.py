"""Runs tracked from notebooks, as rows of the run table beside the training jobs' runs
(`kind: notebook`, with the notebook and its version as source)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from control_plane.lab.schemas import MetricRange, RunRow
from control_plane.lab.tables import Experiment
from control_plane.notebooks.run_records import LoggedMetric, NotebookRunRecord, run_records

# a notebook run's states, in the training jobs' words (so one status filter serves both)
STATUS = {"running": "running", "finished": "succeeded", "failed": "failed"}


def _flat(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in _flat(value).items()})
        else:
            out[key] = value
    return out


def _ranges(metrics: list[LoggedMetric]) -> dict[str, MetricRange]:
    ranges: dict[str, tuple[float, float, float]] = {}  # last, min, max
    for m in metrics:
        _, low, high = ranges.get(m.key, (m.value, m.value, m.value))
        ranges[m.key] = (m.value, min(low, m.value), max(high, m.value))
    return {k: MetricRange(last=a, min=b, max=c) for k, (a, b, c) in ranges.items()}


def _row(run: NotebookRunRecord) -> RunRow:
    return RunRow(
        id=run.id,
        name=run.name or run.id,
        experimentId=run.experiment_id,
        status=STATUS.get(run.status, run.status),
        algorithm="notebook",
        architectureId=None,
        augmentationId=None,
        weightId=None,
        datasetId="",
        featurePlanId="",
        params=_flat(run.params),
        metrics=_ranges(run.metrics),
        createdAt=run.started_at,
        kind="notebook",
        notebookId=run.notebook_id,
        notebookVersion=run.notebook_version,
        modelName=run.model_name,
        modelVersion=run.model_version,
    )


async def notebook_rows(
    experiment_id: str | None = None, ids: list[str] | None = None
) -> list[RunRow]:
    """Notebook runs of one experiment (or of any experiment), or the ones named by `ids`."""
    return [_row(r) for r in await run_records(experiment_id, ids)]


async def notebook_curves(runs: list[RunRow]) -> dict[str, list[dict[str, Any]]]:
    """Each notebook run's metrics as curve points, one per step (`epoch` is the step)."""
    ids = [r.id for r in runs]
    points: dict[str, dict[int, dict[str, Any]]] = {i: {} for i in ids}
    for run in await run_records(ids=ids) if ids else []:
        for m in run.metrics:
            point = points[run.id].setdefault(m.step, {"epoch": m.step})
            point[m.key] = m.value
    return {i: [by_step[k] for k in sorted(by_step)] for i, by_step in points.items()}


async def visible_notebook_rows(
    experiment_id: str | None,
    status: str | None,
    algorithm: str | None,
    q: str | None,
    hidden_projects: list[str],
) -> list[RunRow]:
    """Notebook runs for the run table: the same filters as its SQL (status, algorithm, a
    name or id fragment), leaving out experiments of projects the reader may not see."""
    rows = await notebook_rows(experiment_id)
    if hidden_projects:
        hidden = await Experiment.select(Experiment.id).where(
            Experiment.project_id.is_in(hidden_projects)
        )
        rows = [r for r in rows if r.experimentId not in {h["id"] for h in hidden}]
    needle = (q or "").lower()
    return [
        r
        for r in rows
        if (not status or r.status == status)
        and (not algorithm or r.algorithm == algorithm)
        and (not needle or needle in r.name.lower() or needle in r.id)
    ]


def sort_value(row: RunRow, sort: str) -> Any:
    """A row's value for the run table's `sort` (as `run_query.column_expr` reads it)."""
    kind, _, rest = sort.partition(":")
    if kind == "param":
        return row.params.get(rest)
    if kind == "metric":
        name, _, stat = rest.partition(":")
        found = row.metrics.get(name)
        return None if found is None else getattr(found, stat or "last", None)
    return {"createdAt": row.createdAt, "name": row.name, "status": row.status}.get(
        sort, row.algorithm
    )


def merged_page(
    rows: list[RunRow], sort: str, descending: bool, page: int, page_size: int
) -> list[RunRow]:
    """Training and notebook runs in one order (runs without the column last), one page."""
    present = [r for r in rows if sort_value(r, sort) is not None]
    missing = [r for r in rows if sort_value(r, sort) is None]

    def key(r: RunRow) -> tuple[int, Any]:
        value = sort_value(r, sort)
        if isinstance(value, datetime):
            return (0, value.timestamp())
        return (0, value) if isinstance(value, int | float) else (1, str(value))

    ordered = sorted(present, key=key, reverse=descending) + missing
    return ordered[(page - 1) * page_size : page * page_size]
