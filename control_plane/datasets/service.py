"""Datasets: read, list, update, delete; and the loaders other slices call
(`get_dataset`, `load_canonical`). Intake (upload, URL) is in `intake`."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import msgspec
import polars as pl

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets import storage
from control_plane.datasets.references import DatasetReferrers, dataset_references
from control_plane.datasets.rows import read_rows
from control_plane.datasets.schemas import (
    DatasetOut,
    DatasetPage,
    DatasetPatch,
    DatasetReferences,
    DatasetRows,
)
from control_plane.datasets.tables import Dataset
from control_plane.row_by_id import row_by_id
from control_plane.settings import Settings
from loadstar_core.postprocess.units import check_unit
from schemas.errors import Conflict, InvalidInput


def _to_out(row: dict[str, Any]) -> DatasetOut:
    return msgspec.convert(
        {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "source": row["source"],
            "sourceUri": row["source_uri"],
            "format": row["format"],
            "originalKey": row["original_key"],
            "canonicalKey": row["canonical_key"],
            "columns": row["columns"],
            "timestampColumn": row["timestamp_column"],
            "rows": row["rows"],
            "sizeBytes": row["size_bytes"],
            "canonicalSizeBytes": row["canonical_size_bytes"],
            "ingest": row["ingest"],
            "createdBy": row["created_by"],
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
            "frequency": row["frequency"],
            "frequencySeconds": row["frequency_seconds"],
            "start": row["start_at"],
            "end": row["end_at"],
            "qualityRules": row["quality_rules"] or {},
        },
        DatasetOut,
        from_attributes=False,
    )


async def _row(dataset_id: str) -> dict[str, Any]:
    return await row_by_id(Dataset, dataset_id, "dataset", "datasetId")


async def dataset_exists(dataset_id: str) -> bool:
    return bool(await Dataset.exists().where(Dataset.id == dataset_id))


async def get_dataset(dataset_id: str) -> DatasetOut:
    """The dataset record; NOT_FOUND when there is none."""
    return _to_out(await _row(dataset_id))


async def preview_rows(settings: Settings, dataset_id: str, offset: int, limit: int) -> DatasetRows:
    dataset = await get_dataset(dataset_id)
    return await anyio.to_thread.run_sync(read_rows, settings, dataset, offset, limit)


async def references(dataset_id: str, using: DatasetReferrers) -> DatasetReferences:
    await _row(dataset_id)
    return await dataset_references(dataset_id, using)


async def list_datasets(page: int, page_size: int, q: str | None) -> DatasetPage:
    where = None
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where = (
            Dataset.name.ilike(pattern)
            | Dataset.description.ilike(pattern)
            | Dataset.id.ilike(pattern)
        )
    query = Dataset.select().order_by(Dataset.created_at, ascending=False).order_by(Dataset.id)
    count = Dataset.count()
    if where is not None:
        query, count = query.where(where), count.where(where)
    rows = await query.limit(page_size).offset((page - 1) * page_size).output(load_json=True)
    return DatasetPage(
        items=[_to_out(r) for r in rows], total=await count, page=page, pageSize=page_size
    )


async def update_dataset(dataset_id: str, patch: DatasetPatch) -> DatasetOut:
    row = await _row(dataset_id)
    out = _to_out(row)
    values: dict[Any, Any] = {Dataset.updated_at: datetime.now(UTC)}
    if patch.name is not msgspec.UNSET:
        values[Dataset.name] = patch.name
    if patch.description is not msgspec.UNSET:
        values[Dataset.description] = patch.description
    if patch.units is not msgspec.UNSET:
        columns = list(out.columns)
        for name, unit in patch.units.items():
            column = out.column(name)
            if column is None or column.role == "timestamp":
                raise InvalidInput(
                    f"units: {name!r} is not a value column", {"field": "units", "column": name}
                )
            if unit is not None:
                check_unit(unit, f"units.{name}")
            columns[columns.index(column)] = msgspec.structs.replace(column, unit=unit)
        values[Dataset.columns] = msgspec.json.encode(columns).decode()
    if patch.qualityRules is not msgspec.UNSET:
        for name, rule in patch.qualityRules.items():
            column = out.column(name)
            if column is None or column.role != "numeric":
                raise InvalidInput(
                    f"qualityRules: {name!r} is not a numeric column",
                    {"field": "qualityRules", "column": name},
                )
            if rule.min is not None and rule.max is not None and rule.min > rule.max:
                raise InvalidInput(
                    f"qualityRules: min > max for {name!r}",
                    {"field": "qualityRules", "column": name},
                )
        values[Dataset.quality_rules] = msgspec.json.encode(patch.qualityRules).decode()
    await Dataset.update(values).where(Dataset.id == dataset_id)
    return await get_dataset(dataset_id)


def _named(references: DatasetReferences, shown: int = 5) -> str:
    """ "feature plan fp-1, training jobs job-2 and job-3" (the first few of each kind)."""
    parts = []
    for kind, ids in (
        ("feature plan", references.featurePlans),
        ("training job", references.trainingJobs),
        ("model version", references.modelVersions),
    ):
        if ids:
            more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
            plural = "s" if len(ids) > 1 else ""
            parts.append(f"{kind}{plural} {', '.join(ids[:shown])}{more}")
    return "; ".join(parts)


async def delete_dataset(
    store: ObjectStore, dataset_id: str, force: bool, using: DatasetReferrers
) -> None:
    """`remove_dataset`, but CONFLICT while records use the dataset, unless forced."""
    await _row(dataset_id)
    if not force:
        references = await dataset_references(dataset_id, using)
        if references.total:
            raise Conflict(
                f"dataset {dataset_id!r} is used by {_named(references)}; "
                "delete those first, or delete the dataset anyway (force=true)",
                {"datasetId": dataset_id, "references": msgspec.to_builtins(references)},
            )
    await remove_dataset(store, dataset_id)


async def remove_dataset(store: ObjectStore, dataset_id: str) -> None:
    """Remove the row and every object under the dataset's prefix, in one transaction:
    a failed S3 delete keeps the row."""
    await _row(dataset_id)
    async with Dataset._meta.db.transaction():
        await Dataset.delete().where(Dataset.id == dataset_id)
        await store.remove_prefix(storage.prefix(dataset_id))


async def load_canonical(store: ObjectStore, dataset_id: str) -> pl.DataFrame:
    """The whole canonical frame (`timestamp` first, UTC, sorted): what training reads."""
    await _row(dataset_id)
    data = await store.get_bytes(storage.canonical_key(dataset_id))
    return await anyio.to_thread.run_sync(pl.read_parquet, io.BytesIO(data))
