"""Notebook runs as another slice reads them (the model lab's run table and comparison):
each run with its parameters, its source and every metric it logged, in logging order."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import msgspec

from control_plane.notebooks.tables import NotebookRunMetricRow, NotebookRunRow


class LoggedMetric(msgspec.Struct, frozen=True):
    key: str
    value: float
    step: int


class NotebookRunRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    status: str  # running | finished | failed
    experiment_id: str | None
    params: dict[str, Any]
    notebook_id: str
    notebook_version: int
    model_name: str | None
    model_version: int | None
    started_at: datetime
    metrics: list[LoggedMetric]


def _params(stored: Any) -> dict[str, Any]:
    return dict((json.loads(stored) if isinstance(stored, str) else stored) or {})


async def _metrics(run_ids: list[str]) -> dict[str, list[LoggedMetric]]:
    if not run_ids:
        return {}
    rows = (
        await NotebookRunMetricRow.select()
        .where(NotebookRunMetricRow.run_id.is_in(run_ids))
        .order_by(NotebookRunMetricRow.id)
    )
    found: dict[str, list[LoggedMetric]] = {}
    for m in rows:
        found.setdefault(m["run_id"], []).append(
            LoggedMetric(key=m["key"], value=float(m["value"]), step=m["step"])
        )
    return found


async def run_records(
    experiment_id: str | None = None, ids: list[str] | None = None
) -> list[NotebookRunRecord]:
    """The runs named by `ids`, else those of one experiment, else every run in any
    experiment."""
    query = NotebookRunRow.select()
    if ids is not None:
        query = query.where(NotebookRunRow.id.is_in(ids or [""]))
    elif experiment_id is not None:
        query = query.where(NotebookRunRow.experiment_id == experiment_id)
    else:
        query = query.where(NotebookRunRow.experiment_id.is_not_null())
    runs = await query
    metrics = await _metrics([r["id"] for r in runs])
    return [
        NotebookRunRecord(
            id=r["id"],
            name=r["name"],
            status=r["status"],
            experiment_id=r["experiment_id"],
            params=dict(
                (json.loads(r["params"]) if isinstance(r["params"], str) else r["params"]) or {}
            ),
            notebook_id=r["notebook_id"],
            notebook_version=r["notebook_version"],
            model_name=r["model_name"],
            model_version=r["model_version"],
            started_at=r["started_at"],
            metrics=metrics.get(r["id"], []),
        )
        for r in runs
    ]
