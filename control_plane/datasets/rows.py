"""One page of a dataset's canonical rows, JSON-ready (`loadstar_core.json_rows`)."""

from __future__ import annotations

from control_plane.datasets import storage
from control_plane.datasets.schemas import DatasetOut, DatasetRows
from control_plane.settings import Settings
from loadstar_core.json_rows import json_rows


def read_rows(settings: Settings, dataset: DatasetOut, offset: int, limit: int) -> DatasetRows:
    """One page of the canonical Parquet, read from S3 with only the row groups it needs."""
    page = storage.read_canonical(settings, dataset.id, lambda s: s.slice(offset, limit))
    return DatasetRows(
        datasetId=dataset.id,
        columns=page.columns,
        rows=json_rows(page),
        offset=offset,
        limit=limit,
        total=dataset.rows,
    )
